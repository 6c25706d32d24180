"""Where the templates and translation catalogs are, in a checkout and in an installed wheel.

The renderer reads the templates, :mod:`newsletter.i18n` the catalogs and the configuration's
``Locale`` constraint the list of catalogs, so this module stands below all three.

The repository keeps ``templates/`` and ``locales/`` at its top; a wheel carries them as
``newsletter/_assets/templates`` and ``newsletter/_assets/locales`` (see pyproject's
``force-include``). The installed copy wins, so an installed program never reads a stray
checkout that happens to sit next to it.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

from newsletter.errors import RenderError

logger = logging.getLogger(__name__)

_PACKAGE = Path(__file__).resolve().parent
_CANDIDATES = (_PACKAGE / "_assets", _PACKAGE.parent)


def templates_dir() -> Path:
    """The folder holding the email templates."""
    return _find("templates")


def locales_dir() -> Path:
    """The folder holding ``<locale>/LC_MESSAGES/messages.po``."""
    return _find("locales")


def catalog_locales() -> tuple[str, ...]:
    """The locales the program ships a catalog for (``<locale>/LC_MESSAGES/messages.po``), sorted."""
    found = locales_dir().glob("*/LC_MESSAGES/messages.po")
    return tuple(sorted(path.parents[1].name for path in found))


@cache
def _find(name: str) -> Path:
    for root in _CANDIDATES:
        folder = root / name
        if folder.is_dir():
            logger.debug("using %s from %s", name, folder)
            return folder
    searched = ", ".join(str(root / name) for root in _CANDIDATES)
    raise RenderError(f"cannot find the {name} folder (looked in {searched}); reinstall the package")
