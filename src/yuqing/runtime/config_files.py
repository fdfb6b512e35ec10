"""The files a config names that are read at start-up, and what is wrong with them.

Kept apart from runtime/checks.py because the stage builder (runtime/stages.py)
refuses these problems too, and checks.py needs the stage builder.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from yuqing.config import Config
from yuqing.pipeline.sensitive import builtin_lexicon_path, parse_lexicon, resolve_lexicon_path


def shipped_lexicons() -> list[str]:
    """Return the names of the lexicons shipped in ``yuqing/data/lexicons``, sorted."""
    return sorted(p.stem for p in builtin_lexicon_path("x").parent.glob("*.txt"))


def configured_files(config: Config) -> Iterator[tuple[str, str, Path]]:
    """Yield ``(key, value, path)`` for every file the config names that is read at start-up:
    ``lexicons[i].path`` (``builtin:NAME`` or a path) and ``segment.user_dicts[i]``;
    relative paths are under the config file's folder."""
    for i, lex in enumerate(config.lexicons):
        if lex.path is not None:
            yield (f"lexicons[{i}].path", lex.path,
                   resolve_lexicon_path(lex.path, config.base_dir))
    for i, name in enumerate(config.segment.user_dicts):
        yield f"segment.user_dicts[{i}]", name, config.resolve_path(name)


def file_problems(config: Config) -> list[str]:
    """Return ``"key: 'value': problem"`` for each file of :func:`configured_files` that is
    missing, a folder or unreadable (an unknown ``builtin:`` name lists the shipped ones).
    A stage must not silently switch off because of a typo in the file's name. Lines of a
    lexicon's own ``terms`` that the sensitive stage would skip are problems too."""
    problems = []
    for i, lex in enumerate(config.lexicons):
        problems += parse_lexicon(lex.terms, lex.category, f"lexicons[{i}].terms")[1]
    for key, value, path in configured_files(config):
        try:
            with path.open("rb"):
                pass
        except FileNotFoundError:
            if value.startswith("builtin:"):
                problems.append(f"{key}: {value!r}: no such shipped lexicon "
                                f"(shipped: {', '.join(shipped_lexicons())})")
            else:
                problems.append(f"{key}: {value!r}: file {path} not found")
        except IsADirectoryError:
            problems.append(f"{key}: {value!r}: {path} is a folder, not a file")
        except OSError as exc:
            problems.append(f"{key}: {value!r}: {path} cannot be read ({exc.strerror or exc})")
    return problems
