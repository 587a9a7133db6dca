"""Several folders: the list command across 5 folders in one run (its folders searched concurrently)
against the same 5 folders searched one after another (the same code with every concurrency bound set
to 1 in its namespace).

The simulator runs in its own process with a per-request latency on GET /quarantine (50 ms by default),
as an appliance over a network has. Each run lists the newest records of each folder (the command's
default limit, 100 per folder) and must bring back every folder's records. Target: concurrent time /
sequential time <= 0.35.

`python -m bench.folder_list [--quick] [--runs N] [--latency-ms MS] [--http]`
"""

from __future__ import annotations

import argparse
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
    spread,
)

TARGET_RATIO = 0.35
COMMAND = "proofpoint-pps-list-quarantined-messages"
FOLDERS = ("Quarantine", "Spam", "Phish", "Virus", "Bulk")  # the seed's five largest folders
SEED_MESSAGES = 2_000  # about 200 or more in each of them: every folder fills the default page of 100
START_TIME = "31 days"  # the seed spreads its messages over the last 30 days
SEARCH = {"to": "*"}  # every recipient; the command needs one criterion


class FolderList:
    """The list command over the five folders, run from scratch each time."""

    def __init__(self, executor: Executor, sim: Simulator) -> None:
        self.executor = executor
        self.sim = sim
        self.args: dict[str, Any] = {**SEARCH, "folder_name": ",".join(FOLDERS), "start_time": START_TIME}
        self.records_per_folder: Counter[str] = Counter()

    def timed(self, overrides: dict[str, Any]) -> float:
        """Runs the list through the runner's executor; main()'s time in ms, after checking the records."""
        measure = MainRun(overrides=overrides)
        entries = self.executor.measured(COMMAND, self.args, self.sim.params, measure)
        failure = error_text(entries)
        if failure is not None:
            if "folder" in failure.lower() and "," in failure:
                # An integration that takes one folder only names the comma-separated value as one folder.
                raise Skipped(COMMAND, "with several folders in folder_name")
            raise RuntimeError(f"the list command failed: {failure[:500]}")
        context = (entries[0].get("EntryContext") or {}) if entries else {}
        records: list[dict[str, Any]] = next(iter(context.values()), [])
        found = Counter(str(record.get("folder")) for record in records)
        if set(found) != set(FOLDERS) or any(count == 0 for count in found.values()):
            raise RuntimeError(f"expected records of {', '.join(FOLDERS)}; got {dict(found)}")
        if self.records_per_folder and found != self.records_per_folder:
            raise RuntimeError(
                f"the runs listed different records: {dict(found)} vs {dict(self.records_per_folder)}"
            )
        self.records_per_folder = found
        return measure.elapsed_ms


def run(
    quick: bool = False, runs: int | None = None, latency_ms: float = 50, tls: bool = True
) -> list[Outcome]:
    runs = runs or (5 if quick else 15)
    executor = Executor()
    if not executor.has_command(COMMAND):
        raise Skipped(COMMAND)
    bounds = executor.concurrency_bounds()
    sequential_overrides = dict.fromkeys(bounds, 1)
    folder_bound = bounds.get("FOLDER_CONCURRENCY")
    print_header(
        f"Several folders: the list command across {len(FOLDERS)} folders in one run",
        f'command: !{COMMAND} to=* folder_name={",".join(FOLDERS)} start_time="{START_TIME}" through main() '
        f"over {'HTTPS' if tls else 'HTTP'}, {latency_ms:g} ms latency on each GET /quarantine; "
        f"concurrency bounds {', '.join(f'{name} {value}' for name, value in bounds.items()) or 'none'} "
        f"against all 1 (sequential); {runs} runs each, interleaved, medians",
    )
    with simulator_process(messages=SEED_MESSAGES, tls=tls) as sim, environment(sim.env):
        executor.env = sim.env
        bench = FolderList(executor, sim)
        bench.timed({})  # warm-up, and the records each folder gives
        sim.add_fault(method="GET", path="/quarantine", latency=latency_ms / 1000, times=None)
        # Informative: every folder at once, to show what the bound itself costs against the target.
        all_at_once = (
            {"FOLDER_CONCURRENCY": len(FOLDERS)} if folder_bound and folder_bound < len(FOLDERS) else None
        )
        sides = [lambda: bench.timed({}), lambda: bench.timed(sequential_overrides)]
        if all_at_once:
            sides.append(lambda: bench.timed(all_at_once))
        concurrent_ms, sequential_ms, *all_at_once_ms = interleaved(runs, *sides)
        sim.clear_faults()
    sequential, concurrent = median(sequential_ms), median(concurrent_ms)
    listed = sum(bench.records_per_folder.values())
    print(
        f"  records listed per run: {listed} ({', '.join(f'{k} {v}' for k, v in bench.records_per_folder.items())})"
    )
    print(
        f"  sequential (every bound 1)        median {sequential:7.1f} ms ({spread(sequential_ms)}), "
        f"{sequential / len(FOLDERS) - latency_ms:5.1f} ms per folder beyond the latency"
    )
    ideal = (
        f"latency-bound ideal ratio {math.ceil(len(FOLDERS) / folder_bound) / len(FOLDERS):.2f} with "
        f"FOLDER_CONCURRENCY {folder_bound}"
        if folder_bound
        else "no FOLDER_CONCURRENCY in the integration"
    )
    print(
        f"  concurrent                        median {concurrent:7.1f} ms ({spread(concurrent_ms)}), ({ideal})"
    )
    outcomes = [
        Outcome(
            f"{len(FOLDERS)} folders: concurrent / sequential time", concurrent / sequential, TARGET_RATIO
        )
    ]
    if all_at_once_ms:
        at_once = median(all_at_once_ms[0])
        print(
            f"  all {len(FOLDERS)} at once (FOLDER_CONCURRENCY {len(FOLDERS)}) median {at_once:7.1f} ms "
            f"({spread(all_at_once_ms[0])}), informative"
        )
        outcomes.append(
            Outcome(
                f"with FOLDER_CONCURRENCY {len(FOLDERS)}: / sequential",
                at_once / sequential,
                TARGET_RATIO,
                informative=True,
            )
        )
    print_outcomes(outcomes)
    return outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.folder_list", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs")
    parser.add_argument("--runs", type=int, help="runs of each (default 15, 5 with --quick)")
    parser.add_argument("--latency-ms", type=float, default=50, help="latency of each GET (default 50)")
    parser.add_argument("--http", action="store_true", help="plain HTTP instead of HTTPS")
    args = parser.parse_args(argv)
    try:
        run(quick=args.quick, runs=args.runs, latency_ms=args.latency_ms, tls=not args.http)
    except Skipped as skip:
        print(f"  {skip}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
