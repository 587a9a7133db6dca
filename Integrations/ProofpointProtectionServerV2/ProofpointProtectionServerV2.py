import demistomock as demisto
from CommonServerPython import *

import json
import os
import random
import re
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from functools import partial
from typing import Any, TypeVar
from urllib.parse import quote, quote_plus, unquote, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.ssl_ import create_urllib3_context

""" CONSTANTS """

INTEGRATION_NAME = "Proofpoint PPS REST"
API_PATH = "/rest/v1"

SMART_SEARCH_PREFIX = "Proofpoint.SmartSearch"
QUARANTINED_MESSAGE_PREFIX = "Proofpoint.QuarantinedMessage"
QUARANTINE_ACTION_PREFIX = "Proofpoint.QuarantineAction"

SMART_SEARCH_TITLE = "Proofpoint Protection Server Smart Search Results"
QUARANTINED_MESSAGES_TITLE = "Proofpoint Protection Server Quarantined Messages"

# The columns an analyst scans first; the context keeps every field of the record.
SMART_SEARCH_HEADERS = [
    "GUID",
    "Date",
    "Sender",
    "Recipients",
    "Subject",
    "Final_Action",
    "Quarantine_Folder",
    "Spam_Score",
    "Virus_Names",
]
QUARANTINED_MESSAGE_HEADERS = [
    "localguid",
    "guid",
    "date",
    "from",
    "rcpts",
    "subject",
    "folder",
    "spamscore",
    "size",
    "host_ip",
    "messageid",
    "processingserver",
]

# PPS 8.14.2 rejects an offset with a colon (-05:00), so %z (-0500) it is.
SMART_SEARCH_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
QUARANTINE_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
DEFAULT_START_TIME = "24 hours"

SMART_SEARCH_ACTIONS = ("accept", "continue", "discard", "redirect", "reject", "retry")
DEFAULT_LIMIT = 100
SMART_SEARCH_MAX_LIMIT = 10000
# The quarantine search's own ceiling for its limit parameter.
QUARANTINE_MAX_LIMIT = 1000
DEFAULT_FOLDER = "Quarantine"
MAX_FOLDERS = 20

DEFAULT_TIMEOUT_SECONDS = 60.0

# "Trust any certificate" keeps the runtime's wider cipher list, which reaches appliances with older
# TLS setups, and OpenSSL 3's legacy renegotiation (its ssl module names the flag only from Python 3.12).
UNVERIFIED_TLS_CIPHERS = (
    "@SECLEVEL=1:ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20:ECDH+AESGCM:DH+AESGCM:"
    "ECDH+AES:DH+AES:RSA+AESGCM:RSA+AES:!aNULL:!eNULL:!MD5:!DSS"
)
OP_LEGACY_SERVER_CONNECT = getattr(ssl, "OP_LEGACY_SERVER_CONNECT", 0x4)
DEFAULT_MAX_DOWNLOAD_MB = 150
DOWNLOAD_CHUNK_BYTES = 1024 * 1024

# Transport policy: reads are retried on these; actions only on 429 and on failures to connect.
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_TRIES = 4
RETRY_BUDGET_SECONDS = 60.0
RETRY_AFTER_CAP_SECONDS = 30.0
BACKOFF_BASE_SECONDS = 0.5

# Batch actions run a few ids at a time: enough to hide latency, not enough to flood the appliance.
ACTION_CONCURRENCY = 5
FOLDER_CONCURRENCY = 4

MODULE_PSS = "pss"
MODULE_QUARANTINE = "Quarantine"

LOCAL_GUID_PATTERN = re.compile(r"^[0-9]+:[0-9]+:[0-9]+$")
CLOUD_GUID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MESSAGE_GUID_PATTERN = re.compile(r"^[A-Za-z0-9_=-]{1,128}$")
# What the PPS search accepts: addresses, prefixes, suffixes, domains, with * wildcards.
ADDRESS_PATTERN_RE = re.compile(r"^[A-Za-z0-9.!#$%&'+/=?^_`{|}~*@-]{1,320}$")
EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
QUEUE_ID_RE = re.compile(r"^[A-Za-z0-9]{1,64}$")
HOST_RE = re.compile(r"^[A-Za-z0-9.:_\[\]-]{1,255}$")
HEADER_FROM_RE = re.compile(r"^(?P<name>[^<>]*)<(?P<address>[^<>]+)>$")
RELATIVE_TIME_RE = re.compile(
    r"^\s*(?P<number>\d{1,6})\s*(?P<unit>minute|hour|day|week|month|year)s?(\s+ago)?\s*$", re.IGNORECASE
)
TIME_UNITS = {
    "minute": timedelta(minutes=1),
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
    "week": timedelta(weeks=1),
    "month": timedelta(days=30),
    "year": timedelta(days=365),
}
# C0 and C1 control characters (tab excepted); NEL and the Unicode separators break lines too.
CONTROL_CHARACTERS_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
LINE_BREAKS_RE = re.compile(r"[\r\n\x85\u2028\u2029]")
MAX_VALUE_LENGTH = 1000
MAX_MULTILINE_LENGTH = 100_000
# A batch names thousands of ids, or many recipients, in one comma-separated value: the cap is per item.
LIST_ARGUMENTS = frozenset({"local_guid", "to"})
# The API's time formats have four-digit years; earlier than this is a typo, not a search.
EARLIEST_YEAR = 1970
# The forward command's comment is a message body: line breaks are its point.
MULTILINE_ARGUMENTS = frozenset({"comment"})

TIME_FORM_HINT = (
    'Use "<number> <unit>" (minutes, hours, days, weeks, months or years, e.g. "12 hours") '
    "or ISO 8601 (e.g. 2020-01-25T10:00:00Z)."
)
CHECK_OUTCOME_HINT = (
    "Check with !proofpoint-pps-list-quarantined-messages (or the PPS quarantine) whether it was acted on "
    "before trying again."
)

""" CLIENT """


class InvalidArgumentError(ValueError):
    """A bad argument: the message names it, the value and the accepted form."""


class OutcomeUnknownError(DemistoException):
    """An action may or may not have been carried out: it must not be sent again blindly."""


class MessageNotFoundError(DemistoException):
    """The appliance has no message with the requested GUID."""


def split_userinfo(url: str) -> tuple[str, tuple[str, str] | None]:
    """Separates user:password@ from a URL; everything up to the last @ is userinfo, so a password
    holding /, # or ? can never end up in the URL that is requested or shown."""
    scheme, separator, rest = url.partition("://")
    if not separator or "@" not in rest:
        return url, None
    userinfo, _, host_and_path = rest.rpartition("@")
    user, _, password = userinfo.partition(":")
    return f"{scheme}://{host_and_path}", (unquote(user), unquote(password))


def api_base_url(server_url: str) -> tuple[str, tuple[str, str] | None]:
    """Returns the API base URL (with /rest/v1 once) and any user:password the URL carried."""
    url, url_credentials = split_userinfo(server_url.strip())
    refusal = InvalidArgumentError(
        f'Invalid Server URL "{url}". Use https://<host>:10000, e.g. https://example.pphosted.com:10000.'
    )
    try:
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        raise refusal from None
    if not valid:
        raise refusal
    path = parts.path.rstrip("/")
    if not path.endswith(API_PATH):
        path += API_PATH
    return urlunsplit((parts.scheme, parts.netloc, path, "", "")), url_credentials


def unverified_tls_context() -> ssl.SSLContext:
    """TLS without certificate or hostname checks, for "Trust any certificate"."""
    try:
        context = create_urllib3_context(ciphers=UNVERIFIED_TLS_CIPHERS, cert_reqs=ssl.CERT_NONE)
    except ssl.SSLError:  # an OpenSSL build without these ciphers keeps its own list
        context = create_urllib3_context(cert_reqs=ssl.CERT_NONE)
    # Off before verify_mode: a context refuses CERT_NONE while it checks hostnames.
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.options |= OP_LEGACY_SERVER_CONNECT
    return context


class UnverifiedTLSAdapter(HTTPAdapter):
    """The https:// adapter of a client that trusts any certificate, replacing the runtime's own.

    The 2022 runtime's adapter keeps hostname checking on, which urllib3 2 refuses together with
    CERT_NONE before a byte is sent; newer runtimes turn it off. With this one both behave alike.
    """

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["ssl_context"] = unverified_tls_context()
        super().init_poolmanager(*args, **kwargs)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        proxy_kwargs["ssl_context"] = unverified_tls_context()
        return super().proxy_manager_for(proxy, **proxy_kwargs)


def module_for_path(path: str) -> str:
    return MODULE_PSS if path.startswith("/pss") else MODULE_QUARANTINE


def describe_body(response: requests.Response, limit: int = 500) -> str:
    """The server's own words, shortened; an HTML page is named as such rather than dumped."""
    try:
        text = response.text.strip()
    except Exception:  # a body that cannot be decoded says nothing useful
        return ""
    content_type = response.headers.get("Content-Type", "")
    if "html" in content_type.lower() or text[:15].lower().startswith(("<!doctype", "<html")):
        return "(an HTML page, not a PPS API reply: check the Server URL and the proxy)"
    if "json" in content_type.lower():
        try:
            parsed = json.loads(text)
            text = (
                str(parsed.get("status") or parsed.get("errors") or parsed)
                if isinstance(parsed, dict)
                else text
            )
        except ValueError:
            pass
    return text if len(text) <= limit else text[:limit] + "..."


def connection_not_established(error: BaseException) -> bool:
    """True when the request certainly never reached the server (it failed to connect)."""
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(error, requests.exceptions.SSLError | requests.exceptions.ProxyError):
        return False
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        name = type(current).__name__
        if name in ("NewConnectionError", "NameResolutionError", "ConnectTimeoutError"):
            return True
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException) and id(reason) not in seen:
            current = reason
            continue
        args = getattr(current, "args", ())
        nested = next((arg for arg in args if isinstance(arg, BaseException)), None)
        current = nested or current.__cause__ or current.__context__
    return False


class Client(BaseClient):
    """One method per PPS API endpoint; the transport policy (timeouts, retries, errors) lives here once."""

    def __init__(
        self,
        server_url: str,
        username: str,
        password: str,
        verify: bool,
        proxy: bool,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        max_download_bytes: int = DEFAULT_MAX_DOWNLOAD_MB * 1048576,
    ) -> None:
        base_url, url_credentials = api_base_url(server_url)
        if not username and url_credentials:
            username, password = url_credentials
        super().__init__(
            base_url=base_url,
            verify=verify,
            proxy=proxy,
            auth=(username.encode(), password.encode()),
            timeout=timeout,
        )
        if not verify:
            self._session.mount("https://", UnverifiedTLSAdapter())
        self.username = username
        self.max_download_bytes = max_download_bytes
        self.backoff_base = BACKOFF_BASE_SECONDS
        self.retry_budget = RETRY_BUDGET_SECONDS

    # -- transport --------------------------------------------------------------------------------

    def _retry_delay(self, attempt: int, response: requests.Response | None) -> float:
        if response is not None:
            retry_after = response.headers.get("Retry-After", "")
            if retry_after.strip().isdigit():
                return min(float(retry_after), RETRY_AFTER_CAP_SECONDS)
        exponential = self.backoff_base * (2 ** (attempt - 1))
        return min(exponential + random.uniform(0, self.backoff_base), RETRY_AFTER_CAP_SECONDS)

    def _send(
        self,
        method: str,
        path: str,
        params: dict[str, str] | None = None,
        json_body: dict[str, str] | None = None,
        stream: bool = False,
    ) -> requests.Response:
        """Sends one request under the retry policy; returns a response whose status is not yet checked."""
        url = self._base_url + path
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            response: requests.Response | None = None
            error: requests.exceptions.RequestException | None = None
            try:
                response = self._session.request(
                    method,
                    url,
                    params=params,
                    json=json_body,
                    auth=self._auth,
                    verify=self._verify,
                    timeout=self.timeout,
                    stream=stream,
                    headers={"Accept": "application/json, text/plain, */*"},
                )
            except requests.exceptions.RequestException as request_error:
                error = request_error
            if error is not None:
                retryable = method == "GET" or connection_not_established(error)
                retryable = retryable and not isinstance(error, requests.exceptions.SSLError)
            else:
                assert response is not None
                retryable = response.status_code in RETRYABLE_STATUSES and (
                    method == "GET" or response.status_code == 429
                )
            if not retryable:
                break
            delay = self._retry_delay(attempt, response)
            if attempt >= MAX_TRIES or time.monotonic() - started + delay > self.retry_budget:
                break
            debug_log(f"{method} {path}: try {attempt} failed, retrying in {delay:.1f}s")
            if response is not None:
                response.close()
            time.sleep(delay)
        if error is not None:
            raise self._transport_error(method, path, error, attempt)
        assert response is not None
        if method != "GET" and response.status_code >= 500:
            raise OutcomeUnknownError(
                f"The PPS server answered {response.status_code} to {method} {path}: "
                f"{describe_body(response) or response.reason}. The outcome is unknown: the request may "
                f"have been carried out, so it was not sent again. {CHECK_OUTCOME_HINT}",
                res=response,
            )
        return response

    def _transport_error(
        self, method: str, path: str, error: requests.exceptions.RequestException, attempts: int
    ) -> DemistoException:
        host = urlsplit(self._base_url).netloc
        tries = f" (after {attempts} tries)" if attempts > 1 else ""
        if isinstance(error, requests.exceptions.SSLError):
            return DemistoException(
                f"The TLS certificate of {host} could not be verified: {first_line(error)}. Give XSOAR the "
                "CA that signed it (REQUESTS_CA_BUNDLE), or select 'Trust any certificate (not secure)' "
                "(unsecure) in the instance settings.",
                exception=error,
            )
        if isinstance(error, requests.exceptions.ProxyError):
            return DemistoException(
                f"The proxy refused or failed the connection to {host}{tries}: {first_line(error)}. Check the "
                "system proxy, or clear 'Use system proxy settings' if PPS is reachable directly.",
                exception=error,
            )
        if isinstance(error, requests.exceptions.ConnectTimeout):
            return DemistoException(
                f"Timed out connecting to {host} after {self.timeout:g}s{tries}. Check the Server URL and that "
                "port 10000 of the appliance is reachable from XSOAR.",
                exception=error,
            )
        if isinstance(error, requests.exceptions.ReadTimeout):
            if method != "GET":
                return OutcomeUnknownError(
                    f"The PPS server did not answer {method} {path} within the {self.timeout:g}s timeout. "
                    f"The outcome is unknown: the request may have been carried out, so it was not sent "
                    f"again. {CHECK_OUTCOME_HINT}",
                    exception=error,
                )
            return DemistoException(
                f"The PPS server did not answer {method} {path} within the {self.timeout:g}s timeout{tries}. "
                "Narrow the search (a shorter time range, a lower limit) or raise the instance's timeout.",
                exception=error,
            )
        if connection_not_established(error):
            return DemistoException(
                f"Could not connect to {host}{tries}: {first_line(error)}. Check the Server URL (e.g. "
                "https://example.pphosted.com:10000) and that the appliance is reachable from XSOAR.",
                exception=error,
            )
        if method != "GET":
            return OutcomeUnknownError(
                f"The connection to {host} broke during {method} {path}: {first_line(error)}. The outcome is "
                f"unknown: the request may have been carried out, so it was not sent again. "
                f"{CHECK_OUTCOME_HINT}",
                exception=error,
            )
        return DemistoException(
            f"The connection to {host} broke during {method} {path}{tries}: {first_line(error)}.",
            exception=error,
        )

    def _check_status(self, response: requests.Response, method: str, path: str) -> None:
        status = response.status_code
        if status < 400:
            return
        body = describe_body(response)
        if status == 401:
            message = (
                "Authentication failed (401): check the username and password in the instance's "
                "Credentials parameter."
            )
        elif status == 403:
            module = module_for_path(path)
            message = (
                f"Access denied (403) to {method} {path}: the API role of user '{self.username}' lacks the "
                f"managed module '{module}'. In the PPS management interface, add '{module}' to the role's "
                "Managed Modules."
            )
        elif status == 404:
            message = (
                f"Not found (404): {method} {path}. Check that the Server URL is the appliance's API address "
                "(https://<host>:10000, without a path)."
            )
        elif status == 400:
            message = f"The PPS server refused the request (400): {body or response.reason}"
        elif status == 429:
            message = (
                "The PPS server is rate limiting requests (429) and kept refusing after retries. Try again "
                "in a few minutes, or act on fewer messages at a time."
            )
        elif status >= 500:
            message = f"The PPS server failed ({status} {response.reason}) on {method} {path}: {body}"
        else:
            message = f"Unexpected reply {status} {response.reason} to {method} {path}: {body}"
        raise DemistoException(message.rstrip(": "), res=response)

    def _get_json(self, path: str, params: dict[str, str] | None, expected_key: str) -> dict[str, Any]:
        response = self._send("GET", path, params=params)
        self._check_status(response, "GET", path)
        try:
            # From the bytes: no decoded copy of a large reply is held beside them while parsing.
            reply = json.loads(response.content)
        except ValueError:
            reply = None
        if not isinstance(reply, dict) or (expected_key and expected_key not in reply):
            raise DemistoException(
                f"The reply to GET {path} is not what the PPS API sends (expected a JSON object"
                f"{' with ' + repr(expected_key) if expected_key else ''}): {describe_body(response, 200)}. "
                "Check that the Server URL points at the PPS API (port 10000).",
                res=response,
            )
        return reply

    # -- endpoints --------------------------------------------------------------------------------

    def check_health(self) -> dict[str, Any]:
        return self._get_json("/pss/health", None, "")

    def smart_search(self, query: dict[str, str]) -> list[dict[str, Any]]:
        records = self._get_json("/pss/filter", query, "result")["result"]
        return records if isinstance(records, list) else []

    def search_quarantine(self, query: dict[str, str]) -> list[dict[str, Any]]:
        reply = self._get_json("/quarantine", query, "")
        records = reply.get("records") or []
        return records if isinstance(records, list) else []

    def download_message(self, guid: str, destination: str) -> int:
        """Streams the raw message into `destination`; returns its size. Memory does not grow with it."""
        path = "/quarantine"
        max_bytes = self.max_download_bytes
        attempts = 0
        while True:
            attempts += 1
            response = self._send("GET", path, params={"guid": guid}, stream=True)
            with response:
                if response.status_code == 404:
                    raise MessageNotFoundError(f"No message found with GUID {guid}.", res=response)
                self._check_status(response, "GET", path)
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise DemistoException(too_large_message(guid, int(declared), max_bytes))
                try:
                    return write_stream(
                        response.iter_content(DOWNLOAD_CHUNK_BYTES), destination, guid, max_bytes
                    )
                except requests.exceptions.RequestException as error:
                    if attempts >= 2:
                        raise DemistoException(
                            f"The connection broke while downloading message {guid}: {first_line(error)}.",
                            exception=error,
                        ) from error
                    debug_log(f"download of {guid} broke off, starting again")

    def act_on_message(self, body: dict[str, str]) -> str:
        """POSTs one quarantine action; returns the server's reply text (plain text or JSON status)."""
        path = "/quarantine"
        response = self._send("POST", path, json_body=body)
        self._check_status(response, "POST", path)
        content_type = response.headers.get("Content-Type", "")
        text = response.text.strip()
        if "json" in content_type.lower() or text.startswith("{"):
            try:
                reply = json.loads(text)
            except ValueError:
                return text
            if isinstance(reply, dict):
                return str(reply.get("status") or "")
        return text


Item = TypeVar("Item")
Outcome = TypeVar("Outcome")


def runtime_in_debug_mode() -> bool:
    """True when the command runs with debug-mode=true (runtime spec §9)."""
    return bool(getattr(demisto, "is_debug", False))


def map_concurrently(function: Callable[[Item], Outcome], items: Sequence[Item], bound: int) -> list[Outcome]:
    """function(item) for every item, results in the items' order, at most `bound` running at once.

    Every concurrent part of the integration goes through here. In debug mode the runtime logs each
    HTTP exchange from whichever thread made it, through an unlocked buffer onto the server's protocol
    stream: concurrent requests would interleave and garble it, so they run one at a time, in this thread.
    """
    workers = 1 if runtime_in_debug_mode() else min(bound, len(items))
    if workers <= 1:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(function, items))


def debug_log(message: str) -> None:
    # The server's demisto object talks over stdin/stdout and is not safe to call from worker threads.
    if threading.current_thread() is threading.main_thread():
        demisto.debug(message)


def first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:300] if text else type(error).__name__


def too_large_message(guid: str, size: int, max_bytes: int) -> str:
    return (
        f"Message {guid} is larger ({size / 1048576:.1f} MB) than the instance's maximum download size "
        f"({max_bytes / 1048576:g} MB). Raise 'Maximum size of a downloaded message, in MB' in the instance settings to download it."
    )


def write_stream(chunks: Iterator[bytes], destination: str, guid: str, max_bytes: int) -> int:
    written = 0
    try:
        with open(destination, "wb") as file:
            for chunk in chunks:
                written += len(chunk)
                if written > max_bytes:
                    raise DemistoException(too_large_message(guid, written, max_bytes))
                file.write(chunk)
    except BaseException:
        if os.path.exists(destination):
            os.remove(destination)
        raise
    return written


""" ARGUMENT PARSING """


def refuse(argument: str, value: Any, accepted: str) -> InvalidArgumentError:
    shown = str(value)
    shown = shown if len(shown) <= 100 else shown[:100] + "..."
    return InvalidArgumentError(f'Invalid value for {argument}: "{shown}". {accepted}')


def check_argument_texts(args: dict[str, Any]) -> None:
    """Refuses control characters and oversized values in any argument, before anything else."""
    for name, value in args.items():
        multiline = name in MULTILINE_ARGUMENTS
        texts = value if isinstance(value, list) else [value]
        if name in LIST_ARGUMENTS:
            texts = [
                item for text in texts for item in (text.split(",") if isinstance(text, str) else [text])
            ]
        for text in texts:
            if not isinstance(text, str):
                continue
            if CONTROL_CHARACTERS_RE.search(text) or (not multiline and LINE_BREAKS_RE.search(text)):
                raise InvalidArgumentError(
                    f"Invalid value for {name}: it contains a control character (CR, LF, NUL or another). "
                    "Remove it and try again."
                )
            limit = MAX_MULTILINE_LENGTH if multiline else MAX_VALUE_LENGTH
            if len(text) > limit:
                raise InvalidArgumentError(
                    f"Invalid value for {name}: it is {len(text)} characters long; at most {limit} are accepted."
                )


def optional_text(args: dict[str, Any], name: str) -> str | None:
    value = args.get(name)
    if value is None:
        return None
    if isinstance(value, list):
        value = ",".join(str(item) for item in value)
    text = str(value).strip()
    return text or None


def parse_time(value: Any, argument: str, now: datetime) -> datetime:
    """Parses "<number> <unit>" (counted back from now) or ISO 8601; the result is aware, in UTC."""
    text = str(value).strip()
    relative = RELATIVE_TIME_RE.match(text)
    try:
        if relative:
            parsed = now - int(relative.group("number")) * TIME_UNITS[relative.group("unit").lower()]
        else:
            parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text[-1:] in ("Z", "z") else text)
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=timezone.utc)
        parsed = parsed.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        raise refuse(argument, text, TIME_FORM_HINT) from None
    if parsed.year < EARLIEST_YEAR:
        raise refuse(argument, text, f"It is before {EARLIEST_YEAR}. " + TIME_FORM_HINT)
    return parsed


def parse_time_range(args: dict[str, Any], now: datetime | None = None) -> tuple[datetime, datetime | None]:
    now = now or datetime.now(timezone.utc)
    start = parse_time(optional_text(args, "start_time") or DEFAULT_START_TIME, "start_time", now)
    end_text = optional_text(args, "end_time")
    end = parse_time(end_text, "end_time", now) if end_text else None
    if end is not None and end < start:
        raise InvalidArgumentError(
            f'Invalid value for end_time: "{end_text}" is before start_time '
            f"({start.strftime(QUARANTINE_TIME_FORMAT)} UTC). Give an end_time after the start_time."
        )
    return start, end


def parse_limit(args: dict[str, Any], maximum: int) -> int:
    value = args.get("limit")
    if value is None or str(value).strip() == "":
        return DEFAULT_LIMIT
    accepted = f"Use a whole number from 1 to {maximum}."
    if isinstance(value, bool) or not re.fullmatch(r"\s*\d+\s*", str(value)):
        raise refuse("limit", value, accepted)
    limit = int(str(value))
    if not 1 <= limit <= maximum:
        raise refuse("limit", value, accepted)
    return limit


def parse_boolean(args: dict[str, Any], name: str) -> bool | None:
    value = args.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return argToBoolean(value.strip() if isinstance(value, str) else value)
    except ValueError:
        raise refuse(name, value, "Use true or false (yes and no are accepted too).") from None


def parse_choice(args: dict[str, Any], name: str, choices: tuple[str, ...]) -> str | None:
    text = optional_text(args, name)
    if text is None:
        return None
    if text.lower() not in choices:
        raise refuse(name, text, f"Use one of: {', '.join(choices)}.")
    return text.lower()


def parse_address_pattern(args: dict[str, Any], name: str) -> str | None:
    text = optional_text(args, name)
    if text is None:
        return None
    meaningless = "*" not in text and not any(character.isalnum() for character in text)
    if not ADDRESS_PATTERN_RE.match(text) or text.count("@") > 1 or meaningless:
        raise refuse(
            name,
            text,
            "Use an email address, a prefix or suffix of one, or a domain, with * as wildcard "
            "(e.g. user@example.com, *@example.com, example.com).",
        )
    return text


def parse_token(args: dict[str, Any], name: str, pattern: re.Pattern[str], accepted: str) -> str | None:
    text = optional_text(args, name)
    if text is not None and not pattern.match(text):
        raise refuse(name, text, accepted)
    return text


def parse_email_list(args: dict[str, Any], name: str) -> str | None:
    items = argToList(args.get(name)) if args.get(name) not in (None, "") else []
    if not items:
        return None
    for item in items:
        if not EMAIL_RE.match(str(item)):
            raise refuse(name, item, "Use email addresses separated by commas, e.g. analyst@example.com.")
    return ",".join(str(item) for item in items)


def parse_header_from(args: dict[str, Any]) -> str | None:
    text = optional_text(args, "header_from")
    if text is None:
        return None
    named = HEADER_FROM_RE.match(text)
    address = named.group("address").strip() if named else text
    if not EMAIL_RE.match(address):
        raise refuse(
            "header_from", text, 'Use an address, or "Name <address>", e.g. "SOC <soc@example.com>".'
        )
    return text


def parse_text_list(args: dict[str, Any], name: str) -> str | None:
    items = [str(item).strip() for item in argToList(args.get(name))] if args.get(name) else []
    items = [item for item in items if item]
    return ",".join(items) if items else None


def parse_local_guids(args: dict[str, Any]) -> list[str]:
    """Splits local_guid, refuses malformed items and drops duplicates (each id is acted on once)."""
    raw = args.get("local_guid")
    items = [str(item).strip() for item in argToList(raw)] if raw not in (None, "") else []
    if not items:
        raise InvalidArgumentError(
            "Missing required argument local_guid. Give one or more ids separated by commas, e.g. "
            "local_guid=4:2:6 (folder_id:table_id:dbase_id) or a cloud quarantine GUID."
        )
    for item in items:
        if not (LOCAL_GUID_PATTERN.match(item) or CLOUD_GUID_PATTERN.match(item)):
            raise refuse(
                "local_guid",
                item,
                "Each id is folder_id:table_id:dbase_id (e.g. 4:2:6) or, in the cloud quarantine, the "
                "message GUID (e.g. g4fsnj_sTLMk9hECaJwmmxwP6lQkr5k7).",
            )
    return list(dict.fromkeys(items))


def parse_folder(args: dict[str, Any], name: str, required: bool = False) -> str | None:
    text = optional_text(args, name)
    if text is None:
        if required:
            raise InvalidArgumentError(
                f"Missing required argument {name}. Give the folder's name, e.g. {name}=HIPAA."
            )
        return None
    if len(text) > 255:
        raise refuse(name, text, "A folder name has at most 255 characters.")
    return text


def parse_folder_list(args: dict[str, Any], name: str) -> list[str]:
    """Several folders, comma-separated or as a JSON array (a folder name may hold a comma there)."""
    value = args.get(name)
    if isinstance(value, list):
        items: list[Any] = value
    else:
        text = optional_text(args, name) or ""
        if text.startswith("["):
            try:
                parsed = json.loads(text)
            except ValueError:
                parsed = None
            if not isinstance(parsed, list) or not all(isinstance(item, str) for item in parsed):
                raise refuse(
                    name,
                    text,
                    'Use folder names separated by commas or a JSON array, e.g. ["Quarantine", "Spam"].',
                )
            items = parsed
        else:
            items = text.split(",")
    folders = list(dict.fromkeys(str(item).strip() for item in items if str(item).strip()))
    for folder in folders:
        if len(folder) > 255:
            raise refuse(name, folder, "A folder name has at most 255 characters.")
    if len(folders) > MAX_FOLDERS:
        raise refuse(name, ",".join(folders), f"Give at most {MAX_FOLDERS} folders.")
    return folders or [DEFAULT_FOLDER]


def parse_message_guid(args: dict[str, Any], names: tuple[str, ...]) -> str | None:
    """Returns the first of `names` that is given; all given ones must agree."""
    given = {name: text for name in names if (text := optional_text(args, name)) is not None}
    if not given:
        return None
    values = set(given.values())
    if len(values) > 1:
        raise InvalidArgumentError(
            f"Conflicting values for {' and '.join(given)}: they name the same GUID. Give only {names[0]}."
        )
    name, guid = next(iter(given.items()))
    if not MESSAGE_GUID_PATTERN.match(guid):
        raise refuse(
            name,
            guid,
            "A message GUID is up to 128 letters, digits, -, _ (e.g. g4fsnj_sTLMk9hECaJwmmxwP6lQkr5k7).",
        )
    return guid


def given_spelling(args: dict[str, Any], name: str, other: str) -> str:
    """Which of two names of one argument the user gave (`name` when neither), so that errors name
    what the user typed; two different values are refused."""
    first, second = optional_text(args, name), optional_text(args, other)
    if first and second and first != second:
        raise InvalidArgumentError(
            f"Conflicting values for {name} and {other}: they are two names of one argument. Give only one of them."
        )
    return other if second and not first else name


def flag(value: bool) -> str:
    return "t" if value else "f"


def max_download_bytes(params: dict[str, Any]) -> int:
    value = params.get("max_download_size")
    if value in (None, ""):
        return DEFAULT_MAX_DOWNLOAD_MB * 1048576
    try:
        megabytes = float(str(value).strip())
    except ValueError:
        megabytes = 0
    if megabytes <= 0:
        raise refuse("max_download_size", value, "Use a positive number of megabytes, e.g. 150.")
    return int(megabytes * 1048576)


def safe_file_name(guid: str) -> str:
    """A file name that cannot leave the working folder, whatever the GUID holds."""
    name = re.sub(r"[^A-Za-z0-9_-]", "_", guid).strip("_")[:200]
    return f"{name or 'message'}.eml"


""" COMMANDS """


def test_module(client: Client, args: dict[str, Any]) -> str:
    """Checks both managed modules: pss (health) and Quarantine (a small search)."""
    problems: list[str] = []
    try:
        client.check_health()
    except DemistoException as error:
        problems.append(f"pss module (smart search): {error.message}")
    now = datetime.now(timezone.utc)
    probe = {
        "folder": "Quarantine",
        "from": "xsoar-connection-test@example.invalid",
        "startdate": (now - timedelta(minutes=1)).strftime(QUARANTINE_TIME_FORMAT),
        "enddate": now.strftime(QUARANTINE_TIME_FORMAT),
    }
    try:
        client.search_quarantine(probe)
    except DemistoException as error:
        message = f"Quarantine module: {error.message}"
        if not problems or error.message not in problems[0]:
            problems.append(message)
    if problems:
        raise DemistoException("Connection test failed.\n- " + "\n- ".join(problems))
    return "ok"


def smart_search_command(client: Client, args: dict[str, Any]) -> CommandResults:
    start, end = parse_time_range(args)
    query = {
        "action": parse_choice(args, "action", SMART_SEARCH_ACTIONS),
        "from": start.strftime(SMART_SEARCH_TIME_FORMAT),
        "to": end.strftime(SMART_SEARCH_TIME_FORMAT) if end else None,
        "virus": parse_text_list(args, "virus"),
        "env_from": parse_address_pattern(args, "sender"),
        "env_rcpt": parse_address_pattern(args, "recipient"),
        "attach": parse_text_list(args, "attachment"),
        "qid": parse_token(
            args, "queue_id", QUEUE_ID_RE, "A queue ID is letters and digits, e.g. u8P6D24m919880."
        ),
        "host": parse_token(
            args, "host", HOST_RE, "Use a host name or an IP address, e.g. mail.example.com."
        ),
        "sid": parse_token(args, "sid", QUEUE_ID_RE, "A SID is letters and digits, e.g. 25nnq08028."),
        "subject": optional_text(args, "subject"),
        "guid": parse_message_guid(args, ("guid",)),
        "hdr_mid": optional_text(args, "message_id"),
        "count": str(parse_limit(args, SMART_SEARCH_MAX_LIMIT)),
    }
    records = client.smart_search(assign_params(**query))
    return CommandResults(
        outputs_prefix=SMART_SEARCH_PREFIX,
        outputs_key_field="GUID",
        outputs=records,
        readable_output=tableToMarkdown(SMART_SEARCH_TITLE, records, headers=SMART_SEARCH_HEADERS),
        raw_response=records,
    )


def list_quarantined_messages_command(client: Client, args: dict[str, Any]) -> Any:
    """Serves both spellings: the seed's from/to and the official pack's sender/recipient."""
    sender_argument = given_spelling(args, "from", "sender")
    recipient_argument = given_spelling(args, "to", "recipient")
    guid = parse_message_guid(args, ("guid",))
    if guid:
        return download_message_entry(client, guid)
    sender = parse_address_pattern(args, sender_argument)
    recipient = parse_address_pattern(args, recipient_argument)
    subject = optional_text(args, "subject")
    if not (sender or recipient or subject):
        raise InvalidArgumentError(
            "Missing search criteria: give at least one of from, to and subject (sender and recipient are "
            "other names of from and to), e.g. from=*@example.com; or guid to download one message."
        )
    folders = parse_folder_list(args, "folder_name")
    limit = parse_limit(args, QUARANTINE_MAX_LIMIT)
    start, end = parse_time_range(args)
    query = {
        "from": sender,
        "rcpt": recipient,
        "subject": subject,
        "startdate": start.strftime(QUARANTINE_TIME_FORMAT),
        "enddate": end.strftime(QUARANTINE_TIME_FORMAT) if end else None,
        "limit": str(limit),
    }
    searches = map_concurrently(
        partial(search_one_folder, client, assign_params(**query)), folders, FOLDER_CONCURRENCY
    )
    failures = {folder: error for folder, (_, error) in zip(folders, searches, strict=True) if error}
    if len(failures) == len(folders):
        raise DemistoException(folders_failed_message(failures))
    records = newest_first([record for found, _ in searches for record in found])
    full = [folder for folder, (found, _) in zip(folders, searches, strict=True) if len(found) >= limit]
    readable = tableToMarkdown(QUARANTINED_MESSAGES_TITLE, records, headers=QUARANTINED_MESSAGE_HEADERS)
    if full:
        readable += "\n" + limit_reached_note(full, limit)
    results: list[Any] = [
        CommandResults(
            outputs_prefix=QUARANTINED_MESSAGE_PREFIX,
            outputs_key_field="guid",
            outputs=records,
            readable_output=readable,
            raw_response=records,
        )
    ]
    if failures:
        results.append(
            warning_entry(folders_failed_message(failures) + " The other folders' records are shown.")
        )
    return results[0] if len(results) == 1 else results


def search_one_folder(
    client: Client, query: dict[str, str], folder: str
) -> tuple[list[dict[str, Any]], str | None]:
    """The folder's records, or the reason it could not be searched (the other folders still are)."""
    try:
        records = client.search_quarantine({**query, "folder": folder})
    except DemistoException as error:
        return [], error.message
    return [
        normalise_quarantine_record(record, folder) for record in records if isinstance(record, dict)
    ], None


def normalise_quarantine_record(record: dict[str, Any], folder: str) -> dict[str, Any]:
    """One shape for both flavours: the cloud quarantine's integer size and spamscore become the strings
    on-premise appliances send (the declared type), and every record names its folder."""
    normalised = dict(record)
    for field in ("size", "spamscore"):
        value = normalised.get(field)
        if isinstance(value, int | float) and not isinstance(value, bool):
            normalised[field] = str(value)
    if not normalised.get("folder"):
        normalised["folder"] = folder
    return normalised


def newest_first(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """By date, newest first; records of the same second by guid, so the order is always the same."""
    by_guid = sorted(records, key=lambda record: str(record.get("guid") or ""))
    return sorted(by_guid, key=lambda record: str(record.get("date") or ""), reverse=True)


def folders_failed_message(failures: dict[str, str]) -> str:
    """Names every folder that could not be searched; folders that failed alike share one sentence."""
    by_reason: dict[str, list[str]] = {}
    for folder, reason in failures.items():
        by_reason.setdefault(reason, []).append(folder)
    sentences = []
    for reason, folders in by_reason.items():
        names = ", ".join(f'"{folder}"' for folder in folders)
        noun = "folder" if len(folders) == 1 else "folders"
        sentences.append(f"Could not search {noun} {names}: {reason.rstrip('.')}.")
    return " ".join(sentences)


def limit_reached_note(folders: list[str], limit: int) -> str:
    names = ", ".join(f'"{folder}"' for folder in folders)
    return (
        f"{names} returned {limit} records, the limit: more may exist. Narrow the search (a shorter time "
        f"range with start_time and end_time, or a more specific sender, recipient or subject) or raise "
        f"limit (at most {QUARANTINE_MAX_LIMIT})."
    )


def warning_entry(text: str) -> dict[str, Any]:
    return {"Type": EntryType.WARNING, "ContentsFormat": EntryFormat.TEXT, "Contents": text}


def download_message_entry(client: Client, guid: str) -> Any:
    """Streams the message to where fileResult would write it and returns the same file entry."""
    file_id = demisto.uniqueFile()
    destination = f"{demisto.investigation()['id']}_{file_id}"
    try:
        client.download_message(guid, destination)
    except MessageNotFoundError:
        return CommandResults(readable_output="No message found.")
    return {
        "Contents": "",
        "ContentsFormat": EntryFormat.TEXT,
        "Type": EntryType.FILE,
        "File": safe_file_name(guid),
        "FileID": file_id,
    }


def download_message_command(
    client: Client, args: dict[str, Any], guid_arguments: tuple[str, ...] = ("guid",)
) -> Any:
    """`guid_arguments`: the names the GUID may come under; the seed spelling also takes folder_name."""
    guid = parse_message_guid(args, guid_arguments)
    if not guid:
        raise InvalidArgumentError(
            "Missing required argument guid. Give the message's GUID, e.g. guid=g4fsnj_sTLMk9hECaJwmmxwP6lQkr5k7 "
            "(from smart search or list-quarantined-messages)."
        )
    return download_message_entry(client, guid)


ACTION_PAST_TENSE = {
    "release": "released",
    "resubmit": "resubmitted",
    "forward": "forwarded",
    "move": "moved",
    "delete": "deleted",
}


def action_body(action: str, args: dict[str, Any], recipient_required: bool = False) -> dict[str, str]:
    """The POST fields of one action, without localguid; only the keys the user gave."""
    folder = parse_folder(args, "folder_name", required=True)
    body: dict[str, Any] = {"action": action, "folder": folder}
    if action in ("release", "forward", "delete"):
        body["deletedfolder"] = parse_folder(args, "deleted_folder")
    if action == "release":
        scan = parse_boolean(args, "scan")
        body["scan"] = None if scan is None else flag(scan)
        body["brandtemplate"] = optional_text(args, "brand_template")
        body["securitypolicy"] = optional_text(args, "security_policy")
    elif action == "forward":
        # The official spelling names the envelope addresses sender and recipient.
        recipient_argument = given_spelling(args, "recipient", "to")
        sender_argument = given_spelling(args, "sender", "from")
        if recipient_required and optional_text(args, recipient_argument) is None:
            raise InvalidArgumentError(
                "Missing required argument recipient. Give the address(es) to forward the message to, "
                "e.g. recipient=analyst@example.com."
            )
        append_old_subject = parse_boolean(args, "append_old_subject")
        body["to"] = parse_email_list(args, recipient_argument)
        body["from"] = parse_email_list(args, sender_argument)
        body["headerfrom"] = parse_header_from(args)
        body["subject"] = optional_text(args, "subject")
        body["appendoldsubject"] = None if append_old_subject is None else flag(append_old_subject)
        body["comment"] = optional_text(args, "comment")
    elif action == "move":
        target = parse_folder(args, "target_folder", required=True)
        if target == folder:
            raise refuse("target_folder", target, "It is the folder the message is already in (folder_name).")
        body["targetfolder"] = target
    return assign_params(**body)


def act_on_one(client: Client, action: str, body: dict[str, str], local_guid: str) -> dict[str, str]:
    outcome = {"LocalGUID": local_guid, "Action": action, "Folder": body["folder"]}
    try:
        reply = client.act_on_message({**body, "localguid": local_guid})
    except OutcomeUnknownError as error:
        return {**outcome, "Status": "unknown", "Message": error.message}
    except DemistoException as error:
        return {**outcome, "Status": "failed", "Message": error.message}
    if action in ("move", "delete"):
        reply = f"Successfully {ACTION_PAST_TENSE[action]} message {local_guid}"
    return {
        **outcome,
        "Status": "success",
        "Message": reply or f"Message {local_guid} {ACTION_PAST_TENSE[action]}.",
    }


def quarantine_action_command(
    client: Client, args: dict[str, Any], action: str, recipient_required: bool = False
) -> Any:
    """One action on one or many ids; `recipient_required` is the official forward's rule."""
    body = action_body(action, args, recipient_required)
    local_guids = parse_local_guids(args)
    outcomes = map_concurrently(partial(act_on_one, client, action, body), local_guids, ACTION_CONCURRENCY)
    failed = [outcome for outcome in outcomes if outcome["Status"] != "success"]
    if len(outcomes) == 1:
        readable = outcomes[0]["Message"]
    else:
        readable = tableToMarkdown(
            f"Proofpoint Protection Server {action} results",
            outcomes,
            headers=["LocalGUID", "Status", "Message"],
        )
    if len(failed) == len(outcomes):
        if len(outcomes) == 1:
            readable = f"Could not {action} message {outcomes[0]['LocalGUID']}. {readable}"
        raise ActionFailedError(readable, outcomes)
    results: list[Any] = [action_results(outcomes, readable)]
    if failed:
        results.append(
            warning_entry(
                f"{len(failed)} of {len(outcomes)} messages were not {ACTION_PAST_TENSE[action]}: "
                + ", ".join(f"{outcome['LocalGUID']} ({outcome['Status']})" for outcome in failed)
            )
        )
    return results


def action_results(outcomes: list[dict[str, str]], readable: str) -> CommandResults:
    return CommandResults(
        outputs_prefix=QUARANTINE_ACTION_PREFIX,
        outputs_key_field=["LocalGUID", "Action"],
        outputs=outcomes,
        readable_output=readable,
        raw_response=outcomes,
    )


class ActionFailedError(DemistoException):
    """No id of a batch action succeeded; the outcomes still go to the context."""

    def __init__(self, message: str, outcomes: list[dict[str, str]]) -> None:
        super().__init__(message)
        self.outcomes = outcomes


""" MAIN """


# Each seed command also answers to the official pack's current name, with the same function.
COMMANDS: dict[str, Callable[[Client, dict[str, Any]], Any]] = {
    "test-module": test_module,
    "proofpoint-pps-smart-search": smart_search_command,
    "proofpoint-pps-list-quarantined-messages": list_quarantined_messages_command,
    "proofpoint-pps-quarantine-messages-list": list_quarantined_messages_command,
    "proofpoint-pps-release-message": partial(quarantine_action_command, action="release"),
    "proofpoint-pps-quarantine-message-release": partial(quarantine_action_command, action="release"),
    "proofpoint-pps-resubmit-message": partial(quarantine_action_command, action="resubmit"),
    "proofpoint-pps-quarantine-message-resubmit": partial(quarantine_action_command, action="resubmit"),
    "proofpoint-pps-forward-message": partial(quarantine_action_command, action="forward"),
    "proofpoint-pps-quarantine-message-forward": partial(
        quarantine_action_command, action="forward", recipient_required=True
    ),
    "proofpoint-pps-move-message": partial(quarantine_action_command, action="move"),
    "proofpoint-pps-quarantine-message-move": partial(quarantine_action_command, action="move"),
    "proofpoint-pps-delete-message": partial(quarantine_action_command, action="delete"),
    "proofpoint-pps-quarantine-message-delete": partial(quarantine_action_command, action="delete"),
    # The spec's argument table calls the seed's argument folder_name while its example uses guid.
    "proofpoint-pps-download-message": partial(
        download_message_command, guid_arguments=("guid", "folder_name")
    ),
    "proofpoint-pps-quarantine-message-download": partial(download_message_command, guid_arguments=("guid",)),
}


def parse_timeout(params: dict[str, Any]) -> float:
    value = params.get("timeout")
    if value in (None, ""):
        return DEFAULT_TIMEOUT_SECONDS
    try:
        timeout = float(str(value).strip())
    except ValueError:
        timeout = 0
    if not 0 < timeout <= 3600:
        raise refuse("timeout", value, "Use a number of seconds from 1 to 3600, e.g. 60.")
    return timeout


def build_client(params: dict[str, Any]) -> Client:
    credentials = params.get("credentials") or {}
    return Client(
        server_url=str(params.get("url") or ""),
        username=str(credentials.get("identifier") or ""),
        password=str(credentials.get("password") or ""),
        verify=not (
            argToBoolean(params.get("unsecure") or False) or argToBoolean(params.get("insecure") or False)
        ),
        proxy=argToBoolean(params.get("proxy") or False),
        timeout=parse_timeout(params),
        max_download_bytes=max_download_bytes(params),
    )


def hide_secret(message: str, params: dict[str, Any]) -> str:
    """Removes the password from a message, in the forms it could take, before anything is shown."""
    password = str((params.get("credentials") or {}).get("password") or "")
    if len(password) < 2:
        return message
    for form in {password, quote(password, safe=""), quote_plus(password), json.dumps(password)[1:-1]}:
        message = message.replace(form, "<XX_REPLACED>")
    return message


def main() -> None:
    params = demisto.params()
    args = demisto.args()
    command = demisto.command()
    demisto.debug(f"Command being called is {command}")
    try:
        if command not in COMMANDS:
            raise NotImplementedError(f"Command {command} is not implemented by {INTEGRATION_NAME}.")
        check_argument_texts(args)
        client = build_client(params)
        return_results(COMMANDS[command](client, args))
    except ActionFailedError as error:
        return_error(hide_secret(error.message, params), outputs=action_outputs(error.outcomes))
    except InvalidArgumentError as error:
        return_error(hide_secret(str(error), params))
    except DemistoException as error:
        return_error(hide_secret(f"Failed to execute {command}. {error.message}", params))
    except Exception as error:
        return_error(hide_secret(f"Failed to execute {command}. Error: {error}", params))


def action_outputs(outcomes: list[dict[str, str]]) -> dict[str, Any]:
    return action_results(outcomes, "").to_context()["EntryContext"]


""" ENTRY POINT """

if __name__ in ("__main__", "__builtin__", "builtins"):
    main()
