"""Building the pipeline stages from the config: a registry keyed by stage name.

The stages run in ``DEFAULT_ORDER``. Each factory takes the config and
returns a ready stage, or raises StageUnavailable (a shipped model or an
optional package missing); the caller then runs without it and says so at
start-up. A file the config itself names (lexicon, user dictionary) that is
missing is not such a case: :func:`build_stages` refuses it with BadInput.
Adding a stage is one factory registered under a new name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from yuqing.config import Config, file_problems
from yuqing.domain import BadInput
from yuqing.pipeline.base import Stage, StageUnavailable
from yuqing.pipeline.dedup import Deduplicator
from yuqing.pipeline.events import EventClusterer
from yuqing.pipeline.handling import HandlingClassifier
from yuqing.pipeline.keywords import KeywordExtractor
from yuqing.pipeline.places import PlaceMatcher
from yuqing.pipeline.schemes import SchemeMatcher
from yuqing.pipeline.segment import Segmenter
from yuqing.pipeline.sensitive import SensitiveMatcher
from yuqing.pipeline.sentiment import SentimentStage
from yuqing.pipeline.textnorm import normalize_text

StageFactory = Callable[[Config], Stage]

DEFAULT_ORDER = ("dedup", "segment", "sentiment", "sensitive", "places", "keywords", "handling",
                 "schemes", "events")


def match_form(word: str) -> str:
    """Return ``word`` in the form matching sees (normalised, simplified)."""
    return normalize_text(word)[0]


def _sensitive(config: Config) -> Stage:
    return SensitiveMatcher.from_config(config, normalize=match_form)


def _schemes(config: Config) -> Stage:
    if not config.schemes:
        raise StageUnavailable("no monitoring schemes configured")
    return SchemeMatcher(config.schemes, normalize=match_form)


def default_stage_registry() -> dict[str, StageFactory]:
    """Return a new registry of the built-in stage factories, keyed by name."""
    return {
        "dedup": lambda config: Deduplicator(),
        "segment": Segmenter.from_config,
        "sentiment": lambda config: SentimentStage(),
        "sensitive": _sensitive,
        "places": lambda config: PlaceMatcher(),
        "keywords": KeywordExtractor.from_config,
        "handling": lambda config: HandlingClassifier(),
        "schemes": _schemes,
        "events": EventClusterer.from_config,
    }


@dataclass
class BuiltStages:
    """The stages that run, in order, and those skipped with the reason."""

    stages: list[Stage] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> Stage | None:
        """Return the running stage called ``name``, or None."""
        return next((s for s in self.stages if s.name == name), None)


def build_stages(config: Config, registry: dict[str, StageFactory] | None = None,
                 order: tuple[str, ...] = DEFAULT_ORDER) -> BuiltStages:
    """Build every stage of ``order`` with ``registry``; unavailable ones are skipped.

    Raises KeyError naming the stage when ``order`` names an unregistered one, and
    BadInput naming the key and the path when a file the config names cannot be read
    (config.file_problems): a typo there must not switch a stage off.
    """
    problems = file_problems(config)
    if problems:
        raise BadInput(f"config: {'; '.join(problems)}")
    registry = default_stage_registry() if registry is None else registry
    built = BuiltStages()
    for name in order:
        if name not in registry:
            raise KeyError(f"unknown pipeline stage {name!r}; known: {sorted(registry)}")
        try:
            built.stages.append(registry[name](config))
        except StageUnavailable as exc:
            built.skipped[name] = str(exc)
    return built
