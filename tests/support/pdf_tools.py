"""Poppler helpers for tests of PDF reports: text (pdftotext), info and URLs (pdfinfo).

Each skips the calling test when poppler-utils is not installed (.ci/run installs it).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest


def pdf_text(data: bytes, tmp_path: Path) -> str:
    """Return the text pdftotext extracts from PDF ``data`` (UTF-8)."""
    return pdf_tool("pdftotext", data, tmp_path, "-enc", "UTF-8")


def pdf_tool(tool: str, data: bytes, tmp_path: Path, *args: str) -> str:
    """Run poppler's ``tool`` (pdfinfo, pdftotext...) on PDF ``data``; return its stdout.

    Skips the test when poppler-utils is not installed.
    """
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} (poppler-utils) is not installed")
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    done = subprocess.run([tool, *args, str(path), *(["-"] if tool == "pdftotext" else [])],
                          capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def pdf_pages(data: bytes, tmp_path: Path) -> int:
    """Return the page count pdfinfo reports for PDF ``data``."""
    info = pdf_tool("pdfinfo", data, tmp_path)
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def unrendered(data: bytes) -> set[str]:
    """Return the characters of PDF ``data``'s text layer that no embedded font draws.

    Reads every font's ToUnicode map (character -> glyph id) and its embedded
    TrueType program (fontTools): a character whose glyph id lies beyond the
    font's glyphs (the placeholder Pango writes for a missing glyph) or whose
    glyph has no outline is returned. Blank characters, and the U+FFFF WeasyPrint
    maps the .notdef glyph to, are not checked.
    """
    import io
    import re

    from fontTools.ttLib import TTFont
    from pypdf import PdfReader

    missing: set[str] = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            cid_font = font["/DescendantFonts"][0].get_object()
            program = TTFont(io.BytesIO(cid_font["/FontDescriptor"]["/FontFile2"].get_data()))
            order, glyf = program.getGlyphOrder(), program["glyf"]
            cmap = font["/ToUnicode"].get_data().decode("ascii")
            for gid, code in re.findall(r"<([0-9a-fA-F]+)> <([0-9a-fA-F]+)>", cmap):
                char = bytes.fromhex(code).decode("utf-16-be")
                n = int(gid, 16)
                if char.isspace() or char == "\uffff":
                    continue
                if n >= len(order) or glyf[order[n]].numberOfContours == 0:
                    missing.add(char)
    return missing
