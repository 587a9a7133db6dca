"""The log of every API request the simulator received, for tests to read while the server runs."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pps_simulator.paths import path_matches


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
