"""The shipped topic terms, marked so the catalogs can name them in each language.

An issue's title and introduction name its topic with one of ``ranking.topic_terms``
("diffusion"), which reads as English inside a Korean sentence unless the catalog translates
it: "확산 모델 논문 5편". The defaults are listed here for ``pybabel extract``; a term the
catalog does not know is shown as configured.
"""

from __future__ import annotations


def pgettext(context: str, message: str) -> str:
    """Mark ``message`` in ``context`` for extraction; it is translated where it is shown."""
    del context
    return message


#: The topic of an issue whose picks match none of the terms.
GENERAL = pgettext("topic", "research")
TOPIC_TERMS = (
    GENERAL,
    pgettext("topic", "diffusion"),
    pgettext("topic", "flow matching"),
    pgettext("topic", "score-based"),
    pgettext("topic", "denoising"),
    pgettext("topic", "distillation"),
    pgettext("topic", "text-to-image"),
    pgettext("topic", "video generation"),
    pgettext("topic", "sampler"),
    pgettext("topic", "caching"),
)
