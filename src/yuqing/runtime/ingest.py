"""Feeding item files through the pipeline in batches, with progress."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import TypeVar

from yuqing.domain import BadInput, RawItem
from yuqing.runtime.outcome import Outcome
from yuqing.runtime.pipeline import Pipeline
from yuqing.sources.files import read_items

#: items per pipeline batch (and per store transaction)
BATCH_SIZE = 1000

T = TypeVar("T")
Progress = Callable[[int], None]


def batched(iterable: Iterable[T], size: int) -> Iterator[list[T]]:
    """Yield lists of up to ``size`` consecutive elements of ``iterable``."""
    it = iter(iterable)
    while chunk := list(islice(it, size)):
        yield chunk


def run_stream(pipeline: Pipeline, raws: Iterable[RawItem | BadInput], *,
               batch_size: int = BATCH_SIZE, progress: Progress | None = None) -> Outcome:
    """Run ``raws`` through ``pipeline`` in batches; ``progress(n)`` after each batch of n."""
    total = Outcome()
    for batch in batched(raws, batch_size):
        total.add(pipeline.process(batch))
        if progress is not None:
            progress(len(batch))
    return total


def ingest_file(pipeline: Pipeline, path: Path, *, source: str | None = None,
                mapping: dict[str, str] | None = None, tz: str = "Asia/Shanghai",
                media_type: str = "other", batch_size: int = BATCH_SIZE,
                progress: Progress | None = None) -> Outcome:
    """Run one item file (JSONL, CSV, RSS/Atom XML; optionally gzip) through ``pipeline``.

    Bad rows are counted as rejected with the file and line named; the file
    itself being unreadable raises BadInput.
    """
    raws = read_items(path, source=source, tz=tz, media_type=media_type, mapping=mapping)
    return run_stream(pipeline, raws, batch_size=batch_size, progress=progress)
