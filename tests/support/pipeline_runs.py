"""Running the pipeline in a test: a ``Pipeline`` over a store with the built-in plugins,
and the total of many outcomes (objects, or the JSON documents ``--json`` prints).

``make_pipeline(store)`` is what a ``Context`` builds for one process, without the context: the
config (``Config()`` when none is given; a TOML text is parsed as ``yuqing.toml`` would
be) and the registries of the built-in sources, stages and channels. ``alerts=False`` runs
no alert rule (nothing is dispatched).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from typing import Any

from yuqing.config import Config, parse_config
from yuqing.runtime.outcome import Outcome
from yuqing.runtime.pipeline import Pipeline
from yuqing.runtime.registries import load_registries
from yuqing.store import Store


def make_pipeline(store: Store, config: Config | str | None = None, *,
             alerts: bool = True) -> Pipeline:
    """Return a Pipeline over ``store`` with ``config`` (a Config, a TOML text, or None for
    the defaults) and the built-in registries."""
    if isinstance(config, str):
        config = parse_config(tomllib.loads(config))
    return Pipeline(config or Config(), store, registries=load_registries(),
                    alerts_enabled=alerts)


def total(outcomes: Iterable[Outcome | dict[str, Any]]) -> Outcome:
    """Return the sum of ``outcomes`` (Outcome objects or their JSON documents)."""
    whole = Outcome()
    for outcome in outcomes:
        whole.add(outcome if isinstance(outcome, Outcome) else Outcome.from_dict(outcome))
    return whole
