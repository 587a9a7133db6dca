"""Sender lists: `proofpoint-pps-sender-list-add` of one entry for 100 end users in one command (its
bounded concurrency) against the same for 100 users one after another (the same code with every
concurrency bound set to 1 in its namespace).

Each user costs the command a read, a whole-list write and a read-back check; the simulator runs in
its own process with a per-request latency on /enduser (50 ms by default, every method). Each run adds
an entry no user has yet, so every run does the whole read-write-check cycle for every user, and every
outcome must be `added`. Target: concurrent time / sequential time <= 0.35.

`python -m bench.sender_list [--quick] [--users N] [--runs N] [--latency-ms MS] [--http]`
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
from collections import Counter
from typing import Any

from bench.common import (
    Executor,
    MainRun,
    Outcome,
    Simulator,
    Skipped,
    environment,
    error_text,
    interleaved,
    median,
    print_header,
    print_outcomes,
    simulator_process,
)

TARGET_RATIO = 0.35
COMMAND = "proofpoint-pps-sender-list-add"
CONTEXT_PREFIX = "Proofpoint.SenderListChange"
SENDER_LIST = "blocklist"
SEED_MESSAGES = 300  # their internal recipients give a few hundred seeded end users


class SenderListAdd:
    """Adds a new entry to every user's blocklist in one command; a fresh entry each run."""

    def __init__(self, executor: Executor, sim: Simulator, users: list[str]) -> None:
        self.executor = executor
        self.sim = sim
        self.users = users
        self.entry_numbers = itertools.count(1)

    def timed(self, overrides: dict[str, Any]) -> float:
        """Runs the command through the runner's executor; main()'s time in ms, after checking each user."""
        entry = f"bench-sender-{next(self.entry_numbers)}@campaign.example.net"
        args = {"email": ",".join(self.users), "list": SENDER_LIST, "entries": entry}
        measure = MainRun(overrides=overrides)
        entries = self.executor.measured(COMMAND, args, self.sim.params, measure)
        changes = [
            change
            for result in entries
            for key, value in (result.get("EntryContext") or {}).items()
            if key.startswith(CONTEXT_PREFIX)
            for change in (value if isinstance(value, list) else [value])
        ]
        outcomes = Counter(str(change.get("Outcome")) for change in changes)
        added = {str(change.get("User")).lower() for change in changes if change.get("Outcome") == "added"}
        if added != {user.lower() for user in self.users}:
            failure = error_text(entries)
            raise RuntimeError(
                f"added for {len(added)} of {len(self.users)} users (outcomes {dict(outcomes)})"
                + (f": {failure[:500]}" if failure else f": {str(entries)[:500]}")
            )
        return measure.elapsed_ms


def run(
    quick: bool = False,
    users: int | None = None,
    runs: int = 1,
    latency_ms: float = 50,
    tls: bool = True,
) -> list[Outcome]:
    count = users or (40 if quick else 100)
    executor = Executor()
    if not executor.has_command(COMMAND):
        raise Skipped(COMMAND)
    bounds = executor.concurrency_bounds()
    sequential_overrides = dict.fromkeys(bounds, 1)
    print_header(
        f"Sender lists: adding one entry for {count} end users in one command",
        f"command: !{COMMAND} email=<{count} users, comma-separated> list={SENDER_LIST} entries=<a new address> "
        f"through main() over {'HTTPS' if tls else 'HTTP'}, {latency_ms:g} ms latency on each /enduser request; "
        f"concurrency bounds {', '.join(f'{name} {value}' for name, value in bounds.items()) or 'none'} "
        f"against all 1 (sequential); {runs} run(s) each, medians",
    )
    with simulator_process(messages=SEED_MESSAGES, tls=tls) as sim, environment(sim.env):
        executor.env = sim.env
        seeded = list(sim.info.get("endusers") or [])
        if len(seeded) < count:
            raise RuntimeError(f"the simulator has {len(seeded)} end users, fewer than {count}")
        bench = SenderListAdd(executor, sim, seeded[:count])
        sim.add_fault(path="/enduser", latency=latency_ms / 1000, times=None)
        concurrent_ms, sequential_ms = interleaved(
            runs, lambda: bench.timed({}), lambda: bench.timed(sequential_overrides)
        )
        requests_made = len(
            [r for r in sim.recorded_requests() if r.get("path", "").startswith("/rest/v1/enduser")]
        )
        sim.clear_faults()
    sequential, concurrent = median(sequential_ms), median(concurrent_ms)
    per_user = requests_made / (2 * runs * count)
    print(f"  /enduser requests per user and run: {per_user:.1f}")
    print(
        f"  sequential (every bound 1)          {sequential / 1000:6.2f} s  {count / sequential * 1000:6.1f} users/s  "
        f"{sequential / count - per_user * latency_ms:5.1f} ms per user beyond the latency"
    )
    bound = max(bounds.values(), default=1)
    print(
        f"  concurrent                          {concurrent / 1000:6.2f} s  {count / concurrent * 1000:6.1f} users/s  "
        f"(latency-bound ideal ratio {math.ceil(count / bound) / count:.2f} if {bound} at once)"
    )
    outcomes = [
        Outcome(f"{count} users: concurrent / sequential time", concurrent / sequential, TARGET_RATIO)
    ]
    print_outcomes(outcomes)
    return outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sender_list", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="40 users instead of 100")
    parser.add_argument("--users", type=int, help="end users (default 100, 40 with --quick)")
    parser.add_argument("--runs", type=int, default=1, help="runs of each (default 1)")
    parser.add_argument(
        "--latency-ms", type=float, default=50, help="latency of each /enduser request (default 50)"
    )
    parser.add_argument("--http", action="store_true", help="plain HTTP instead of HTTPS")
    args = parser.parse_args(argv)
    try:
        run(quick=args.quick, users=args.users, runs=args.runs, latency_ms=args.latency_ms, tls=not args.http)
    except Skipped as skip:
        print(f"  {skip}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
