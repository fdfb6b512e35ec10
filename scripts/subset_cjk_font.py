"""Build the CJK fonts shipped in src/yuqing/data/fonts/ (run once; the output is committed).

Source: Debian's ``fonts-noto-cjk`` (``apt-get install fonts-noto-cjk``), face
"Noto Sans CJK SC" (index 2 of NotoSansCJK-{Regular,Bold}.ttc), SIL Open Font
License 1.1. Two fonts, a fallback chain (yuqing/reports/fonts.py):
``NotoSansSC-Regular.ttf`` ("Yuqing Sans SC") keeps ASCII, Latin-1, general punctuation, arrows,
enclosed numbers, CJK symbols, full-width forms, the minus sign, every
character of GB 2312 (levels 1 and 2: 6,763 hanzi plus symbols) and every
character of the bundled hot-search titles; ``NotoSansSC-Ext-Regular.ttf``
("Yuqing Sans SC Ext") keeps every other character the face maps (the rest of
the CJK ideographs, Extensions A and B, kana, Hangul). Each subset is converted from
CFF to TrueType outlines (WeasyPrint subsets TrueType in 0.6 s per PDF but the
CFF font in 21 s) and renamed "Yuqing Sans SC" (a modified font version may not
keep the original name under the OFL's spirit; the name also keeps it apart
from a system copy of Noto). Only the Regular weight ships (WeasyPrint
synthesises bold). Usage::

    python scripts/subset_cjk_font.py [/usr/share/fonts/opentype/noto]
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

SC_INDEX = 2  # "Noto Sans CJK SC" in the Noto CJK collections
FAMILY = "Yuqing Sans SC"
EXT_FAMILY = "Yuqing Sans SC Ext"
MAX_ERR = 1.0  # font units: cubic -> quadratic approximation error
OUT = Path(__file__).resolve().parents[1] / "src" / "yuqing" / "data" / "fonts"
RANGES = ((0x20, 0x7E), (0xA0, 0xFF), (0x2010, 0x205E), (0x2190, 0x21FF), (0x2212, 0x2212),
          (0x2460, 0x24FF), (0x25A0, 0x25FF), (0x3000, 0x303F), (0xFF00, 0xFFEF))


def gb2312_chars() -> set[str]:
    """Return every character GB 2312 encodes in two bytes (rows 0xA1-0xF7)."""
    chars: set[str] = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def hotsearch_chars() -> set[str]:
    """Return the characters of the bundled hot-search topic titles."""
    path = OUT.parent / "hotsearch" / "topics.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return {ch for line in fh for ch in json.dumps(json.loads(line), ensure_ascii=False)}


def wanted() -> set[str]:
    """Return the characters to keep."""
    chars = {chr(c) for lo, hi in RANGES for c in range(lo, hi + 1)}
    return chars | gb2312_chars() | hotsearch_chars()


def to_truetype(font: TTFont) -> None:
    """Replace the CFF outlines of ``font`` by quadratic TrueType outlines, in place."""
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, MAX_ERR, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["loca"], font["glyf"] = newTable("loca"), glyf
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
                 "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
                 "maxComponentElements"):
        setattr(maxp, attr, 1 if attr == "maxZones" else 0)
    font["head"].glyphDataFormat = 0
    post = font["post"]
    post.formatType, post.extraNames, post.mapping = 2.0, [], {}
    post.glyphOrder = order
    font.sfntVersion = "\x00\x01\x00\x00"


def rename(font: TTFont, family: str) -> None:
    """Set the family and full names of ``font`` to ``family`` (copyright notices kept)."""
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 3, 4, 6, 16, 17):
            names.removeNames(nameID=record.nameID)
    for name_id, value in ((1, family), (4, family), (6, family.replace(" ", "") + "-Regular"),
                           (3, family + " subset of Noto Sans CJK SC 2.004")):
        names.setName(value, name_id, 3, 1, 0x409)


def source_face(src_dir: Path) -> TTFont:
    """Return the "Noto Sans CJK SC" Regular face from ``src_dir``."""
    return TTCollection(str(src_dir / "NotoSansCJK-Regular.ttc")).fonts[SC_INDEX]


def build(src_dir: Path) -> None:
    """Write both fonts into OUT: the common subset, then the extension (the rest)."""
    common = wanted()
    write_subset(source_face(src_dir), common, FAMILY, "NotoSansSC-Regular.ttf")
    rest = {chr(c) for c in source_face(src_dir).getBestCmap()} - common
    write_subset(source_face(src_dir), rest, EXT_FAMILY, "NotoSansSC-Ext-Regular.ttf")


def write_subset(font: TTFont, chars: set[str], family: str, file_name: str) -> None:
    """Subset ``font`` to ``chars``, convert it to TrueType, name it ``family``, save it."""
    text = "".join(sorted(chars))
    options = subset.Options()
    options.layout_features = []  # no GSUB/GPOS: big tables that made every PDF 2 s slower
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    sub = subset.Subsetter(options)
    sub.populate(text=text)
    sub.subset(font)
    rename(font, family)
    to_truetype(font)
    out = OUT / file_name
    font.save(str(out))
    print(f"{out}: {out.stat().st_size} bytes, {len(text)} characters")


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/usr/share/fonts/opentype/noto"))
