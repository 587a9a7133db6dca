"""The WSGI application: records each request, applies faults, checks the user and the managed module,
and dispatches through the route table of `urls.py` to the handlers of `responses.py` and `control.py`.

The state and its rules live in `PPSBackend`; the wire format in the handlers.
"""

from __future__ import annotations

import hmac
import json
import socket
import threading
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.exceptions import NotFound as RouteNotFound
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from pps_simulator.backend import InvalidArgument, PPSBackend
from pps_simulator.control import ControlResponses
from pps_simulator.faults import Fault, FaultRegistry
from pps_simulator.paths import API_PREFIX, CONTROL_PREFIX, api_path, is_control_path
from pps_simulator.requestlog import RecordedRequest, RequestLog
from pps_simulator.responses import PPSResponses, text_reply
from pps_simulator.urls import API_ROUTES, CONTROL_ROUTES, Route
from pps_simulator.users import DEFAULT_USERS, User

REALM = 'Basic realm="Proofpoint Protection Server REST API"'
MALFORMED_JSON = '{"result": [{"GUID": "'


def route_map(prefix: str, routes: Iterable[Route]) -> Map:
    """A Werkzeug map whose endpoints are the routes themselves."""
    return Map(
        [Rule(prefix + route.path, endpoint=route, methods=[route.method]) for route in routes],
        merge_slashes=False,  # a doubled slash is the client's bug: answer 404, do not redirect
        strict_slashes=False,
    )


def drop_connection(environ: dict[str, Any]) -> None:
    """Close the client's connection without a reply (werkzeug's server then ends the request quietly)."""
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    raise ConnectionAbortedError("connection dropped by a simulator fault")


def fault_reply(fault: Fault) -> Response:
    status = fault.status or 200
    reason = HTTP_STATUS_CODES.get(status, "Error")
    headers: dict[str, str] = {}
    if fault.retry_after is not None:
        retry = fault.retry_after
        headers["Retry-After"] = str(int(retry) if isinstance(retry, float) and retry.is_integer() else retry)
    if status == 401:
        headers["WWW-Authenticate"] = REALM
    if fault.body == "malformed":
        return Response(MALFORMED_JSON, status=status, mimetype="application/json", headers=headers)
    if fault.body == "html":
        page = (
            f"<!DOCTYPE html>\n<html><head><title>{status} {reason}</title></head>\n"
            f"<body><h1>{reason}</h1><p>The proxy server could not handle the request.</p></body></html>\n"
        )
        return Response(page, status=status, mimetype="text/html", headers=headers)
    return text_reply(status, fault.body if fault.body is not None else reason, headers)


class PPSApplication:
    """The WSGI application: one per simulator, shared by the server's threads."""

    def __init__(
        self,
        backend: PPSBackend,
        faults: FaultRegistry,
        log: RequestLog,
        users: dict[str, User] | None = None,
        stopping: threading.Event | None = None,
    ) -> None:
        self.backend = backend
        self.faults = faults
        self.log = log
        self.users = users if users is not None else DEFAULT_USERS
        self.stopping = stopping or threading.Event()
        self.responses = PPSResponses(backend)
        self.control = ControlResponses(backend, faults, log)
        self.api_map = route_map(API_PREFIX, API_ROUTES)
        self.control_map = route_map(CONTROL_PREFIX, CONTROL_ROUTES)

    # ---- WSGI ----------------------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        if is_control_path(request.path):
            return self.dispatch_control(request)(environ, start_response)
        record = self.record(request)
        fault = self.faults.take(request.method, request.path)
        if fault is not None and fault.latency:
            self.stopping.wait(fault.latency)
        if fault is not None and fault.replaces_reply and not fault.after_action:
            if fault.drop:
                drop_connection(environ)
            response = fault_reply(fault)
        else:
            response = self.dispatch(request)
            if fault is not None and fault.replaces_reply:
                response.close()  # the action is done; its reply is lost or spoilt
                if fault.drop:
                    drop_connection(environ)
                response = fault_reply(fault)
        record.status = response.status_code
        # Werkzeug shouts reason phrases ("NOT FOUND"); servers of this kind write them as the RFC does.
        response.status = f"{response.status_code} {HTTP_STATUS_CODES.get(response.status_code, 'Unknown')}"
        return response(environ, start_response)

    def record(self, request: Request) -> RecordedRequest:
        body = request.get_data(cache=True)
        parsed: Any = None
        if body:
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None
        auth = request.authorization
        item = RecordedRequest(
            method=request.method,
            path=request.path,
            query=request.args.to_dict(flat=True),
            json=parsed,
            user=auth.username if auth is not None else None,
            headers=dict(request.headers.items()),
            body=body,
            raw_uri=str(request.environ.get("RAW_URI") or request.full_path),
        )
        self.log.append(item)
        return item

    def match(self, routes: Map, request: Request) -> tuple[Route, dict[str, Any]] | Response:
        """The route and path values for the request, or the 404/405 reply."""
        try:
            route, values = routes.bind_to_environ(request.environ).match()
            assert isinstance(route, Route)
        except RouteNotFound:
            return text_reply(404, "Not Found")
        except MethodNotAllowed as error:
            return text_reply(405, "Method Not Allowed", {"Allow": ", ".join(error.valid_methods or [])})
        except HTTPException as error:
            return text_reply(error.code or 400, error.description or "Bad Request")
        return route, dict(values)

    def dispatch(self, request: Request) -> Response:
        if not request.path.startswith(API_PREFIX + "/"):
            return text_reply(404, "Not Found")
        user = self.authenticate(request)
        if user is None:
            return text_reply(401, "Unauthorized", {"WWW-Authenticate": REALM})
        matched = self.match(self.api_map, request)
        if isinstance(matched, Response):
            return matched
        route, values = matched
        if route.module is not None and route.module not in self.users[user].modules:
            return text_reply(403, f"Forbidden: the role of {user} does not manage the {route.module} module")
        try:
            return route.handler(self.responses, request, user, **values)
        except InvalidArgument as error:
            return text_reply(400, str(error))

    def authenticate(self, request: Request) -> str | None:
        auth = request.authorization
        if auth is None or auth.type != "basic" or not auth.username:
            return None
        user = self.users.get(auth.username)
        if user is None or not hmac.compare_digest(user.password.encode(), (auth.password or "").encode()):
            return None
        return auth.username

    def dispatch_control(self, request: Request) -> Response:
        matched = self.match(self.control_map, request)
        if isinstance(matched, Response):
            return matched
        route, values = matched
        return route.handler(self.control, request, **values)


# Kept importable from here for callers of earlier versions.
__all__ = ["DEFAULT_USERS", "PPSApplication", "RecordedRequest", "RequestLog", "User", "api_path"]
