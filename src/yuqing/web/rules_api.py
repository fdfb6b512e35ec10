"""Alert rules on the web: the JSON API ``/api/alert-rules`` and the page 预警规则.

API (session or ``Authorization: Bearer`` token, like every API; writes
need the admin role):

- ``GET /api/alert-rules``: every stored rule (web/rule_editor.rule_doc shape);
- ``GET /api/alert-rules/{name}``: one rule (404 when unknown);
- ``POST /api/alert-rules``: body = config.RuleConfig fields plus optional
  ``enabled`` (default true); 201 with the stored rule;
- ``PUT /api/alert-rules/{name}``: the whole rule again (same fields, plus
  optional ``version``: refused with 409 when the rule changed since);
- ``DELETE /api/alert-rules/{name}``: 409 for a rule of the config file.

Bad bodies get 422 ``{"detail": [{"loc": ["body", field], "type",
"msg" (English), "msg_zh"}]}`` (FastAPI's own error shape, plus Chinese).

Pages (everyone logged in reads; admins change, through plain HTML forms
with the session's CSRF token): ``/settings/alert-rules`` (list, enable,
disable, delete), ``/settings/alert-rules/new`` and
``/settings/alert-rules/{name}/edit`` (the form; a refused form comes back,
status 200, with each problem next to its field and what was typed kept).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Body, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from yuqing.alerts.rule_check import RuleInvalid
from yuqing.alerts.rules import LEVELS
from yuqing.config import RuleConfig
from yuqing.domain import (
    HANDLING_CLASS_LABELS,
    HOTLIST_FACT_LABELS,
    INCIDENT_CATEGORIES,
    MEDIA_LABELS,
    MEDIA_TYPES,
)
from yuqing.runtime.context import Context
from yuqing.web import access
from yuqing.web.auth import current_user, require_admin
from yuqing.web.i18n import EN, pick_lang, translator
from yuqing.web.query_checks import refuse_unknown_params
from yuqing.web.render import Pages
from yuqing.web.rule_editor import RuleConflict, RuleEditor, RuleNotFound, form_body

PAGE = "/settings/alert-rules"
#: the values of a new rule on the form: config.RuleConfig's defaults
NEW_RULE: dict[str, Any] = RuleConfig(name="").model_dump(mode="json")
#: the JSON body of a rule written through the API
RuleBody = Annotated[dict[str, Any], Body()]


def problem_details(exc: RuleInvalid) -> list[dict[str, Any]]:
    """Return the 422 ``detail`` list of ``exc`` (English ``msg`` and Chinese ``msg_zh``)."""
    en = translator("en")
    return [{"loc": ["body", p.field] if p.field else ["body"], "type": "rule_invalid",
             "msg": p.text(en), "msg_zh": p.text()} for p in exc.problems]


def _http(exc: Exception) -> HTTPException:
    if isinstance(exc, RuleNotFound):
        return HTTPException(404, f"alert rule {exc.args[0]!r} not found")
    assert isinstance(exc, RuleInvalid)
    return HTTPException(409 if isinstance(exc, RuleConflict) else 422, problem_details(exc))


def _split_api_body(body: dict[str, Any]) -> tuple[dict[str, Any], bool, int | None]:
    """Return (rule fields, enabled, version) of an API body; 422 for a bad enabled/version."""
    rest = dict(body)
    enabled, version = rest.pop("enabled", True), rest.pop("version", None)
    if not isinstance(enabled, bool):
        raise HTTPException(422, [{"loc": ["body", "enabled"], "type": "bool_type",
                                   "msg": EN["应为 true 或 false"],
                                   "msg_zh": "应为 true 或 false"}])
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        raise HTTPException(422, [{"loc": ["body", "version"], "type": "int_type",
                                   "msg": EN["应为整数"], "msg_zh": "应为整数"}])
    return rest, enabled, version


def rules_router(ctx: Context) -> APIRouter:
    """Return the alert-rule API and page routes bound to ``ctx``."""
    router = APIRouter()
    editor = RuleEditor(ctx.store, ctx.config)
    pages = Pages(ctx.config)

    @router.get("/api/alert-rules", tags=["alert rules"],
                dependencies=[Depends(access.SHARED), Depends(refuse_unknown_params)])
    def list_rules(request: Request) -> list[dict[str, Any]]:
        """Every stored alert rule with its origin (config/web), version and body."""
        current_user(request)
        return editor.docs()

    @router.get("/api/alert-rules/{name:path}", tags=["alert rules"],
                dependencies=[Depends(access.SHARED)])
    def get_rule(request: Request, name: str) -> dict[str, Any]:
        """One stored alert rule."""
        current_user(request)
        try:
            return editor.doc(name)
        except RuleNotFound as exc:
            raise _http(exc) from None

    @router.post("/api/alert-rules", status_code=201, tags=["alert rules"],
                 dependencies=[Depends(access.ADMIN)])
    def create_rule(request: Request, body: RuleBody) -> dict[str, Any]:
        """Create a rule (admin): RuleConfig fields plus optional ``enabled``."""
        admin = require_admin(request)
        fields, enabled, _ = _split_api_body(body)
        try:
            return editor.create(fields, enabled, admin["name"], access.client_address(request))
        except RuleInvalid as exc:
            raise _http(exc) from None

    @router.put("/api/alert-rules/{name:path}", tags=["alert rules"],
                dependencies=[Depends(access.ADMIN)])
    def replace_rule(request: Request, name: str,
                     body: RuleBody) -> dict[str, Any]:
        """Replace a rule (admin): RuleConfig fields plus optional ``enabled``, ``version``."""
        admin = require_admin(request)
        fields, enabled, version = _split_api_body(body)
        try:
            return editor.replace(name, fields, enabled, admin["name"], version,
                                      access.client_address(request))
        except (RuleInvalid, RuleNotFound) as exc:
            raise _http(exc) from None

    @router.delete("/api/alert-rules/{name:path}", tags=["alert rules"],
                   dependencies=[Depends(access.ADMIN)])
    def delete_rule(request: Request, name: str) -> dict[str, Any]:
        """Delete a rule created on the web (admin)."""
        admin = require_admin(request)
        try:
            editor.delete(name, admin["name"], access.client_address(request))
        except (RuleInvalid, RuleNotFound) as exc:
            raise _http(exc) from None
        return {"name": name, "deleted": True}

    # ----- pages ---------------------------------------------------------------------------

    def form_page(request: Request, rule: dict[str, Any], *, new: bool, enabled: bool = True,
                  version: int | None = None, errors: dict[str, list[str]] | None = None
                  ) -> Response:
        cfg = ctx.config
        page = pages.render(
            request, "rule_form.html", rule=rule, new=new, enabled=enabled, version=version,
            errors=errors or {}, levels=LEVELS, media=[(m, MEDIA_LABELS[m]) for m in MEDIA_TYPES],
            classes=HANDLING_CLASS_LABELS, incident_categories=INCIDENT_CATEGORIES,
            hotlist_facts=HOTLIST_FACT_LABELS,
            schemes=[s.name for s in cfg.schemes],
            channels=sorted(editor.context.channels), groups=sorted(cfg.alerts.groups),
            sources=sorted({s.name for s in cfg.sources} | {"push"}),
            in_config=rule.get("name") in editor.config_names)
        return page

    def form_errors(request: Request, exc: RuleInvalid) -> dict[str, list[str]]:
        _ = translator(pick_lang(request))
        out: dict[str, list[str]] = {}
        for p in exc.problems:
            out.setdefault(p.field, []).append(p.text(_))
        return out

    async def read_form(request: Request) -> dict[str, list[str]]:
        return parse_qs((await request.body()).decode("utf-8"), keep_blank_values=True)

    @router.get(PAGE, response_class=HTMLResponse, include_in_schema=False,
                dependencies=[Depends(access.SHARED)])
    def rules_page(request: Request, saved: str | None = None,
                   error: str | None = None) -> Response:
        return pages.render(request, "rules.html", rules=editor.docs(), saved=saved, error=error,
                            media=MEDIA_LABELS, classes=HANDLING_CLASS_LABELS,
                            hotlist_facts=HOTLIST_FACT_LABELS)

    @router.get(PAGE + "/new", response_class=HTMLResponse, include_in_schema=False,
                dependencies=[Depends(access.ADMIN)])
    def new_rule_page(request: Request) -> Response:
        require_admin(request)
        return form_page(request, dict(NEW_RULE), new=True)

    @router.post(PAGE + "/new", include_in_schema=False, dependencies=[Depends(access.ADMIN)])
    async def new_rule_submit(request: Request) -> Response:
        admin = require_admin(request)
        body, enabled, _ = form_body(await read_form(request))
        try:
            editor.create(body, enabled, admin["name"], access.client_address(request))
        except RuleInvalid as exc:
            return form_page(request, {**NEW_RULE, **body}, new=True, enabled=enabled,
                             errors=form_errors(request, exc))
        return RedirectResponse(f"{PAGE}?saved={quote(body['name'])}", status_code=303)

    @router.get(PAGE + "/{name:path}/edit", response_class=HTMLResponse, include_in_schema=False,
                dependencies=[Depends(access.SHARED)])
    def edit_rule_page(request: Request, name: str) -> Response:
        try:
            doc = editor.doc(name)
        except RuleNotFound as exc:
            raise _http(exc) from None
        return form_page(request, {**NEW_RULE, **doc["rule"]}, new=False,
                         enabled=doc["enabled"], version=doc["version"])

    @router.post(PAGE + "/{name:path}/edit", include_in_schema=False,
                 dependencies=[Depends(access.ADMIN)])
    async def edit_rule_submit(request: Request, name: str) -> Response:
        admin = require_admin(request)
        body, enabled, version = form_body(await read_form(request))
        body["name"] = name
        try:
            editor.replace(name, body, enabled, admin["name"], version,
                               access.client_address(request))
        except RuleNotFound as exc:
            raise _http(exc) from None
        except RuleInvalid as exc:
            return form_page(request, {**NEW_RULE, **body}, new=False, enabled=enabled,
                             version=version, errors=form_errors(request, exc))
        return RedirectResponse(f"{PAGE}?saved={quote(name)}", status_code=303)

    @router.post(PAGE + "/{name:path}/{op}", include_in_schema=False,
                 dependencies=[Depends(access.ADMIN)])
    async def rule_action(request: Request, name: str, op: str) -> Response:
        admin = require_admin(request)
        form = await read_form(request)
        version = form.get("version", [""])[0]
        try:
            if op in ("enable", "disable"):
                editor.set_enabled(name, op == "enable", admin["name"],
                                   int(version) if version.isdigit() else None,
                                   access.client_address(request))
            elif op == "delete":
                editor.delete(name, admin["name"], access.client_address(request))
            else:
                raise HTTPException(404, f"{op!r}: expected enable, disable or delete")
        except RuleNotFound as exc:
            raise _http(exc) from None
        except RuleInvalid as exc:
            _ = translator(pick_lang(request))
            shown = "; ".join(p.text(_) for p in exc.problems)
            return RedirectResponse(f"{PAGE}?error={quote(shown)}", status_code=303)
        return RedirectResponse(f"{PAGE}?saved={quote(name)}", status_code=303)

    return router
