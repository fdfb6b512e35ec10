"""The live settings: the config sections the web app edits, kept in the store and applied
without a restart.

The config file (``yuqing.toml``) bootstraps them: on the first start its sections of
:data:`SECTIONS` (schemes, sources, lexicons with their terms and allow-lists, alert
channels, units, people) are written to the store as version 1 (store/settings.py,
append-only). From then on the store holds the sections in force; the rest of the config
(database, pipeline order, events, alert rules ...) is read from the file as before. The
config a process runs is the file's mapping with the stored sections put in, validated
by the same functions as `yuqing check` (config.config_from_data, then
runtime/checks.check_config): :meth:`LiveSettings.build`.

Every process compares the version in force with the one it runs (one small query,
at most every :data:`REFRESH_S` seconds: before a batch, a round of `yuqing run`, a web
request) and takes the new one when it differs (:meth:`LiveSettings.refresh`; the
Context, the pipeline and the watcher then rebuild what depends on the changed
sections). A change of the config file's settings sections (the SHA-256 of those
sections as validated differs from that of the last file read into the store; a comment,
spacing or another section does not count) is read in the same way, by whichever process
notices first;
an invalid file is refused with a logged error (:attr:`LiveSettings.file_error`, shown
on the settings page) and the settings in force stay. A web edit (:meth:`save`) is
validated as a whole, then written as the next version; when another process wrote
that version first, the edit is refused (SettingsConflict) instead of lost.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import threading
import time
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tomlkit

from yuqing.config import Config, config_from_data, read_config_data
from yuqing.domain import BadInput
from yuqing.store import Store
from yuqing.store.settings import SettingsConflict
from yuqing.time_range import local_time

log = logging.getLogger(__name__)

#: the config sections kept in the store and edited on the web, as dotted keys of the file
SECTIONS = ("schemes", "sources", "lexicons", "alerts.channels", "cases.units", "cases.users")
#: the least time between two looks at the store's version and the file, seconds
REFRESH_S = 1.0
#: who wrote a version read from the config file
FILE_ACTOR = "config file"

Doc = dict[str, list[dict[str, Any]]]


def section_of(data: Mapping[str, Any], key: str) -> Any:
    """Return the value at dotted ``key`` of ``data`` (None when absent)."""
    node: Any = data
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def with_sections(data: Mapping[str, Any], doc: Mapping[str, Any]) -> dict[str, Any]:
    """Return a deep copy of config mapping ``data`` with each section of ``doc`` put in."""
    out = copy.deepcopy(dict(data))
    for key, value in doc.items():
        *parents, last = key.split(".")
        node = out
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = copy.deepcopy(value)
    return out


def sections(data: Mapping[str, Any]) -> Doc:
    """Return the settings document of config mapping ``data``: each of :data:`SECTIONS`
    as written (secrets stay ``{"$env": ...}``), or the schema's default when absent (the
    shipped lexicons when no ``[[lexicons]]`` is written)."""
    default = Config().model_dump(mode="json", exclude_none=True)
    doc: Doc = {}
    for key in SECTIONS:
        value = section_of(data, key)
        doc[key] = copy.deepcopy(value) if value is not None else section_of(default, key)
    return doc


def settings_hash(config: Config) -> str:
    """Return the SHA-256 hex digest of the settings sections of validated ``config``
    (canonical JSON): equal for two files that differ only in comments, layout, defaults
    written out, or sections that are not live settings."""
    doc = sections(config.model_dump(mode="json", exclude_none=True))
    content = json.dumps(doc, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ConfigSource:
    """What a process was started with: the config file's mapping (``data``, secrets not
    resolved), its folder, its name in messages, its ``path`` (None for a config built in
    code) and the file's (mtime, size) when read."""

    data: dict[str, Any]
    base_dir: Path
    name: str
    path: Path | None
    stamp: tuple[int, int] | None = None

    @classmethod
    def read(cls, path: Path) -> ConfigSource:
        """Read the config file at ``path``; raises BadInput as config.load_config does."""
        try:
            stat = path.stat()
        except OSError:
            stat = None
        data = read_config_data(path)  # raises BadInput naming the file
        return cls(data, path.resolve().parent, str(path), path,
                   None if stat is None else (stat.st_mtime_ns, stat.st_size))

    @classmethod
    def of_config(cls, config: Config) -> ConfigSource:
        """The source of a config built in code (or without a file): its own dump."""
        data = config.model_dump(mode="json", exclude_none=True)
        return cls(data, config.base_dir, config.origin, None)

    def changed(self, seen: tuple[int, int] | None) -> ConfigSource | None:
        """Return the file read again when its (mtime, size) is no longer ``seen``, else
        None (and None for a config built in code or a file gone). Raises BadInput for a
        file that is no longer valid TOML."""
        if self.path is None:
            return None
        try:
            stat = self.path.stat()
        except OSError:
            return None
        if (stat.st_mtime_ns, stat.st_size) == seen:
            return None
        return ConfigSource.read(self.path)


class LiveSettings:
    """The settings of one process, kept equal to the version in force in ``store``.

    ``source`` is the config file the process started from, ``base`` the Config built from
    it (already checked), ``check`` the cross-room checks (runtime/checks.check_config with
    the process's registries). ``config`` and ``version`` are those in force here;
    ``file_error`` the reason the last change of the file was refused (None when the file
    in force is fine). Thread-safe.
    """

    def __init__(self, store: Store, source: ConfigSource, base: Config,
                 check: Callable[[Config], None], *, refresh_s: float = REFRESH_S) -> None:
        self.store = store
        self.source = source
        self.base = base
        self.check = check
        self.refresh_s = refresh_s
        self.config = base
        self.version = 0
        self.doc: Doc = sections(source.data)
        self.file_error: str | None = None
        self._seen = source.stamp
        self._checked_at = float("-inf")
        self._lock = threading.Lock()
        self._listeners: list[Callable[[Config], None]] = []
        with self._lock:
            self._take_file(source, base)
            self._load()

    def on_change(self, listener: Callable[[Config], None]) -> None:
        """Call ``listener(config)`` whenever this process takes a new version."""
        self._listeners.append(listener)

    def build(self, doc: Mapping[str, Any], name: str = "settings") -> Config:
        """Return the Config of the file with the sections of ``doc`` put in, validated as
        `yuqing check` validates a file (config.config_from_data, then the cross-room
        checks). Raises BadInput ``NAME: key: problem; ...``."""
        cfg = config_from_data(with_sections(self.source.data, doc),
                               base_dir=self.source.base_dir, name=name)
        self.check(cfg)
        return cfg

    def due(self) -> bool:
        """Return whether :meth:`refresh` would look now (cheap: no query)."""
        return time.monotonic() - self._checked_at >= self.refresh_s

    def refresh(self, *, force: bool = False) -> bool:
        """Take a changed config file and the version in force, when there are any; return
        whether the config changed. Looks at most every ``refresh_s`` seconds unless
        ``force``."""
        now = time.monotonic()
        if not force and now - self._checked_at < self.refresh_s:
            return False
        with self._lock:
            self._checked_at = now
            before = self.version
            try:
                fresh = self.source.changed(self._seen)
            except BadInput as exc:
                fresh = None
                self._seen = self._stamp_now()
                self._refuse_file(str(exc))
            if fresh is not None:
                self._seen = fresh.stamp
                try:
                    cfg = config_from_data(fresh.data, base_dir=fresh.base_dir, name=fresh.name)
                    self.check(cfg)
                except BadInput as exc:
                    self._refuse_file(str(exc))
                else:
                    self._take_file(fresh, cfg)
            if self.store.settings.version() != self.version:
                self._load()
            return self.version != before

    def save(self, doc: Mapping[str, Any], *, actor: str, note: str,
             expected: int | None = None, name: str = "settings") -> int:
        """Validate ``doc`` (every section of :data:`SECTIONS`) and write it as the next
        version after ``expected`` (default: the version this process runs); take it here at
        once and return the new version. Raises BadInput naming the problem (the message of
        `yuqing check`), SettingsConflict when another version was written meanwhile."""
        missing = [k for k in SECTIONS if k not in doc]
        if missing:
            raise BadInput(f"{name}: sections missing: {', '.join(missing)}")
        full = {k: doc[k] for k in SECTIONS}
        self.build(full, name)
        with self._lock:
            version = self.store.settings.append(
                full, expected=self.version if expected is None else expected, actor=actor,
                at=datetime.now(UTC), note=note)
            self._load()
        return version

    def _stamp_now(self) -> tuple[int, int] | None:
        try:
            stat = self.source.path.stat() if self.source.path else None
        except OSError:
            return None
        return None if stat is None else (stat.st_mtime_ns, stat.st_size)

    def _take_file(self, source: ConfigSource, cfg: Config) -> None:
        """Make ``source`` (checked: ``cfg``) the file in force; write its sections as the
        next version unless the hash of its sections (:func:`settings_hash`) is the one
        last read into the store (the caller holds the lock)."""
        self.source, self.base, self.file_error = source, cfg, None
        file_hash = settings_hash(cfg)
        stored = self.store.settings.current()
        if stored is not None and stored["file_hash"] == file_hash:
            return
        try:
            self.store.settings.append(sections(source.data),
                                       expected=0 if stored is None else stored["version"],
                                       actor=FILE_ACTOR, at=datetime.now(UTC),
                                       note=f"read from {source.name}", file_hash=file_hash)
            log.info("settings: read %s into the store", source.name)
        except SettingsConflict:
            log.info("settings: another process read %s first", source.name)

    def _refuse_file(self, why: str) -> None:
        self.file_error = why
        log.error("settings: the changed config file is refused, the settings in force "
                  "stay: %s", why)

    def _load(self) -> None:
        """Take the newest stored version (the caller holds the lock)."""
        stored = self.store.settings.current()
        if stored is None:
            return
        doc = {k: stored["doc"].get(k, []) for k in SECTIONS}
        try:
            cfg = self.base if doc == sections(self.source.data) else self.build(doc)
        except BadInput as exc:  # e.g. a channel kind of a plugin this process lacks
            log.error("settings: version %s cannot run here, keeping version %s: %s",
                      stored["version"], self.version, exc)
            self.version = stored["version"]
            return
        self.version, self.doc, self.config = stored["version"], doc, cfg
        for listener in self._listeners:
            listener(cfg)


def _without_none(value: Any) -> Any:
    """Return ``value`` without the None values of its tables (TOML has no null)."""
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


def export_toml(live: LiveSettings) -> str:
    """Return the config file of the settings in force as TOML (tomlkit): the config file's
    mapping with the stored sections put in, secrets as written (``{"$env": ...}``), under a
    comment naming the version and the moment of export in the office zone."""
    doc = tomlkit.document()
    doc.add(tomlkit.comment(f"Yuqing settings version {live.version}, exported "
                            f"{local_time(datetime.now(UTC), live.config.timezone)}"))
    for key, value in _without_none(with_sections(live.source.data, live.doc)).items():
        doc[key] = value
    return tomlkit.dumps(doc)


def import_toml(live: LiveSettings, text: str, *, name: str, actor: str) -> int:
    """Validate the sections of :data:`SECTIONS` in the TOML ``text`` (named ``name`` in
    messages) with the running file's other settings, and write them as the next version;
    return it. Raises BadInput naming ``name`` and the problem (as `yuqing check` does)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BadInput(f"{name}: not a valid TOML file: {exc}") from None
    return live.save(sections(data), actor=actor, note=f"imported from {name}", name=name)
