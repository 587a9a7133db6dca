import demistomock as demisto

# ruff: noqa: I001  (the demistomock import must stay the first line, as in the server's library)
# The local stand-in for XSOAR's CommonServerPython, written from shared/spec/xsoar-runtime.md in this
# project's own code. It behaves like the 2022 server library wherever the integration touches it.
#
# Two ways to load it, both supported: `from CommonServerPython import *` (tests), and the server's
# way, exec'ing this source in a namespace that already holds `demisto` (the War Room runner).
# So: no `from __future__` (this must stay the first line), no relative imports, and nothing slow
# at import time; it is loaded once per command run.

import base64
import contextlib
import functools
import json
import os
import re
import sys
import traceback
import warnings
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any, ParamSpec, TypeVar
from urllib.parse import quote, quote_plus

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

# ============================================================================================
# Entry types and formats (spec §2)
# ============================================================================================

entryTypes: dict[str, int] = {
    "note": 1,
    "downloadAgent": 2,
    "file": 3,
    "error": 4,
    "pinned": 5,
    "userManagement": 6,
    "image": 7,
    "playgroundError": 8,
    "entryInfoFile": 9,
    "warning": 11,
    "map": 15,
    "widget": 17,
}


class EntryType:
    NOTE = 1
    DOWNLOAD_AGENT = 2
    FILE = 3
    ERROR = 4
    PINNED = 5
    USER_MANAGEMENT = 6
    IMAGE = 7
    PLAYGROUND_ERROR = 8
    ENTRY_INFO_FILE = 9
    VIDEO_FILE = 10
    WARNING = 11
    STATIC_VIDEO_FILE = 12
    MAP_ENTRY_TYPE = 15
    WIDGET = 17
    EXECUTION_METRICS = 19


formats: dict[str, str] = {
    "html": "html",
    "table": "table",
    "json": "json",
    "text": "text",
    "dbotResponse": "dbotCommandResponse",
    "markdown": "markdown",
}


class EntryFormat:
    HTML = "html"
    TABLE = "table"
    JSON = "json"
    TEXT = "text"
    DBOT_RESPONSE = "dbotCommandResponse"
    MARKDOWN = "markdown"

    @classmethod
    def is_valid_type(cls, value: Any) -> bool:
        return value in formats.values()


class IncidentSeverity:
    UNKNOWN = 0
    INFO = 0.5
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4


class IncidentStatus:
    PENDING = 0
    ACTIVE = 1
    DONE = 2
    ARCHIVE = 3


# Commands whose failure the server records itself: return_error raises instead of writing an entry.
_SERVER_HANDLED_COMMANDS = (
    "fetch-incidents",
    "fetch-credentials",
    "long-running-execution",
    "fetch-indicators",
)

_PROXY_ENV_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")
_CA_BUNDLE_ENV_VARS = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


# ============================================================================================
# Params, secrets and the integration log (spec §0, §5, §9)
# ============================================================================================


class SmartGetDict(dict):
    """A params dict whose .get() returns the default also when the stored value is None."""

    def get(self, key: Any, default: Any = None) -> Any:
        value = super().get(key)
        return default if value is None else value


_SECRET_PARAM_KEY_PARTS = ("key", "private", "password", "secret", "token", "credentials", "service_account")
_MASK = "<XX_REPLACED>"


def is_debug_mode() -> bool:
    return bool(getattr(demisto, "is_debug", False))


class IntegrationLogger:
    """Buffers log lines until print_log() and masks known secrets in every one of them."""

    def __init__(self, debug_logging: bool = False) -> None:
        self.messages: list[str] = []
        self.replace_strs: list[str] = []
        self.debug_logging = debug_logging

    def add_replace_strs(self, *values: Any) -> None:
        """Masks each value from now on, also in its URL-encoded and JSON-escaped forms."""
        for value in values:
            if not isinstance(value, str) or not value:
                continue
            forms = (
                value,
                quote(value, safe=""),
                quote_plus(value),
                json.dumps(value)[1:-1],
                json.dumps(value, ensure_ascii=False)[1:-1],
            )
            for form in forms:
                if form and form not in self.replace_strs:
                    self.replace_strs.append(form)
        # Longest first, so a secret that contains another is masked whole.
        self.replace_strs.sort(key=len, reverse=True)

    def collect_secrets(self, params: Any) -> None:
        """Remembers the values of secret-looking params: the same rule the server applies at import."""
        if not isinstance(params, dict):
            return
        for key, value in params.items():
            if isinstance(value, dict) and "identifier" in value and "password" in value:
                self.add_replace_strs(value.get("password"))
                identifier, password = value.get("identifier"), value.get("password")
                if isinstance(identifier, str) and isinstance(password, str) and password:
                    # What an HTTP Basic header of these credentials carries, e.g. in debug output.
                    self.add_replace_strs(base64.b64encode(f"{identifier}:{password}".encode()).decode())
            elif isinstance(value, str) and any(part in str(key).lower() for part in _SECRET_PARAM_KEY_PARTS):
                self.add_replace_strs(value)

    def encode(self, message: Any) -> str:
        text = message if isinstance(message, str) else str(message)
        for secret in self.replace_strs:
            text = text.replace(secret, _MASK)
        return text

    def __call__(self, message: Any) -> str:
        text = self.encode(message)
        if self.debug_logging or is_debug_mode():
            demisto.debug(text)
        self.messages.append(text)
        return text

    def print_log(self, verbose: bool = False) -> None:
        if self.messages:
            demisto.info("Full Integration Log:\n" + "\n".join(self.messages))
            if verbose:
                print("\n".join(self.messages))
            self.messages = []


def _install_import_side_effects() -> IntegrationLogger:
    """What the server's library does on import: null-tolerant params, secret collection, log routing."""
    context = getattr(demisto, "callingContext", None)
    if (
        isinstance(context, dict)
        and demisto.params()
        and not os.environ.get("COMMON_SERVER_NO_AUTO_PARAMS_REMOVE_NULLS")
    ):
        context["params"] = SmartGetDict(demisto.params())

    integration_log = IntegrationLogger()
    integration_log.collect_secrets(demisto.params())

    def warning_to_demisto_info(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: Any = None,
        line: str | None = None,
    ) -> None:
        text = warnings.formatwarning(message, category, filename, lineno, line).strip()
        demisto.info("python warning: " + text)

    warnings.showwarning = warning_to_demisto_info

    import http.client  # already loaded by requests; imported here only to configure it

    if is_debug_mode():
        http.client.HTTPConnection.debuglevel = 1
        http.client.print = HTTPDebugPrinter(integration_log).print  # type: ignore[attr-defined]
        _route_root_logging_to_demisto(integration_log)
    else:
        http.client.HTTPConnection.debuglevel = 0
    return integration_log


# What debug mode adds to every log line of an HTTP exchange: the Authorization header masked whole.
_AUTHORIZATION_HEADER = re.compile(r"(Authorization:\s*(?:\w+\s)?)[^\\'\"\s]+")


class HTTPDebugPrinter:
    """What debug mode puts in place of http.client's print, modelled on the server's (spec §9).

    print() writes its parts one by one into ONE line buffer shared by every thread and not locked;
    each completed line goes to demisto.info, which on the server is a blocking write to its
    protocol stream, so other threads run meanwhile. Requests made from several threads at once
    therefore interleave, duplicate or lose parts of their send:/reply:/header: lines, as they do
    on the server: an integration has to keep its requests apart in debug mode.
    """

    def __init__(self, integration_log: IntegrationLogger) -> None:
        self.integration_log = integration_log
        self.pending = ""

    def print(self, *parts: Any, **kwargs: Any) -> None:
        target = kwargs.get("file")
        if target is None or target in (sys.stdout, sys.stderr):
            kwargs["file"] = self
        import builtins

        builtins.print(*parts, **kwargs)

    def write(self, fragment: str) -> int:
        self.pending += fragment
        if "\n" in self.pending:
            # Emitted before the buffer is cleared, and unlocked: the server's logger works this way.
            line = self.pending.rstrip("\n")
            demisto.info(_AUTHORIZATION_HEADER.sub(r"\1" + _MASK, self.integration_log.encode(line)))
            self.pending = ""
        return len(fragment)

    def flush(self) -> None:
        """Nothing is held back but the unfinished line."""


_ROOT_HANDLER_NAME = "xsoar-runtime-debug-mode"


def _route_root_logging_to_demisto(integration_log: IntegrationLogger) -> None:
    """Debug mode: every record of the root logger (urllib3's among them) goes to demisto.debug/info."""
    import logging

    class DemistoLogHandler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            # The local demistomock also logs through the root logger: its records are not fed back.
            if getattr(record, "demisto_call", False):
                return
            text = integration_log.encode(self.format(record))
            if record.levelno >= logging.INFO:
                demisto.info(text)
            else:
                demisto.debug(text)

    root = logging.getLogger()
    for stale in [handler for handler in root.handlers if handler.get_name() == _ROOT_HANDLER_NAME]:
        root.removeHandler(stale)
    handler = DemistoLogHandler(logging.DEBUG)
    handler.set_name(_ROOT_HANDLER_NAME)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)


LOG = _install_import_side_effects()


_P = ParamSpec("_P")
_R = TypeVar("_R")


def logger(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Records each call (and, in debug mode, its return value) in LOG."""

    @functools.wraps(func)
    def logged(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        described = [repr(arg) for arg in args] + [f"{key!r}={value!r}" for key, value in kwargs.items()]
        LOG(f"calling {func.__name__}({','.join(described)})")
        returned = func(*args, **kwargs)
        if is_debug_mode():
            LOG(f"Return value [{func.__name__}]: {returned}")
        return returned

    return logged


def register_module_line(module_name: str, start_end: str, line: int, wrapper: int = 0) -> None:
    """Called by code unified by demisto-sdk to map traceback lines to files; nothing to do locally."""


def __line__() -> int:
    return sys._getframe(1).f_lineno


# ============================================================================================
# Server version and names
# ============================================================================================


def get_demisto_version() -> dict[str, str]:
    return demisto.demistoVersion()


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version))


def is_demisto_version_ge(version: str, build_number: str = "") -> bool:
    try:
        server = get_demisto_version()
    except AttributeError:
        return False
    server_version = _version_tuple(str(server.get("version", "0")))
    wanted = _version_tuple(version)
    if server_version != wanted or not build_number:
        return server_version > wanted or server_version == wanted
    try:
        return int(server.get("buildNumber", 0)) >= int(build_number)
    except ValueError:
        return True  # a development build has a non-numeric build number


def get_integration_name() -> str:
    context = demisto.callingContext.get("context", {})
    if demisto.callingContext.get("integration"):
        return context.get("IntegrationBrand", "")
    return context.get("ScriptName", "")


# ============================================================================================
# Errors (spec §5)
# ============================================================================================


class DemistoException(Exception):
    def __init__(
        self,
        message: Any,
        exception: Any = None,
        res: requests.Response | None = None,
        error_type: Any = None,
        *args: Any,
    ) -> None:
        self.message = message
        self.exception = exception
        self.res = res
        self.error_type = error_type
        super().__init__(message, exception, error_type, *args)

    def __str__(self) -> str:
        return str(self.message)


def return_error(message: Any, error: Any = "", outputs: Any = None) -> None:
    """Writes one error entry and exits; for fetch-type commands raises so the server records the failure."""
    message = LOG(message)
    if error:
        LOG(str(error))
    if sys.exc_info()[0] is not None:
        handled_traceback = traceback.format_exc()
        LOG("\n" + handled_traceback)
        if is_debug_mode():
            message = message + "\n\n" + handled_traceback
    LOG.print_log()

    command = demisto.command()
    if command == "get-modified-remote-data" and not isinstance(error, NotImplementedError):
        message = "skip update. error: " + message
    if command in _SERVER_HANDLED_COMMANDS:
        raise Exception(message)

    demisto.results(
        {
            "Type": entryTypes["error"],
            "ContentsFormat": formats["text"],
            "Contents": message,
            "EntryContext": outputs,
        }
    )
    sys.exit(0)


def return_warning(
    message: Any,
    exit: bool = False,
    warning: Any = "",
    outputs: Any = None,
    ignore_auto_extract: bool = False,
) -> None:
    LOG(message)
    if warning:
        LOG(str(warning))
    LOG.print_log()
    demisto.results(
        {
            "Type": entryTypes["warning"],
            "ContentsFormat": formats["text"],
            "IgnoreAutoExtract": ignore_auto_extract,
            "Contents": str(message),
            "EntryContext": outputs,
        }
    )
    if exit:
        sys.exit(0)


# ============================================================================================
# String helpers (spec §6)
# ============================================================================================


def pascalToSpace(s: Any) -> Any:
    if not isinstance(s, str):
        return s
    spaced = re.sub(r"[A-Z]?[a-z]+", lambda match: " " + match.group(0).title() + " ", s)
    return re.sub(r"\s+", " ", spaced).strip()


def underscoreToCamelCase(s: Any, upper_camel: bool = True) -> Any:
    if not isinstance(s, str):
        return s
    parts = s.split("_")
    if upper_camel:
        return "".join(part.title() for part in parts)
    return parts[0].lower() + "".join(part.title() for part in parts[1:])


def string_to_table_header(string: Any) -> str:
    if not isinstance(string, str):
        raise Exception(f"The key is not a string: {string}")
    return " ".join(word.capitalize() for word in string.replace("_", " ").split())


def string_to_context_key(string: Any) -> str:
    if not isinstance(string, str):
        raise Exception(f"The key is not a string: {string}")
    return "".join(word.capitalize() for word in string.split("_"))


def camel_case_to_underscore(s: Any) -> Any:
    if not isinstance(s, str):
        return s
    words_split = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", s)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", words_split).lower()


# ============================================================================================
# tableToMarkdown (spec §6)
# ============================================================================================

_EMPTY_TABLE = "**No entries.**\n"


def _escape_cell(text: str) -> str:
    text = text.replace("|", "\\|").replace("`", "\\`")
    return text.replace("\r\n", "<br>").replace("\r", "<br>").replace("\n", "<br>")


def _to_text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _json_or_str(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(value)


def _join_list_cell(values: list[Any]) -> str:
    return ",\n".join(_to_text(value) for value in values)


def _format_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return _join_list_cell(value)
    if isinstance(value, dict):
        lines = []
        for key, inner in value.items():
            if isinstance(inner, str):
                shown = inner
            elif isinstance(inner, list):
                shown = _join_list_cell(inner)
            else:
                shown = _json_or_str(inner)
            lines.append(f"{key}: {shown}")
        return "\n".join(lines)
    if isinstance(value, bytes):
        return _to_text(value)
    return _json_or_str(value)


def _linkify(value: Any, url_keys: list[str]) -> Any:
    """Turns the values under `url_keys`, at any depth, into `[url](url)` Markdown links."""

    def link(url: Any) -> Any:
        return f"[{url}]({url})" if url else url

    if isinstance(value, list):
        return [_linkify(item, url_keys) for item in value]
    if isinstance(value, dict):
        linked = {}
        for key, inner in value.items():
            if key in url_keys:
                linked[key] = [link(url) for url in inner] if isinstance(inner, list) else link(inner)
            else:
                linked[key] = _linkify(inner, url_keys)
        return linked
    return value


def _epoch_ms_to_local_text(value: Any) -> Any:
    try:
        return datetime.fromtimestamp(float(value) / 1000.0).strftime("%Y-%m-%d %H:%M:%S")
    except (TypeError, ValueError, OverflowError, OSError):
        return value


def _is_empty_cell(value: Any) -> bool:
    return value is None or (isinstance(value, (str, list, dict)) and not value)


def tableToMarkdown(
    name: str,
    t: Any,
    headers: Any = None,
    headerTransform: Callable[[Any], Any] | None = None,
    removeNull: bool = False,
    metadata: str | None = None,
    url_keys: list[str] | None = None,
    date_fields: list[str] | None = None,
    json_transform_mapping: dict[str, Any] | None = None,
    is_auto_json_transform: bool = False,
) -> str:
    """Renders `t` (a dict or a list) as the Markdown table the War Room shows, byte for byte as the server."""
    if json_transform_mapping or is_auto_json_transform:
        raise NotImplementedError("JSON transformers are not supported by the local runtime stand-in")
    if url_keys:
        t = _linkify(t, url_keys)

    markdown = "### " + name + "\n" if name else ""
    if metadata:
        markdown += metadata + "\n"
    if not t:
        return markdown + _EMPTY_TABLE

    if not headers and isinstance(t, dict) and len(t) == 1:
        # A single key is a column: its name is the header and its value the rows.
        headers = list(t.keys())
        t = next(iter(t.values()))
    if isinstance(headers, str):
        headers = [headers]
    elif headers:
        headers = list(headers)
    rows_in = t if isinstance(t, list) else [t]

    rows: list[dict[Any, Any]] = []
    for row in rows_in:
        if isinstance(row, dict):
            rows.append(row)
        elif headers:
            rows.append({headers[0]: row})
        else:
            raise Exception("Missing headers param for tableToMarkdown. Example: headers=['Some Header']")

    if not headers:
        first_keys = list(rows[0].keys()) if rows else []
        try:
            headers = sorted(first_keys)
        except TypeError:
            headers = sorted(first_keys, key=str)
    if removeNull:
        headers = [header for header in headers if not all(_is_empty_cell(row.get(header)) for row in rows)]
    if not headers:
        return markdown + _EMPTY_TABLE

    shown_headers = [headerTransform(header) if headerTransform else header for header in headers]
    markdown += "|" + "|".join(_escape_cell(_to_text(header)) for header in shown_headers) + "|\n"
    markdown += "|" + "|".join(["---"] * len(headers)) + "|\n"
    for row in rows:
        cells = []
        for header in headers:
            value = row.get(header)
            if date_fields and header in date_fields and value is not None:
                value = _epoch_ms_to_local_text(value)
            cells.append(_escape_cell(_format_cell(value)))
        markdown += "| " + " | ".join(cells) + " |\n"
    return markdown


# ============================================================================================
# Indicators and polling (just what CommandResults needs; spec §3)
# ============================================================================================


class DBotScoreType:
    IP = "ip"
    FILE = "file"
    DOMAIN = "domain"
    URL = "url"
    EMAIL = "email"
    CVE = "cve"
    ACCOUNT = "account"


class Common:
    class Indicator:
        def to_context(self) -> dict[str, Any]:
            raise NotImplementedError

    class DBotScore:
        NONE = 0
        GOOD = 1
        SUSPICIOUS = 2
        BAD = 3

        CONTEXT_PATH = (
            "DBotScore(val.Indicator && val.Indicator == obj.Indicator && "
            "val.Vendor == obj.Vendor && val.Type == obj.Type)"
        )

        def __init__(
            self,
            indicator: str,
            indicator_type: str,
            integration_name: str = "",
            score: int | None = None,
            malicious_description: str | None = None,
            reliability: str | None = None,
        ) -> None:
            if score not in (0, 1, 2, 3):
                raise TypeError("dbot score must be of type DBotScore")
            self.indicator = indicator
            self.indicator_type = indicator_type
            self.integration_name = integration_name or get_integration_name()
            self.score = score
            self.malicious_description = malicious_description
            self.reliability = reliability

        def to_context(self) -> dict[str, Any]:
            score_context = {
                "Indicator": self.indicator,
                "Type": self.indicator_type,
                "Vendor": self.integration_name,
                "Score": self.score,
            }
            if self.reliability:
                score_context["Reliability"] = self.reliability
            return {Common.DBotScore.CONTEXT_PATH: score_context}

    class IP(Indicator):
        CONTEXT_PATH = "IP(val.Address && val.Address == obj.Address)"

        def __init__(
            self,
            ip: str,
            dbot_score: "Common.DBotScore",
            *,
            asn: str | None = None,
            hostname: str | None = None,
            geo_country: str | None = None,
            geo_description: str | None = None,
        ) -> None:
            self.ip = ip
            self.dbot_score = dbot_score
            self.asn = asn
            self.hostname = hostname
            self.geo_country = geo_country
            self.geo_description = geo_description

        def to_context(self) -> dict[str, Any]:
            ip_context: dict[str, Any] = {"Address": self.ip}
            if self.asn:
                ip_context["ASN"] = self.asn
            if self.hostname:
                ip_context["Hostname"] = self.hostname
            geo = assign_params(Country=self.geo_country, Description=self.geo_description)
            if geo:
                ip_context["Geo"] = geo
            if self.dbot_score and self.dbot_score.score == Common.DBotScore.BAD:
                ip_context["Malicious"] = {
                    "Vendor": self.dbot_score.integration_name,
                    "Description": self.dbot_score.malicious_description,
                }
            context = {Common.IP.CONTEXT_PATH: ip_context}
            if self.dbot_score:
                context.update(self.dbot_score.to_context())
            return context


class ScheduledCommand:
    """Asks the server to run `command` again later (polling); needs server 6.2.0 or later."""

    MIN_NEXT_RUN_SECONDS = 10

    def __init__(
        self,
        command: str,
        next_run_in_seconds: int,
        args: dict[str, Any] | None = None,
        timeout_in_seconds: int | None = None,
        items_remaining: int | None = 0,
    ) -> None:
        if not is_demisto_version_ge("6.2.0"):
            raise DemistoException(
                "This command is not supported by this XSOAR server version. "
                "Please update your server version to 6.2.0 or later."
            )
        self._command = command
        self._next_run = str(max(self.MIN_NEXT_RUN_SECONDS, int(next_run_in_seconds)))
        self._args = args
        self._timeout = str(timeout_in_seconds) if timeout_in_seconds else None
        self._items_remaining = items_remaining

    def to_results(self) -> dict[str, Any]:
        return assign_params(
            PollingCommand=self._command,
            NextRun=self._next_run,
            PollingArgs=self._args,
            Timeout=self._timeout,
            PollingItemsRemaining=self._items_remaining,
        )


# ============================================================================================
# CommandResults and return_results (spec §3, §4)
# ============================================================================================


class CommandResults:
    """One War Room entry: context under a prefix, a readable table and the raw reply."""

    def __init__(
        self,
        outputs_prefix: str | None = None,
        outputs_key_field: str | list[str] | None = None,
        outputs: Any = None,
        indicators: list[Any] | None = None,
        readable_output: str | None = None,
        raw_response: Any = None,
        indicators_timeline: Any = None,
        indicator: Any = None,
        ignore_auto_extract: bool = False,
        mark_as_note: bool = False,
        scheduled_command: ScheduledCommand | None = None,
        relationships: list[Any] | None = None,
        entry_type: int | None = None,
        content_format: str | None = None,
        execution_metrics: list[dict[str, Any]] | None = None,
    ) -> None:
        if raw_response is None:
            raw_response = outputs
        if outputs is not None and not isinstance(outputs, dict) and not outputs_prefix:
            raise ValueError("outputs_prefix is missing")
        if indicators and indicator:
            raise ValueError("indicators is DEPRECATED, use only indicator")
        if outputs_key_field is None:
            key_fields: list[str] = []
        elif isinstance(outputs_key_field, str):
            key_fields = [outputs_key_field] if outputs_key_field else []
        elif isinstance(outputs_key_field, list):
            key_fields = outputs_key_field
        else:
            raise TypeError("outputs_key_field must be of type str or list")
        if content_format is not None and not EntryFormat.is_valid_type(content_format):
            raise TypeError(f"content_format {content_format} is invalid, see CommonServerPython.EntryFormat")

        self.outputs_prefix = outputs_prefix
        self.outputs_key_field = key_fields
        self.outputs = outputs
        self.indicators = indicators
        self.indicator = indicator
        self.readable_output = readable_output
        self.raw_response = raw_response
        self.indicators_timeline = indicators_timeline
        self.ignore_auto_extract = ignore_auto_extract
        self.mark_as_note = mark_as_note
        self.scheduled_command = scheduled_command
        self.relationships = relationships
        self.entry_type = entry_type
        self.content_format = content_format
        self.execution_metrics = execution_metrics

    def _context_key(self) -> str:
        assert self.outputs_prefix  # only called with a prefix
        if not self.outputs_key_field:
            return self.outputs_prefix
        condition = " && ".join(f"val.{key} && val.{key} == obj.{key}" for key in self.outputs_key_field)
        return f"{self.outputs_prefix}({condition})"

    def to_context(self) -> dict[str, Any]:
        has_outputs = self.outputs is not None and self.outputs != []
        entry_type = self.entry_type or EntryType.NOTE
        contents: Any = self.raw_response or None

        entry_context: dict[str, Any] = {}
        for indicator in self.indicators or ([self.indicator] if self.indicator else []):
            for key, value in indicator.to_context().items():
                entry_context.setdefault(key, []).append(value)
        if has_outputs:
            if self.outputs_prefix:
                entry_context[self._context_key()] = self.outputs
            else:
                entry_context.update(self.outputs)

        if self.readable_output:
            human_readable = self.readable_output
        elif has_outputs:
            human_readable = tableToMarkdown("Results", self.outputs)
        else:
            human_readable = None

        if self.execution_metrics:
            entry_type = EntryType.EXECUTION_METRICS
            contents = "Metrics reported successfully."

        if self.content_format:
            content_format = self.content_format
        elif isinstance(contents, (str, bytes, int)):
            content_format = EntryFormat.TEXT
        else:
            content_format = EntryFormat.JSON

        timeline = getattr(self.indicators_timeline, "indicators_timeline", self.indicators_timeline)
        relationships = [entry for entry in (r.to_entry() for r in self.relationships or []) if entry]

        entry: dict[str, Any] = {
            "Type": entry_type,
            "ContentsFormat": content_format,
            "Contents": contents,
            "HumanReadable": human_readable,
            "EntryContext": entry_context,
            "IndicatorTimeline": timeline or [],
            "IgnoreAutoExtract": bool(self.ignore_auto_extract),
            "Note": bool(self.mark_as_note),
            "Relationships": relationships,
        }
        if self.scheduled_command:
            entry.update(self.scheduled_command.to_results())
        if self.execution_metrics:
            entry["APIExecutionMetrics"] = self.execution_metrics
        return entry


def return_results(results: Any) -> None:
    """Sends results to the War Room: CommandResults, entry dicts, strings, or a list of those."""
    if results is None:
        demisto.results(None)
        return
    if isinstance(results, list) and results:
        plain_entries = []
        for result in results:
            if isinstance(result, (dict, str)):
                plain_entries.append(result)
            else:
                return_results(result)
        if plain_entries:
            demisto.results(plain_entries)
        return
    if isinstance(results, CommandResults):
        demisto.results(results.to_context())
        return
    if hasattr(results, "to_display"):
        demisto.results(results.to_display())
        return
    if hasattr(results, "to_entry"):
        demisto.results(results.to_entry())
        return
    demisto.results(results)


# ============================================================================================
# Files (spec §7)
# ============================================================================================


def fileResult(filename: str, data: str | bytes, file_type: int | None = None) -> dict[str, Any]:
    """Writes `data` where the server picks up files and returns the file entry for return_results."""
    if file_type is None:
        file_type = entryTypes["file"]
    if isinstance(data, str):
        data = data.encode("utf-8")
    elif not isinstance(data, (bytes, bytearray)):
        raise TypeError(f"data must be str or bytes, not {type(data).__name__}")
    file_id = demisto.uniqueFile()
    with open(f"{demisto.investigation()['id']}_{file_id}", "wb") as file:
        file.write(data)
    return {
        "Contents": "",
        "ContentsFormat": formats["text"],
        "Type": file_type,
        "File": filename,
        "FileID": file_id,
    }


# ============================================================================================
# Arguments and small utilities (spec §9)
# ============================================================================================


def argToList(arg: Any, separator: str = ",", transform: Callable[[Any], Any] | None = None) -> list[Any]:
    if not arg:
        return []
    if isinstance(arg, list):
        items = arg
    elif isinstance(arg, str):
        if arg[0] == "[" and arg[-1] == "]":
            items = json.loads(arg)
        else:
            items = [part.strip() for part in arg.split(separator)]
    else:
        items = [arg]
    if transform:
        return [transform(item) for item in items]
    return items


def argToBoolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        if value.lower() in ("true", "yes"):
            return True
        if value.lower() in ("false", "no"):
            return False
        raise ValueError("Argument does not contain a valid boolean-like value")
    raise ValueError("Argument is neither a string nor a boolean")


def _missing_argument(arg_name: str | None) -> ValueError:
    return ValueError(f'Missing "{arg_name}"' if arg_name else "Missing required argument")


def arg_to_number(arg: Any, arg_name: str | None = None, required: bool = False) -> int | None:
    if arg is None or arg == "":
        if required:
            raise _missing_argument(arg_name)
        return None
    invalid = ValueError(
        f'Invalid number: "{arg_name}"="{arg}"' if arg_name else f'"{arg}" is not a valid number'
    )
    if isinstance(arg, str):
        try:
            return int(arg) if arg.isdigit() else int(float(arg))
        except (ValueError, OverflowError):
            raise invalid from None
    if isinstance(arg, int):
        return arg
    raise invalid


# Epoch values above this are milliseconds (2,000,000,000 seconds is in 2033).
_EPOCH_MILLISECONDS_THRESHOLD = 2_000_000_000

_RELATIVE_UNITS = {
    "second": "seconds",
    "sec": "seconds",
    "minute": "minutes",
    "min": "minutes",
    "hour": "hours",
    "hr": "hours",
    "day": "days",
    "week": "weeks",
    "month": "months",
    "year": "years",
}
_RELATIVE_AMOUNT_UNIT = r"(\d+|an?)\s*(second|sec|minute|min|hour|hr|day|week|month|year)s?"
_RELATIVE_PHRASE = re.compile(
    rf"(?P<future>in\s+)?(?P<parts>{_RELATIVE_AMOUNT_UNIT}(?:\s*(?:,|and)?\s*{_RELATIVE_AMOUNT_UNIT})*)"
    rf"(?:\s+(?P<ago>ago))?",
    re.IGNORECASE,
)
_NAMED_DAYS = {"now": 0, "today": 0, "yesterday": -1, "tomorrow": 1}
_ISO_8601 = re.compile(
    r"(\d{4})-?(\d{2})-?(\d{2})"
    r"(?:[T ](\d{2}):?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?",
    re.IGNORECASE,
)
_ABSOLUTE_FORMATS = (
    "%Y/%m/%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%m/%d/%Y",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%d %b %Y",
    "%d %B %Y",
    "%d %b %Y %H:%M:%S",
    "%d %B %Y %H:%M:%S",
    "%b %d %Y",
    "%B %d %Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%b %d, %Y %H:%M:%S",
    "%B %d, %Y %H:%M:%S",
)


def _shift_months(moment: datetime, months: int) -> datetime:
    month_index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(month_index, 12)
    next_month_start = datetime(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    last_day = (next_month_start - timedelta(days=1)).day
    return moment.replace(year=year, month=month + 1, day=min(moment.day, last_day))


def _parse_relative(text: str, now: datetime) -> datetime | None:
    if text.lower() in _NAMED_DAYS:
        return now + timedelta(days=_NAMED_DAYS[text.lower()])
    match = _RELATIVE_PHRASE.fullmatch(text)
    if not match or (match.group("future") and match.group("ago")):
        return None
    direction = 1 if match.group("future") else -1
    moment = now
    for amount_text, unit in re.findall(_RELATIVE_AMOUNT_UNIT, match.group("parts"), re.IGNORECASE):
        amount = 1 if amount_text.lower() in ("a", "an") else int(amount_text)
        unit_name = _RELATIVE_UNITS[unit.lower()]
        if unit_name == "months":
            moment = _shift_months(moment, direction * amount)
        elif unit_name == "years":
            moment = _shift_months(moment, direction * amount * 12)
        else:
            moment = moment + direction * timedelta(**{unit_name: amount})
    return moment


def _parse_iso_8601(text: str) -> datetime | None:
    """ISO 8601 dates and times, in the same way on every Python (fromisoformat varies by version)."""
    match = _ISO_8601.fullmatch(text)
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    zone: timezone | None = None
    if offset:
        if offset.upper() == "Z":
            zone = timezone.utc
        else:
            sign = -1 if offset[0] == "-" else 1
            digits = offset[1:].replace(":", "")
            zone = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0)))
    try:
        return datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0")[:6].ljust(6, "0")),
            tzinfo=zone,
        )
    except ValueError:
        return None


def _parse_absolute(text: str) -> datetime | None:
    parsed = _parse_iso_8601(text)
    if parsed is not None:
        return parsed
    for date_format in _ABSOLUTE_FORMATS:
        try:
            return datetime.strptime(text, date_format)
        except ValueError:
            continue
    from email.utils import parsedate_to_datetime  # RFC 2822 dates are rare: load the parser only then

    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def _parse_date_text(text: str) -> datetime | None:
    """The subset of dateparser.parse(text, settings={'TIMEZONE': 'UTC'}) that integrations rely on.

    Relative phrases ('3 days', '3 days ago', 'in 2 hours', 'now') count from the current UTC time
    and, like absolute times without an offset, come back naive; times with an offset come back
    aware, converted to UTC.
    """
    text = text.strip()
    if not text:
        return None
    parsed = _parse_relative(text, datetime.now(timezone.utc).replace(tzinfo=None))
    if parsed is None:
        parsed = _parse_absolute(text)
    if parsed is not None and parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc)
    return parsed


def arg_to_datetime(
    arg: Any,
    arg_name: str | None = None,
    is_utc: bool = True,
    required: bool = False,
    settings: dict[str, Any] | None = None,
) -> datetime | None:
    """Epoch seconds/milliseconds, ISO 8601, a few common layouts, or relative phrases, to a datetime.

    `settings` is accepted for dateparser compatibility and ignored: times are read as UTC.
    """
    if arg is None:
        if required:
            raise _missing_argument(arg_name)
        return None
    invalid = ValueError(
        f'Invalid date: "{arg_name}"="{arg}"' if arg_name else f'"{arg}" is not a valid date'
    )
    if (isinstance(arg, str) and arg.isdigit()) or isinstance(arg, (int, float)):
        try:
            seconds = float(arg)
            if seconds > _EPOCH_MILLISECONDS_THRESHOLD:
                seconds /= 1000.0
            if is_utc:
                return datetime.fromtimestamp(seconds, tz=timezone.utc)
            return datetime.fromtimestamp(seconds)
        except (ValueError, OverflowError, OSError):
            raise invalid from None
    if isinstance(arg, str):
        parsed = _parse_date_text(arg)
        if parsed is None:
            raise invalid
        return parsed
    raise invalid


def urljoin(url: str, suffix: str = "") -> str:
    if not url.endswith("/"):
        url += "/"
    if suffix.startswith("/"):
        suffix = suffix[1:]
    return url + suffix


def _is_empty_element(value: Any) -> bool:
    return value is None or (isinstance(value, (dict, list)) and not value)


def remove_empty_elements(d: Any) -> Any:
    """Drops None, {} and [] at any depth, including containers emptied by the cleaning; keeps '', 0, False."""
    if isinstance(d, list):
        cleaned_items = (remove_empty_elements(item) for item in d)
        return [item for item in cleaned_items if not _is_empty_element(item)]
    if isinstance(d, dict):
        cleaned_pairs = ((key, remove_empty_elements(value)) for key, value in d.items())
        return {key: value for key, value in cleaned_pairs if not _is_empty_element(value)}
    return d


def assign_params(keys_to_ignore: Any = None, values_to_ignore: Any = None, **kwargs: Any) -> dict[str, Any]:
    """The keyword arguments minus empty values (None, '', [], {}, ()) and the keys to ignore."""
    if values_to_ignore is None:
        values_to_ignore = (None, "", [], {}, ())
    ignored_keys = keys_to_ignore or ()
    return {
        key: value
        for key, value in kwargs.items()
        if value not in values_to_ignore and key not in ignored_keys
    }


# ============================================================================================
# Proxy and certificate environment (spec §8, §9)
# ============================================================================================


def ensure_proxy_has_http_prefix() -> None:
    for name in _PROXY_ENV_VARS:
        value = os.environ.get(name)
        if value and "://" not in value:
            os.environ[name] = "http://" + value


def skip_proxy() -> None:
    for name in _PROXY_ENV_VARS:
        os.environ.pop(name, None)


def skip_cert_verification() -> None:
    for name in _CA_BUNDLE_ENV_VARS:
        os.environ.pop(name, None)


def handle_proxy(
    proxy_param_name: str = "proxy",
    checkbox_default_value: bool = False,
    handle_insecure: bool = True,
    insecure_param_name: str | None = None,
) -> dict[str, str]:
    params = demisto.params()
    proxies: dict[str, str] = {}
    if params.get(proxy_param_name, checkbox_default_value):
        ensure_proxy_has_http_prefix()
        proxies = {
            "http": os.environ.get("HTTP_PROXY") or os.environ.get("http_proxy") or "",
            "https": os.environ.get("HTTPS_PROXY") or os.environ.get("https_proxy") or "",
        }
    else:
        skip_proxy()
    if handle_insecure:
        names = (insecure_param_name,) if insecure_param_name else ("insecure", "unsecure")
        if any(params.get(name) for name in names):
            skip_cert_verification()
    return proxies


# ============================================================================================
# BaseClient (spec §8)
# ============================================================================================

# Lets unverified connections reach appliances with legacy certificates (small keys, SHA-1 signatures).
_LEGACY_TLS_CIPHERS = "@SECLEVEL=1:HIGH:!aNULL:!eNULL:!MD5:!RC4"

# Which runtime's https:// adapter a verify=False client mounts (spec §8): the server may run either.
HTTPS_ADAPTER_VARIABLE = "XSOAR_RUNTIME_HTTPS_ADAPTER"
HTTPS_ADAPTER_2022 = "2022"
HTTPS_ADAPTER_NEWER = "newer"


def https_adapter_behaviour() -> str:
    """'2022' or 'newer', from XSOAR_RUNTIME_HTTPS_ADAPTER (default 'newer')."""
    chosen = os.environ.get(HTTPS_ADAPTER_VARIABLE, "").strip().lower() or HTTPS_ADAPTER_NEWER
    if chosen not in (HTTPS_ADAPTER_2022, HTTPS_ADAPTER_NEWER):
        raise ValueError(
            f"{HTTPS_ADAPTER_VARIABLE}={chosen!r} is not a runtime behaviour: "
            f"use {HTTPS_ADAPTER_2022!r} or {HTTPS_ADAPTER_NEWER!r}"
        )
    return chosen


# OpenSSL's SSL_OP_LEGACY_SERVER_CONNECT; the ssl module names it only from Python 3.12.
_OP_LEGACY_SERVER_CONNECT = 0x4


class LegacyCipherAdapter(HTTPAdapter):
    """The [2022] adapter: only the cipher list is set, so the context keeps check_hostname on.

    With urllib3 2.x a verify=False request through it fails before sending anything:
    ValueError: Cannot set verify_mode to CERT_NONE when check_hostname is enabled.
    """

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        from urllib3.util.ssl_ import create_urllib3_context

        kwargs["ssl_context"] = create_urllib3_context(ciphers=_LEGACY_TLS_CIPHERS)
        super().init_poolmanager(*args, **kwargs)


class SSLAdapter(HTTPAdapter):
    """The [newer] adapter: hostname checking off when not verifying, legacy renegotiation allowed."""

    def __init__(self, verify: bool | str = True, **kwargs: Any) -> None:
        self.verify = verify  # set before HTTPAdapter.__init__, which builds the pool manager
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        import ssl

        from urllib3.util.ssl_ import create_urllib3_context

        context = create_urllib3_context(ciphers=_LEGACY_TLS_CIPHERS)
        if not self.verify:
            context.check_hostname = False
        if ssl.OPENSSL_VERSION_INFO >= (3,):
            context.options |= _OP_LEGACY_SERVER_CONNECT
        kwargs["ssl_context"] = context
        super().init_poolmanager(*args, **kwargs)


_CONNECT_TIMEOUT_MESSAGE = (
    "Connection Timeout Error - potential reasons might be that the Server URL parameter is incorrect or "
    "that the Server is not accessible from your host."
)
_SSL_ERROR_MESSAGE = (
    "SSL Certificate Verification Failed - try selecting 'Trust any certificate' checkbox in the "
    "integration configuration."
)
_PROXY_ERROR_MESSAGE = (
    "Proxy Error - if the 'Use system proxy' checkbox in the integration configuration is selected, "
    "try clearing the checkbox."
)
_RETRIED_METHODS = frozenset(["GET", "POST", "PUT"])


class BaseClient:
    """An HTTP client for one service: one session, the instance's proxy/TLS settings, XSOAR's error texts."""

    def __init__(
        self,
        base_url: str,
        verify: bool | str = True,
        proxy: bool = False,
        ok_codes: tuple[int, ...] | list[int] = (),
        headers: dict[str, str] | None = None,
        auth: Any = None,
        timeout: float = 60,
    ) -> None:
        self._base_url = base_url
        self._verify = verify
        self._ok_codes = ok_codes
        self._headers = headers
        self._auth = auth
        self._session = requests.Session()
        if proxy:
            ensure_proxy_has_http_prefix()
        else:
            skip_proxy()
        self._https_adapter_behaviour: str | None = None
        if not verify:
            skip_cert_verification()
            self._https_adapter_behaviour = https_adapter_behaviour()
            self._session.mount("https://", self._https_adapter())

        calling_context = demisto.callingContext.get("context", {})
        runner_name = calling_context.get("IntegrationBrand") or calling_context.get("ScriptName") or ""
        self.timeout = float(
            os.environ.get(f"REQUESTS_TIMEOUT.{runner_name}") or os.environ.get("REQUESTS_TIMEOUT") or timeout
        )

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self._session.close()

    def _implement_retry(
        self,
        retries: int = 0,
        status_list_to_retry: Any = None,
        backoff_factor: float = 5,
        raise_on_redirect: bool = False,
        raise_on_status: bool = False,
    ) -> None:
        retry = Retry(
            total=retries,
            read=retries,
            connect=retries,
            status=retries,
            backoff_factor=backoff_factor,
            status_forcelist=status_list_to_retry,
            allowed_methods=_RETRIED_METHODS,
            raise_on_redirect=raise_on_redirect,
            raise_on_status=raise_on_status,
        )
        # Only https:// is retried, as on the server: plain http:// keeps requests' default adapter.
        self._session.mount("https://", self._https_adapter(max_retries=retry))

    def _https_adapter(self, max_retries: Any = 0) -> HTTPAdapter:
        """The https:// adapter of this client: the chosen runtime's when not verifying, else requests'."""
        if self._https_adapter_behaviour == HTTPS_ADAPTER_2022:
            return LegacyCipherAdapter(max_retries=max_retries)
        if self._https_adapter_behaviour == HTTPS_ADAPTER_NEWER:
            return SSLAdapter(verify=self._verify, max_retries=max_retries)
        return HTTPAdapter(max_retries=max_retries)

    def _is_status_code_valid(self, response: requests.Response, status_codes: Any = None) -> bool:
        valid_codes = status_codes or self._ok_codes
        if valid_codes:
            return response.status_code in valid_codes
        return response.ok

    def client_error_handler(self, res: requests.Response) -> None:
        """Raises the server's standard error for a reply with an unexpected status."""
        message = f"Error in API call [{res.status_code}] - {res.reason}"
        try:
            message += "\n" + json.dumps(res.json())
        except ValueError:
            message += "\n" + res.text
        raise DemistoException(message, res=res)

    def _http_request(
        self,
        method: str,
        url_suffix: str = "",
        full_url: str | None = None,
        headers: dict[str, str] | None = None,
        auth: Any = None,
        json_data: Any = None,
        params: Any = None,
        data: Any = None,
        files: Any = None,
        timeout: float | None = None,
        resp_type: str = "json",
        ok_codes: Any = None,
        return_empty_response: bool = False,
        retries: int = 0,
        status_list_to_retry: Any = None,
        backoff_factor: float = 5,
        raise_on_redirect: bool = False,
        raise_on_status: bool = False,
        error_handler: Callable[[requests.Response], Any] | None = None,
        empty_valid_codes: Any = None,
        **kwargs: Any,
    ) -> Any:
        try:
            address = full_url or urljoin(self._base_url, url_suffix)
            if retries:
                self._implement_retry(
                    retries, status_list_to_retry, backoff_factor, raise_on_redirect, raise_on_status
                )
            res = self._session.request(
                method,
                address,
                verify=self._verify,
                params=params,
                data=data,
                json=json_data,
                files=files,
                headers=headers or self._headers,
                auth=auth or self._auth,
                timeout=timeout or self.timeout,
                **kwargs,
            )
            if not self._is_status_code_valid(res, ok_codes):
                if error_handler:
                    error_handler(res)
                else:
                    self.client_error_handler(res)

            if return_empty_response and res.status_code in (empty_valid_codes or [204]):
                return res
            return self._parse_response(res, resp_type)
        except requests.exceptions.ConnectTimeout as exception:
            raise DemistoException(_CONNECT_TIMEOUT_MESSAGE, exception) from exception
        except requests.exceptions.SSLError as exception:
            if not self._verify:
                raise
            raise DemistoException(_SSL_ERROR_MESSAGE, exception) from exception
        except requests.exceptions.ProxyError as exception:
            raise DemistoException(_PROXY_ERROR_MESSAGE, exception) from exception
        except requests.exceptions.ConnectionError as exception:
            error_class = type(exception)
            message = (
                "Verify that the server URL parameter is correct and that you have access to the server "
                "from your host.\n"
                f"Error Type: <{error_class.__module__}.{error_class.__name__}>\n"
                f"Error Number: [{exception.errno}]\n"
                f"Message: {exception.strerror}\n"
            )
            raise DemistoException(message, exception) from exception
        except requests.exceptions.RetryError as exception:
            message = f"Max Retries Error- Request attempts with {retries} retries failed. \n{_retry_reason(exception)}"
            raise DemistoException(message, exception) from exception

    @staticmethod
    def _parse_response(res: requests.Response, resp_type: str) -> Any:
        if resp_type == "json":
            try:
                return res.json()
            except ValueError as exception:
                raise DemistoException(
                    f"Failed to parse json object from response: {res.content!r}", exception, res
                ) from exception
        if resp_type == "text":
            return res.text
        if resp_type == "content":
            return res.content
        if resp_type == "xml":
            from xml.etree import ElementTree  # rarely used: keep it off the import path

            try:
                ElementTree.fromstring(res.content)
            except ElementTree.ParseError as exception:
                raise DemistoException(
                    f"Failed to parse xml object from response: {res.content!r}", exception, res
                ) from exception
        return res


def _retry_reason(exception: requests.exceptions.RetryError) -> str:
    """'Reason: <why urllib3 gave up>', e.g. 'Reason: too many 500 error responses'."""
    cause = exception.args[0] if exception.args else None
    reason = getattr(cause, "reason", None) or cause
    if reason is None:
        return ""
    reason_args = getattr(reason, "args", None)
    return f"Reason: {reason_args[0] if reason_args else reason}"
