import demistomock as demisto

# ruff: noqa: I001  (the demistomock import must stay the first line, as in the server's library)
# The local stand-in for XSOAR's CommonServerPython, written from the XSOAR runtime specification in this
# project's own code. It behaves like the 2022 server library wherever the integration touches it.
#
# Two ways to load it, both supported: `from CommonServerPython import *` (tests), and the server's
# way, exec'ing this source in a namespace that already holds `demisto` (the War Room runner).
# So: no `from __future__` (this must stay the first line), no relative imports, and nothing slow
# at import time; it is loaded once per command run.

import base64
import contextlib
import json
import os
import re
import sys
import traceback
import warnings
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, quote_plus

import requests
from requests.adapters import HTTPAdapter

# ============================================================================================
# Entry types and formats (spec §2)
# ============================================================================================


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


class EntryFormat:
    HTML = "html"
    TABLE = "table"
    JSON = "json"
    TEXT = "text"
    DBOT_RESPONSE = "dbotCommandResponse"
    MARKDOWN = "markdown"

    @classmethod
    def is_valid_type(cls, value: Any) -> bool:
        return value in (cls.HTML, cls.TABLE, cls.JSON, cls.TEXT, cls.DBOT_RESPONSE, cls.MARKDOWN)


class IncidentSeverity:
    UNKNOWN = 0
    INFO = 0.5
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4


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


def register_module_line(module_name: str, start_end: str, line: int, wrapper: int = 0) -> None:
    """Called by code unified by demisto-sdk to map traceback lines to files; nothing to do locally."""


def __line__() -> int:
    return sys._getframe(1).f_lineno


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
            "Type": EntryType.ERROR,
            "ContentsFormat": EntryFormat.TEXT,
            "Contents": message,
            "EntryContext": outputs,
        }
    )
    sys.exit(0)


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


def _is_empty_cell(value: Any) -> bool:
    return value is None or (isinstance(value, (str, list, dict)) and not value)


def tableToMarkdown(
    name: str,
    t: Any,
    headers: Any = None,
    headerTransform: Callable[[Any], Any] | None = None,
    removeNull: bool = False,
    metadata: str | None = None,
) -> str:
    """Renders `t` (a dict or a list) as the Markdown table the War Room shows, byte for byte as the server.

    Of the server's options, only those above: nothing here uses url_keys, date_fields or the JSON
    transformers, so a call with one of them fails with TypeError rather than render differently.
    """
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
            cells.append(_escape_cell(_format_cell(row.get(header))))
        markdown += "| " + " | ".join(cells) + " |\n"
    return markdown


# ============================================================================================
# CommandResults and return_results (spec §3, §4)
# ============================================================================================


class CommandResults:
    """One War Room entry: context under a prefix, a readable table and the raw reply.

    The constructor takes the server's arguments and makes its checks; indicators, relationships and
    polling are passed through as given (nothing here builds them, so no classes for them exist).
    """

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
        scheduled_command: Any = None,
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
        file_type = EntryType.FILE
    if isinstance(data, str):
        data = data.encode("utf-8")
    elif not isinstance(data, (bytes, bytearray)):
        raise TypeError(f"data must be str or bytes, not {type(data).__name__}")
    file_id = demisto.uniqueFile()
    with open(f"{demisto.investigation()['id']}_{file_id}", "wb") as file:
        file.write(data)
    return {
        "Contents": "",
        "ContentsFormat": EntryFormat.TEXT,
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
    """'2022' or 'newer', from XSOAR_RUNTIME_HTTPS_ADAPTER; by default '2022', as the spec's rule is."""
    chosen = os.environ.get(HTTPS_ADAPTER_VARIABLE, "").strip().lower() or HTTPS_ADAPTER_2022
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

    def _https_adapter(self, max_retries: Any = 0) -> HTTPAdapter:
        """The https:// adapter of this client: the chosen runtime's when not verifying, else requests'."""
        if self._https_adapter_behaviour == HTTPS_ADAPTER_2022:
            return LegacyCipherAdapter(max_retries=max_retries)
        if self._https_adapter_behaviour == HTTPS_ADAPTER_NEWER:
            return SSLAdapter(verify=self._verify, max_retries=max_retries)
        return HTTPAdapter(max_retries=max_retries)
