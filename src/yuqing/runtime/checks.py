"""Config checks that span subsystems, run by the composition root (runtime/context.py).

config.py checks the schema only. Whether the config makes sense for the
rest of the house (a language the messages speak, a URL SQLAlchemy reads, a
lexicon file that is there, a case state, a report format, a channel kind
some registry knows, a scheme expression that parses, a stage that exists)
is checked here, when a Context is built, so every command that loads the
config refuses the same mistakes, each named by its key and value, and
`yuqing check` finds what `case open`, `run` or the pipeline would refuse.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import time

from yuqing.alerts.channels.options import (
    channel_label,
    model_of,
    target_problems,
    unknown_options,
)
from yuqing.alerts.channels.registry import DEFAULT_CHANNEL, ChannelFactory, build_channel
from yuqing.alerts.render import MESSAGES
from yuqing.alerts.rulebook import check_config_rules
from yuqing.cases.petitions import LEVELS as UNIT_LEVELS
from yuqing.cases.workflow import ROLES, STATES
from yuqing.config import Config, did_you_mean, env_name, environment_settings, not_one_of
from yuqing.domain import BadInput
from yuqing.pipeline.schemes import CompiledScheme
from yuqing.pipeline.textnorm import match_form
from yuqing.plugins import Registry
from yuqing.reports.formats import FORMATS
from yuqing.reports.periods import PERIOD_KINDS
from yuqing.runtime.config_files import file_problems
from yuqing.runtime.stages import StageFactory
from yuqing.sources.files import path_problem
from yuqing.sources.registry import SourceFactory, create_source
from yuqing.store.engine import check_database_url


def known_language(code: str) -> str:
    """Return ``code`` when alert messages and the web app speak it; raises ValueError otherwise."""
    if code not in MESSAGES:
        raise ValueError(f"{code!r} is not a known language (known: {', '.join(MESSAGES)})"
                         f"{did_you_mean(code, MESSAGES)}")
    return code


#: URL schemes of the brokers Celery reaches through kombu: RabbitMQ and Redis
BROKER_SCHEMES = ("amqp", "amqps", "pyamqp", "redis", "rediss")


def check_broker_url(url: str) -> str:
    """Return ``url`` when it names a RabbitMQ or Redis broker; raises ValueError otherwise
    (naming the scheme only: the URL may hold a password)."""
    scheme, sep, _ = url.partition("://")
    if not sep or scheme not in BROKER_SCHEMES:
        raise ValueError(f"{(scheme + sep) if sep else 'the value'}… is not a broker URL "
                         "(amqp://user:password@host:5672// for RabbitMQ, "
                         "redis://host:6379/0 for Redis)")
    return url


#: the settings whose values are checked here (the schema checks ``timezone`` itself)
SETTING_CHECKS: dict[str, Callable[[str], str]] = {
    "language": known_language,
    "database_url": check_database_url,
    "broker_url": check_broker_url,
}


def check_environment(env: Mapping[str, str] | None = None) -> None:
    """Raise BadInput naming the variable when ``YUQING_<NAME>`` (in ``env``, default the
    process environment) holds a value the config key would refuse
    (``YUQING_LANGUAGE: 'fr' is not a known language (known: zh, en)``)."""
    for name, value in environment_settings(env).items():
        check = SETTING_CHECKS.get(name)
        try:
            if check is not None:
                check(value)
        except ValueError as exc:
            raise BadInput(f"{env_name(name)}: {exc}") from None


def setting_problems(config: Config) -> list[str]:
    """Return ``"key: problem"`` for the top-level settings of :data:`SETTING_CHECKS`."""
    problems = []
    for name, check in SETTING_CHECKS.items():
        value = getattr(config, name)
        try:
            if value is not None:
                check(value)
        except ValueError as exc:
            problems.append(f"{name}: {exc}")
    return problems


def _known(key: str, values: Sequence[str], known: Sequence[str], what: str) -> list[str]:
    """Return ``"key[i]: 'value' is not WHAT (known: ...)"`` for each value not in ``known``."""
    return [f"{key}[{i}]: {v!r} is not {what} (known: {', '.join(known) or 'none'})"
            f"{did_you_mean(v, known)}" for i, v in enumerate(values) if v not in known]


def alert_channel_names(config: Config) -> list[str]:
    """Return the names a schedule, a unit or a rule may send to: the configured alert
    channels and ``console``, which is always there (alerts/channels/registry.py)."""
    return list(dict.fromkeys([c.name for c in config.alerts.channels] + [DEFAULT_CHANNEL]))


def case_problems(config: Config) -> list[str]:
    """Return problems of ``[cases]`` and ``[deadlines]``: a policy name in ``cases.policies``
    that no deadline policy has, a ``met_by`` that is not a case state (cases/workflow.py),
    a unit's ``dual_report_to`` that is the unit itself or no configured unit (its reports
    would reach no channel: cases/upward.py), a ``parent`` that is no other configured unit
    or closes a cycle (:func:`unit_tree_problems`), a unit's ``channels`` entry that is not an
    alert channel (where its escalations and the reports sent up to it go)."""
    policies = [p.name for p in config.deadlines.policies]
    problems = _known("cases.policies", config.cases.policies, policies, "a deadline policy")
    units = [u.name for u in config.cases.units]
    for i, u in enumerate(config.cases.units):
        if u.dual_report_to is not None and (u.dual_report_to == u.name
                                             or u.dual_report_to not in units):
            problems.append(f"cases.units[{i}].dual_report_to: {u.dual_report_to!r} is not "
                            f"another configured unit (known: {', '.join(units)})")
    problems += unit_tree_problems(config)
    for i, p in enumerate(config.deadlines.policies):
        if p.met_by not in STATES:
            problems.append(f"deadlines.policies[{i}].met_by: {p.met_by!r} is not a case state "
                            f"(known: {', '.join(STATES)}){did_you_mean(p.met_by, STATES)}")
    channels = alert_channel_names(config)
    for i, u in enumerate(config.cases.units):
        problems += _known(f"cases.units[{i}].channels", u.channels, channels, "an alert channel")
    for unit in config.cases.units:
        if unit.level not in UNIT_LEVELS:
            problems.append(f"unit {unit.name!r}: level: {not_one_of(unit.level, UNIT_LEVELS)}")
    for user in config.cases.users:
        problems += [f"user {user.name!r}: roles: {not_one_of(role, ROLES)}"
                     for role in user.roles if role not in ROLES]
    return problems


def unit_tree_problems(config: Config) -> list[str]:
    """Return problems of the units' ``parent`` links: a parent that is the unit itself or
    no configured unit (a case reported upward would reach nobody; with the nearest unit
    name), and each cycle once (``a → b → a``: reporting upward would never end)."""
    units = [u.name for u in config.cases.units]
    parents = {u.name: u.parent for u in config.cases.units}
    problems = []
    for i, u in enumerate(config.cases.units):
        if u.parent is not None and (u.parent == u.name or u.parent not in units):
            others = [n for n in units if n != u.name]
            problems.append(f"cases.units[{i}] ({u.name}).parent: {u.parent!r} is not another "
                            f"configured unit (known: {', '.join(others) or 'none'})"
                            f"{did_you_mean(u.parent, others)}; add it to [[cases.units]] "
                            f"or leave parent out")
    seen: set[str] = set()
    for start in units:
        path: list[str] = []
        unit: str | None = start
        while unit in parents and unit not in path and unit not in seen:
            path.append(unit)
            unit = parents[unit]
        seen.update(path)
        if unit in path and unit != path[-1]:  # a self-parent is reported above
            loop = path[path.index(unit):] + [unit]
            problems.append(f"cases.units: the parents form a cycle ({' → '.join(loop)}); "
                            f"a unit cannot be above itself")
    return problems


def schedule_problems(config: Config) -> list[str]:
    """Return problems of ``[[reports.schedules]]`` that `yuqing run` would refuse
    (reports/schedule.py check_schedule): kind, format, ``at`` not a time of day,
    no channel or one that is not an alert channel."""
    channels = alert_channel_names(config)
    problems = []
    for i, s in enumerate(config.reports.schedules):
        key = f"reports.schedules[{i}]"
        for field, value, known in (("kind", s.kind, PERIOD_KINDS), ("format", s.format, FORMATS)):
            if value not in known:
                problems.append(f"{key}.{field}: {not_one_of(value, known)}")
        try:
            time.fromisoformat(s.at)
        except ValueError:
            problems.append(f"{key}.at: {s.at!r} is not a time of day HH:MM (00:00 to 23:59)")
        if not s.channels:
            problems.append(f"{key}.channels: empty; name the alert channels it goes to")
        problems += _known(f"{key}.channels", s.channels, channels, "an alert channel")
    return problems


def stage_problems(config: Config, stages: Registry[StageFactory]) -> list[str]:
    """Return ``"pipeline.stages: 'x' is not a pipeline stage (known: ...)"`` for each name
    of ``[pipeline] stages`` that ``stages`` (built-ins and plugins) does not hold."""
    problems = []
    for name in config.pipeline.stages:
        if name not in stages:
            problems.append(f"pipeline.stages: {name!r} is not a pipeline stage "
                            f"(known: {', '.join(stages.names())})")
    return problems


def alert_and_scheme_problems(config: Config, channels: Registry[ChannelFactory]) -> list[str]:
    """Return problems the pipeline would raise at start-up, each naming its key: an alert
    channel that ``channels`` cannot build (unknown kind, bad option), an alert rule that
    does not validate (alerts/rulebook.py check_config_rules), a scheme whose expression
    does not parse or that could never match (pipeline/schemes.py)."""
    problems = channel_problems(config, channels)[0]
    try:
        check_config_rules(config)
    except BadInput as exc:
        problems.append(str(exc))
    for i, scheme in enumerate(config.schemes):
        try:
            CompiledScheme.build(scheme, match_form)
        except BadInput as exc:
            problems.append(f"schemes[{i}]: {exc}")
    return problems


def channel_problems(config: Config,
                     channels: Registry[ChannelFactory]) -> tuple[list[str], list[str]]:
    """Return ``(errors, warnings)`` of ``[[alerts.channels]]``, each naming the channel
    (``alert channel 'duty' (kind webhook)``): a kind ``channels`` does not know, a bad
    option, an option its kind does not take (with the nearest one), a URL it posts to
    that the SSRF guard will refuse at send time (options.target_problems); warnings: a
    host that does not resolve now."""
    errors, warnings = [], []
    for channel in config.alerts.channels:
        label = channel_label(channel)
        try:
            model = model_of(build_channel(channels, channel))
        except BadInput as exc:
            errors.append(str(exc))
            continue
        if model is None:  # a plugin kind that declares no options
            continue
        bad, unsure = target_problems(model, channel)
        errors += [f"{label}: {p}" for p in unknown_options(model, channel) + bad]
        warnings += [f"{label}: {p}" for p in unsure]
    return errors, warnings


def source_problems(config: Config, sources: Registry[SourceFactory]) -> list[str]:
    """Return the problems of building each source, enabled or not, from its kind in
    ``sources``, each naming the source: an unknown kind, a missing or bad option, a key
    its kind does not take (``source 'xx' (kind rss): unknown key 'intervall' — did you
    mean 'interval'?``)."""
    problems = []
    for source in config.sources:
        try:
            create_source(sources, source)
        except BadInput as exc:
            problems.append(str(exc))
    return problems


#: the source kinds whose ``path`` option names files on this machine
PATH_KINDS = ("file", "replay")


def source_path_problems(config: Config) -> tuple[list[str], list[str]]:
    """Return ``(errors, warnings)`` about the paths of the enabled file and replay
    sources (sources/files.py path_problem), each naming the source: a folder that does
    not exist is an error; a glob that matches nothing yet is a warning. Only `yuqing
    check` refuses them: a drop folder may be mounted after the web app starts."""
    errors, warnings = [], []
    for i, source in enumerate(config.sources):
        path = source.option("path")
        if (not source.enabled or source.kind not in PATH_KINDS or not isinstance(path, str)
                or path.startswith("builtin:")):
            continue
        error, warning = path_problem(source)
        key = f"sources[{i}] ({source.name})"
        errors += [f"{key}: {error}"] if error else []
        warnings += [f"{key}: {warning}"] if warning else []
    return errors, warnings


def config_problems(config: Config, *, stages: Registry[StageFactory],
                    channels: Registry[ChannelFactory],
                    sources: Registry[SourceFactory] | None = None) -> list[str]:
    """Return every problem of ``config`` that spans subsystems, each naming its key and
    value; ``stages``, ``channels`` and ``sources`` are the process's registries (plugins
    included; the sources are not built when ``sources`` is None)."""
    return (setting_problems(config) + file_problems(config) + case_problems(config)
            + schedule_problems(config) + stage_problems(config, stages)
            + (source_problems(config, sources) if sources is not None else [])
            + alert_and_scheme_problems(config, channels))


def check_config(config: Config, *, stages: Registry[StageFactory],
                 channels: Registry[ChannelFactory],
                 sources: Registry[SourceFactory] | None = None) -> None:
    """Raise BadInput ``FILE: problem; problem`` (FILE is :attr:`Config.origin`) when
    :func:`config_problems` finds any."""
    found = config_problems(config, stages=stages, channels=channels, sources=sources)
    if found:
        raise BadInput(f"{config.origin}: {'; '.join(found)}")
