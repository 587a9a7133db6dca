"""New quarantined messages as time passes: a steady rate, in bursts of several in one second, across
folders, with the occasional late one; driven by a real clock (server mode) or by the caller (tests).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pps_simulator.backend import PPSBackend
from pps_simulator.model import DEFAULT_FOLDER


@dataclass(frozen=True)
class ArrivalPlan:
    """`rate` messages a minute on average, arriving `burst` at a time in one second, folders in turn.

    Every `late_every`th burst also brings one late message, dated `late_by` seconds before the burst.
    """

    rate: float
    burst: int = 1
    folders: tuple[str, ...] = (DEFAULT_FOLDER,)
    late_every: int = 0
    late_by: int = 120

    def __post_init__(self) -> None:
        if isinstance(self.folders, str):
            object.__setattr__(self, "folders", (self.folders,))
        else:
            object.__setattr__(self, "folders", tuple(self.folders))
        if not isinstance(self.rate, (int, float)) or not math.isfinite(self.rate) or self.rate <= 0:
            raise ValueError(f"rate must be a number of messages a minute above 0, not {self.rate!r}")
        if not isinstance(self.burst, int) or self.burst < 1:
            raise ValueError(f"burst must be a whole number of messages >= 1, not {self.burst!r}")
        if not self.folders or not all(isinstance(name, str) and name for name in self.folders):
            raise ValueError("folders must name at least one folder")
        if not isinstance(self.late_every, int) or self.late_every < 0:
            raise ValueError(f"late_every must be a whole number >= 0 (0: never), not {self.late_every!r}")
        if not isinstance(self.late_by, int) or self.late_by < 1:
            raise ValueError(f"late_by must be a whole number of seconds >= 1, not {self.late_by!r}")

    @property
    def interval(self) -> float:
        """Seconds from one burst to the next."""
        return 60.0 * self.burst / self.rate


def epoch_seconds(moment: datetime | float | None) -> float:
    if moment is None:
        return time.time()
    if isinstance(moment, datetime):
        return moment.timestamp()
    return float(moment)


@dataclass
class Arrivals:
    """The arrivals of one plan into one backend, up to the moment `reached`.

    `catch_up(until)` quarantines every burst due after `reached` and at or before `until` (default:
    now), each dated in its own second, so advancing by ten minutes gives ten minutes of dated mail.
    The first burst comes one interval after `start` (default: now). Deterministic: the same plan,
    start and seed give the same messages at the same seconds.
    """

    backend: PPSBackend
    plan: ArrivalPlan
    start: datetime | float | None = None
    origin: float = field(init=False)  # `start` in epoch seconds
    reached: float = field(init=False)
    bursts: int = field(init=False, default=0)
    added: int = field(init=False, default=0)
    _lock: threading.Lock = field(init=False, repr=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        for name in self.plan.folders:
            if self.backend.folder(name) is None:
                raise ValueError(f"unknown folder {name!r} (folder names are case-sensitive)")
        self.origin = self.reached = epoch_seconds(self.start)

    @property
    def next_burst(self) -> float:
        """When the next burst is due (epoch seconds)."""
        return self.origin + (self.bursts + 1) * self.plan.interval

    def catch_up(self, until: datetime | float | None = None) -> list[dict[str, Any]]:
        """Quarantine every burst due up to `until` (default: now); return the new records, oldest first."""
        limit = epoch_seconds(until)
        added: list[dict[str, Any]] = []
        with self._lock:
            while self.next_burst <= limit:
                when = int(self.next_burst)
                folders = self._folders_from(self.added, self.plan.burst)
                added += self.backend.quarantine_new(self.plan.burst, folders=folders, at=when)
                self.added += self.plan.burst
                self.bursts += 1
                if self.plan.late_every and self.bursts % self.plan.late_every == 0:
                    folder = self._folders_from(self.added, 1)
                    added += self.backend.quarantine_new(1, folders=folder, at=when - self.plan.late_by)
                    self.added += 1
            self.reached = max(self.reached, limit)
        return added

    def advance(self, seconds: float) -> list[dict[str, Any]]:
        """Move this schedule's clock `seconds` on from `reached` and quarantine what came meanwhile."""
        if seconds < 0:
            raise ValueError("time only moves forward")
        return self.catch_up(self.reached + seconds)

    def _folders_from(self, offset: int, count: int) -> Sequence[str]:
        folders = self.plan.folders
        return [folders[(offset + index) % len(folders)] for index in range(count)]


class ArrivalClock:
    """Runs `arrivals.catch_up()` on the real clock in a daemon thread until `stop()`."""

    def __init__(self, arrivals: Arrivals, tick: float = 0.5) -> None:
        self.arrivals = arrivals
        self.tick = tick
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pps-simulator-arrivals", daemon=True)

    def start(self) -> ArrivalClock:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.tick):
            try:
                self.arrivals.catch_up()
            except Exception:  # a closed database at shutdown: nothing more to add
                if self._stop.is_set():
                    return
                raise

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)
