"""Read-only commands refuse a SQLite --db file that does not exist (cli/common.reading_context)
instead of creating an empty database and showing nothing; commands that create a store still do."""

from __future__ import annotations

from pathlib import Path

import pytest
from yuqing_cli import FIXTURES, Invoke, flat

READERS = [["items"], ["events"], ["event", "E1"], ["stats"], ["alerts"], ["rejections"],
           ["report", "daily", "--format", "html"]]


@pytest.mark.parametrize("command", READERS, ids=lambda c: c[0])
def test_read_only_command_on_a_missing_database_file_exits_2(
        cli: Invoke, tmp_path: Path, command: list[str]) -> None:
    result = cli(*command, "--db", "sqlite:///typo-name.db", "--json")
    assert result.exit_code == 2 and result.stdout == ""
    assert (f"databasefiletypo-name.dbdoesnotexist(pathresolvedto{tmp_path / 'typo-name.db'})"
            in flat(result.stderr))
    assert not (tmp_path / "typo-name.db").exists()


def test_in_memory_database_and_creating_commands_still_work(cli: Invoke, tmp_path: Path) -> None:
    assert cli("items", "--db", "sqlite://", "--json").exit_code == 0
    made = cli("ingest", str(FIXTURES / "items" / "e2e_items.jsonl"), "--db",
               "sqlite:///new.db", "--json")
    assert made.exit_code == 0 and (tmp_path / "new.db").is_file()
    assert cli("items", "--db", "sqlite:///new.db", "--json").stdout.strip()
