"""The CJK font shipped in yuqing/data/fonts ("Yuqing Sans SC", a subset of Noto Sans CJK
SC under the SIL OFL 1.1; see SOURCE.md there), registered explicitly so that no report
depends on the fonts of the machine it is made on.
"""

from __future__ import annotations

import threading
from functools import cache
from importlib import resources
from pathlib import Path

FAMILY = "Yuqing Sans SC"
_lock = threading.Lock()


def font_path() -> Path:
    """Return the path of the shipped font file (TrueType outlines, Regular weight)."""
    return Path(str(resources.files("yuqing") / "data" / "fonts" / "NotoSansSC-Regular.ttf"))


@cache
def register_matplotlib() -> str:
    """Add the shipped font to matplotlib's font manager once; return its family name.

    Selects the Agg backend and sets ``axes.unicode_minus`` so negative ticks
    use U+2212, which the subset contains.
    """
    with _lock:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import font_manager

        font_manager.fontManager.addfont(str(font_path()))
        matplotlib.rcParams["font.family"] = [FAMILY]
        matplotlib.rcParams["axes.unicode_minus"] = True
    return FAMILY


def font_face_css() -> str:
    """Return the ``@font-face`` rule binding FAMILY to the shipped file (a file: URL), for
    WeasyPrint and for a browser opening a saved HTML report."""
    return (f"@font-face {{ font-family: '{FAMILY}'; "
            f"src: url('{font_path().as_uri()}') format('truetype'); }}")


def has_glyph(char: str) -> bool:
    """True when the shipped font has a glyph for ``char``."""
    return ord(char) in _cmap()


@cache
def _cmap() -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(str(font_path()), lazy=True) as font:
        return frozenset(font.getBestCmap())
