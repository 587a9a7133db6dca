"""The HTTP layer: parses PPS REST requests, checks users, applies faults, formats the replies.

The state and its rules live in `PPSBackend`; this module only speaks the wire format of
shared/spec/pps-rest-api.md (plain-text action replies and 400s, JSON elsewhere, raw message downloads).
"""

from __future__ import annotations

import hmac
import json
import re
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.exceptions import NotFound as RouteNotFound
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from pps_simulator.backend import (
    DEFAULT_QUARANTINE_LIMIT,
    DEFAULT_SEARCH_COUNT,
    MAX_QUARANTINE_LIMIT,
    InvalidArgument,
    NotFound,
    PPSBackend,
    UserExists,
    split_list,
)
from pps_simulator.faults import API_PREFIX, CONTROL_PREFIX, Fault, FaultRegistry, api_path, path_matches
from pps_simulator.model import DEFAULT_FOLDER, FINAL_ACTIONS

REALM = 'Basic realm="Proofpoint Protection Server REST API"'
FILTER_TIME_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})([+-])(\d{2})(\d{2})$")
QUARANTINE_TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
ACTION_OPTIONS = (
    "deletedfolder",
    "scan",
    "brandtemplate",
    "securitypolicy",
    "targetfolder",
    "to",
    "from",
    "headerfrom",
    "subject",
    "appendoldsubject",
    "comment",
)
ACTION_REPLIES = {"release": "released", "resubmit": "resubmitted", "forward": "forwarded"}
MALFORMED_JSON = '{"result": [{"GUID": "'


@dataclass(frozen=True)
class User:
    password: str
    modules: frozenset[str]


# The fixed demo users of docs/CONTRACTS.md. `admin` also manages the (assumed) `enduser` module.
DEFAULT_USERS: dict[str, User] = {
    "admin": User("Simulat0r!admin", frozenset({"pss", "Quarantine", "enduser"})),
    "pss-only": User("Simulat0r!pss", frozenset({"pss"})),
}


@dataclass
class RecordedRequest:
    """One request as the simulator received it."""

    method: str
    path: str  # decoded, without the query, e.g. /rest/v1/quarantine
    query: dict[str, str]
    json: Any  # the parsed JSON body, None when there is none or it is not JSON
    user: str | None  # the Basic-auth user name sent, right or wrong
    headers: dict[str, str]
    body: bytes
    raw_uri: str  # path and query exactly as sent (still percent-encoded)
    time: float = field(default_factory=time.time)
    status: int | None = None  # the status answered; None while running or when the connection was dropped

    @property
    def username(self) -> str | None:
        return self.user


class RequestLog:
    """Every API request received, in order; safe to read while the server runs."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[RecordedRequest] = []

    def append(self, item: RecordedRequest) -> None:
        with self._lock:
            self._items.append(item)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def snapshot(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._items)

    def __iter__(self) -> Iterator[RecordedRequest]:
        return iter(self.snapshot())

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def __getitem__(self, index: int) -> RecordedRequest:
        with self._lock:
            return self._items[index]

    def filter(self, method: str | None = None, path: str | None = None) -> list[RecordedRequest]:
        """Requests with this method (None: any) to this path or below it (with or without /rest/v1)."""
        return [
            item
            for item in self.snapshot()
            if (method is None or item.method == method.upper()) and path_matches(path, item.path)
        ]

    def count(self, method: str | None = None, path: str | None = None) -> int:
        return len(self.filter(method, path))


def text_reply(status: int, body: str, headers: dict[str, str] | None = None) -> Response:
    return Response(body, status=status, mimetype="text/plain", headers=headers)


def json_reply(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, mimetype="application/json")


def enduser_error(status: int, message: str) -> Response:
    return json_reply({"status": status, "errors": {"invalidarguments": [{"error": message}]}}, status)


def parse_filter_time(name: str, value: str) -> datetime:
    """A smart-search `from`/`to`: `YYYY-MM-DDTHH:MM:SS±HHMM`, no colon in the offset (as 8.14.2 wants)."""
    match = FILTER_TIME_RE.match(value)
    if not match:
        raise InvalidArgument(name, f"expected YYYY-MM-DDTHH:MM:SS+HHMM, got {value!r}")
    year, month, day, hour, minute, second, sign, off_h, off_m = match.groups()
    offset = timedelta(hours=int(off_h), minutes=int(off_m)) * (1 if sign == "+" else -1)
    try:
        return datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=timezone(offset)
        )
    except ValueError as error:
        raise InvalidArgument(name, str(error)) from None


def parse_quarantine_time(name: str, value: str) -> datetime:
    """A quarantine `startdate`/`enddate`: `YYYY-MM-DD HH:MM:SS`, taken as UTC."""
    if not QUARANTINE_TIME_RE.match(value):
        raise InvalidArgument(name, f"expected YYYY-MM-DD HH:MM:SS, got {value!r}")
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
    except ValueError as error:
        raise InvalidArgument(name, str(error)) from None


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


Handler = Callable[..., Response]


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
        self.api = Map(
            [
                Rule(f"{API_PREFIX}/pss/health", endpoint="health", methods=["GET"]),
                Rule(f"{API_PREFIX}/pss/filter", endpoint="smart_search", methods=["GET"]),
                Rule(f"{API_PREFIX}/quarantine", endpoint="quarantine_get", methods=["GET"]),
                Rule(f"{API_PREFIX}/quarantine", endpoint="quarantine_post", methods=["POST"]),
                Rule(
                    f"{API_PREFIX}/enduser/<path:ident>",  # the decoded segment may hold a `/`
                    endpoint="enduser",
                    methods=["GET", "POST", "PUT", "DELETE"],
                ),
            ],
            merge_slashes=False,  # a doubled slash is the client's bug: answer 404, do not redirect
            strict_slashes=False,
        )
        self.modules = {
            "health": "pss",
            "smart_search": "pss",
            "quarantine_get": "Quarantine",
            "quarantine_post": "Quarantine",
            "enduser": "enduser",
        }
        self.control = Map(
            [
                Rule(f"{CONTROL_PREFIX}/faults", endpoint="faults", methods=["GET", "POST", "DELETE"]),
                Rule(f"{CONTROL_PREFIX}/faults/<int:fault_id>", endpoint="fault", methods=["DELETE"]),
                Rule(f"{CONTROL_PREFIX}/actions", endpoint="actions", methods=["GET"]),
                Rule(f"{CONTROL_PREFIX}/arrivals", endpoint="arrivals", methods=["GET", "POST"]),
                Rule(f"{CONTROL_PREFIX}/requests", endpoint="requests", methods=["GET", "DELETE"]),
            ],
            merge_slashes=False,
            strict_slashes=False,
        )

    # ---- WSGI ----------------------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        if request.path == CONTROL_PREFIX or request.path.startswith(CONTROL_PREFIX + "/"):
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

    def dispatch(self, request: Request) -> Response:
        if not request.path.startswith(API_PREFIX + "/"):
            return text_reply(404, "Not Found")
        user = self.authenticate(request)
        if user is None:
            return text_reply(401, "Unauthorized", {"WWW-Authenticate": REALM})
        try:
            endpoint, values = self.api.bind_to_environ(request.environ).match()
        except RouteNotFound:
            return text_reply(404, "Not Found")
        except MethodNotAllowed as error:
            return text_reply(405, "Method Not Allowed", {"Allow": ", ".join(error.valid_methods or [])})
        except HTTPException as error:
            return text_reply(error.code or 400, error.description or "Bad Request")
        module = self.modules[str(endpoint)]
        if module not in self.users[user].modules:
            return text_reply(403, f"Forbidden: the role of {user} does not manage the {module} module")
        handler: Handler = getattr(self, str(endpoint))
        try:
            return handler(request, user, **values)
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

    # ---- GET /pss/health, /pss/filter ------------------------------------------------------------------
    def health(self, request: Request, user: str) -> Response:
        return json_reply({"status": "ok"})

    def smart_search(self, request: Request, user: str) -> Response:
        args = {name: value for name, value in request.args.items() if value != ""}
        action = args.get("action")
        if action is not None and action not in FINAL_ACTIONS:
            raise InvalidArgument("action")
        count = DEFAULT_SEARCH_COUNT
        if "count" in args:
            if not args["count"].isdigit() or int(args["count"]) < 1:
                raise InvalidArgument("count")
            count = int(args["count"])
        result = self.backend.search_trace(
            action=action,
            start=parse_filter_time("from", args["from"]) if "from" in args else None,
            end=parse_filter_time("to", args["to"]) if "to" in args else None,
            virus=split_list(args.get("virus")),
            env_from=args.get("env_from"),
            env_rcpt=args.get("env_rcpt"),
            attach=split_list(args.get("attach")),
            qid=args.get("qid"),
            sid=args.get("sid"),
            guid=args.get("guid"),
            host=args.get("host"),
            subject=args.get("subject"),
            hdr_mid=args.get("hdr_mid"),
            count=count,
        )
        return json_reply({"result": result})

    # ---- /quarantine ------------------------------------------------------------------------------------
    def quarantine_get(self, request: Request, user: str) -> Response:
        if "guid" in request.args:
            return self.download(request.args["guid"])
        args = {name: value for name, value in request.args.items() if value != ""}
        messagestatus = args.get("messagestatus", "f")
        if messagestatus not in ("t", "f"):
            raise InvalidArgument("messagestatus")
        dlpviolation = args.get("dlpviolation")
        if dlpviolation not in (None, "t", "f", "details"):
            raise InvalidArgument("dlpviolation")
        limit = DEFAULT_QUARANTINE_LIMIT
        if "limit" in args:
            if not args["limit"].isdigit() or not 1 <= int(args["limit"]) <= MAX_QUARANTINE_LIMIT:
                raise InvalidArgument("limit", f"1 to {MAX_QUARANTINE_LIMIT}")
            limit = int(args["limit"])
        records = self.backend.search_quarantine(
            folder=args.get("folder", DEFAULT_FOLDER),
            sender=args.get("from"),
            rcpt=args.get("rcpt"),
            subject=args.get("subject"),
            start=parse_quarantine_time("startdate", args["startdate"]) if "startdate" in args else None,
            end=parse_quarantine_time("enddate", args["enddate"]) if "enddate" in args else None,
            messagestatus=messagestatus == "t",
            dlpviolation=None if dlpviolation == "f" else dlpviolation,
            limit=limit,
        )
        meta = {"queryid": str(uuid.uuid4()), "query_params": request.args.to_dict(flat=True), "limit": limit}
        return json_reply({"count": len(records), "meta": meta, "records": records})

    def download(self, guid: str) -> Response:
        if not guid:
            raise InvalidArgument("guid")
        opened = self.backend.open_raw(guid)
        if opened is None:
            return text_reply(404, f"Message {guid} not found")
        size, chunks = opened
        return Response(
            chunks,
            status=200,
            mimetype="message/rfc822",
            headers={
                "Content-Length": str(size),
                "Content-Disposition": f'attachment; filename="{guid}.eml"',
            },
            direct_passthrough=True,
        )

    def quarantine_post(self, request: Request, user: str) -> Response:
        try:
            body = json.loads(request.get_data(cache=True) or b"null")
        except ValueError:
            raise InvalidArgument("body", "not JSON") from None
        if not isinstance(body, dict):
            raise InvalidArgument("body", "expected a JSON object")
        for name, value in body.items():
            if not isinstance(value, str):
                raise InvalidArgument(name, "expected a string")  # the API takes strings only, no nulls
        action = body.get("action")
        if not action:
            raise InvalidArgument("action")
        options = {name: body[name] for name in ACTION_OPTIONS if name in body}
        self.backend.apply_action(action, body.get("folder"), body.get("localguid"), user=user, **options)
        localguid = body["localguid"]
        if action in ACTION_REPLIES:
            return text_reply(
                200, f"Request sent. Message {localguid} will be {ACTION_REPLIES[action]} momentarily"
            )
        verb = "moved" if action == "move" else "deleted"
        return json_reply({"status": f"Successfully {verb} message {localguid}"})

    # ---- /enduser/{email or uid} -----------------------------------------------------------------------
    def enduser(self, request: Request, user: str, ident: str) -> Response:
        try:
            if request.method == "GET":
                return json_reply(self.backend.get_enduser(ident))
            if request.method == "DELETE":
                self.backend.delete_enduser(ident)
                return json_reply({"status": 200, "message": "User deleted"})
            try:
                fields = json.loads(request.get_data(cache=True) or b"{}")
            except ValueError:
                return enduser_error(400, "Invalid request body")
            if not isinstance(fields, dict):
                return enduser_error(400, "Invalid request body")
            if request.method == "POST":
                return json_reply(self.backend.create_enduser(ident, fields))
            return json_reply(self.backend.update_enduser(ident, fields))
        except NotFound:
            return enduser_error(404, "User not found")
        except UserExists:
            return enduser_error(400, "User already exists")
        except InvalidArgument as error:
            return enduser_error(400, str(error))

    # ---- /_simulator (no auth, never faulted or recorded) -----------------------------------------------
    def arrivals(self, request: Request) -> Response:
        """GET: how many arrivals so far. POST `{"count", "folders", "at" | "seconds_ago"}`: quarantine now."""
        if request.method == "GET":
            return json_reply({"arrivals": self.backend.arrivals_count()})
        try:
            spec = json.loads(request.get_data() or b"{}")
            if not isinstance(spec, dict):
                raise ValueError("expected a JSON object")
            unknown = set(spec) - {"count", "folders", "at", "seconds_ago"}
            if unknown:
                raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}")
            count = spec.get("count", 1)
            folders = spec.get("folders", DEFAULT_FOLDER)
            at: Any = None
            if "at" in spec and "seconds_ago" in spec:
                raise ValueError("give at or seconds_ago, not both")
            if "at" in spec:
                at = parse_quarantine_time("at", str(spec["at"]))
            elif "seconds_ago" in spec:
                ago = spec["seconds_ago"]
                if not isinstance(ago, (int, float)) or isinstance(ago, bool) or ago < 0:
                    raise ValueError("seconds_ago must be a number of seconds >= 0")
                at = time.time() - ago
            if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 10000:
                raise ValueError("count must be a whole number from 1 to 10000")
            if not isinstance(folders, (str, list)) or not folders:
                raise ValueError("folders must be a folder name or a list of them")
            records = self.backend.quarantine_new(count, folders=folders, at=at)
        except (ValueError, InvalidArgument) as error:
            return text_reply(400, f"Invalid arrivals: {error}")
        except NotFound as error:
            return text_reply(400, f"Invalid arrivals: unknown {error} (folder names are case-sensitive)")
        return json_reply({"records": records}, 201)

    def dispatch_control(self, request: Request) -> Response:
        try:
            endpoint, values = self.control.bind_to_environ(request.environ).match()
        except HTTPException as error:
            return text_reply(error.code or 404, error.description or "Not Found")
        if endpoint == "faults":
            if request.method == "GET":
                return json_reply({"faults": [fault.to_dict() for fault in self.faults.list()]})
            if request.method == "DELETE":
                return json_reply({"cleared": self.faults.clear()})
            try:
                spec = json.loads(request.get_data() or b"null")
                if isinstance(spec, list):
                    added = [self.faults.add_from_json(item) for item in spec]
                    return json_reply({"faults": [fault.to_dict() for fault in added]}, 201)
                if not isinstance(spec, dict):
                    raise ValueError("expected a JSON object (or a list of them) describing the fault")
                return json_reply(self.faults.add_from_json(spec).to_dict(), 201)
            except (ValueError, TypeError) as error:
                return text_reply(400, f"Invalid fault: {error}")
        if endpoint == "fault":
            if self.faults.remove(values["fault_id"]):
                return json_reply({"removed": values["fault_id"]})
            return text_reply(404, "No such fault")
        if endpoint == "actions":
            return json_reply({"actions": self.backend.actions(request.args.get("action"))})
        if endpoint == "arrivals":
            return self.arrivals(request)
        if request.method == "DELETE":
            self.log.clear()
            return json_reply({"cleared": True})
        return json_reply(
            {
                "requests": [
                    {
                        "method": item.method,
                        "path": item.path,
                        "query": item.query,
                        "json": item.json,
                        "user": item.user,
                        "status": item.status,
                        "time": item.time,
                    }
                    for item in self.log
                ]
            }
        )


__all__ = ["DEFAULT_USERS", "PPSApplication", "RecordedRequest", "RequestLog", "User", "api_path"]
