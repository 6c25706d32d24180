"""Sources of papers: the contract in :mod:`.base`, arXiv in :mod:`.arxiv` (over the polite, strict
HTTP session of :mod:`.session`), a local replay of arXiv's export API in :mod:`.replay`, and the
choice of an issue's candidates in :mod:`.candidates`."""
