"""Batch: releasing 1,000 messages with one release command (its bounded concurrency) against the same
1,000 released one after another (the same code with ACTION_CONCURRENCY set to 1 in its namespace).

The simulator runs in its own process with a per-request latency on POST /quarantine (20 ms by
default), as an appliance over a network has; it is seeded with enough messages for 1,000 in one
folder. Target: concurrent time / sequential time <= 0.35.

`python -m bench.batch_release [--quick] [--ids N] [--latency-ms MS] [--runs N] [--http]`
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import requests

from bench.common import (
    Executor,
    MainRun,
    Outcome,
    Simulator,
    environment,
    error_text,
    interleaved,
    median,
    print_header,
    print_outcomes,
    simulator_process,
)

TARGET_RATIO = 0.35
COMMAND = "proofpoint-pps-release-message"
FOLDER = "Quarantine"  # the seed's largest folder: about 30% of the messages
SEED_MESSAGES = 4_000
QUARANTINE_MAX_LIMIT = 1000  # the API's largest page (its default is 100)


def quarantined_ids(sim: Simulator, folder: str, count: int) -> list[str]:
    """`count` localguids of messages in `folder`, from the simulator's API."""
    reply = requests.get(
        sim.api + "/quarantine",
        params={"folder": folder, "from": "*", "limit": str(QUARANTINE_MAX_LIMIT)},
        auth=sim.auth,
        timeout=60,
    )
    reply.raise_for_status()
    ids = [record["localguid"] for record in reply.json()["records"]]
    if len(ids) < count:
        raise RuntimeError(f"the simulator has {len(ids)} messages in {folder}, fewer than {count}")
    return ids[:count]


class CommandRefused(RuntimeError):
    """The command answered with an error entry before acting (e.g. an argument it refuses)."""


class Release:
    """Releases the same ids each time; `local_guid` is comma-separated, as typed in the War Room.

    If the integration refuses that form, the refusal is noted and the ids go as a list (what a
    playbook passes for an isArray argument), so the concurrency is still measured.
    """

    def __init__(self, executor: Executor, sim: Simulator, ids: list[str]) -> None:
        self.executor = executor
        self.sim = sim
        self.ids = ids
        self.local_guid: str | list[str] = ",".join(ids)
        self.refusal: str | None = None

    def timed(self, overrides: dict[str, Any]) -> float:
        try:
            return self._timed(overrides)
        except CommandRefused as refused:
            if not isinstance(self.local_guid, str):
                raise
            self.refusal = str(refused)
            self.local_guid = list(self.ids)
            return self._timed(overrides)

    def _timed(self, overrides: dict[str, Any]) -> float:
        """Runs the release command through main() and returns its time in ms, after checking every id."""
        args = {"folder_name": FOLDER, "local_guid": self.local_guid}
        measure = MainRun(overrides=overrides)
        entries = self.executor.measured(COMMAND, args, self.sim.params, measure)
        refusal = error_text(entries)
        if len(entries) == 1 and refusal is not None and not entries[0].get("EntryContext"):
            raise CommandRefused(refusal)
        context = (entries[0].get("EntryContext") or {}) if entries else {}
        outcomes: list[dict[str, Any]] = next(iter(context.values()), [])
        released = sum(1 for outcome in outcomes if outcome.get("Status") == "success")
        if len(entries) != 1 or released != len(self.ids):
            raise RuntimeError(f"released {released} of {len(self.ids)}: {str(entries)[:500]}")
        return measure.elapsed_ms


def run(
    quick: bool = False, ids: int | None = None, latency_ms: float = 20, runs: int = 1, tls: bool = True
) -> list[Outcome]:
    count = ids or (200 if quick else 1000)
    executor = Executor()
    concurrency = int(executor.constant("ACTION_CONCURRENCY"))
    print_header(
        f"Batch: releasing {count} messages in one command",
        f"command: !{COMMAND} folder_name={FOLDER} local_guid=<{count} ids, comma-separated> through main() "
        f"over {'HTTPS' if tls else 'HTTP'}, {latency_ms:g} ms latency on each POST /quarantine; "
        f"ACTION_CONCURRENCY {concurrency} against 1 (sequential); {runs} run(s) each, medians",
    )
    with simulator_process(messages=SEED_MESSAGES, tls=tls) as sim, environment(sim.env):
        executor.env = sim.env
        release = Release(executor, sim, quarantined_ids(sim, FOLDER, count))
        sim.add_fault(method="POST", path="/quarantine", latency=latency_ms / 1000, times=None)
        concurrent_ms, sequential_ms = interleaved(
            runs, lambda: release.timed({}), lambda: release.timed({"ACTION_CONCURRENCY": 1})
        )
        sim.clear_faults()
    if release.refusal:
        print(f"  REFUSED as one comma-separated string: {release.refusal[:300]}")
        print(f"  so measured with local_guid as a list of {count} ids (as a playbook passes an array)")
    sequential, concurrent = median(sequential_ms), median(concurrent_ms)
    print(
        f"  sequential (concurrency 1)          {sequential / 1000:6.2f} s  {count / sequential * 1000:6.1f} ids/s  "
        f"{sequential / count - latency_ms:5.2f} ms per id beyond the latency"
    )
    print(
        f"  concurrent (concurrency {concurrency})          {concurrent / 1000:6.2f} s  "
        f"{count / concurrent * 1000:6.1f} ids/s  (latency-bound ideal ratio {1 / concurrency:.2f})"
    )
    outcomes = [
        Outcome(
            "concurrent / sequential time" + (" (ids as a list)" if release.refusal else ""),
            concurrent / sequential,
            TARGET_RATIO,
        )
    ]
    if release.refusal:
        outcomes.append(Outcome("comma-separated local_guid accepted (1 = yes)", 0, 1, higher_is_better=True))
    print_outcomes(outcomes)
    return outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.batch_release", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--quick", action="store_true", help="200 ids instead of 1,000")
    parser.add_argument("--ids", type=int, help="ids to release (default 1000, 200 with --quick)")
    parser.add_argument("--latency-ms", type=float, default=20, help="latency of each POST (default 20)")
    parser.add_argument("--runs", type=int, default=1, help="runs of each (default 1)")
    parser.add_argument("--http", action="store_true", help="plain HTTP instead of HTTPS")
    args = parser.parse_args(argv)
    run(quick=args.quick, ids=args.ids, latency_ms=args.latency_ms, runs=args.runs, tls=not args.http)
    return 0


if __name__ == "__main__":
    sys.exit(main())
