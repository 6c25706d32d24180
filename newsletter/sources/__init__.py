"""Sources of papers: the contract in :mod:`.base`, arXiv in :mod:`.arxiv`, a local replay of
recorded arXiv responses in :mod:`.replay`, and the choice of candidates in :mod:`.candidates`."""
