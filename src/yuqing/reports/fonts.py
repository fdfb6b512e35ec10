"""The CJK fonts shipped in yuqing/data/fonts, registered explicitly so that no report
depends on the fonts of the machine it is made on (see SOURCE.md there).

A fallback chain, in this order (docs/FIELD_CASES.md F20.1):

1. "Yuqing Sans SC": a subset of Noto Sans CJK SC (SIL OFL 1.1) holding GB 2312 and
   the common symbols, small so that WeasyPrint and matplotlib load it fast;
2. "Yuqing Sans SC Ext": the rest of that face, 36,798 characters (the rest of the
   CJK unified ideographs, Extension A, 2,108 of Extension B such as 𡃁, radicals,
   kana, Hangul), so every hanzi of GB 18030's mandatory set and Korean render; a
   PDF embeds it only when a report uses one of its characters;
3. the fonts of the machine (fontconfig), for scripts the two do not cover;
4. characters no font covers are named in a warning by the renderer
   (:func:`uncovered`), never drawn as silent boxes.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import unicodedata
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path

FAMILY = "Yuqing Sans SC"
EXT_FAMILY = "Yuqing Sans SC Ext"
#: the shipped families, in fallback order, with their files in yuqing/data/fonts
FONT_FILES = {FAMILY: "NotoSansSC-Regular.ttf", EXT_FAMILY: "NotoSansSC-Ext-Regular.ttf"}
#: the CSS ``font-family`` value of every report text (the fallback chain above)
CSS_FAMILIES = ", ".join(f'"{name}"' for name in FONT_FILES) + ", sans-serif"
_lock = threading.Lock()


def font_path(family: str = FAMILY) -> Path:
    """Return the path of the shipped font file of ``family`` (TrueType, Regular weight)."""
    return Path(str(resources.files("yuqing") / "data" / "fonts" / FONT_FILES[family]))


@cache
def register_matplotlib() -> str:
    """Add the shipped fonts to matplotlib's font manager once; return the first family.

    ``font.family`` becomes the fallback chain (matplotlib draws each character
    with the first family that has it). Selects the Agg backend and sets
    ``axes.unicode_minus`` so negative ticks use U+2212, which the subset contains.
    """
    with _lock:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import font_manager

        for family in FONT_FILES:
            font_manager.fontManager.addfont(str(font_path(family)))
        matplotlib.rcParams["font.family"] = list(FONT_FILES)
        matplotlib.rcParams["axes.unicode_minus"] = True
    return FAMILY


def font_face_css() -> str:
    """Return the ``@font-face`` rules binding each shipped family to its file (a file:
    URL) and the rule giving the document (and its page margins) the fallback chain,
    for WeasyPrint and for a browser opening a saved HTML report."""
    faces = [f"@font-face {{ font-family: '{family}'; "
             f"src: url('{font_path(family).as_uri()}') format('truetype'); }}"
             for family in FONT_FILES]
    return "\n".join([*faces, f"html {{ font-family: {CSS_FAMILIES}; }}"])


def has_glyph(char: str) -> bool:
    """True when a shipped font has a glyph for ``char``."""
    return ord(char) in _shipped()


def uncovered(text: Iterable[str]) -> list[str]:
    """Return the distinct characters of ``text``, in code point order, that neither a
    shipped font nor a font of the machine (fontconfig's ``fc-list``) covers.

    Blanks, controls, format characters and variation selectors draw nothing and
    are never returned. Without fontconfig only the shipped fonts count.
    """
    wanted = {ch for ch in set(text) if ord(ch) not in _shipped() and _drawn(ch)}
    if not wanted:
        return []
    system = _system()
    return sorted((ch for ch in wanted if ord(ch) not in system), key=ord)


def _drawn(char: str) -> bool:
    """False for characters that have no glyph of their own (blanks, controls, selectors)."""
    return unicodedata.category(char) not in ("Cc", "Cf", "Zs", "Zl", "Zp") and not (
        0xFE00 <= ord(char) <= 0xFE0F or 0xE0100 <= ord(char) <= 0xE01EF)


@cache
def _shipped() -> frozenset[int]:
    from fontTools.ttLib import TTFont

    points: set[int] = set()
    for family in FONT_FILES:
        with TTFont(str(font_path(family)), lazy=True) as font:
            points.update(font.getBestCmap())
    return frozenset(points)


@cache
def _system() -> frozenset[int]:
    """Return the code points the machine's fonts cover (the union of fc-list's charsets)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return frozenset()
    done = subprocess.run([fc_list, "--format", "%{charset}\n"], capture_output=True,
                          text=True, check=False, timeout=60)
    points: set[int] = set()
    for part in done.stdout.split():
        first, _, last = part.partition("-")
        try:
            points.update(range(int(first, 16), int(last or first, 16) + 1))
        except ValueError:
            continue
    return frozenset(points)
