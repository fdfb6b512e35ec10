"""Building the pipeline stages from the config with a registry keyed by stage name.

The stages run in the order of the ``[pipeline] stages`` setting
(config.PipelineConfig.stage_order). Each factory takes the config and
returns a ready stage, or raises StageUnavailable (a shipped model or an
optional package missing); the caller then runs without it and says so at
start-up. A file the config itself names (lexicon, user dictionary) that is
missing is not such a case: :func:`build_stages` refuses it with BadInput.
Adding a stage is one factory registered under a new name (a plugin: an entry
point of the ``yuqing.stages`` group) and one entry in ``[pipeline] stages``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from yuqing.config import Config
from yuqing.domain import BadInput
from yuqing.pipeline.base import Stage, StageUnavailable
from yuqing.pipeline.dedup import Deduplicator
from yuqing.pipeline.events import EventClusterer
from yuqing.pipeline.handling import HandlingClassifier
from yuqing.pipeline.incidents import IncidentStage
from yuqing.pipeline.keywords import KeywordExtractor
from yuqing.pipeline.office import OfficeModel, shipped_office_model
from yuqing.pipeline.places import PlaceMatcher
from yuqing.pipeline.schemes import SchemeMatcher
from yuqing.pipeline.segment import Segmenter
from yuqing.pipeline.sensitive import SensitiveMatcher
from yuqing.pipeline.sentiment import SentimentStage
from yuqing.pipeline.textnorm import match_form
from yuqing.plugins import Registry
from yuqing.runtime.config_files import file_problems

StageFactory = Callable[[Config], Stage]
#: the entry point group of third-party stages
ENTRY_POINT_GROUP = "yuqing.stages"


def _sensitive(config: Config) -> Stage:
    return SensitiveMatcher.from_config(config, normalize=match_form)


def _schemes(config: Config) -> Stage:
    if not config.schemes:
        raise StageUnavailable("no monitoring schemes configured")
    try:
        office: OfficeModel | None = shipped_office_model()
    except StageUnavailable:
        office = None  # the sentiment stage, if enabled, reports the missing model
    return SchemeMatcher(config.schemes, normalize=match_form, office=office)


def stage_registry() -> Registry[StageFactory]:
    """Return a new, empty registry of pipeline stages."""
    return Registry("pipeline stage")


def register_builtin_stages(registry: Registry[StageFactory]) -> Registry[StageFactory]:
    """Register the built-in stage factories under their names; return ``registry``."""
    builtins: dict[str, StageFactory] = {
        "dedup": lambda config: Deduplicator(),
        "segment": Segmenter.from_config,
        "sentiment": lambda config: SentimentStage(),
        "sensitive": _sensitive,
        "incidents": lambda config: IncidentStage.shipped(),
        "places": lambda config: PlaceMatcher(),
        "keywords": KeywordExtractor.from_config,
        "handling": lambda config: HandlingClassifier(),
        "schemes": _schemes,
        "events": EventClusterer.from_config,
    }
    for name, factory in builtins.items():
        registry.register(name, factory)
    return registry


@dataclass
class BuiltStages:
    """The stages that run, in order, and those skipped with the reason."""

    stages: list[Stage] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> Stage | None:
        """Return the running stage called ``name``, or None."""
        return next((s for s in self.stages if s.name == name), None)


def build_stages(config: Config, registry: Registry[StageFactory],
                 order: tuple[str, ...] | None = None) -> BuiltStages:
    """Build every stage of ``order`` (default: the ``[pipeline] stages`` setting) with
    ``registry``; unavailable ones are skipped.

    Raises BadInput naming the stage and the known ones when ``order`` names an
    unregistered one, and naming the key and the path when a file the config names
    cannot be read (runtime/config_files.py): a typo there must not switch a stage off.
    """
    problems = file_problems(config)
    if problems:
        raise BadInput(f"config: {'; '.join(problems)}")
    built = BuiltStages()
    for name in config.pipeline.stage_order() if order is None else order:
        factory = registry.get(name, owner="[pipeline] stages")
        try:
            built.stages.append(factory(config))
        except StageUnavailable as exc:
            built.skipped[name] = str(exc)
    return built
