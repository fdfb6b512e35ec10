"""Docs that must stay true: README's commands, CI, the example config."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from yuqing.config import Config
from yuqing.runtime.config_files import shipped_lexicons
from yuqing.runtime.context import make_context

REPO = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.+?)\n```", text, flags=re.S)


def test_readme_starts_with_two_setup_commands() -> None:
    commands = readme_commands()
    assert len(commands) >= 2
    assert commands[0].rstrip().endswith("yuqing demo")
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert readme_commands()[1].strip() in ci


def test_example_config_loads_and_documents_every_section(tmp_path: Path) -> None:
    text = (resources.files("yuqing") / "data" / "example.toml").read_text(encoding="utf-8")
    (tmp_path / "yuqing.toml").write_text(text, encoding="utf-8")
    cfg = make_context(tmp_path / "yuqing.toml").config
    assert {s.kind for s in cfg.sources} >= {"rss", "file"}
    assert cfg.schemes[0].region_words and cfg.schemes[1].expression
    # the example keeps every shipped lexicon (listing lexicons replaces the default set)
    assert {lx.path for lx in cfg.lexicons} >= {f"builtin:{n}" for n in shipped_lexicons()}
    for name in Config.model_fields:
        if name != "base_dir":
            assert re.search(rf"^#?\s*\[*{name}\b|^{name} =", text, flags=re.M), (
                f"{name} undocumented"
            )


# Code, tests and the README cite the contracts in docs/ as docs/INTERFACES.md and
# docs/FIELD_CASES.md (F1-F17, F20.1-F20.13), never a copy outside the repository.
CITED = re.compile(r"([\w./-]*?)\b(INTERFACES|FIELD_CASES)(\.md)?(?![\w-])")
CITING_TREES = ("src", "tests", "benchmarks")


def citing_files() -> list[Path]:
    """Return README.md and the text files under src/, tests/ and benchmarks/ (not this one)."""
    files = [REPO / "README.md"]
    for top in CITING_TREES:
        files += [p for p in sorted((REPO / top).rglob("*")) if p.is_file()
                  and "__pycache__" not in p.parts and p.stat().st_size <= 1 << 20]
    return [f for f in files if f != Path(__file__).resolve()]


def bad_citations(text: str) -> list[str]:
    """Return the citations in ``text`` not written docs/INTERFACES.md or docs/FIELD_CASES.md."""
    return [m.group(0) for m in CITED.finditer(text)
            if m.group(1) not in ("docs/", "/docs/") or m.group(3) != ".md"]


def test_bad_citations_are_recognised() -> None:
    assert bad_citations("see docs/INTERFACES.md and (docs/FIELD_CASES.md F12)") == []
    for bad in ("INTERFACES.md", "../shared/INTERFACES.md", "FIELD_CASES F2",
                "shared/cases/FIELD_CASES.md", "docs/FIELD_CASES F3"):
        assert bad_citations(f"as in {bad}: x") != [], bad


def test_contracts_are_cited_in_docs() -> None:
    assert (REPO / "docs" / "INTERFACES.md").is_file()
    assert (REPO / "docs" / "FIELD_CASES.md").is_file()
    problems = []
    for path in citing_files():
        data = path.read_bytes()
        if b"\0" in data:
            continue
        text = data.decode("utf-8", errors="replace")
        for n, line in enumerate(text.splitlines(), start=1):
            problems += [f"{path.relative_to(REPO)}:{n}: {bad}" for bad in bad_citations(line)]
    assert problems == [], "cite docs/INTERFACES.md or docs/FIELD_CASES.md:\n" + "\n".join(problems)


def test_every_field_case_has_its_tests() -> None:
    text = (REPO / "docs" / "FIELD_CASES.md").read_text(encoding="utf-8")
    for n in range(1, 18):
        assert re.search(rf"^\*\*F{n} ", text, flags=re.M), f"F{n} undocumented"
        assert list((REPO / "tests" / "field").glob(f"test_f{n:02d}_*.py")), f"F{n} untested"
    for n in range(1, 14):  # the field failures of issue 20, one test file per item
        assert re.search(rf"^\*\*F20\.{n} ", text, flags=re.M), f"F20.{n} undocumented"
        assert list((REPO / "tests" / "field").glob(f"test_f20_{n:02d}_*.py")), f"F20.{n} untested"
    for named in re.findall(r"`(tests/field/test_f\d\d_\w+\.py)`", text):
        assert (REPO / named).is_file(), f"docs/FIELD_CASES.md names missing {named}"


def architecture_rooms() -> set[str]:
    """Return the package directories the rooms table of docs/ARCHITECTURE.md names."""
    text = (REPO / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    table = text.split("## The rooms", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `(\w+)/` \|", table, flags=re.M))


def test_architecture_names_every_package_and_no_other() -> None:
    src = REPO / "src" / "yuqing"
    packages = {p.name for p in src.iterdir() if (p / "__init__.py").is_file()}
    rooms = architecture_rooms()
    assert rooms - packages == set(), "docs/ARCHITECTURE.md names packages that do not exist"
    assert packages - rooms == set(), "docs/ARCHITECTURE.md misses packages"
    # paths like `alerts/channels/` or `src/yuqing/pipeline/base.py` in the text too
    text = (REPO / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    for path in re.findall(r"`(?:src/yuqing/)?([a-z_]+)/[\w./]*`", text):
        assert path in packages | {"src", "tests", "docs", "benchmarks"}, f"no package {path}/"
