"""Fetch backlog: draining a backlog of 10,000 quarantined messages in 5 folders with fetch-incidents
(max_fetch 200, run after run as the server's scheduler runs it, until every message is an incident)
against listing the same records with bare requests; and the peak memory of one fetch run against the
bytes of the replies it processed, at a backlog of 1,000 and of 10,000 (it should not grow with it).

Each fetch run goes through the runner's `run_fetch` (params checked against the YAML, isFetch on, the
last run kept in a state file between runs); its main() alone is timed (the exec is not, as in every
in-process benchmark). The baseline lists each folder with GET /quarantine over the same period and
criteria (every recipient), halving a time window whenever its reply fills the API's largest page
(1,000 records), and parses the JSON. Both must find the same messages, and the drain each exactly once.
Memory: tracemalloc's peak during main() of the first run of a fresh drain (the widest searches),
against the bytes of the replies that run received (its requests, read from the simulator's request
log, are made again with requests to size them). Targets: drain time / listing time <= 1.5; the peak
ratio flat from 1,000 to 10,000.

`python -m bench.fetch_backlog [--quick] [--backlog N] [--http]`
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import requests

from bench.common import (
    MIB,
    Executor,
    MainRun,
    Outcome,
    Simulator,
    Skipped,
    environment,
    error_text,
    print_header,
    print_outcomes,
    simulator_process,
)

TIME_TARGET = 1.5
FLAT_TARGET = 1.25  # the peak ratio at 10,000 against that at 1,000: "flat" allowing for noise
COMMAND = "fetch-incidents"
FOLDERS = ("Quarantine", "Spam", "Phish", "Virus", "Bulk")  # the seed's five largest folders
FOLDERS_SHARE = 0.75  # of the seeded messages, in those five (the seed's folder weights 30+15+10+10+10)
MAX_FETCH = 200
FIRST_FETCH_DAYS = 31  # the seed spreads its messages over the last 30 days
QUARANTINE_PAGE = 1000  # the API's largest limit
QUARANTINE_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
CRITERIA = {"rcpt": "*"}  # what the fetch searches when no fetch_sender/recipient/subject is given
SMALL_BACKLOG, LARGE_BACKLOG = 1_000, 10_000


@dataclass
class Drain:
    """What one drain took: main()'s time of each run that brought incidents, and the guids, in order."""

    run_ms: list[float] = field(default_factory=list)
    wall_ms: float = 0.0
    guids: list[str] = field(default_factory=list)
    requests: int = 0
    received: tuple[int, int] | None = None  # (records, bytes) of every reply the drain processed


@dataclass
class Listing:
    """What the bare listing took and found."""

    elapsed_ms: float
    guids: set[str]
    requests: int
    reply_bytes: int


class Backlog:
    """A simulator holding the backlog, and the two ways of getting every message of it."""

    def __init__(self, executor: Executor, sim: Simulator, workdir: Path) -> None:
        self.executor = executor
        self.sim = sim
        self.workdir = workdir
        self.params: dict[str, Any] = {
            **sim.params,
            "isFetch": True,
            "max_fetch": str(MAX_FETCH),
            "fetch_folders": ",".join(FOLDERS),
            "first_fetch": f"{FIRST_FETCH_DAYS} days",
        }
        self.seeded = sum(int(sim.info["folders"].get(folder, 0)) for folder in FOLDERS)
        self.drains = 0

    def fresh_state(self) -> Path:
        self.drains += 1
        return self.workdir / f"instance-{self.drains}.json"

    def fetch(self, state_file: Path, measure: MainRun) -> list[dict[str, Any]]:
        result = self.executor.fetch(self.params, state_file, measure)
        failure = error_text(result.entries)
        if result.exit_code != 0 or failure is not None:
            raise RuntimeError(f"a fetch run failed: {(failure or str(result.entries))[:500]}")
        if len(result.incidents) > MAX_FETCH:
            raise RuntimeError(
                f"a fetch run gave {len(result.incidents)} incidents, more than max_fetch {MAX_FETCH}"
            )
        return result.incidents

    def drain(self, count_received: bool = False) -> Drain:
        """Fetch runs from a fresh state until one brings nothing; that last run is not counted.

        With `count_received`, the drain's requests are made again afterwards to count what it processed."""
        state, drain = self.fresh_state(), Drain()
        requests_before = requests_after = len(self.sim.recorded_requests())
        limit = self.seeded // MAX_FETCH * 3 + 10
        while True:
            measure = MainRun()
            started = time.perf_counter()
            incidents = self.fetch(state, measure)
            wall_ms = (time.perf_counter() - started) * 1000
            if not incidents:
                break
            drain.wall_ms += wall_ms
            drain.run_ms.append(measure.elapsed_ms)
            drain.guids.extend(str(json.loads(incident["rawJSON"])["guid"]) for incident in incidents)
            requests_after = len(self.sim.recorded_requests())
            if len(drain.run_ms) > limit:
                raise RuntimeError(f"{len(drain.run_ms)} fetch runs have not drained {self.seeded} messages")
        drain.requests = requests_after - requests_before
        if count_received:
            made = self.sim.recorded_requests()[requests_before:requests_after]
            replies = [self.get(r["path"], r["query"]) for r in made if r["method"] == "GET"]
            drain.received = (
                sum(len(r.json()["records"]) for r in replies),
                sum(len(r.content) for r in replies),
            )
        return drain

    def first_run_peak(self) -> tuple[int, int, int]:
        """(traced peak of main(), bytes of the replies it processed, incidents) of a fresh drain's first run."""
        state = self.fresh_state()
        before = len(self.sim.recorded_requests())
        measure = MainRun(trace_memory=True)
        incidents = self.fetch(state, measure)
        made = [r for r in self.sim.recorded_requests()[before:] if r["method"] == "GET"]
        reply_bytes = sum(len(self.get(request["path"], request["query"]).content) for request in made)
        return measure.peak_bytes, reply_bytes, len(incidents)

    def get(self, path: str, query: dict[str, str]) -> requests.Response:
        reply = requests.get(
            self.sim.url + path,
            params=query,
            auth=self.sim.auth,
            headers={"Accept": "application/json, text/plain, */*"},
            timeout=120,
        )
        reply.raise_for_status()
        return reply

    def list_bare(self) -> Listing:
        """Every record of the five folders over the fetch's period, with bare requests: a window whose
        reply fills the page is halved (the API's dates are inclusive, to the second)."""
        end = datetime.now(timezone.utc).replace(microsecond=0)
        start = end - timedelta(days=FIRST_FETCH_DAYS)
        guids: set[str] = set()
        made = reply_bytes = 0
        started = time.perf_counter()
        for folder in FOLDERS:
            windows = [(start, end)]
            while windows:
                low, high = windows.pop()
                reply = self.get(
                    "/rest/v1/quarantine",
                    {
                        "folder": folder,
                        **CRITERIA,
                        "startdate": low.strftime(QUARANTINE_TIME_FORMAT),
                        "enddate": high.strftime(QUARANTINE_TIME_FORMAT),
                        "limit": str(QUARANTINE_PAGE),
                    },
                )
                made += 1
                reply_bytes += len(reply.content)
                records = reply.json()["records"]
                if len(records) >= QUARANTINE_PAGE and high > low:
                    middle = low + timedelta(seconds=int((high - low).total_seconds()) // 2)
                    windows += [(middle + timedelta(seconds=1), high), (low, middle)]  # older half first
                    continue
                guids.update(str(record["guid"]) for record in records)
        elapsed = (time.perf_counter() - started) * 1000
        return Listing(elapsed, guids, made, reply_bytes)


def seed_messages(backlog: int) -> int:
    return round(backlog / FOLDERS_SHARE)


def check_same_messages(drain: Drain, listing: Listing) -> None:
    taken = set(drain.guids)
    if len(taken) != len(drain.guids):
        raise RuntimeError(f"the drain made {len(drain.guids) - len(taken)} incidents twice")
    if taken != listing.guids:
        raise RuntimeError(
            f"the drain took {len(taken)} messages, the listing found {len(listing.guids)}: "
            f"{len(listing.guids - taken)} never fetched, {len(taken - listing.guids)} not listed"
        )


def memory_at(
    executor: Executor, backlog: int, tls: bool, workdir: Path, timed: bool, show_profile: bool = False
) -> tuple[tuple[int, int, int], Drain | None, Listing | None, int]:
    """The first run's memory at `backlog`; with `timed`, also a whole drain and the bare listing."""
    with (
        simulator_process(messages=seed_messages(backlog), tls=tls, timeout=300) as sim,
        environment(sim.env),
    ):
        executor.env = sim.env
        bench = Backlog(executor, sim, workdir)
        peak = bench.first_run_peak()
        drain = listing = None
        if timed:
            before = bench.list_bare()  # the listing before and after the drain, so drift hits both sides
            drain = bench.drain(count_received=show_profile)
            listing = bench.list_bare()
            listing.elapsed_ms = (before.elapsed_ms + listing.elapsed_ms) / 2
            check_same_messages(drain, listing)
        return peak, drain, listing, bench.seeded


def run(
    quick: bool = False, backlog: int | None = None, tls: bool = True, show_profile: bool = False
) -> list[Outcome]:
    timed_backlog = backlog or (SMALL_BACKLOG if quick else LARGE_BACKLOG)
    executor = Executor()
    if not executor.has_command(COMMAND):
        raise Skipped(COMMAND)
    print_header(
        f"Fetch backlog: draining {timed_backlog:,} quarantined messages in {len(FOLDERS)} folders",
        f"fetch-incidents (max_fetch {MAX_FETCH}, fetch_folders {','.join(FOLDERS)}, first_fetch "
        f'"{FIRST_FETCH_DAYS} days") run after run through the runner\'s run_fetch over '
        f"{'HTTPS' if tls else 'HTTP'}, main() timed; baseline: GET /quarantine of each folder, windows halved "
        f"while a reply fills the {QUARANTINE_PAGE}-record page, + .json(); memory: tracemalloc peak of "
        f"the first run at {SMALL_BACKLOG:,} and {LARGE_BACKLOG:,}",
    )
    peaks: dict[int, tuple[int, int, int]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-fetch-") as tmp:
        drain = listing = None
        seeded = 0
        for size in sorted({SMALL_BACKLOG, LARGE_BACKLOG, timed_backlog}):
            timed = size == timed_backlog
            peaks[size], found_drain, found_listing, held = memory_at(
                executor, size, tls, Path(tmp), timed, show_profile
            )
            if timed:
                drain, listing, seeded = found_drain, found_listing, held
    assert drain is not None and listing is not None
    drain_ms = sum(drain.run_ms)
    print(
        f"  backlog: {len(listing.guids):,} messages in {', '.join(FOLDERS)} (seeded {seeded:,}), "
        f"first fetch {FIRST_FETCH_DAYS} days back"
    )
    print(
        f"  baseline: {listing.requests} requests, {listing.reply_bytes / MIB:.1f} MiB of JSON, "
        f"{listing.elapsed_ms / 1000:.2f} s"
    )
    print(
        f"  drain: {len(drain.run_ms)} fetch runs, {len(drain.guids):,} incidents (each message once), "
        f"{drain.requests} requests; main() {drain_ms / 1000:.2f} s in all (median run "
        f"{sorted(drain.run_ms)[len(drain.run_ms) // 2]:.0f} ms, slowest {max(drain.run_ms):.0f} ms); "
        f"wall time with the runner's exec of each run {drain.wall_ms / 1000:.2f} s"
    )
    if drain.received:
        records, received_bytes = drain.received
        print(
            f"  the drain's replies held {records:,} records, {received_bytes / MIB:.1f} MiB "
            f"({records / len(drain.guids):.1f} records per incident; the listing: "
            f"{listing.reply_bytes / MIB:.1f} MiB, so {received_bytes / listing.reply_bytes:.1f}x its bytes)"
        )
    for size, (peak, reply_bytes, incidents) in sorted(peaks.items()):
        print(
            f"  first run at {size:>6,}: {incidents} incidents, replies {reply_bytes / MIB:6.2f} MiB, "
            f"peak {peak / MIB:6.2f} MiB = {peak / reply_bytes:5.2f}x the replies"
        )
    small_ratio = peaks[SMALL_BACKLOG][0] / peaks[SMALL_BACKLOG][1]
    large_ratio = peaks[LARGE_BACKLOG][0] / peaks[LARGE_BACKLOG][1]
    outcomes = [
        Outcome(f"drain {timed_backlog:,} / bare listing time", drain_ms / listing.elapsed_ms, TIME_TARGET),
        Outcome(
            "drain with the exec of each run / listing",
            drain.wall_ms / listing.elapsed_ms,
            TIME_TARGET,
            informative=True,
        ),
        Outcome(f"one run's peak / its replies at {SMALL_BACKLOG:,}", small_ratio),
        Outcome(f"one run's peak / its replies at {LARGE_BACKLOG:,}", large_ratio),
        Outcome(
            f"peak ratio at {LARGE_BACKLOG:,} / at {SMALL_BACKLOG:,} (flat)",
            large_ratio / small_ratio,
            FLAT_TARGET,
        ),
    ]
    print_outcomes(outcomes)
    return outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.fetch_backlog", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--quick", action="store_true", help=f"the drain timed at {SMALL_BACKLOG:,} instead")
    parser.add_argument(
        "--backlog", type=int, help=f"the backlog drained and timed (default {LARGE_BACKLOG:,})"
    )
    parser.add_argument("--http", action="store_true", help="plain HTTP instead of HTTPS")
    parser.add_argument(
        "--profile", action="store_true", help="also count the records the drain's replies held"
    )
    args = parser.parse_args(argv)
    try:
        run(quick=args.quick, backlog=args.backlog, tls=not args.http, show_profile=args.profile)
    except Skipped as skip:
        print(f"  {skip}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
