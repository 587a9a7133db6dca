"""The API's handlers: each parses one kind of request into typed values, asks the backend, and writes
the reply in the wire format (plain-text action replies and 400s, JSON elsewhere, raw message downloads).

`urls.py` says which handler serves which path and method, and which managed module it needs.
"""

from __future__ import annotations

import functools
import json
import re
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

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
from pps_simulator.model import DEFAULT_FOLDER, FINAL_ACTIONS

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


def text_reply(status: int, body: str, headers: dict[str, str] | None = None) -> Response:
    return Response(body, status=status, mimetype="text/plain", headers=headers)


def json_reply(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, mimetype="application/json")


def enduser_error(status: int, message: str) -> Response:
    """The /enduser error body: `{"status": N, "errors": {"invalidarguments": [{"error": "..."}]}}`."""
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


def given_args(request: Request) -> dict[str, str]:
    """The query parameters that carry a value (an empty one counts as not given)."""
    return {name: value for name, value in request.args.items() if value != ""}


EnduserHandler = Callable[..., Response]


def enduser_errors(handler: EnduserHandler) -> EnduserHandler:
    """Backend errors of an /enduser handler as the resource's JSON error bodies."""

    @functools.wraps(handler)
    def answer(*args: Any, **kwargs: Any) -> Response:
        try:
            return handler(*args, **kwargs)
        except NotFound:
            return enduser_error(404, "User not found")
        except UserExists:
            return enduser_error(400, "User already exists")
        except InvalidArgument as error:
            return enduser_error(400, str(error))

    return answer


def json_object_body(request: Request, when_empty: bytes) -> dict[str, Any]:
    """The request's JSON object body (`when_empty` stands for an empty body); 400 for anything else."""
    try:
        body = json.loads(request.get_data(cache=True) or when_empty)
    except ValueError:
        raise InvalidArgument("body", "not JSON") from None
    if not isinstance(body, dict):
        raise InvalidArgument("body", "expected a JSON object")
    return body


def enduser_body(request: Request) -> dict[str, Any]:
    """An /enduser write: an empty body changes nothing."""
    return json_object_body(request, when_empty=b"{}")


class PPSResponses:
    """One handler per API operation, `(request, user, **path values) -> Response`; raise InvalidArgument for 400."""

    def __init__(self, backend: PPSBackend) -> None:
        self.backend = backend

    # ---- GET /pss/health, /pss/filter ------------------------------------------------------------------
    def health(self, request: Request, user: str) -> Response:
        return json_reply({"status": "ok"})

    def smart_search(self, request: Request, user: str) -> Response:
        args = given_args(request)
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
    def search_quarantine(self, request: Request, user: str) -> Response:
        """GET /quarantine: a search, or with `guid` the raw message."""
        if "guid" in request.args:
            return self.download(request.args["guid"])
        args = given_args(request)
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

    def act_on_quarantine(self, request: Request, user: str) -> Response:
        """POST /quarantine: release, resubmit, forward, move or delete."""
        body = json_object_body(request, when_empty=b"null")  # an action needs a body
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
    @enduser_errors
    def get_enduser(self, request: Request, user: str, ident: str) -> Response:
        return json_reply(self.backend.get_enduser(ident))

    @enduser_errors
    def create_enduser(self, request: Request, user: str, ident: str) -> Response:
        return json_reply(self.backend.create_enduser(ident, enduser_body(request)))

    @enduser_errors
    def modify_enduser(self, request: Request, user: str, ident: str) -> Response:
        return json_reply(self.backend.update_enduser(ident, enduser_body(request)))

    @enduser_errors
    def delete_enduser(self, request: Request, user: str, ident: str) -> Response:
        self.backend.delete_enduser(ident)
        return json_reply({"status": 200, "message": "User deleted"})
