"""The XSOAR server, reached through demisto-py: upload, search, save an instance, run its test-module."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import demisto_client
import urllib3
from demisto_client.demisto_api.rest import ApiException

from xsoar_deploy.errors import DeployFailed, UsageRefused

API_KEY_VARIABLE = "DEMISTO_API_KEY"
ADVANCED_API_KEY_VARIABLE = "DEMISTO_ADVANCED_API_KEY"
BASE_URL_VARIABLE = "DEMISTO_BASE_URL"
# demisto-py reads the first two; XSOAR_AUTH_ID is this project's name for the same XSOAR 8 key id.
AUTH_ID_VARIABLES = ("DEMISTO_API_KEY_ID", "XSIAM_AUTH_ID", "XSOAR_AUTH_ID")
DEFAULT_TIMEOUT = 120
# Instances are searched page by page, this many at a time.
SEARCH_PAGE_SIZE = 100
# A server that ignores `page` answers every page alike; past this many pages the search stops.
SEARCH_MAX_PAGES = 1000
_MESSAGE_LIMIT = 2000
# Marketplaces, as `demisto-sdk prepare-content -mp` names them and as demisto-sdk's clients map servers.
MARKETPLACE_XSOAR = "xsoar"
MARKETPLACE_XSOAR_SAAS = "xsoar_saas"
MARKETPLACE_XSIAM = "marketplacev2"
MARKETPLACE_PLATFORM = "platform"


@dataclass(frozen=True)
class ServerSettings:
    base_url: str
    api_key: str = field(repr=False)
    # An advanced key is not sent as is: demisto-py signs each request with it.
    advanced_key: bool = False
    auth_id: str | None = None
    verify_tls: bool = True
    ca_file: Path | None = None
    timeout: int = DEFAULT_TIMEOUT

    @classmethod
    def from_environment(
        cls,
        environ: Mapping[str, str],
        *,
        url: str | None = None,
        auth_id: str | None = None,
        insecure: bool = False,
        ca_file: Path | None = None,
        timeout: int = DEFAULT_TIMEOUT,
    ) -> ServerSettings:
        base_url = (url or environ.get(BASE_URL_VARIABLE) or "").strip()
        if not base_url:
            raise UsageRefused(f"No XSOAR server: set {BASE_URL_VARIABLE} or pass --url")
        if not base_url.lower().startswith(("https://", "http://")):
            raise UsageRefused(f"The XSOAR URL must start with https:// or http://, got {base_url!r}")
        # demisto-py prefers an advanced key whenever its variable is set; so do we, to say what is used.
        advanced_key = bool(environ.get(ADVANCED_API_KEY_VARIABLE))
        api_key = environ.get(ADVANCED_API_KEY_VARIABLE) or environ.get(API_KEY_VARIABLE) or ""
        if not api_key:
            raise UsageRefused(
                f"No API key: set {API_KEY_VARIABLE} (Settings > Integrations > API Keys on the server)"
            )
        if ca_file is not None and not ca_file.is_file():
            raise UsageRefused(f"The CA file {ca_file} does not exist")
        if timeout <= 0:
            raise UsageRefused("--timeout must be a positive number of seconds")
        found_auth_id = auth_id or next(
            (environ[name] for name in AUTH_ID_VARIABLES if environ.get(name)), None
        )
        if advanced_key and not found_auth_id:
            # Without it demisto-py would not sign requests with the key but try to log in with a
            # username and password, over the network, while the client is being built.
            raise UsageRefused(
                f"{ADVANCED_API_KEY_VARIABLE} holds an advanced API key, which XSOAR 8 and XSIAM accept "
                f"only with the key's ID: set {AUTH_ID_VARIABLES[0]} (or {', '.join(AUTH_ID_VARIABLES[1:])}) "
                "or pass --auth-id. The ID is in the ID column of the key's row under "
                "Settings > Configurations > API Keys"
            )
        return cls(
            base_url=base_url.rstrip("/"),
            api_key=api_key,
            advanced_key=advanced_key,
            auth_id=found_auth_id,
            verify_tls=not insecure,
            ca_file=ca_file,
            timeout=timeout,
        )


@dataclass(frozen=True)
class ServerAbout:
    """What `GET /about` says about the server, and the marketplace whose build it takes."""

    version: str
    product_mode: str = ""
    deployment_mode: str = ""

    @property
    def major_version(self) -> int:
        head = self.version.split(".", 1)[0]
        return int(head) if head.isdigit() else 0

    @property
    def product(self) -> str:
        if self.product_mode == "xsiam":
            return "XSIAM"
        if self.product_mode == "platform":
            return "Cortex platform"
        return f"XSOAR {self.major_version}" if self.major_version else "XSOAR"

    @property
    def marketplace(self) -> str:
        """As demisto-sdk's clients decide: XSIAM takes marketplacev2, XSOAR 8 xsoar_saas, XSOAR 6 xsoar.

        The product mode `platform` (the Cortex platform's marketplace) is assumed: demisto-sdk 1.39.13
        knows no such mode.
        """
        if self.product_mode == "xsiam":
            return MARKETPLACE_XSIAM
        if self.product_mode == "platform":
            return MARKETPLACE_PLATFORM
        if self.major_version >= 8:
            return MARKETPLACE_XSOAR_SAAS
        return MARKETPLACE_XSOAR


@dataclass(frozen=True)
class TestModuleOutcome:
    success: bool
    message: str


class XsoarServer:
    """One XSOAR server. Every call goes through demisto-py; its failures become `DeployFailed`."""

    def __init__(self, settings: ServerSettings, trace: Callable[[str], None] | None = None) -> None:
        self._settings = settings
        self._trace = trace or (lambda _text: None)
        if settings.advanced_key and not settings.auth_id:
            raise UsageRefused("An advanced API key needs its key ID (--auth-id)")  # see from_environment
        try:
            # debug stays off: demisto-py's debug mode prints every request header, the API key included.
            self._client = demisto_client.configure(
                base_url=settings.base_url,
                api_key=None if settings.advanced_key else settings.api_key,
                advanced_api_key=settings.api_key if settings.advanced_key else None,
                auth_id=settings.auth_id,
                verify_ssl=settings.verify_tls,
                ssl_ca_cert=str(settings.ca_file) if settings.ca_file else None,
                debug=False,
            )
        except (RuntimeError, ValueError) as exc:
            raise UsageRefused(f"Cannot configure the XSOAR client: {exc}") from exc
        _detach_library_log_handler(self._client.api_client.configuration)

    @property
    def api_url(self) -> str:
        """Where the requests go: the base URL, or its `api-…/xsoar` form for XSOAR 8 with an auth id."""
        return str(self._client.api_client.configuration.host)

    def upload_integration(self, unified_yaml: Path) -> None:
        """`POST /settings/integration-conf/upload`: the file is sent as is, as multipart field `file`."""
        reply = self._call(
            "upload the integration",
            "POST",
            "/settings/integration-conf/upload",
            lambda: self._client.integration_upload(
                file=str(unified_yaml), _request_timeout=self._settings.timeout
            ),
        )
        _unwrap_reply("upload the integration", reply)

    def about(self) -> ServerAbout:
        """`GET /about`: the server's version and product, read before anything is uploaded."""
        reply = self._request("read the server's version", "GET", "/about", None)
        if not isinstance(reply, dict) or not reply.get("demistoVersion"):
            raise DeployFailed(
                f"XSOAR at {self.api_url} did not say its version (GET /about): is this the API URL? "
                "XSOAR 8 and XSIAM serve it at https://api-<your tenant>, with the key's ID"
            )
        return ServerAbout(
            version=str(reply["demistoVersion"]),
            product_mode=str(reply.get("productMode") or ""),
            deployment_mode=str(reply.get("deploymentMode") or ""),
        )

    def search_integrations(self, page: int = 0, size: int = SEARCH_PAGE_SIZE) -> dict[str, Any]:
        """`POST /settings/integration/search`: the integrations' `configurations` and one page of `instances`."""
        reply = self._request(
            "list the integrations and instances",
            "POST",
            "/settings/integration/search",
            {"page": page, "size": size},
        )
        if not isinstance(reply, dict):
            raise DeployFailed(
                f"XSOAR answered the integration search with {type(reply).__name__}, not an object"
            )
        return reply

    def find_instance(self, name: str) -> dict[str, Any] | None:
        """The instance called `name`, searched page by page until found or the pages run out."""
        seen: set[str] = set()
        for page in range(SEARCH_MAX_PAGES):
            instances = [
                item
                for item in self.search_integrations(page).get("instances") or []
                if isinstance(item, Mapping)
            ]
            for instance in instances:
                if instance.get("name") == name:
                    return dict(instance)
            new_ids = {str(item.get("id")) for item in instances} - seen
            # A short page is the last; a page of instances already seen means the server ignores paging.
            if len(instances) < SEARCH_PAGE_SIZE or not new_ids:
                return None
            seen |= new_ids
        return None

    def save_instance(self, instance: Mapping[str, Any]) -> dict[str, Any]:
        """`PUT /settings/integration`: creates the instance (no id) or updates it (its id and version)."""
        reply = self._request("save the instance", "PUT", "/settings/integration", dict(instance))
        return reply if isinstance(reply, dict) else {}

    def test_instance(self, instance: Mapping[str, Any]) -> TestModuleOutcome:
        """`POST /settings/integration/test`: the server runs the instance's test-module."""
        reply = self._request(
            "run test-module",
            "POST",
            "/settings/integration/test",
            dict(instance),
            reported_error_fails=False,
        )
        if not isinstance(reply, dict):
            raise DeployFailed(f"XSOAR answered test-module with {type(reply).__name__}, not an object")
        message = reply.get("message") or reply.get("error") or ""
        return TestModuleOutcome(success=reply.get("success") is True, message=_limited(str(message)))

    def _request(
        self, what: str, method: str, path: str, body: Any, *, reported_error_fails: bool = True
    ) -> Any:
        reply = self._call(
            what,
            method,
            path,
            lambda: demisto_client.generic_request_func(
                self=self._client,
                path=path,
                method=method,
                body=body,
                response_type="object",
                _request_timeout=self._settings.timeout,
            )[0],
        )
        return _unwrap_reply(what, reply, reported_error_fails=reported_error_fails)

    def _call(self, what: str, method: str, path: str, send: Callable[[], Any]) -> Any:
        self._trace(f"{method} {self.api_url}{path}")
        try:
            reply = send()
        except ApiException as exc:
            raise DeployFailed(_refusal_message(what, exc, self._settings)) from None
        except urllib3.exceptions.HTTPError as exc:
            raise DeployFailed(_unreachable_message(what, exc, self.api_url)) from None
        return reply


def _detach_library_log_handler(configuration: Any) -> None:
    """Remove the handler demisto-py's configuration adds to the urllib3 and demisto-py loggers.

    It writes straight to stderr, past the caller's masking; their records still reach the root
    logger, where the command line decides what to show.
    """
    handler = getattr(configuration, "logger_stream_handler", None)
    for logger in (getattr(configuration, "logger", None) or {}).values():
        if handler is not None:
            logger.removeHandler(handler)


def _unwrap_reply(what: str, reply: Any, *, reported_error_fails: bool = True) -> Any:
    """The reply's object. demisto-py turns a 2xx object holding an `error` key into
    {"response": object, "error": its error}: a failure, unless the caller reads the object itself."""
    if not (isinstance(reply, dict) and set(reply) == {"response", "error"}):
        return reply
    if reported_error_fails and reply["error"]:
        raise DeployFailed(f"XSOAR could not {what}: {_limited(str(reply['error']))}")
    return reply["response"]


def _refusal_message(what: str, exc: Any, settings: ServerSettings) -> str:
    status = getattr(exc, "status", None)
    if not status:
        reason = str(getattr(exc, "reason", "") or exc)
        if "CERTIFICATE_VERIFY_FAILED" in reason or "SSLError" in reason:
            return _certificate_message(what, reason, settings.base_url)
        return f"Cannot {what} on XSOAR: {_limited(reason)}"
    detail = _server_message(getattr(exc, "body", None))
    text = f"XSOAR refused to {what}: HTTP {status} {getattr(exc, 'reason', '') or ''}".rstrip()
    if status == 401:
        text += (
            " (is the API key right? XSOAR 8 also needs its key id in DEMISTO_API_KEY_ID or XSOAR_AUTH_ID)"
        )
    return f"{text}: {detail}" if detail else text


def _unreachable_message(what: str, exc: Exception, api_url: str) -> str:
    reason = getattr(exc, "reason", None) or exc
    if isinstance(reason, urllib3.exceptions.SSLError):
        return _certificate_message(what, str(reason), api_url)
    return f"Cannot reach XSOAR at {api_url} to {what}: {_limited(str(reason))}"


def _certificate_message(what: str, reason: str, url: str) -> str:
    return (
        f"Cannot {what}: the TLS connection to {url} failed ({_limited(reason)}). "
        "Pass --ca-cert FILE with the server's CA, or --insecure to skip certificate verification"
    )


def _server_message(body: Any) -> str:
    """The human part of an XSOAR error reply: its `detail`, `error` or `title`, else the raw text."""
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if not body:
        return ""
    try:
        parsed = json.loads(body)
    except ValueError:
        return _limited(str(body).strip())
    if isinstance(parsed, dict):
        for key in ("detail", "error", "title", "message"):
            if parsed.get(key):
                return _limited(str(parsed[key]))
    return _limited(str(body).strip())


def _limited(text: str) -> str:
    return text if len(text) <= _MESSAGE_LIMIT else text[:_MESSAGE_LIMIT] + "…"
