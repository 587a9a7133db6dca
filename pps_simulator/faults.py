"""Faults switched on by the caller: error statuses, slow replies, dropped connections, broken bodies."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from pps_simulator.paths import api_path, path_matches

BODY_KINDS = ("malformed", "html")
DEFAULT_RETRY_AFTER = 1


@dataclass
class Fault:
    """One fault. It fires on requests matching `method` and `path` (None: any), `times` times (None: forever).

    - `status`: reply with this status (401, 403, 429, 500, 502, 503, ...); 429 gets `Retry-After`.
    - `latency`: seconds to wait before answering (alone: then answer normally).
    - `drop`: close the connection without any reply.
    - `body`: `'malformed'` (truncated JSON), `'html'` (an HTML error page) or literal text; without
      `status` the reply is a 200 with that body.
    - `after_action`: apply the request first, then lose or spoil its reply (the server acted).
    """

    method: str | None = None
    path: str | None = None
    status: int | None = None
    times: int | None = 1
    retry_after: int | float | str | None = None
    latency: float = 0.0
    drop: bool = False
    body: str | None = None
    after_action: bool = False
    id: int = 0
    fired: int = field(default=0)

    def __post_init__(self) -> None:
        if self.method is not None:
            self.method = self.method.upper()
        if self.path is not None:
            self.path = api_path(self.path)
        if self.status is not None and not (isinstance(self.status, int) and 100 <= self.status <= 599):
            raise ValueError(f"status must be an HTTP status code, not {self.status!r}")
        if self.times is not None and (not isinstance(self.times, int) or self.times < 1):
            raise ValueError("times must be a positive integer or None (forever)")
        if not isinstance(self.latency, (int, float)) or self.latency < 0:
            raise ValueError("latency must be a number of seconds >= 0")
        if not isinstance(self.drop, bool) or not isinstance(self.after_action, bool):
            raise ValueError("drop and after_action must be booleans")
        if self.retry_after is not None and not isinstance(self.retry_after, (int, float, str)):
            raise ValueError("retry_after must be seconds or an HTTP date")
        if self.body is not None and not isinstance(self.body, str):
            raise ValueError("body must be 'malformed', 'html' or text")
        if self.status is None and not self.drop and self.body is None and not self.latency:
            raise ValueError("a fault needs a status, latency, drop or body")
        if self.after_action and self.status is None and not self.drop and self.body is None:
            raise ValueError("after_action needs a status, drop or body: something must replace the reply")
        if self.status == 429 and self.retry_after is None:
            self.retry_after = DEFAULT_RETRY_AFTER

    @property
    def replaces_reply(self) -> bool:
        return self.status is not None or self.drop or self.body is not None

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method.upper()) and path_matches(self.path, path)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class FaultRegistry:
    """The faults in force; thread-safe. `add()` returns the Fault, whose `fired` counts its uses."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)

    def add(
        self,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        times: int | None = 1,
        retry_after: int | float | str | None = None,
        latency: float = 0.0,
        drop: bool = False,
        body: str | None = None,
        after_action: bool = False,
    ) -> Fault:
        fault = Fault(
            method=method,
            path=path,
            status=status,
            times=times,
            retry_after=retry_after,
            latency=latency,
            drop=drop,
            body=body,
            after_action=after_action,
        )
        with self._lock:
            fault.id = next(self._ids)
            self._faults.append(fault)
        return fault

    def add_from_json(self, spec: Mapping[str, Any]) -> Fault:
        """A fault from the JSON of `POST /_simulator/faults`; raises ValueError on unknown keys."""
        allowed = {
            "method",
            "path",
            "status",
            "times",
            "retry_after",
            "latency",
            "drop",
            "body",
            "after_action",
        }
        unknown = set(spec) - allowed
        if unknown:
            raise ValueError(f"unknown fault fields: {', '.join(sorted(unknown))}")
        return self.add(**spec)

    def remove(self, fault_id: int) -> bool:
        with self._lock:
            before = len(self._faults)
            self._faults = [fault for fault in self._faults if fault.id != fault_id]
            return len(self._faults) != before

    def clear(self) -> int:
        with self._lock:
            cleared = len(self._faults)
            self._faults = []
            return cleared

    def list(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def take(self, method: str, path: str) -> Fault | None:
        """The first fault matching the request, used up once; None when no fault applies."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.fired += 1
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times == 0:
                            self._faults.remove(fault)
                    return fault
        return None

    def __len__(self) -> int:
        with self._lock:
            return len(self._faults)
