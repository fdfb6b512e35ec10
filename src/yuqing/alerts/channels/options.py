"""Channel options as typed models: one pydantic model per channel kind, secrets marked.

A channel kind declares its options (the extra fields of its ChannelConfig) as a
subclass of :class:`ChannelOptions`: each field with its type, default and
check, as Apprise declares the fields of its plugins. :func:`parse_options`
validates a ChannelConfig against the model and turns the first problem into a
BadInput naming the channel and the option. A field that holds a secret is
declared with :func:`secret_option` (shown as ``***``) or
:func:`secret_url_option` (a URL shown with its credentials, tokens and long
path segments masked: base.mask_url); :func:`display_options` masks them for
display (``yuqing alerts test``, the settings page) and hides options the model
does not declare. A channel class names its model in ``options_model``.

Unknown options are ignored when building a channel, as before the models.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails, PydanticCustomError

from yuqing.alerts.channels.base import MASK, mask_url
from yuqing.alerts.render import messages
from yuqing.alerts.ssrf import UnresolvableHost, check_url
from yuqing.config import ChannelConfig, unknown_key
from yuqing.domain import BadInput

#: ``json_schema_extra`` key marking a secret field: ``True`` (masked whole) or ``"url"``
SECRET = "secret"

Mark = Literal[True, "url"]
Options = TypeVar("Options", bound="ChannelOptions")


class ChannelOptions(BaseModel):
    """Base of the option models; a field's alias is its option name when it differs
    (``from`` of e-mail)."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    @classmethod
    def secret_marks(cls) -> dict[str, Mark]:
        """Return ``{option name: mark}`` of the secret fields (mark True or ``"url"``)."""
        out: dict[str, Mark] = {}
        for name, info in cls.model_fields.items():
            extra = info.json_schema_extra
            mark = extra.get(SECRET) if isinstance(extra, dict) else None
            if mark is True or mark == "url":
                out[info.alias or name] = True if mark is True else "url"
        return out

    @classmethod
    def option_names(cls) -> set[str]:
        """Return the option names the model declares (aliases where set)."""
        return {info.alias or name for name, info in cls.model_fields.items()}


def secret_option(default: Any = None) -> Any:
    """Return the Field of an option holding a secret (a password, signing key, headers)."""
    return Field(default, json_schema_extra={SECRET: True})


def secret_url_option() -> Any:
    """Return the Field of a required URL that carries a secret (a robot's token)."""
    return Field(json_schema_extra={SECRET: "url"})


# ----- checks shared by the kinds (each raises a PydanticCustomError parse_options reads) ---

def missing_option() -> PydanticCustomError:
    """Return the error of a required option that is absent or empty."""
    return PydanticCustomError("channel_missing", "missing required option")


def bad_option(text: str) -> PydanticCustomError:
    """Return the error of a wrong option value: ``text`` follows ``option 'name'`` in the
    message (``"must be a positive number, got 0"``)."""
    return PydanticCustomError("channel_option", "{text}", {"text": text})


def _required(value: Any) -> Any:
    if value is None or value == "" or value == []:
        raise missing_option()
    return value


def _http_url(value: Any) -> str:
    """Return a required http(s) URL with a host (not resolved: ssrf.check_url at send)."""
    url = str(_required(value))
    try:
        check_url(url, allow_internal=True)
    except BadInput as exc:
        raise PydanticCustomError("channel_value", "{text}", {"text": str(exc)}) from None
    return url


def _lang(value: Any) -> str:
    lang = str(value)
    try:
        messages(lang)
    except BadInput as exc:
        raise PydanticCustomError("channel_value", "{text}", {"text": str(exc)}) from None
    return lang


def _positive_number(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = -1.0
    if number <= 0:
        raise bad_option(f"must be a positive number, got {value!r}")
    return number


def _string_list(value: Any) -> list[str]:
    """Return a required string or list of strings as a list (a string is one entry)."""
    items = [_required(value)] if isinstance(value, str) else _required(value)
    if not isinstance(items, list) or not all(isinstance(v, str) and v for v in items):
        raise bad_option(f"must be a string or a list of strings, got {value!r}")
    return list(items)


def _text(value: Any) -> Any:
    """Return a number as text (a secret or keyword written without quotes), else ``value``."""
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def _headers(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise bad_option("must be a table of strings")
    return {str(k): v for k, v in value.items()}


#: a required http(s) URL (the SSRF guard runs again at send time)
HttpUrl = Annotated[str, BeforeValidator(_http_url)]
#: a message language of alerts/render.py
Lang = Annotated[str, BeforeValidator(_lang)]
#: a positive number of seconds
Seconds = Annotated[float, BeforeValidator(_positive_number)]
#: a required string or list of strings (one string is one entry)
StringList = Annotated[list[str], BeforeValidator(_string_list)]
#: an optional piece of text (a number is taken as its text)
Text = Annotated[str | None, BeforeValidator(_text)]
#: a table of HTTP header values
Headers = Annotated[dict[str, str], BeforeValidator(_headers)]
#: a required piece of text
Required = Annotated[str, BeforeValidator(_required)]


def unknown_options(model: type[ChannelOptions], cfg: ChannelConfig) -> list[str]:
    """Return ``unknown key 'x' — did you mean 'y'?`` (config.unknown_key) for every option
    of ``cfg`` that ``model`` does not declare."""
    valid = [*ChannelConfig.model_fields, *model.option_names()]
    return [unknown_key(key, valid) for key in cfg.model_extra or {}
            if key not in model.option_names()]


def target_problems(model: type[ChannelOptions], cfg: ChannelConfig) -> tuple[list[str], list[str]]:
    """Return ``(errors, warnings)`` about the http(s) URLs ``cfg``'s channel posts to (its
    options of type :data:`HttpUrl`), judged now as the SSRF guard (alerts/ssrf.py
    check_url) judges them at send time: an error for a URL it would refuse (an internal
    address without ``allow_internal = true``, another scheme), a warning for a host that
    does not resolve now (perhaps not yet). A value that is not a string (an ``$env``
    secret not resolved) is skipped. The URL is shown masked (base.mask_url)."""
    allow = cfg.option("allow_internal") is True
    errors, warnings = [], []
    for key, info in model.model_fields.items():
        value = cfg.option(info.alias or key)
        if not isinstance(value, str) or not any(
                getattr(m, "func", None) is _http_url for m in info.metadata):
            continue
        try:
            check_url(value, allow_internal=allow)
        except UnresolvableHost as exc:
            warnings.append(f"option {info.alias or key!r}: {exc}")
        except BadInput as exc:
            shown = str(exc).replace(repr(value), repr(mask_url(value)))
            errors.append(f"option {info.alias or key!r}: {shown}")
    return errors, warnings


def channel_label(cfg: ChannelConfig) -> str:
    """Return how messages name the channel: ``alert channel 'duty' (kind webhook)``."""
    return f"alert channel {cfg.name!r} (kind {cfg.kind})"


def problem(cfg: ChannelConfig, error: ErrorDetails) -> str:
    """Return the message of one validation ``error`` of ``cfg``'s options, naming the
    channel (:func:`channel_label`) and the option."""
    key = str(error["loc"][0]) if error["loc"] else "?"
    kind = error["type"]
    if kind in ("missing", "channel_missing"):
        return f"{channel_label(cfg)}: missing required option {key!r}"
    if kind == "channel_option":
        return f"{channel_label(cfg)}: option {key!r} {error['msg']}"
    if kind == "channel_value":
        return f"{channel_label(cfg)}: {error['msg']}"
    return (f"{channel_label(cfg)}: option {key!r}: {error['msg'].removeprefix('Input ')}, "
            f"got {error['input']!r}")


def parse_options(model: type[Options], cfg: ChannelConfig) -> Options:
    """Return ``cfg``'s options validated by ``model``; raises BadInput naming the channel
    and the first bad or missing option."""
    try:
        return model.model_validate(dict(cfg.model_extra or {}))
    except ValidationError as exc:
        raise BadInput(problem(cfg, exc.errors()[0])) from None


def _masked(value: Any, mark: Mark) -> Any:
    if mark == "url":
        if isinstance(value, str):
            return mask_url(value)
        if isinstance(value, list):
            return [mask_url(v) if isinstance(v, str) else MASK for v in value]
        return MASK
    if isinstance(value, dict):
        return dict.fromkeys(value, MASK)
    if isinstance(value, list):
        return [MASK] * len(value)
    return MASK


def model_of(channel: object) -> type[ChannelOptions] | None:
    """Return the options model ``channel`` (or its class) declares in ``options_model``,
    or None for a channel kind without one."""
    model = getattr(channel, "options_model", None)
    return model if isinstance(model, type) and issubclass(model, ChannelOptions) else None


def display_options(model: type[ChannelOptions] | None,
                    options: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``options`` (a ChannelConfig's extra fields) for display: secret fields of
    ``model`` masked (a table keeps its keys, a list its length, a URL its host), options
    the model does not declare (or every option when ``model`` is None: a kind without a
    model) shown as ``***``, ``None`` and empty values kept."""
    marks = model.secret_marks() if model is not None else {}
    known = model.option_names() if model is not None else set()
    out: dict[str, Any] = {}
    for key, value in options.items():
        mark: Mark | None = marks.get(key, None if key in known else True)
        out[key] = value if mark is None or value in (None, "", [], {}) else _masked(value, mark)
    return out
