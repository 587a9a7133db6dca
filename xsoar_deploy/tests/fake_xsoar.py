"""A stand-in for the XSOAR endpoints the deploy command calls: it records requests and answers as
XSOAR 6, XSOAR 8 or XSIAM does (`kind`).

State: the integrations' configurations (built from uploaded YAMLs as the server builds them) and the
instances saved. XSOAR 6 takes a standard key as is in `Authorization`. XSOAR 8 and XSIAM serve the
API under `/xsoar` and want the key's id in `x-xdr-auth-id`; an advanced key (`advanced=True`) is
never sent: each request carries a nonce, a timestamp and `Authorization` = sha256(key + nonce +
timestamp). `/about` tells the version and product as each server does; the integration search
pages its instances by `page` and `size`.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import ssl
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

TestModule = Callable[[Mapping[str, Any]], tuple[bool, str]]

# An integration the server has besides ours, so lookups must pick the right one.
OTHER_CONFIGURATION: dict[str, Any] = {
    "id": "Other Mail Gateway",
    "name": "Other Mail Gateway",
    "display": "Other Mail Gateway",
    "category": "Email",
    "version": 3,
    "configuration": [
        {"name": "url", "display": "URL", "type": 0, "required": True, "defaultValue": "", "hidden": False},
    ],
    "integrationScript": {"type": "python", "subtype": "python3", "commands": []},
}


# What GET /about answers on each kind of server (the fields demisto-sdk reads).
ABOUT: dict[str, dict[str, str]] = {
    "xsoar6": {"demistoVersion": "6.14.0", "buildNum": "1203598"},
    "xsoar8": {"demistoVersion": "8.9.0", "productMode": "xsoar", "deploymentMode": "saas"},
    "xsiam": {"demistoVersion": "8.9.0", "productMode": "xsiam", "deploymentMode": "saas"},
}
# The official integration, as a server with the official Proofpoint pack lists it.
OFFICIAL_PROOFPOINT_CONFIGURATION: dict[str, Any] = {
    "id": "Proofpoint Protection Server v2",
    "name": "Proofpoint Protection Server v2",
    "display": "Proofpoint Protection Server v2",
    "category": "Email",
    "version": 1,
    "system": False,
    "packID": "ProofpointProtectionServer",
    "configuration": [
        {
            "name": "url",
            "display": "Server URL",
            "type": 0,
            "required": True,
            "defaultValue": "",
            "hidden": False,
        },
    ],
    "integrationScript": {
        "type": "python",
        "subtype": "python3",
        "commands": [
            {"name": "proofpoint-pps-smart-search"},
            {"name": "proofpoint-pps-list-quarantined-messages"},
            {"name": "proofpoint-pps-release-message"},
        ],
    },
}


class QuietRequestHandler(WSGIRequestHandler):
    """No access log on stderr: the requests are recorded instead."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    json: Any = None
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)


class FakeXsoar:
    def __init__(
        self,
        api_key: str,
        *,
        kind: str = "xsoar6",
        auth_id: str | None = None,
        advanced: bool = False,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        if kind not in ABOUT:
            raise ValueError(f"kind must be one of {sorted(ABOUT)}")
        if (kind != "xsoar6" or advanced) and not auth_id:
            raise ValueError("XSOAR 8, XSIAM and advanced keys need an auth_id")
        self.api_key = api_key
        self.kind = kind
        self.auth_id = auth_id
        self.advanced = advanced
        self.prefix = "" if kind == "xsoar6" else "/xsoar"
        self.about = dict(ABOUT[kind])
        self._ssl_context = ssl_context
        self.requests: list[RecordedRequest] = []
        self.configurations: list[dict[str, Any]] = [json.loads(json.dumps(OTHER_CONFIGURATION))]
        self.instances: list[dict[str, Any]] = []
        # What test-module answers for an instance: (success, message).
        self.test_module: TestModule = lambda _instance: (True, "")
        # Set to answer every search page with all the instances, as a server without paging would.
        self.ignore_paging = False
        # Set to make the next upload fail with this status and message.
        self.upload_failure: tuple[int, str] | None = None
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        scheme = "https" if self._ssl_context else "http"
        return f"{scheme}://127.0.0.1:{self._server.server_port}"

    def __enter__(self) -> FakeXsoar:
        self._server = make_server(
            "127.0.0.1",
            0,
            self._app,
            threaded=True,
            request_handler=QuietRequestHandler,
            ssl_context=self._ssl_context,
        )
        # A short poll interval: shutdown() waits for the loop's next poll.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        assert self._server is not None and self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def requests_to(self, method: str, path: str) -> list[RecordedRequest]:
        return [request for request in self.requests if request.method == method and request.path == path]

    def add_instance(self, instance: Mapping[str, Any]) -> dict[str, Any]:
        """Put an instance on the server as if someone had configured it in the UI."""
        stored = {"id": f"instance-{next(self._ids)}", "version": 1, "enabled": "true", **instance}
        self.instances.append(stored)
        return stored

    def configuration(self, integration_id: str) -> dict[str, Any]:
        return next(item for item in self.configurations if item["id"] == integration_id)

    # The HTTP layer.

    def _app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        files = {key: (storage.filename or "", storage.read()) for key, storage in request.files.items()}
        recorded = RecordedRequest(
            method=request.method,
            path=request.path,
            headers=dict(request.headers.items()),
            json=request.get_json(silent=True),
            files=files,
        )
        with self._lock:
            self.requests.append(recorded)
            response = self._answer(recorded)
        return response(environ, start_response)

    def _authorized(self, request: RecordedRequest) -> bool:
        authorization = request.headers.get("Authorization")
        if self.advanced:
            nonce = request.headers.get("X-Xdr-Nonce", "")
            timestamp = request.headers.get("X-Xdr-Timestamp", "")
            expected = hashlib.sha256(f"{self.api_key}{nonce}{timestamp}".encode()).hexdigest()
            return bool(nonce and timestamp) and authorization == expected
        return authorization == self.api_key

    def _answer(self, request: RecordedRequest) -> Response:
        if not self._authorized(request):
            return _error(401, "Unauthorized", "the API key is missing or wrong")
        if self.auth_id and request.headers.get("X-Xdr-Auth-Id") != self.auth_id:
            return _error(401, "Unauthorized", "Public API request unauthorized")
        if not request.path.startswith(self.prefix + "/"):
            return _error(404, "Not Found", f"no such path {request.path}")
        route = (request.method, request.path.removeprefix(self.prefix))
        handlers: dict[tuple[str, str], Callable[[RecordedRequest], Response]] = {
            ("GET", "/about"): lambda _request: _json(self.about),
            ("POST", "/settings/integration-conf/upload"): self._upload,
            ("POST", "/settings/integration/search"): self._search,
            ("PUT", "/settings/integration"): self._save_instance,
            ("POST", "/settings/integration/test"): self._test,
        }
        handler = handlers.get(route)
        if handler is None:
            return _error(404, "Not Found", f"no such path {request.path}")
        return handler(request)

    def _upload(self, request: RecordedRequest) -> Response:
        if self.upload_failure:
            status, message = self.upload_failure
            return _error(status, "Bad Request", message)
        if "file" not in request.files:
            return _error(400, "Bad Request", "missing the file field")
        try:
            document = yaml.safe_load(request.files["file"][1])
        except yaml.YAMLError as exc:
            return _error(400, "Bad Request", f"cannot parse the integration: {exc}")
        script = (document or {}).get("script") or {}
        if not script.get("script") or script.get("script") == "-":
            return _error(400, "Bad Request", "integration script is empty")
        configuration = _configuration_from_yaml(document)
        known = [item for item in self.configurations if item["id"] == configuration["id"]]
        if known and (known[0].get("system") or known[0].get("packID")):
            # As the server answers an upload over an integration that a pack installed.
            return _error(400, "Bad Request", f"Cannot override system integration {configuration['id']}")
        if known:
            configuration["version"] = known[0]["version"] + 1
            self.configurations.remove(known[0])
        self.configurations.append(configuration)
        return _json(configuration)

    def _search(self, request: RecordedRequest) -> Response:
        body = request.json if isinstance(request.json, dict) else {}
        page, size = int(body.get("page") or 0), int(body.get("size") or len(self.instances) or 1)
        instances = self.instances if self.ignore_paging else self.instances[page * size : (page + 1) * size]
        return _json({"configurations": self.configurations, "instances": instances, "engines": {}})

    def _save_instance(self, request: RecordedRequest) -> Response:
        body = request.json
        if not isinstance(body, dict) or not body.get("name") or not isinstance(body.get("data"), list):
            return _error(400, "Bad Request", "an instance needs a name and data")
        if not any(item["name"] == body.get("brand") for item in self.configurations):
            return _error(400, "Bad Request", f"no integration named {body.get('brand')!r}")
        stored_fields = {
            key: body[key]
            for key in ("name", "brand", "category", "data", "enabled", "engine", "isIntegrationScript")
            if key in body
        }
        stored_fields["configvalues"] = {entry["name"]: entry.get("value") for entry in body["data"]}
        if not body.get("id"):
            if any(instance["name"] == body["name"] for instance in self.instances):
                return _error(400, "Bad Request", f"Instance name {body['name']} already exists")
            instance = {"id": f"instance-{next(self._ids)}", "version": 1, **stored_fields}
            self.instances.append(instance)
            return _json(instance)
        found = [instance for instance in self.instances if instance["id"] == body["id"]]
        if not found:
            return _error(404, "Not Found", f"no instance {body['id']}")
        instance = found[0]
        if body.get("version") not in (-1, instance["version"]):
            return _error(400, "Bad Request", "DB version conflict: the instance was changed meanwhile")
        instance.update(stored_fields)
        instance["version"] += 1
        return _json(instance)

    def _test(self, request: RecordedRequest) -> Response:
        success, message = self.test_module(request.json or {})
        return _json({"success": success, "message": message})


def _configuration_from_yaml(document: Mapping[str, Any]) -> dict[str, Any]:
    """The integration's configuration as the server lists it after an upload (camelCase keys)."""
    fields = [
        {
            "name": param["name"],
            "display": param.get("display", ""),
            "displayPassword": param.get("displaypassword", ""),
            "type": param.get("type", 0),
            "required": bool(param.get("required")),
            "hidden": bool(param.get("hidden")),
            "defaultValue": str(param.get("defaultvalue", "")),
            "options": param.get("options"),
            "info": param.get("additionalinfo", ""),
        }
        for param in document.get("configuration") or []
    ]
    script = document.get("script") or {}
    return {
        "id": document["commonfields"]["id"],
        "name": document["name"],
        "display": document.get("display", document["name"]),
        "category": document.get("category", ""),
        "description": document.get("description", ""),
        "version": 1,
        "configuration": fields,
        "integrationScript": {
            "type": script.get("type"),
            "subtype": script.get("subtype"),
            "dockerImage": script.get("dockerimage"),
            "isFetch": bool(script.get("isfetch")),
            "commands": [{"name": command["name"]} for command in script.get("commands") or []],
        },
    }


def _json(payload: Any, status: int = 200) -> Response:
    return Response(json.dumps(payload), status=status, mimetype="application/json")


def _error(status: int, title: str, detail: str) -> Response:
    """An error reply shaped like the server's."""
    return _json(
        {
            "id": title.lower().replace(" ", "_"),
            "status": status,
            "title": title,
            "detail": detail,
            "error": detail,
        },
        status,
    )
