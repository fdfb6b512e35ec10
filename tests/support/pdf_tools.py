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
