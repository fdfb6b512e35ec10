"""Fixtures for the end-to-end tests of the `yuqing` command line.

``cli`` runs the Typer app in-process (typer.testing.CliRunner) with the
working directory set to ``tmp_path`` (so yuqing.db / yuqing-demo.db land
there) and ``YUQING_DATABASE_URL`` and ``YUQING_BROKER_URL`` unset. Helpers are in
tests/support/yuqing_cli.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner
from yuqing_cli import Invoke

from yuqing.cli import app


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """Return ``invoke(*args)`` running ``yuqing ARGS`` in ``tmp_path``; stdout and stderr apart."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("YUQING_DATABASE_URL", raising=False)
    monkeypatch.delenv("YUQING_BROKER_URL", raising=False)
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(app, list(args), catch_exceptions=False)

    return invoke
