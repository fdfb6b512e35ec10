"""JSON routes that edit the live settings (admins; runtime/live_settings.py).

- ``GET /api/web/settings``: the version in force, the sections (channel secrets masked),
  the refusal of the last config file change, the recent versions.
- ``POST /api/web/settings/{section}``: add (``index`` null) or replace the entry at
  ``index`` of ``schemes``, ``sources``, ``lexicons``, ``channels`` or ``units``;
  ``DELETE /api/web/settings/{section}/{index}?version=N`` removes one. The body names the
  ``version`` the change was made on (409 when another was written since). The whole
  resulting config is validated as `yuqing check` validates the file (400 with its
  message); each change is written to the audit log (``setting``, ``scheme:NAME``,
  ``unit:NAME`` ...).
- ``POST /api/web/settings/sources/try``: what a source would collect now, storing nothing.
- ``POST /api/web/settings/channels/try``: a test alert through a channel, saved or not.
- ``GET /api/web/settings/export.toml``, ``POST /api/web/settings/import``: the settings as
  a config file (``yuqing config export`` / ``import``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from yuqing.alerts.channels import build_channel
from yuqing.alerts.dispatcher import send_safely
from yuqing.config import ChannelConfig, SourceConfig
from yuqing.domain import Alert, BadInput
from yuqing.runtime.context import Context
from yuqing.runtime.live_settings import export_toml, import_toml
from yuqing.runtime.source_trial import try_source
from yuqing.store.settings import SettingsConflict
from yuqing.web import access
from yuqing.web.i18n import pick_lang
from yuqing.web.messages import localize
from yuqing.web.settings_view import channel_options

#: the sections the web edits, by their name in the path: the config key of each
SECTION_KEYS = {"schemes": "schemes", "sources": "sources", "lexicons": "lexicons",
                "channels": "alerts.channels", "units": "cases.units"}
#: what an entry of each section is called in audit targets (``unit:NAME``, as accounts do)
TARGETS = {"schemes": "scheme", "sources": "source", "lexicons": "lexicon",
           "channels": "channel", "units": "unit"}


class Change(BaseModel):
    """One entry to add (``index`` None) or to put at ``index``, made on ``version``."""

    entry: dict[str, Any]
    version: int
    index: int | None = None


class Trial(BaseModel):
    """An entry to try (``index``: the saved entry it edits, whose secrets it keeps)."""

    entry: dict[str, Any]
    index: int | None = None


class ImportBody(BaseModel):
    """A config file's text to import, and its name for messages."""

    toml: str
    name: str = "import.toml"


def _key(section: str) -> str:
    if section not in SECTION_KEYS:
        raise HTTPException(404, f"section {section!r}: expected one of "
                                 f"{', '.join(SECTION_KEYS)}")
    return SECTION_KEYS[section]


def entry_name(entry: dict[str, Any]) -> str:
    """Return what names an entry in the audit log: its ``name``, else a lexicon's path or
    category."""
    return str(entry.get("name") or entry.get("path") or entry.get("category") or "")


def keep_secrets(ctx: Context, entry: dict[str, Any], old: dict[str, Any] | None
                 ) -> dict[str, Any]:
    """Return channel ``entry`` with every option still showing its masked display value
    (settings_view.channel_options of ``old``) given back its stored value: the page never
    sees a secret, and saving without retyping it keeps it."""
    if not old:
        return entry
    try:
        shown = channel_options(ctx, ChannelConfig.model_validate(old))
    except ValidationError:
        return entry
    return {k: old[k] if k in old and k in shown and v == shown[k] and v != old[k] else v
            for k, v in entry.items()}


def settings_router(ctx: Context) -> APIRouter:
    """Return the /api/web/settings routes bound to ``ctx``."""
    router = APIRouter(prefix="/api/web/settings", tags=["settings"])

    def saved(section: str, index: int | None) -> dict[str, Any] | None:
        entries = ctx.live.doc[_key(section)]
        return entries[index] if index is not None and 0 <= index < len(entries) else None

    def write(request: Request, section: str, entries: list[dict[str, Any]], version: int,
              op: str, name: str) -> dict[str, Any]:
        doc = {**ctx.live.doc, _key(section): entries}
        try:
            new = ctx.live.save(doc, actor=access.viewer(request).name, expected=version,
                                note=f"{op} {section} {name}")
        except SettingsConflict as exc:
            raise HTTPException(409, str(exc)) from None
        except BadInput as exc:
            raise HTTPException(400, localize(str(exc), pick_lang(request))) from None
        access.audit(request, "setting", f"{TARGETS[section]}:{name}",
                     {"op": op, "version": new})
        return {"version": new}

    @router.get("", dependencies=[Depends(access.ADMIN)])
    def current() -> dict[str, Any]:
        """The settings in force: ``{"version", "file_error", "sections", "history"}``."""
        live = ctx.live
        shown = {name: live.doc[key] for name, key in SECTION_KEYS.items()}
        shown["channels"] = [{**c, **channel_options(ctx, ChannelConfig.model_validate(c))}
                             for c in shown["channels"]]
        return {"version": live.version, "file_error": live.file_error, "sections": shown,
                "history": [{**h, "at": h["at"].isoformat()}
                            for h in ctx.store.settings.history()]}

    @router.post("/sources/try", dependencies=[Depends(access.ADMIN)])
    async def trial_fetch(request: Request, body: Trial) -> dict[str, Any]:
        """Poll the source of ``entry`` once, storing nothing (runtime/source_trial.py)."""
        lang = pick_lang(request)
        try:
            cfg = SourceConfig.model_validate(body.entry)
        except ValidationError as exc:
            raise HTTPException(400, localize(f"source: {exc.errors()[0]['msg']}", lang)
                                ) from None
        try:
            return await run_in_threadpool(try_source, ctx.sources, cfg, ctx.config.schemes,
                                           ctx.config.timezone)
        except BadInput as exc:
            raise HTTPException(400, localize(str(exc), lang)) from None

    @router.post("/channels/try", dependencies=[Depends(access.ADMIN)])
    def trial_send(request: Request, body: Trial) -> dict[str, Any]:
        """Send one test alert through the channel of ``entry`` (built as the pipeline builds
        it; nothing saved); returns ``{"ok", "error"}`` and writes ``send_test`` to the
        audit log."""
        entry = keep_secrets(ctx, body.entry, saved("channels", body.index))
        lang = pick_lang(request)
        try:
            cfg = ChannelConfig.model_validate(entry)
            channel = build_channel(ctx.channels, cfg)
        except ValidationError as exc:
            raise HTTPException(400, localize(f"channel: {exc.errors()[0]['msg']}", lang)
                                ) from None
        except BadInput as exc:
            raise HTTPException(400, localize(str(exc), lang)) from None
        now = datetime.now(UTC)
        who = access.viewer(request).name
        alert = Alert(rule="test", dedup_key=f"test:{cfg.name}:{now.timestamp()}",
                      title="【测试】Yuqing 预警渠道测试", body=f"由 {who} 发送的测试消息",
                      item_keys=[], created_at=now, channels=[cfg.name])
        result = send_safely(cfg.name, channel, [alert])[0]
        access.audit(request, "send_test", f"channel:{cfg.name}",
                     {"ok": result.ok, "error": result.error})
        return {"ok": result.ok, "error": result.error}

    @router.get("/export.toml", dependencies=[Depends(access.ADMIN)])
    def export(request: Request) -> Response:
        """The settings in force as a config file (TOML); the export is audited."""
        access.audit(request, "export", "settings.toml", {"version": ctx.live.version})
        return Response(export_toml(ctx.live), media_type="application/toml; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="yuqing.toml"'})

    @router.post("/import", dependencies=[Depends(access.ADMIN)])
    def import_file(request: Request, body: ImportBody) -> dict[str, Any]:
        """Validate and take the sections of a config file (``yuqing config import``)."""
        try:
            version = import_toml(ctx.live, body.toml, name=body.name,
                                  actor=access.viewer(request).name)
        except SettingsConflict as exc:
            raise HTTPException(409, str(exc)) from None
        except BadInput as exc:
            raise HTTPException(400, localize(str(exc), pick_lang(request))) from None
        access.audit(request, "setting", f"import:{body.name}", {"op": "import",
                                                                 "version": version})
        return {"version": version}

    @router.post("/{section}", dependencies=[Depends(access.ADMIN)])
    def put_entry(request: Request, section: str, body: Change) -> dict[str, Any]:
        """Add or replace one entry of ``section`` (module docstring)."""
        entries = list(ctx.live.doc[_key(section)])
        entry = body.entry
        if body.index is None:
            entries.append(entry)
            op = "add"
        elif 0 <= body.index < len(entries):
            if section == "channels":
                entry = keep_secrets(ctx, entry, entries[body.index])
            entries[body.index] = entry
            op = "change"
        else:
            raise HTTPException(404, f"{section}[{body.index}]: no such entry")
        return write(request, section, entries, body.version, op, entry_name(entry))

    @router.delete("/{section}/{index}", dependencies=[Depends(access.ADMIN)])
    def delete_entry(request: Request, section: str, index: int, version: int
                     ) -> dict[str, Any]:
        """Remove the entry at ``index`` of ``section``, made on ``version``."""
        entries = list(ctx.live.doc[_key(section)])
        if not 0 <= index < len(entries):
            raise HTTPException(404, f"{section}[{index}]: no such entry")
        gone = entries.pop(index)
        return write(request, section, entries, version, "delete", entry_name(gone))

    return router


class RefreshSettings:
    """ASGI middleware: before a request, take the settings version in force when the
    process has not looked for live_settings.REFRESH_S (Context.refresh_settings)."""

    def __init__(self, app: ASGIApp, ctx: Context) -> None:
        self.app = app
        self.ctx = ctx

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refresh when due, then handle the request."""
        if scope["type"] == "http" and self.ctx.settings_due():
            await run_in_threadpool(self.ctx.refresh_settings)
        await self.app(scope, receive, send)
