"""A stand-in for the XSOAR endpoints the deploy command calls: it records requests and answers like XSOAR.

State: the integrations' configurations (built from uploaded YAMLs as the server builds them) and the
instances saved. Every request must carry the API key in `Authorization`; with `auth_id` (XSOAR 8)
the paths sit under `/xsoar` and `x-xdr-auth-id` must carry the key id.
"""

from __future__ import annotations

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
        auth_id: str | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.api_key = api_key
        self.auth_id = auth_id
        self.prefix = "/xsoar" if auth_id else ""
        self._ssl_context = ssl_context
        self.requests: list[RecordedRequest] = []
        self.configurations: list[dict[str, Any]] = [json.loads(json.dumps(OTHER_CONFIGURATION))]
        self.instances: list[dict[str, Any]] = []
        # What test-module answers for an instance: (success, message).
        self.test_module: TestModule = lambda _instance: (True, "")
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

    def _answer(self, request: RecordedRequest) -> Response:
        if request.headers.get("Authorization") != self.api_key:
            return _error(401, "Unauthorized", "the API key is missing or wrong")
        if self.auth_id and request.headers.get("X-Xdr-Auth-Id") != self.auth_id:
            return _error(401, "Unauthorized", "the API key id is missing or wrong")
        if not request.path.startswith(self.prefix + "/"):
            return _error(404, "Not Found", f"no such path {request.path}")
        route = (request.method, request.path.removeprefix(self.prefix))
        handlers: dict[tuple[str, str], Callable[[RecordedRequest], Response]] = {
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
        if known:
            configuration["version"] = known[0]["version"] + 1
            self.configurations.remove(known[0])
        self.configurations.append(configuration)
        return _json(configuration)

    def _search(self, _request: RecordedRequest) -> Response:
        return _json({"configurations": self.configurations, "instances": self.instances, "engines": {}})

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
