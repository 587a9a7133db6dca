"""The simulator's own endpoints under /_simulator: faults, the action log, the request log, arrivals.

No auth, never faulted and never recorded, so a test or a demo can steer a server in another process.
"""

from __future__ import annotations

import json
import time
from typing import Any

from werkzeug.wrappers import Request, Response

from pps_simulator.backend import InvalidArgument, NotFound, PPSBackend
from pps_simulator.faults import FaultRegistry
from pps_simulator.model import DEFAULT_FOLDER
from pps_simulator.requestlog import RequestLog
from pps_simulator.responses import json_reply, parse_quarantine_time, text_reply

MAX_ARRIVALS_AT_ONCE = 10000
ARRIVAL_FIELDS = frozenset({"count", "folders", "at", "seconds_ago"})


class ControlResponses:
    """One handler per control operation, `(request, **path values) -> Response`."""

    def __init__(self, backend: PPSBackend, faults: FaultRegistry, log: RequestLog) -> None:
        self.backend = backend
        self.faults = faults
        self.log = log

    # ---- faults ---------------------------------------------------------------------------------------
    def list_faults(self, request: Request) -> Response:
        return json_reply({"faults": [fault.to_dict() for fault in self.faults.list()]})

    def add_faults(self, request: Request) -> Response:
        """POST a fault object (the keys of `FaultRegistry.add`) or a list of them."""
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

    def clear_faults(self, request: Request) -> Response:
        return json_reply({"cleared": self.faults.clear()})

    def remove_fault(self, request: Request, fault_id: int) -> Response:
        if self.faults.remove(fault_id):
            return json_reply({"removed": fault_id})
        return text_reply(404, "No such fault")

    # ---- what happened --------------------------------------------------------------------------------
    def list_actions(self, request: Request) -> Response:
        return json_reply({"actions": self.backend.actions(request.args.get("action"))})

    def list_requests(self, request: Request) -> Response:
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

    def clear_requests(self, request: Request) -> Response:
        self.log.clear()
        return json_reply({"cleared": True})

    # ---- arrivals -------------------------------------------------------------------------------------
    def count_arrivals(self, request: Request) -> Response:
        return json_reply({"arrivals": self.backend.arrivals_count()})

    def add_arrivals(self, request: Request) -> Response:
        """POST `{"count": 3, "folders": [...], "at": "YYYY-MM-DD HH:MM:SS"}` (or `"seconds_ago": N`)."""
        try:
            spec = json.loads(request.get_data() or b"{}")
            if not isinstance(spec, dict):
                raise ValueError("expected a JSON object")
            unknown = set(spec) - ARRIVAL_FIELDS
            if unknown:
                raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}")
            count = spec.get("count", 1)
            if (
                not isinstance(count, int)
                or isinstance(count, bool)
                or not 1 <= count <= MAX_ARRIVALS_AT_ONCE
            ):
                raise ValueError(f"count must be a whole number from 1 to {MAX_ARRIVALS_AT_ONCE}")
            folders = spec.get("folders", DEFAULT_FOLDER)
            if not isinstance(folders, (str, list)) or not folders:
                raise ValueError("folders must be a folder name or a list of them")
            if "at" in spec and "seconds_ago" in spec:
                raise ValueError("give at or seconds_ago, not both")
            at: Any = None
            if "at" in spec:
                at = parse_quarantine_time("at", str(spec["at"]))
            elif "seconds_ago" in spec:
                ago = spec["seconds_ago"]
                if not isinstance(ago, (int, float)) or isinstance(ago, bool) or ago < 0:
                    raise ValueError("seconds_ago must be a number of seconds >= 0")
                at = time.time() - ago
            records = self.backend.quarantine_new(count, folders=folders, at=at)
        except (ValueError, InvalidArgument) as error:
            return text_reply(400, f"Invalid arrivals: {error}")
        except NotFound as error:
            return text_reply(400, f"Invalid arrivals: unknown {error} (folder names are case-sensitive)")
        return json_reply({"records": records}, 201)
