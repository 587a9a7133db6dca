import demistomock as demisto
from CommonServerPython import *

import base64
import http.client
import json
import os
import random
import re
import socket
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import partial
from typing import Any, NamedTuple, TypeVar
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
USER_PREFIX = "Proofpoint.User"
SENDER_LIST_CHANGE_PREFIX = "Proofpoint.SenderListChange"

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
USER_HEADERS = [
    "email",
    "uid",
    "firstname",
    "lastname",
    "type",
    "groups",
    "alias",
    "safelist",
    "blocklist",
    "attributes",
    "suborg",
    "creationsource",
    "created",
    "lastmodified",
    "lastsignon",
    "lastpasswordchange",
]
SENDER_LIST_CHANGE_HEADERS = ["User", "List", "Entry", "Outcome", "Message"]
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

SENDER_SUMMARY_PREFIX = "Proofpoint.SenderSummary"
SENDER_SUMMARY_DEFAULT_START = "7 days"
TOP_RECIPIENT_COUNT = 10

DEFAULT_FIRST_FETCH = "3 days"
DEFAULT_MAX_FETCH = 50
MAX_FETCH = 200
DEFAULT_LOOK_BACK_MINUTES = 5
MAX_LOOK_BACK_MINUTES = 1440
INCIDENT_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
ONE_SECOND = timedelta(seconds=1)
# Severity rule: the folder is the appliance's verdict (admins route each filtering module to its own
# folders); the spam score is not urgency, a higher one only makes "spam" more certain.
THREAT_FOLDER_RE = re.compile(r"virus|malware|phish|impost|fraud|malicious|threat", re.IGNORECASE)
COMPLIANCE_FOLDER_RE = re.compile(
    r"dlp|hipaa|gdpr|glba|complian|confidential|(?<![a-z])(pci|pii|phi)(?![a-z])", re.IGNORECASE
)
SMART_SEARCH_DATE_RE = re.compile(
    r"^(?P<moment>\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2})(\s*\[UTC(?P<offset>[+-]\d{2}:?\d{2})\])?$"
)

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
FOLDER_CONCURRENCY = 5

# The official pack's current names of the seed's quarantine commands: each answers to both, through
# the same function (COMMANDS), and the docs show each pair once.
OFFICIAL_COMMAND_NAMES = {
    "proofpoint-pps-list-quarantined-messages": "proofpoint-pps-quarantine-messages-list",
    "proofpoint-pps-release-message": "proofpoint-pps-quarantine-message-release",
    "proofpoint-pps-resubmit-message": "proofpoint-pps-quarantine-message-resubmit",
    "proofpoint-pps-forward-message": "proofpoint-pps-quarantine-message-forward",
    "proofpoint-pps-move-message": "proofpoint-pps-quarantine-message-move",
    "proofpoint-pps-delete-message": "proofpoint-pps-quarantine-message-delete",
    "proofpoint-pps-download-message": "proofpoint-pps-quarantine-message-download",
}

SECRET_MASK = "<XX_REPLACED>"
# Secrets shorter than this are masked only as whole tokens (see hide_secret).
WHOLE_TOKEN_SECRET_LENGTH = 8

MODULE_PSS = "pss"
MODULE_QUARANTINE = "Quarantine"
# The API does not document the module /enduser needs; "enduser" is the name PPS roles show (assumed).
MODULE_ENDUSER = "enduser"
ENDUSER_PATH = "/enduser/"

SENDER_LISTS = ("safelist", "blocklist")
# The user object's list fields; PPS may send one as a comma-separated string.
USER_LIST_FIELDS = ("alias", "groups", "safelist", "blocklist")
# Read, write the whole list, read back: a change another writer undid is tried this many times in all.
SENDER_LIST_ROUNDS = 3
SENDER_LIST_DONE = frozenset({"added", "already present", "removed", "not present"})

LOCAL_GUID_PATTERN = re.compile(r"^[0-9]+:[0-9]+:[0-9]+$")
CLOUD_GUID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MESSAGE_GUID_PATTERN = re.compile(r"^[A-Za-z0-9_=-]{1,128}$")
# What the PPS search accepts: addresses, prefixes, suffixes, domains, with * wildcards.
ADDRESS_PATTERN_RE = re.compile(r"^[A-Za-z0-9.!#$%&'+/=?^_`{|}~*@-]{1,320}$")
EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
DOMAIN_RE = re.compile(
    r"^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$"
)
# A uid is whatever PPS assigned; the path segment is encoded, so only blanks and dot segments are refused.
USER_UID_RE = re.compile(r"^(?!\.+$)\S{1,255}$")
QUEUE_ID_RE = re.compile(r"^[A-Za-z0-9]{1,64}$")
HOST_RE = re.compile(r"^[A-Za-z0-9.:_\[\]-]{1,255}$")
HEADER_FROM_RE = re.compile(r"^(?P<name>[^<>]*)<(?P<address>[^<>]+)>$")
RELATIVE_TIME_RE = re.compile(
    r"^\s*(?P<number>\d+)\s*(?P<unit>minute|hour|day|week|month|year)s?(\s+ago)?\s*$", re.IGNORECASE
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
LIST_ARGUMENTS = frozenset({"local_guid", "to", "email", "uid", "entries"})
# The API's time formats have four-digit years; earlier than this is a typo, not a search.
EARLIEST_YEAR = 1970
# The forward command's comment is a message body: line breaks are its point; JSON may be pasted indented.
MULTILINE_ARGUMENTS = frozenset({"comment", "fields", "attributes"})

TIME_FORM_HINT = (
    'Use "<number> <unit>" (minutes, hours, days, weeks, months or years, e.g. "12 hours") '
    "or ISO 8601 (e.g. 2020-01-25T10:00:00Z)."
)
# The appliance's whole answer to a folder it does not have (or, for a destination, of another module).
FOLDER_REFUSAL_RE = re.compile(
    r"invalid argument:\s*(?P<field>folder|targetfolder|deletedfolder)\b", re.IGNORECASE
)
CHECK_OUTCOME_HINT = (
    "Check with !proofpoint-pps-list-quarantined-messages (or the PPS quarantine) whether it was acted on "
    "before trying again."
)
CHECK_USER_OUTCOME_HINT = (
    "Check with !proofpoint-pps-get-user whether the user was changed before trying again."
)

ACTION_PAST_TENSE = {
    "release": "released",
    "resubmit": "resubmitted",
    "forward": "forwarded",
    "move": "moved",
    "delete": "deleted",
}


""" CLIENT """


class OutcomeUnknownError(DemistoException):
    """An action may or may not have been carried out: it must not be sent again blindly."""


class MessageNotFoundError(DemistoException):
    """The appliance has no message with the requested GUID."""


class UserExistsError(DemistoException):
    """Create found the end user already there."""


class UserNotFoundError(DemistoException):
    """The end user to change does not exist."""


def with_api_path(server_url: str) -> str:
    """The API base of a server URL: /rest/v1 appended once (a URL may already end with it)."""
    parts = urlsplit(server_url)
    path = parts.path.rstrip("/")
    if not path.endswith(API_PATH):
        path += API_PATH
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def unverified_tls_context() -> ssl.SSLContext:
    """TLS without certificate or hostname checks, for "Trust any certificate" (urllib3 turns hostname
    checking off with CERT_NONE, as a context requires)."""
    try:
        context = create_urllib3_context(ciphers=UNVERIFIED_TLS_CIPHERS, cert_reqs=ssl.CERT_NONE)
    except ssl.SSLError:  # an OpenSSL build without these ciphers keeps its own list
        context = create_urllib3_context(cert_reqs=ssl.CERT_NONE)
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
    if path.startswith(ENDUSER_PATH):
        return MODULE_ENDUSER
    return MODULE_PSS if path.startswith("/pss") else MODULE_QUARANTINE


def check_outcome_hint(path: str) -> str:
    return CHECK_USER_OUTCOME_HINT if path.startswith(ENDUSER_PATH) else CHECK_OUTCOME_HINT


def user_path(ident: str) -> str:
    """/enduser/<email or uid>, encoded: real addresses hold +, /, #, ? and %."""
    return ENDUSER_PATH + quote(ident, safe="@")


def is_html_page(response: requests.Response) -> bool:
    if "html" in response.headers.get("Content-Type", "").lower():
        return True
    try:
        return response.text[:15].lstrip().lower().startswith(("<!doctype", "<html"))
    except Exception:  # a body that cannot be decoded is no page
        return False


def reply_error_texts(reply: Any) -> list[str]:
    """The texts of an API error body {"errors": {"invalidarguments": [{"error": ...}]}}; its list may be
    empty or missing, so nothing is indexed blindly."""
    errors = reply.get("errors") if isinstance(reply, dict) else None
    items = errors.get("invalidarguments") if isinstance(errors, dict) else None
    texts: list[str] = []
    for item in items if isinstance(items, list) else []:
        text = item.get("error") if isinstance(item, dict) else item
        if isinstance(text, str) and text.strip():
            texts.append(text.strip())
    return texts


def describe_body(response: requests.Response, limit: int = 500) -> str:
    """The server's own words, shortened; an HTML page is named as such rather than dumped."""
    try:
        text = response.text.strip()
    except Exception:  # a body that cannot be decoded says nothing useful
        return ""
    if is_html_page(response):
        return "(an HTML page, not a PPS API reply: check the Server URL and the proxy)"
    # Some replies say text/plain for JSON: the body decides.
    if "json" in response.headers.get("Content-Type", "").lower() or text.startswith("{"):
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            status = parsed.get("status")
            if reply_error_texts(parsed):
                text = "; ".join(reply_error_texts(parsed))
            elif isinstance(status, str) and status.strip():
                text = status.strip()
            elif set(parsed) <= {"status", "errors"}:
                text = ""  # an error body that gives no reason: the caller falls back to the status line
            else:
                text = str(parsed)
    return text if len(text) <= limit else text[:limit] + "..."


def exception_chain(error: BaseException) -> list[BaseException]:
    """The error and what caused it, outermost first: requests wraps urllib3, which wraps the socket's error."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        reason = getattr(current, "reason", None)
        nested = next((arg for arg in getattr(current, "args", ()) if isinstance(arg, BaseException)), None)
        current = (
            reason
            if isinstance(reason, BaseException)
            else nested or current.__cause__ or current.__context__
        )
    return chain


def connection_not_established(error: BaseException) -> bool:
    """True when the request certainly never reached the server (it failed to connect)."""
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(error, requests.exceptions.SSLError | requests.exceptions.ProxyError):
        return False
    return any(
        type(cause).__name__ in ("NewConnectionError", "NameResolutionError", "ConnectTimeoutError")
        for cause in exception_chain(error)
    )


def transport_cause(error: BaseException) -> str:
    """What went wrong on the wire, as a short phrase: the root cause without urllib3's object dumps."""
    chain = exception_chain(error)
    for cause in chain:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"certificate verify failed ({cause.verify_message or 'untrusted certificate'})"
        if type(cause).__name__ == "NameResolutionError" or isinstance(cause, socket.gaierror):
            return "the host name could not be resolved"
        if isinstance(cause, ConnectionRefusedError):
            return "the connection was refused (nothing answers on that port)"
        if isinstance(cause, http.client.RemoteDisconnected):
            return "the server closed the connection without answering"
        if isinstance(cause, ConnectionResetError):
            return "the server reset the connection"
        if isinstance(cause, http.client.IncompleteRead | http.client.BadStatusLine):
            return "the reply broke off or was not HTTP"
    for cause in chain:
        if isinstance(cause, ssl.SSLError):
            reason = str(cause.reason or "").replace("_", " ").lower()
            return f"the TLS handshake failed ({reason or 'no reason given'})"
        if type(cause).__name__ == "ConnectTimeoutError" or isinstance(cause, TimeoutError | socket.timeout):
            return "the connection timed out"
    root = chain[-1]
    if isinstance(root, OSError) and root.strerror:
        return root.strerror[:1].lower() + root.strerror[1:]
    text = str(root).strip()
    # Short plain words are worth showing; urllib3's nested object dumps are not.
    if text and len(text) <= 120 and "\n" not in text and " object at 0x" not in text:
        return text
    return f"{type(root).__name__} (no further detail)"


def certificate_not_trusted(error: BaseException) -> bool:
    return any(
        isinstance(cause, ssl.SSLCertVerificationError)
        or "certificate verify failed" in str(cause).lower()
        or "certificate_verify_failed" in str(cause).lower()
        for cause in exception_chain(error)
    )


def debug_log(message: str) -> None:
    # The server's demisto object talks over stdin/stdout and is not safe to call from worker threads.
    if threading.current_thread() is threading.main_thread():
        demisto.debug(message)


def readable_size(size: int) -> str:
    for unit, factor in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}"
    return f"{size} bytes"


def too_large_message(guid: str, size: int, max_bytes: int, known: bool) -> str:
    """`known`: the size is the message's (Content-Length), else how much arrived before the cap was passed."""
    shown, limit = readable_size(size), readable_size(max_bytes)
    if shown == limit:  # too close to tell apart once rounded
        shown, limit = f"{size:,} bytes", f"{max_bytes:,} bytes"
    if known:
        sizes = f"it is {shown}, the maximum is {limit}."
    else:
        sizes = f"{shown} arrived before the download was stopped, the maximum is {limit}."
    return (
        f"Message {guid} is larger than the instance's maximum download size: {sizes} Raise 'Maximum size "
        "of a downloaded message, in MB' in the instance settings to download it."
    )


def write_stream(chunks: Iterator[bytes], destination: str, guid: str, max_bytes: int) -> int:
    written = 0
    try:
        with open(destination, "wb") as file:
            for chunk in chunks:
                written += len(chunk)
                if written > max_bytes:
                    raise DemistoException(too_large_message(guid, written, max_bytes, known=False))
                file.write(chunk)
    except BaseException:
        if os.path.exists(destination):
            os.remove(destination)
        raise
    return written


def parse_json_reply(response: requests.Response) -> Any:
    """The reply's JSON, or None. From the bytes: no decoded copy of a large reply is held beside them."""
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def user_not_found(response: requests.Response) -> bool:
    """404 from /enduser means no such user, unless an HTML page says the URL is not the API at all."""
    return response.status_code == 404 and not is_html_page(response)


class Client(BaseClient):
    """One method per PPS API endpoint; the transport policy (timeouts, retries, errors, the download size
    cap) lives here once. `server_url` is the appliance's (https://<host>:10000), with or without /rest/v1."""

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
        base_url = with_api_path(server_url)
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
        json_body: dict[str, Any] | None = None,
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
            if attempt >= MAX_TRIES or time.monotonic() - started + delay > RETRY_BUDGET_SECONDS:
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
                f"have been carried out, so it was not sent again. {check_outcome_hint(path)}",
                res=response,
            )
        return response

    def _transport_error(
        self, method: str, path: str, error: requests.exceptions.RequestException, attempts: int
    ) -> DemistoException:
        host = urlsplit(self._base_url).netloc
        tries = f" (after {attempts} tries)" if attempts > 1 else ""
        cause = transport_cause(error)
        if isinstance(error, requests.exceptions.SSLError):
            if certificate_not_trusted(error):
                return DemistoException(
                    f"The TLS certificate of {host} could not be verified: {cause}. Give XSOAR the CA that "
                    "signed it (REQUESTS_CA_BUNDLE), or select 'Trust any certificate (not secure)' (unsecure) "
                    "in the instance settings.",
                    exception=error,
                )
            return DemistoException(
                f"Could not open a TLS connection to {host}: {cause}. Check that the Server URL names the "
                "appliance's HTTPS API port (https://<host>:10000).",
                exception=error,
            )
        if isinstance(error, requests.exceptions.ProxyError):
            return DemistoException(
                f"The proxy refused or failed the connection to {host}{tries}: {cause}. Check the system proxy, "
                "or clear 'Use system proxy settings' if PPS is reachable directly.",
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
                f"Could not connect to {host}{tries}: {cause}. Check the Server URL (e.g. "
                "https://example.pphosted.com:10000) and that the appliance is reachable from XSOAR.",
                exception=error,
            )
        # An HTTPS server drops a plain-HTTP request without an HTTP answer.
        scheme_hint = (
            f" The Server URL starts with http://, but the PPS API speaks HTTPS: use https://{host}."
            if self._base_url.startswith("http://")
            else ""
        )
        if method != "GET":
            return OutcomeUnknownError(
                f"The connection to {host} broke during {method} {path}: {cause}. The outcome is unknown: the "
                f"request may have been carried out, so it was not sent again.{scheme_hint} {CHECK_OUTCOME_HINT}",
                exception=error,
            )
        return DemistoException(
            f"The connection to {host} broke during {method} {path}{tries}: {cause}.{scheme_hint}",
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
            message = f"The PPS server refused the request (400): {body or 'the reply gave no reason'}"
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
        return self._json_object(response, "GET", path, expected_key)

    def _json_object(
        self, response: requests.Response, method: str, path: str, expected_key: str
    ) -> dict[str, Any]:
        """Checks the status and returns the reply's JSON object, refusing anything the API does not send."""
        self._check_status(response, method, path)
        reply = parse_json_reply(response)
        if not isinstance(reply, dict) or (expected_key and expected_key not in reply):
            raise DemistoException(
                f"The reply to {method} {path} is not what the PPS API sends (expected a JSON object"
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
                    raise DemistoException(too_large_message(guid, int(declared), max_bytes, known=True))
                try:
                    return write_stream(
                        response.iter_content(DOWNLOAD_CHUNK_BYTES), destination, guid, max_bytes
                    )
                except requests.exceptions.RequestException as error:
                    if attempts >= 2:
                        raise DemistoException(
                            f"The connection broke twice while downloading message {guid}: "
                            f"{transport_cause(error)}. Try again later.",
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

    # -- end users --------------------------------------------------------------------------------

    def get_user(self, ident: str) -> dict[str, Any] | None:
        """The end user with this email address or uid; None when PPS has no such user."""
        path = user_path(ident)
        response = self._send("GET", path)
        if user_not_found(response):
            return None
        return self._json_object(response, "GET", path, "")

    def create_user(self, email: str, body: dict[str, Any]) -> dict[str, Any]:
        path = user_path(email)
        response = self._send("POST", path, json_body=body)
        if response.status_code in (400, 409):
            texts = reply_error_texts(parse_json_reply(response))
            if any("already exist" in text.lower() for text in texts):
                raise UserExistsError(
                    f"User {email} already exists in PPS, so it was not created. Change it with "
                    "!proofpoint-pps-modify-user.",
                    res=response,
                )
        return self._json_object(response, "POST", path, "")

    def update_user(self, ident: str, body: dict[str, Any]) -> dict[str, Any]:
        """PUTs the given fields only; a field left out stays as it is."""
        path = user_path(ident)
        response = self._send("PUT", path, json_body=body)
        if user_not_found(response):
            raise UserNotFoundError(
                f"User {ident} was not found in PPS, so nothing was changed. Check the address or uid with "
                "!proofpoint-pps-get-user, or create the user with !proofpoint-pps-create-user.",
                res=response,
            )
        return self._json_object(response, "PUT", path, "")

    def delete_user(self, ident: str) -> bool:
        """Deletes the end user; False when PPS has no such user."""
        path = user_path(ident)
        response = self._send("DELETE", path)
        if user_not_found(response):
            return False
        self._check_status(response, "DELETE", path)
        return True


""" ARGUMENT PARSING """


class InvalidArgumentError(ValueError):
    """A bad argument: the message names it, the value and the accepted form."""


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


def parse_whole_number(values: dict[str, Any], name: str, default: int, lowest: int, highest: int) -> int:
    value = values.get(name)
    if value is None or str(value).strip() == "":
        return default
    accepted = f"Use a whole number from {lowest} to {highest}."
    if isinstance(value, bool) or not re.fullmatch(r"\s*\d+\s*", str(value)):
        raise refuse(name, value, accepted)
    number = int(str(value))
    if not lowest <= number <= highest:
        raise refuse(name, value, accepted)
    return number


def parse_time(value: Any, argument: str, now: datetime) -> datetime:
    """Parses "<number> <unit>" (counted back from now) or ISO 8601; the result is aware, in UTC."""
    text = str(value).strip()
    relative = RELATIVE_TIME_RE.match(text)
    out_of_range = refuse(
        argument,
        text,
        f"The form is right but the time is out of range: give a time after {EARLIEST_YEAR}-01-01.",
    )
    if relative:
        try:
            parsed = now - int(relative.group("number")) * TIME_UNITS[relative.group("unit").lower()]
        except (OverflowError, ValueError):  # beyond what a date can hold
            raise out_of_range from None
    else:
        try:
            parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text[-1:] in ("Z", "z") else text)
        except ValueError:
            raise refuse(argument, text, TIME_FORM_HINT) from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=timezone.utc)
    try:
        parsed = parsed.astimezone(timezone.utc)
    except OverflowError:
        raise out_of_range from None
    if parsed.year < EARLIEST_YEAR:
        raise out_of_range
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
    return parse_whole_number(args, "limit", DEFAULT_LIMIT, 1, maximum)


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


def argument_items(args: dict[str, Any], name: str) -> list[str]:
    """The non-empty items of a comma-separated (or list, or JSON array) argument."""
    items = [str(item).strip() for item in argToList(args.get(name))] if args.get(name) else []
    return [item for item in items if item]


def parse_text_list(args: dict[str, Any], name: str) -> str | None:
    items = argument_items(args, name)
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
                "message GUID (e.g. exampleguid000000000000000000009).",
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


def parse_record_date(text: Any) -> datetime | None:
    """A quarantine record's date (`2020-01-15 20:00:00`, UTC); None when it is not one."""
    text = str(text).strip()
    # fromisoformat is many times faster than strptime, and fetch parses the date of every record.
    if len(text) != 19 or text[10] != " ":
        return None
    try:
        return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def parse_smart_search_date(text: Any) -> datetime | None:
    """A smart-search record's Date (`2020-05-20 14:13:02 [UTC-0600]`), in UTC; None when it is not one."""
    match = SMART_SEARCH_DATE_RE.match(str(text or "").strip())
    if not match:
        return None
    offset = (match.group("offset") or "+0000").replace(":", "")
    try:
        parsed = datetime.strptime(match.group("moment").replace("T", " ") + offset, "%Y-%m-%d %H:%M:%S%z")
    except ValueError:
        return None
    return parsed.astimezone(timezone.utc)


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime(INCIDENT_TIME_FORMAT)


def parse_iso_utc(text: Any) -> datetime | None:
    try:
        return datetime.strptime(str(text), INCIDENT_TIME_FORMAT).replace(tzinfo=timezone.utc)
    except ValueError:
        return None


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
            "A message GUID is up to 128 letters, digits, -, _ (e.g. exampleguid000000000000000000009).",
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


def unique_ignoring_case(items: list[str]) -> list[str]:
    """The items without repeats, compared ignoring case; the first spelling is kept."""
    kept: dict[str, str] = {}
    for item in items:
        kept.setdefault(item.lower(), item)
    return list(kept.values())


def parse_user_idents(args: dict[str, Any], many: bool = False, uid_name: str = "uid") -> list[str]:
    """The end users named by email or by uid (one of the two arguments); several only when `many`."""
    emails, uids = argument_items(args, "email"), argument_items(args, uid_name)
    if emails and uids:
        raise InvalidArgumentError(
            f"Conflicting arguments email and {uid_name}: both name the user. Give one of them, e.g. "
            "email=alice@example.com or uid=1001."
        )
    if not emails and not uids:
        raise InvalidArgumentError(
            "Missing argument email or uid. Give the end user's address (e.g. email=alice@example.com) or "
            "PPS uid (e.g. uid=1001)."
        )
    name, items = ("email", emails) if emails else (uid_name, uids)
    if len(items) > 1 and not many:
        raise refuse(name, ",".join(items), "Give one end user.")
    for item in items:
        if name == "email" and not EMAIL_RE.match(item):
            raise refuse("email", item, "Use an email address, e.g. alice@example.com.")
        if name == uid_name and not USER_UID_RE.match(item):
            raise refuse(uid_name, item, "Use the user's PPS uid, without spaces, e.g. 1001.")
    return unique_ignoring_case(items)


def parse_json_object(args: dict[str, Any], name: str, example: str) -> dict[str, Any] | None:
    value = args.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        parsed = json.loads(value) if isinstance(value, str) else value
    except ValueError as error:
        raise refuse(
            name, value, f"It is not valid JSON ({error}). Give a JSON object, e.g. {example}."
        ) from None
    if not isinstance(parsed, dict):
        raise refuse(name, value, f"Give a JSON object, in braces, e.g. {example}.")
    return parsed


def parse_user_body(args: dict[str, Any]) -> dict[str, Any]:
    """The create/modify body: only what the user gave. An empty attributes object is never sent: on a PUT it
    could clear the user's attributes."""
    fields = parse_json_object(args, "fields", '{"firstname": "Alice", "lastname": "Smith"}') or {}
    attributes = parse_json_object(args, "attributes", '{"department": "Finance"}')
    if attributes is not None and "attributes" in fields:
        raise InvalidArgumentError(
            "Conflicting values for attributes: both fields and the attributes argument hold attributes. "
            "Give them in the attributes argument only."
        )
    body = {**fields, **({"attributes": attributes} if attributes is not None else {})}
    if body.get("attributes") == {}:
        del body["attributes"]
    return body


def parse_sender_list_name(args: dict[str, Any]) -> str:
    list_name = parse_choice(args, "list", SENDER_LISTS)
    if list_name is None:
        raise InvalidArgumentError("Missing required argument list. Use list=safelist or list=blocklist.")
    return list_name


def is_sender_entry(entry: str) -> bool:
    """An address (user@example.com), @example.com (that domain only) or example.com (and its subdomains)."""
    local, at, domain = entry.rpartition("@")
    if len(entry) > 320 or not DOMAIN_RE.match(domain):
        return False
    return not at or not local or bool(EMAIL_RE.match(entry))


def parse_sender_entries(args: dict[str, Any]) -> list[str]:
    entries = argument_items(args, "entries")
    if not entries:
        raise InvalidArgumentError(
            "Missing required argument entries. Give one or more senders separated by commas, e.g. "
            "entries=billing@example.net,@example.org,example.com."
        )
    for entry in entries:
        if not is_sender_entry(entry):
            raise refuse(
                "entries",
                entry,
                "Each entry is an address (user@example.com), @example.com (that domain only) or example.com "
                "(the domain and its subdomains).",
            )
    return unique_ignoring_case(entries)


def flag(value: bool) -> str:
    return "t" if value else "f"


def safe_file_name(guid: str) -> str:
    """A file name that cannot leave the working folder, whatever the GUID holds."""
    name = re.sub(r"[^A-Za-z0-9_-]", "_", guid).strip("_")[:200]
    return f"{name or 'message'}.eml"


""" INSTANCE PARAMETERS """


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
    return with_api_path(url), url_credentials


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


def parse_max_download_size(params: dict[str, Any]) -> int:
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


def instance_credentials(params: dict[str, Any]) -> tuple[str, str]:
    """The Credentials parameter, or the user:password the Server URL carries when it has no username."""
    credentials = params.get("credentials") or {}
    username = str(credentials.get("identifier") or "")
    password = str(credentials.get("password") or "")
    if not username:
        _, url_credentials = split_userinfo(str(params.get("url") or "").strip())
        username, password = url_credentials or ("", "")
    if not username:
        raise InvalidArgumentError(
            "Missing parameter Username: enter the PPS API account's username and password in the "
            "instance's Credentials (Username / Password)."
        )
    if not password:
        raise InvalidArgumentError(
            f'Missing parameter Password: the instance has the username "{username}" but no password. Enter '
            "the password in the instance's Credentials (Username / Password)."
        )
    return username, password


def secret_forms(username: str, password: str) -> set[str]:
    """The texts a password can take in a message: as typed, JSON-escaped, URL-encoded (either hex
    case, with or without `/` kept) and inside the Basic authorization header."""
    encoded = {quote(password, safe=""), quote(password), quote_plus(password)}
    encoded |= {re.sub("%[0-9A-F]{2}", lambda escape: escape.group().lower(), form) for form in encoded}
    forms = {password, json.dumps(password)[1:-1], json.dumps(password, ensure_ascii=False)[1:-1], *encoded}
    if username:
        forms.add(base64.b64encode(f"{username}:{password}".encode()).decode("ascii"))
    return {form for form in forms if form}


def hide_secret(message: str, params: dict[str, Any]) -> str:
    """Removes the passwords (the Credentials one and any the Server URL carries) from a message, in
    the forms they could take, before anything is shown. A short password is masked only where it
    stands as a whole token: `ion` inside `Connection` is a word, not the password, and masking it would
    garble the message; a longer one is masked wherever it appears."""
    credentials = params.get("credentials") or {}
    _, url_credentials = split_userinfo(str(params.get("url") or "").strip())
    pairs = {(str(credentials.get("identifier") or ""), str(credentials.get("password") or ""))}
    pairs.add(url_credentials or ("", ""))
    forms = {form for username, password in pairs if password for form in secret_forms(username, password)}
    # Longest first, so a form that holds another is replaced whole.
    for form in sorted(forms, key=len, reverse=True):
        if len(form) >= WHOLE_TOKEN_SECRET_LENGTH:
            message = message.replace(form, SECRET_MASK)
        else:
            message = re.sub(rf"(?<![A-Za-z0-9]){re.escape(form)}(?![A-Za-z0-9])", SECRET_MASK, message)
    return message


def build_client(params: dict[str, Any]) -> Client:
    """The Client an instance's parameters describe; every parameter is checked before any request."""
    base_url, _ = api_base_url(str(params.get("url") or ""))
    username, password = instance_credentials(params)
    return Client(
        server_url=base_url,
        username=username,
        password=password,
        verify=not (
            argToBoolean(params.get("unsecure") or False) or argToBoolean(params.get("insecure") or False)
        ),
        proxy=argToBoolean(params.get("proxy") or False),
        timeout=parse_timeout(params),
        max_download_bytes=parse_max_download_size(params),
    )


@dataclass(frozen=True)
class FetchSettings:
    first_fetch: datetime
    max_fetch: int
    folders: list[str]
    criteria: dict[str, str]
    look_back: timedelta
    attach_message: bool
    incident_type: str | None


def parse_fetch_settings(params: dict[str, Any], now: datetime) -> FetchSettings:
    criteria = assign_params(
        **{
            "from": parse_address_pattern(params, "fetch_sender"),
            "rcpt": parse_address_pattern(params, "fetch_recipient"),
            "subject": optional_text(params, "fetch_subject"),
        }
    )
    return FetchSettings(
        first_fetch=parse_time(
            optional_text(params, "first_fetch") or DEFAULT_FIRST_FETCH, "first_fetch", now
        ),
        max_fetch=parse_whole_number(params, "max_fetch", DEFAULT_MAX_FETCH, 1, MAX_FETCH),
        folders=parse_folder_list(params, "fetch_folders"),
        # The search needs one of from, rcpt, subject: every recipient when the user gave none.
        criteria=criteria or {"rcpt": "*"},
        look_back=timedelta(
            minutes=parse_whole_number(
                params, "fetch_look_back", DEFAULT_LOOK_BACK_MINUTES, 0, MAX_LOOK_BACK_MINUTES
            )
        ),
        attach_message=bool(parse_boolean(params, "fetch_attach_message")),
        incident_type=optional_text(params, "incidentType"),
    )


""" CONCURRENCY """

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


""" COMMANDS: QUARANTINE """


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


def warning_entry(text: str) -> dict[str, Any]:
    return {"Type": EntryType.WARNING, "ContentsFormat": EntryFormat.TEXT, "Contents": text}


def folder_refusal(error: DemistoException, folders: dict[str, tuple[str, str]]) -> str | None:
    """The appliance's bare "Invalid argument: folder" as a sentence naming the folder the user gave.

    `folders`: for each API field that carried a folder, the argument it came from and its value.
    """
    response = error.res
    if not isinstance(response, requests.Response) or response.status_code != 400:
        return None
    refusal = FOLDER_REFUSAL_RE.search(describe_body(response))
    field = refusal.group("field").lower() if refusal else ""
    if not refusal or field not in folders:
        return None
    argument, folder = folders[field]
    reason = "no folder has that name"
    if field != "folder":
        reason += ", or it holds another module's messages (spam and DLP-incident folders do not mix)"
    return (
        f'The PPS server refused {argument} "{folder}" (400): {refusal.group(0)}. {reason[:1].upper()}{reason[1:]}. Folder '
        'names are case-sensitive (e.g. "Quarantine", not "quarantine"): check the spelling and case.'
    )


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


def search_one_folder(
    client: Client, query: dict[str, str], folder: str
) -> tuple[list[dict[str, Any]], str | None]:
    """The folder's records, or the reason it could not be searched (the other folders still are)."""
    try:
        records = client.search_quarantine({**query, "folder": folder})
    except DemistoException as error:
        return [], folder_refusal(error, {"folder": ("folder_name", folder)}) or error.message
    return [
        normalise_quarantine_record(record, folder) for record in records if isinstance(record, dict)
    ], None


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


def download_message_file(client: Client, guid: str) -> str:
    """Streams the message to where fileResult would write it; returns the FileID an entry or incident names."""
    file_id = demisto.uniqueFile()
    client.download_message(guid, f"{demisto.investigation()['id']}_{file_id}")
    return file_id


def download_message_entry(client: Client, guid: str) -> Any:
    """Streams the message to where fileResult would write it and returns the same file entry."""
    try:
        file_id = download_message_file(client, guid)
    except MessageNotFoundError:
        return CommandResults(readable_output="No message found.")
    return {
        "Contents": "",
        "ContentsFormat": EntryFormat.TEXT,
        "Type": EntryType.FILE,
        "File": safe_file_name(guid),
        "FileID": file_id,
    }


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


def download_message_command(
    client: Client, args: dict[str, Any], guid_arguments: tuple[str, ...] = ("guid",)
) -> Any:
    """`guid_arguments`: the names the GUID may come under; the seed spelling also takes folder_name."""
    guid = parse_message_guid(args, guid_arguments)
    if not guid:
        raise InvalidArgumentError(
            "Missing required argument guid. Give the message's GUID, e.g. guid=exampleguid000000000000000000009 "
            "(from smart search or list-quarantined-messages)."
        )
    return download_message_entry(client, guid)


class ActionFailedError(DemistoException):
    """No item of a batch succeeded; the outcomes still go to the context (`context`: its entry context)."""

    def __init__(self, message: str, context: dict[str, Any]) -> None:
        super().__init__(message)
        self.context = context


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
        folders = {
            field: (argument, body[field])
            for field, argument in (
                ("folder", "folder_name"),
                ("targetfolder", "target_folder"),
                ("deletedfolder", "deleted_folder"),
            )
            if body.get(field)
        }
        return {**outcome, "Status": "failed", "Message": folder_refusal(error, folders) or error.message}
    if action in ("move", "delete"):
        reply = f"Successfully {ACTION_PAST_TENSE[action]} message {local_guid}"
    return {
        **outcome,
        "Status": "success",
        "Message": reply or f"Message {local_guid} {ACTION_PAST_TENSE[action]}.",
    }


def nothing_done_sentence(action: str, outcomes: list[dict[str, str]]) -> str:
    """What happened to a batch of which no id succeeded, before the table of each id's outcome."""
    unknown = sum(outcome["Status"] == "unknown" for outcome in outcomes)
    counts = [
        f"{len(outcomes) - unknown} failed" if len(outcomes) > unknown else "",
        f"{unknown} unknown" if unknown else "",
    ]
    sentence = (
        f"None of the {len(outcomes)} messages was {ACTION_PAST_TENSE[action]} "
        f"({', '.join(count for count in counts if count)}); each id's outcome is below."
    )
    if unknown:
        sentence += f" {CHECK_OUTCOME_HINT}"
    return sentence


def action_results(outcomes: list[dict[str, str]], readable: str) -> CommandResults:
    return CommandResults(
        outputs_prefix=QUARANTINE_ACTION_PREFIX,
        outputs_key_field=["LocalGUID", "Action"],
        outputs=outcomes,
        readable_output=readable,
        raw_response=outcomes,
    )


def action_outputs(outcomes: list[dict[str, str]]) -> dict[str, Any]:
    return action_results(outcomes, "").to_context()["EntryContext"]


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
        else:
            readable = f"{nothing_done_sentence(action, outcomes)}\n\n{readable}"
        raise ActionFailedError(readable, action_outputs(outcomes))
    results: list[Any] = [action_results(outcomes, readable)]
    if failed:
        results.append(
            warning_entry(
                f"{len(failed)} of {len(outcomes)} messages were not {ACTION_PAST_TENSE[action]}: "
                + ", ".join(f"{outcome['LocalGUID']} ({outcome['Status']})" for outcome in failed)
            )
        )
    return results


""" COMMANDS: END USERS """


def text_items(value: Any) -> list[str]:
    """A list field of the user object as a list of strings; PPS may send one as a comma-separated string."""
    if value is None:
        return []
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    if isinstance(value, list):
        return [str(item) for item in value if item is not None]
    return [str(value)]


def user_record(user: dict[str, Any]) -> dict[str, Any]:
    """The user object as the context holds it: every field, the list fields always lists."""
    record = {**user, **{name: text_items(user.get(name)) for name in USER_LIST_FIELDS}}
    if not isinstance(record.get("attributes"), dict):
        record["attributes"] = {}
    return record


def user_results(user: dict[str, Any], title: str) -> CommandResults:
    record = user_record(user)
    return CommandResults(
        outputs_prefix=USER_PREFIX,
        outputs_key_field="email",
        outputs=record,
        readable_output=tableToMarkdown(title, record, headers=USER_HEADERS),
        raw_response=user,
    )


def get_user_command(client: Client, args: dict[str, Any]) -> CommandResults:
    (ident,) = parse_user_idents(args)
    user = client.get_user(ident)
    if user is None:
        # A normal answer: playbooks ask whether a user exists.
        return CommandResults(readable_output=f"No end user {ident} in PPS.")
    return user_results(user, f"Proofpoint Protection Server end user {ident}")


def create_user_command(client: Client, args: dict[str, Any]) -> CommandResults:
    if not argument_items(args, "email"):
        raise InvalidArgumentError(
            "Missing required argument email. Give the new end user's address, e.g. email=alice@example.com."
        )
    (email,) = parse_user_idents(args)
    body = parse_user_body(args)
    return user_results(client.create_user(email, body), f"Created end user {email}")


def modify_user_command(client: Client, args: dict[str, Any]) -> CommandResults:
    # UID is the official pack's spelling of the argument.
    (ident,) = parse_user_idents(args, uid_name=given_spelling(args, "uid", "UID"))
    body = parse_user_body(args)
    if not body:
        raise InvalidArgumentError(
            'Nothing to change: give fields (e.g. fields={"firstname": "Alice"}) or attributes '
            '(e.g. attributes={"department": "Finance"}).'
        )
    return user_results(client.update_user(ident, body), f"Modified end user {ident}")


def delete_user_command(client: Client, args: dict[str, Any]) -> CommandResults:
    (ident,) = parse_user_idents(args)
    if client.delete_user(ident):
        return CommandResults(readable_output=f"Deleted end user {ident}.")
    return CommandResults(readable_output=f"No end user {ident} in PPS: nothing was deleted.")


def holds(sender_list: list[str], entry: str) -> bool:
    return entry.lower() in {item.lower() for item in sender_list}


def with_entries_added(sender_list: list[str], entries: list[str]) -> list[str]:
    """The list with each entry it lacks appended, in order; compared ignoring case."""
    present = {item.lower() for item in sender_list}
    return sender_list + [entry for entry in unique_ignoring_case(entries) if entry.lower() not in present]


def with_entries_removed(sender_list: list[str], entries: list[str]) -> list[str]:
    """The list without the entries: whole entries, ignoring case, never parts of one."""
    removing = {entry.lower() for entry in entries}
    return [item for item in sender_list if item.lower() not in removing]


def other_sender_list(list_name: str) -> str:
    return SENDER_LISTS[1] if list_name == SENDER_LISTS[0] else SENDER_LISTS[0]


@dataclass
class SenderListResult:
    """One end user's part of a sender-list change."""

    outcomes: list[dict[str, str]]
    user: dict[str, Any] | None  # as last read, for the context
    in_both_lists: list[str]  # added entries the other list holds too


def change_sender_list(
    client: Client, ident: str, list_name: str, entries: list[str], adding: bool
) -> SenderListResult:
    """Reads the user, writes the complete new list, reads it back; when the read-back does not show the
    change (another writer got there first), again, up to SENDER_LIST_ROUNDS writes. Whether PPS replaces or
    extends a list on PUT is not documented: writing it whole and checking is right either way."""

    def outcome(entry: str, status: str, message: str) -> dict[str, str]:
        return {"User": ident, "List": list_name, "Entry": entry, "Outcome": status, "Message": message}

    try:
        user = client.get_user(ident)
        if user is None:
            return SenderListResult(
                [outcome(entry, "failed", f"User {ident} was not found in PPS.") for entry in entries],
                None,
                [],
            )
        untouched = {entry for entry in entries if holds(text_items(user.get(list_name)), entry) == adding}
        for _ in range(SENDER_LIST_ROUNDS):
            current = text_items(user.get(list_name))
            wanted = (
                with_entries_added(current, entries) if adding else with_entries_removed(current, entries)
            )
            if wanted == current:
                break
            try:
                client.update_user(ident, {list_name: wanted})
            except OutcomeUnknownError:
                pass  # the read-back tells whether the write was applied
            try:
                user = client.get_user(ident)
            except DemistoException as error:
                raise DemistoException(
                    f"The new {list_name} was sent but could not be read back to check it: {error.message}"
                ) from error
            if user is None:
                raise UserNotFoundError(f"User {ident} was deleted while its {list_name} was being changed.")
    except DemistoException as error:
        return SenderListResult([outcome(entry, "failed", error.message) for entry in entries], None, [])
    final = text_items(user.get(list_name))
    outcomes = []
    for entry in entries:
        if holds(final, entry) != adding:
            outcomes.append(
                outcome(
                    entry,
                    "conflict",
                    f"Another writer changed the {list_name} of {ident} at the same time: after "
                    f"{SENDER_LIST_ROUNDS} writes the read-back still did not show this change. Check with "
                    "!proofpoint-pps-get-user and run the command again.",
                )
            )
        elif adding:
            unchanged = entry in untouched
            outcomes.append(
                outcome(
                    entry,
                    "already present" if unchanged else "added",
                    f"{'Already in' if unchanged else 'Added to'} the {list_name} of {ident}.",
                )
            )
        else:
            unchanged = entry in untouched
            outcomes.append(
                outcome(
                    entry,
                    "not present" if unchanged else "removed",
                    f"{'Not in' if unchanged else 'Removed from'} the {list_name} of {ident}.",
                )
            )
    other = text_items(user.get(other_sender_list(list_name)))
    in_both = [entry for entry in entries if adding and holds(final, entry) and holds(other, entry)]
    return SenderListResult(outcomes, user, in_both)


def sender_list_context(outcomes: list[dict[str, str]], users: list[dict[str, Any]]) -> dict[str, Any]:
    """Proofpoint.SenderListChange (one per user, list and entry) and the users as read back."""
    changes = CommandResults(
        outputs_prefix=SENDER_LIST_CHANGE_PREFIX,
        outputs_key_field=["User", "List", "Entry"],
        outputs=outcomes,
    )
    records = CommandResults(outputs_prefix=USER_PREFIX, outputs_key_field="email", outputs=users)
    return {**changes.to_context()["EntryContext"], **records.to_context()["EntryContext"]}


def no_change_made_sentence(list_name: str, outcomes: list[dict[str, str]]) -> str:
    """What happened to a sender-list change of which nothing was made, before the table of outcomes."""
    counts = Counter(outcome["Outcome"] for outcome in outcomes)
    summary = ", ".join(f"{count} {name}" for name, count in counts.items())
    noun = "change was" if len(outcomes) == 1 else "changes was"
    return f"None of the {len(outcomes)} {list_name} {noun} made ({summary}); each change's outcome is below."


def sender_list_command(client: Client, args: dict[str, Any], adding: bool) -> Any:
    """Adds entries to (or removes them from) the safe or blocked sender list of one or many end users."""
    idents = parse_user_idents(args, many=True)
    list_name = parse_sender_list_name(args)
    entries = parse_sender_entries(args)
    results = map_concurrently(
        partial(change_sender_list, client, list_name=list_name, entries=entries, adding=adding),
        idents,
        ACTION_CONCURRENCY,
    )
    outcomes = [outcome for result in results for outcome in result.outcomes]
    users = [user_record(result.user) for result in results if result.user is not None]
    readable = tableToMarkdown(
        f"Proofpoint Protection Server {list_name} changes", outcomes, headers=SENDER_LIST_CHANGE_HEADERS
    )
    context = sender_list_context(outcomes, users)
    failed = [outcome for outcome in outcomes if outcome["Outcome"] not in SENDER_LIST_DONE]
    if len(failed) == len(outcomes):
        raise ActionFailedError(f"{no_change_made_sentence(list_name, outcomes)}\n\n{readable}", context)
    entries_out: list[Any] = [
        CommandResults(outputs=context, readable_output=readable, raw_response=outcomes)
    ]
    if failed:
        entries_out.append(
            warning_entry(
                f"{len(failed)} of {len(outcomes)} {list_name} changes were not made: "
                + ", ".join(
                    f"{outcome['User']} {outcome['Entry']} ({outcome['Outcome']})" for outcome in failed
                )
            )
        )
    both = [
        f"{ident}: {', '.join(result.in_both_lists)}"
        for ident, result in zip(idents, results, strict=True)
        if result.in_both_lists
    ]
    if both:
        entries_out.append(
            warning_entry(
                f"Now in both the {list_name} and the {other_sender_list(list_name)} (PPS allows it; remove each "
                "from the list that should not apply): " + "; ".join(both)
            )
        )
    return entries_out


""" COMMANDS: SENDER SUMMARY """


def spam_score(value: Any) -> list[float]:
    """The score as a one-item list, or nothing when the record has none (cloud gives ints, on premise strings)."""
    try:
        return [float(str(value).strip())] if str(value or "").strip() else []
    except ValueError:
        return []


def summarize_sender(
    sender: str,
    start: datetime,
    end: datetime,
    smart_records: list[dict[str, Any]],
    quarantined: dict[str, list[dict[str, Any]]],
    truncated: bool,
) -> dict[str, Any]:
    """What a sender did in a time range, from its smart-search trace and its quarantined messages."""
    messages = {str(record.get("GUID") or f"#{index}"): record for index, record in enumerate(smart_records)}
    actions = Counter(str(record.get("Final_Action") or "unknown").lower() for record in messages.values())
    recipients: Counter[str] = Counter()
    viruses: dict[str, None] = {}
    scores: list[float] = []
    seen: list[datetime] = []
    for record in messages.values():
        recipients.update(
            {
                address.strip().lower()
                for address in str(record.get("Recipients") or "").split(",")
                if address.strip()
            }
        )
        viruses.update(
            dict.fromkeys(
                name.strip() for name in str(record.get("Virus_Names") or "").split(",") if name.strip()
            )
        )
        scores.extend(spam_score(record.get("Spam_Score")))
        seen.extend(date for date in [parse_smart_search_date(record.get("Date"))] if date)
    quarantine_counts = []
    for folder, records in quarantined.items():
        quarantine_counts.append(
            {"Folder": folder, "Count": len({str(r.get("guid") or id(r)) for r in records})}
        )
        for record in records:
            scores.extend(spam_score(record.get("spamscore")))
            seen.extend(date for date in [parse_record_date(record.get("date"))] if date)
    return {
        "Sender": sender,
        "Start": iso_utc(start),
        "End": iso_utc(end),
        "Messages": len(messages),
        "FinalActions": [
            {"Action": action, "Count": count}
            for action, count in sorted(actions.items(), key=lambda item: (-item[1], item[0]))
        ],
        "Recipients": len(recipients),
        "TopRecipients": [
            {"Recipient": address, "Count": count}
            for address, count in sorted(recipients.items(), key=lambda item: (-item[1], item[0]))[
                :TOP_RECIPIENT_COUNT
            ]
        ],
        "Quarantined": quarantine_counts,
        "VirusNames": list(viruses),
        "MaxSpamScore": max(scores) if scores else None,
        "FirstSeen": iso_utc(min(seen)) if seen else None,
        "LastSeen": iso_utc(max(seen)) if seen else None,
        "Truncated": truncated,
    }


def sender_summary_markdown(summary: dict[str, Any]) -> str:
    actions = ", ".join(f"{item['Action']} {item['Count']}" for item in summary["FinalActions"]) or "none"
    quarantined = ", ".join(f"{item['Folder']} {item['Count']}" for item in summary["Quarantined"])
    lines = [
        f"### Proofpoint Protection Server sender summary: {summary['Sender']}",
        f"From {summary['Start']} to {summary['End']}",
        "",
        f"- Messages: {summary['Messages']} ({actions})",
        f"- Distinct recipients: {summary['Recipients']}",
        f"- Quarantined: {quarantined}",
        f"- Viruses: {', '.join(summary['VirusNames']) or 'none'}",
        f"- Highest spam score: {'none' if summary['MaxSpamScore'] is None else format(summary['MaxSpamScore'], 'g')}",
        f"- First seen: {summary['FirstSeen'] or 'never'}; last seen: {summary['LastSeen'] or 'never'}",
    ]
    if summary["Truncated"]:
        lines.append(
            "\n**Counts are partial**: a search returned as many records as it may (smart search "
            f"{SMART_SEARCH_MAX_LIMIT}, quarantine {QUARANTINE_MAX_LIMIT} per folder). Narrow start_time and end_time."
        )
    table = tableToMarkdown("Top recipients", summary["TopRecipients"], headers=["Recipient", "Count"])
    return "\n".join(lines) + "\n\n" + table


def sender_summary_command(client: Client, args: dict[str, Any]) -> CommandResults:
    sender = parse_address_pattern(args, "sender")
    if not sender:
        raise InvalidArgumentError(
            "Missing required argument sender. Give an address or a pattern, e.g. sender=*@example.com."
        )
    now = datetime.now(timezone.utc).replace(microsecond=0)
    start, end = parse_time_range(
        {**args, "start_time": optional_text(args, "start_time") or SENDER_SUMMARY_DEFAULT_START}, now
    )
    end = end or now
    folders = parse_folder_list(args, "folder_name")
    smart_query = {
        "env_from": sender,
        "from": start.strftime(SMART_SEARCH_TIME_FORMAT),
        "to": end.strftime(SMART_SEARCH_TIME_FORMAT),
        "count": str(SMART_SEARCH_MAX_LIMIT),
    }

    quarantine_query = {
        "from": sender,
        "startdate": start.strftime(QUARANTINE_TIME_FORMAT),
        "enddate": end.strftime(QUARANTINE_TIME_FORMAT),
        "limit": str(QUARANTINE_MAX_LIMIT),
    }

    def search(folder: str | None) -> tuple[list[dict[str, Any]], str | None]:
        """The smart search (folder None) or one folder's quarantine search; its records or why it failed."""
        if folder is not None:
            return search_one_folder(client, quarantine_query, folder)
        try:
            return client.smart_search(smart_query), None
        except DemistoException as error:
            return [], error.message

    outcomes = map_concurrently(search, [None, *folders], FOLDER_CONCURRENCY)
    (smart_records, smart_error), folder_outcomes = outcomes[0], outcomes[1:]
    failures = {folder: error for folder, (_, error) in zip(folders, folder_outcomes, strict=True) if error}
    if smart_error or failures:
        # Counts without one of their searches would be silently partial.
        reasons = [f"Smart search failed: {smart_error.rstrip('.')}."] if smart_error else []
        if failures:
            reasons.append(folders_failed_message(failures))
        raise DemistoException(" ".join(["The sender summary could not be made.", *reasons]))
    quarantined = {folder: found for folder, (found, _) in zip(folders, folder_outcomes, strict=True)}
    truncated = len(smart_records) >= SMART_SEARCH_MAX_LIMIT or any(
        len(records) >= QUARANTINE_MAX_LIMIT for records in quarantined.values()
    )
    summary = summarize_sender(sender, start, end, smart_records, quarantined, truncated)
    return CommandResults(
        outputs_prefix=SENDER_SUMMARY_PREFIX,
        outputs_key_field="Sender",
        outputs=summary,
        readable_output=sender_summary_markdown(summary),
        raw_response=summary,
    )


""" FETCH INCIDENTS """


class Candidate(NamedTuple):
    """A quarantined message found by fetch; sorted by date then guid."""

    date: datetime
    guid: str
    folder: str
    record: dict[str, Any]


class FolderSearch(NamedTuple):
    found: list[Candidate]  # records not taken yet, oldest first
    searched_until: datetime  # every record dated before it has been searched
    span: timedelta  # the span of the last window one reply held whole


def search_window(
    client: Client,
    folder: str,
    criteria: dict[str, str],
    start: datetime,
    end: datetime,
    limit: int,
    padded: bool = True,
) -> tuple[list[Candidate], bool]:
    """The records of `folder` dated start..end (inclusive, to the second); True when the reply was full.

    Whether the API's bounds are inclusive is not documented: a padded search asks for a second more on
    each side and the records outside are dropped here.
    """
    pad = ONE_SECOND if padded else timedelta(0)
    query = {
        "folder": folder,
        **criteria,
        "startdate": (start - pad).strftime(QUARANTINE_TIME_FORMAT),
        "enddate": (end + pad).strftime(QUARANTINE_TIME_FORMAT),
        "limit": str(limit),
    }
    records = client.search_quarantine(query)
    found = []
    for record in records:
        date, guid = parse_record_date(record.get("date")), str(record.get("guid") or "")
        if date is None or not guid:
            demisto.info(
                f"{INTEGRATION_NAME} fetch: skipped a record of {folder} without a date or guid: {record}"
            )
            continue
        if start <= date <= end:
            found.append(Candidate(date, guid, folder, normalise_quarantine_record(record, folder)))
    return found, len(records) >= limit


def search_whole_window(
    client: Client, folder: str, criteria: dict[str, str], start: datetime, end: datetime, limit: int
) -> tuple[list[Candidate], datetime]:
    """All records of the oldest window from `start` that one reply holds whole, and that window's end.

    A full reply may lack any of its window's records, so the window is halved, older half first, until
    a reply is not full. A single second that still fills the largest page holds more messages than the
    API can list.
    """
    while True:
        found, full = search_window(client, folder, criteria, start, end, limit)
        if not full:
            return found, end
        if end > start:
            end = start + timedelta(seconds=int((end - start).total_seconds()) // 2)
        elif limit < QUARANTINE_MAX_LIMIT:
            limit = QUARANTINE_MAX_LIMIT
        else:
            break
    # The padding may have filled the page with the seconds beside this one; a server whose bounds are
    # inclusive answers the unpadded search with exactly this second.
    exact, _ = search_window(client, folder, criteria, start, end, limit, padded=False)
    found = exact or found
    if len(found) >= limit:
        demisto.info(
            f"{INTEGRATION_NAME} fetch: folder {folder} holds more messages dated {iso_utc(start)} than one "
            f"search returns ({limit}); those the appliance did not return cannot be fetched."
        )
    return found, end


def candidate_order(candidate: Candidate) -> tuple[datetime, str]:
    return candidate.date, candidate.guid


def search_folder(
    client: Client,
    folder: str,
    criteria: dict[str, str],
    start: datetime,
    end: datetime,
    taken: set[str],
    wanted: int,
    page: int,
    span: timedelta,
) -> FolderSearch:
    """At least `wanted` records of `folder` not taken yet, when it has them, oldest first.

    Windows from `start` are searched whole, oldest first, each twice as long as the last that one reply
    held whole (the first `span` long), until `wanted` are found or `end` is reached.
    """
    found: list[Candidate] = []
    window_start, last_span = start, span
    while window_start <= end and len(found) < wanted:
        records, window_end = search_whole_window(
            client, folder, criteria, window_start, min(window_start + span, end), page
        )
        # Keyed on guid: a reply that lists a message twice gives one incident.
        fresh = {record.guid: record for record in records if record.guid not in taken}
        found.extend(sorted(fresh.values(), key=candidate_order))
        last_span = window_end - window_start
        span = max(last_span * 2, ONE_SECOND)
        window_start = window_end + ONE_SECOND
    return FolderSearch(found, window_start, last_span)


def stored_folder_states(last_run: dict[str, Any]) -> dict[str, dict[str, Any]]:
    folders = last_run.get("folders")
    if not isinstance(folders, dict):
        return {}
    return {name: state for name, state in folders.items() if isinstance(state, dict)}


def taken_guids(folder_state: dict[str, Any]) -> dict[str, list[str]]:
    taken = folder_state.get("taken")
    return taken if isinstance(taken, dict) else {}


def folders_in_turn(folders: list[str], first: Any) -> list[str]:
    """The folders starting with `first` (when it is one of them), so each gets its turn to go first."""
    index = folders.index(first) if first in folders else 0
    return folders[index:] + folders[:index]


def quarantine_severity(folder: str) -> float:
    """High for folders named for a threat, Medium for DLP and compliance folders, Low for the rest."""
    if THREAT_FOLDER_RE.search(folder):
        return IncidentSeverity.HIGH
    if COMPLIANCE_FOLDER_RE.search(folder):
        return IncidentSeverity.MEDIUM
    return IncidentSeverity.LOW


def quarantine_incident(candidate: Candidate, incident_type: str | None) -> dict[str, Any]:
    record = candidate.record
    incident = {
        "name": f"{candidate.folder}: {record.get('from') or '(no sender)'} - {record.get('subject') or '(no subject)'}",
        "occurred": iso_utc(candidate.date),
        "rawJSON": json.dumps(record),
        "severity": quarantine_severity(candidate.folder),
    }
    if incident_type:
        incident["type"] = incident_type
    return incident


def attach_raw_message(client: Client, incident: dict[str, Any], guid: str) -> None:
    """Attaches the raw message; when it cannot be had the incident says why, and the run goes on."""
    try:
        file_id = download_message_file(client, guid)
    except MessageNotFoundError:
        reason = "the appliance no longer holds it (released, deleted or expired)"
    except DemistoException as error:
        reason = error.message
    except OSError as error:
        reason = f"it could not be written to disk ({error.strerror or error})"
    else:
        incident["attachment"] = [{"path": file_id, "name": safe_file_name(guid)}]
        return
    incident["details"] = f"The raw message {guid} was not attached: {reason}"


def fetch_incidents(
    client: Client, settings: FetchSettings, last_run: dict[str, Any], now: datetime
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One fetch run: the next last-run and the incidents, each folder's oldest first.

    Folders take turns to go first; each takes what is left of max_fetch. A message is known by its guid
    (its localguid changes when it moves). Last-run: `first_folder`, whose turn is next; per folder
    `time`, the time reached (every message dated before it has been taken); `from`, where the next
    search starts (the time reached, or the look-back window's start when that is earlier); `span`, the
    seconds of the last window one reply held whole (the next search starts with it); `taken`, the guids
    taken that are dated from `from` on, by date. A folder not searched in a run keeps its state.
    """
    stored = stored_folder_states(last_run)
    taken = {guid for state in stored.values() for guids in taken_guids(state).values() for guid in guids}
    folders = folders_in_turn(settings.folders, last_run.get("first_folder"))
    chosen: dict[str, Candidate] = {}
    next_folders: dict[str, Any] = {}
    for folder in folders:
        state = stored.get(folder, {})
        wanted = settings.max_fetch - len(chosen)
        if wanted <= 0:
            if state:
                next_folders[folder] = state
            continue
        start = parse_iso_utc(state.get("from")) or settings.first_fetch.replace(microsecond=0)
        folder_taken = taken_guids(state)
        stored_span = state.get("span")
        span = (
            timedelta(seconds=stored_span)
            if isinstance(stored_span, int) and stored_span >= 0
            else now - start
        )
        # Room for the wanted records, the taken ones the window holds again, and as many more.
        page = min(QUARANTINE_MAX_LIMIT, 2 * wanted + sum(len(guids) for guids in folder_taken.values()))
        try:
            search = search_folder(
                client, folder, settings.criteria, start, now, taken | set(chosen), wanted, page, span
            )
        except DemistoException as error:
            raise DemistoException(f"Searching quarantine folder {folder} failed: {error.message}") from error
        taken_here, first_left = search.found[:wanted], search.found[wanted:][:1]
        chosen.update((candidate.guid, candidate) for candidate in taken_here)
        reached = first_left[0].date if first_left else search.searched_until
        keep_from = min(reached, now - settings.look_back)
        by_date: dict[str, list[str]] = {}
        for date_text, guids in folder_taken.items():
            date = parse_iso_utc(date_text)
            if date is not None and date >= keep_from:
                by_date.setdefault(date_text, []).extend(guids)
        for candidate in taken_here:
            if candidate.date >= keep_from:
                by_date.setdefault(iso_utc(candidate.date), []).append(candidate.guid)
        next_folders[folder] = {
            "time": iso_utc(reached),
            "from": iso_utc(keep_from),
            "span": int(search.span.total_seconds()),
            "taken": by_date,
        }

    incidents = [quarantine_incident(candidate, settings.incident_type) for candidate in chosen.values()]
    if settings.attach_message:
        for incident, candidate in zip(incidents, chosen.values(), strict=True):
            attach_raw_message(client, incident, candidate.guid)
    next_first = folders_in_turn(settings.folders, folders[0])[1 % len(folders)]
    return {"first_folder": next_first, "folders": next_folders}, incidents


def fetch_incidents_command(client: Client, params: dict[str, Any]) -> None:
    """Reads the last run, fetches, then stores the next last run and sends the incidents (runtime §10)."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    next_run, incidents = fetch_incidents(
        client, parse_fetch_settings(params, now), demisto.getLastRun(), now
    )
    demisto.setLastRun(next_run)
    demisto.incidents(incidents)


def check_fetch_folders(client: Client, params: dict[str, Any], now: datetime) -> list[str]:
    """test-module with fetching on: the fetch settings parse and every fetch folder can be searched."""
    try:
        settings = parse_fetch_settings(params, now)
    except InvalidArgumentError as error:
        return [f"Fetch settings: {error}"]
    problems = []
    for folder in settings.folders:
        try:
            search_window(client, folder, settings.criteria, now - timedelta(minutes=1), now, 1, padded=False)
        except DemistoException as error:
            problems.append(f"Fetch folder {folder}: {error.message}")
    return problems


""" CONNECTION TEST """


def test_module(client: Client, args: dict[str, Any]) -> str:
    """Checks both managed modules: pss (health) and Quarantine (a small search); with fetching on, the
    fetch settings and every folder to fetch from."""
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
    params = demisto.params()
    if not problems and argToBoolean(params.get("isFetch") or False):
        problems += check_fetch_folders(client, params, now.replace(microsecond=0))
    if problems:
        raise DemistoException("Connection test failed.\n- " + "\n- ".join(problems))
    return "ok"


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
    "proofpoint-pps-get-user": get_user_command,
    "proofpoint-pps-create-user": create_user_command,
    "proofpoint-pps-modify-user": modify_user_command,
    "proofpoint-pps-delete-user": delete_user_command,
    "proofpoint-pps-sender-list-add": partial(sender_list_command, adding=True),
    "proofpoint-pps-sender-list-remove": partial(sender_list_command, adding=False),
    "proofpoint-pps-sender-summary": sender_summary_command,
}


def main() -> None:
    params = demisto.params()
    args = demisto.args()
    command = demisto.command()
    demisto.debug(f"Command being called is {command}")
    try:
        if command not in COMMANDS and command != "fetch-incidents":
            raise NotImplementedError(f"Command {command} is not implemented by {INTEGRATION_NAME}.")
        check_argument_texts(args)
        client = build_client(params)
        if command == "fetch-incidents":
            fetch_incidents_command(client, params)
        else:
            return_results(COMMANDS[command](client, args))
    except ActionFailedError as error:
        return_error(hide_secret(error.message, params), outputs=error.context)
    except InvalidArgumentError as error:
        return_error(hide_secret(str(error), params))
    except DemistoException as error:
        return_error(hide_secret(f"Failed to execute {command}. {error.message}", params))
    except Exception as error:
        return_error(hide_secret(f"Failed to execute {command}. Error: {error}", params))


""" ENTRY POINT """

if __name__ in ("__main__", "__builtin__", "builtins"):
    main()
