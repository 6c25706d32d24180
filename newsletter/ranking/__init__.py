"""Ranking: score the window's candidates on separate signals and choose the issue's picks.

:func:`rank` is the stage's one entry point; :func:`extract_facts` and
:func:`score_signals` are exposed for the draft and for tools that explain a score.
"""

from newsletter.ranking.facts import extract_facts
from newsletter.ranking.ranker import rank
from newsletter.ranking.signals import SIGNALS, score_signals, weighted

__all__ = ["SIGNALS", "extract_facts", "rank", "score_signals", "weighted"]
