"""Large result: a smart search returning 10,000 records, through the integration's whole command path,
against fetching the same reply with requests and parsing its JSON.

The command path is what the server pays for one command: main() -> HTTP -> JSON -> CommandResults ->
tableToMarkdown -> return_results -> demisto.results (the runtime stand-in's, which serialises the entry
to JSON as the server's does, then parses it back into `captured_entries`). CommonServerPython and the
integration are exec'd before the clock starts. The simulator runs in its own process. Targets: time
ratio <= 2; peak traced memory (tracemalloc) <= 3 times the reply's size in bytes.

`python -m bench.large_result [--quick] [--runs N] [--http] [--profile]`
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from types import ModuleType
from typing import Any

import requests

from bench.common import (
    MIB,
    Executor,
    MainRun,
    Outcome,
    Simulator,
    environment,
    interleaved,
    median,
    print_header,
    print_outcomes,
    simulator_process,
    spread,
)

TIME_TARGET = 2.0
MEMORY_TARGET = 3.0
RECORDS = 10_000  # the integration's MAX_LIMIT and the simulator's cap
# The seed puts `messages` quarantined messages and half as many trace-only ones over 30 days.
SEED_MESSAGES = 7_000
START_DAYS = 31
COMMAND = "proofpoint-pps-smart-search"
SMART_SEARCH_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S%z"


@contextlib.contextmanager
def server_like_results(demisto: ModuleType, written: list[int]) -> Iterator[None]:
    """demisto.results as the server pays for it: the entries serialised to JSON and written out, without
    the stand-in's parsing them back into `captured_entries` (which only tests and the runner need)."""
    original = demisto.results

    def results(value: Any) -> None:
        serialised = json.dumps(value if isinstance(value, list) else [value])
        written.append(len(serialised))

    setattr(demisto, "results", results)  # noqa: B010  (a module attribute mypy cannot see)
    try:
        yield
    finally:
        setattr(demisto, "results", original)  # noqa: B010


class LargeSearch:
    """The two ways of getting the 10,000 records, each run from scratch every time."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.executor = Executor(sim.env)
        self.args = {"start_time": f"{START_DAYS} days", "limit": str(RECORDS)}
        start = datetime.now(timezone.utc) - timedelta(days=START_DAYS)
        self.query = {"from": start.strftime(SMART_SEARCH_TIME_FORMAT), "count": str(RECORDS)}
        self.reply_bytes = 0

    def run_command(self, measure: MainRun, server_like: bool = False) -> None:
        """One run through the runner's executor; `measure` times (and traces) main() alone."""
        if not server_like:
            self.check_command(self.executor.measured(COMMAND, self.args, self.sim.params, measure))
            return
        written: list[int] = []

        def hook(namespace: dict[str, Any], main: Callable[[], None]) -> None:
            with server_like_results(namespace["demisto"], written):
                measure(namespace, main)

        self.executor.run(COMMAND, self.args, self.sim.params, hook)
        if len(written) != 1 or written[0] < self.reply_bytes // 2:  # the records are in it
            raise RuntimeError(f"the command wrote {written} bytes of entries, not the records")

    @staticmethod
    def check_command(entries: list[dict[str, Any]]) -> None:
        if len(entries) != 1 or entries[0].get("Type") != 1:
            raise RuntimeError(f"the command failed: {str(entries)[:500]}")
        records = next(iter(entries[0]["EntryContext"].values()))
        if len(records) != RECORDS:
            raise RuntimeError(f"the command returned {len(records)} records, not {RECORDS}")

    def run_baseline(self) -> Any:
        reply = requests.get(
            self.sim.api + "/pss/filter",
            params=self.query,
            auth=self.sim.auth,
            headers={"Accept": "application/json, text/plain, */*"},
            timeout=60,
        )
        reply.raise_for_status()
        self.reply_bytes = len(reply.content)
        return reply.json()

    def check_baseline(self, parsed: Any) -> None:
        if len(parsed["result"]) != RECORDS:
            raise RuntimeError(f"the simulator returned {len(parsed['result'])} records, not {RECORDS}")

    # ---- measurements ---------------------------------------------------------------------------

    def timed_command(self, server_like: bool = False) -> float:
        measure = MainRun()
        self.run_command(measure, server_like)
        return measure.elapsed_ms

    def timed_baseline(self) -> float:
        gc.collect()
        started = time.perf_counter()
        parsed = self.run_baseline()
        elapsed = time.perf_counter() - started
        self.check_baseline(parsed)
        return elapsed * 1000

    def traced_peak(self, work: Callable[[], Any]) -> int:
        gc.collect()
        tracemalloc.start()
        try:
            tracemalloc.reset_peak()
            kept = work()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        del kept
        return peak

    def command_peak(self, server_like: bool = False) -> int:
        measure = MainRun(trace_memory=True)
        self.run_command(measure, server_like)
        return measure.peak_bytes

    def baseline_peak(self) -> int:
        return self.traced_peak(self.run_baseline)

    def records_footprint(self) -> int:
        """What the parsed records alone hold, once the reply's bytes and text are freed."""
        gc.collect()
        tracemalloc.start()
        try:
            parsed = self.run_baseline()
            held, _ = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        del parsed
        return held

    # ---- where the time and memory go -----------------------------------------------------------

    def phases(self) -> list[tuple[str, float, int]]:
        """The command path cut into its steps: (step, ms, traced peak bytes of that step)."""
        steps: list[tuple[str, float, int]] = []
        self.executor.run(
            COMMAND, self.args, self.sim.params, lambda namespace, main: self.steps(namespace, steps)
        )
        return steps

    def steps(self, ns: dict[str, Any], steps: list[tuple[str, float, int]]) -> None:
        """The steps, run with the integration's own functions in place of its main()."""
        kept: dict[str, Any] = {}

        def step(name: str, work: Callable[[], Any]) -> None:
            gc.collect()
            started = time.perf_counter()
            result = work()
            elapsed = (time.perf_counter() - started) * 1000
            # Then again under tracemalloc, for the step's own peak (its inputs already exist).
            gc.collect()
            tracemalloc.start()
            tracemalloc.reset_peak()
            again = work()
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            del again
            kept[name] = result
            steps.append((name, elapsed, peak))

        client = ns["build_client"](self.sim.params)
        fetch = "HTTP + JSON (Client.smart_search)"
        step(fetch, lambda: client.smart_search(dict(self.query)))
        records = kept[fetch]
        # The command function itself, on the records already fetched: the integration's own choices.
        client.smart_search = lambda query: records
        command = "smart_search_command on those records"
        step(command, lambda: ns["smart_search_command"](client, dict(self.args)))
        step(
            "  of which tableToMarkdown (9 columns)",
            lambda: ns["tableToMarkdown"](
                ns["SMART_SEARCH_TITLE"], records, headers=ns["SMART_SEARCH_HEADERS"]
            ),
        )
        to_context = "CommandResults.to_context()"
        step(to_context, kept[command].to_context)
        entry = kept[to_context]
        dumps = "json.dumps([entry]) (what the server's results() pays)"
        step(dumps, lambda: json.dumps([entry]))
        serialised = kept[dumps]
        step("json.loads (the stand-in's capture only)", lambda: json.loads(serialised))


def run(
    quick: bool = False, runs: int | None = None, tls: bool = True, show_profile: bool = False
) -> list[Outcome]:
    runs = runs or (2 if quick else 5)
    print_header(
        "Large result: smart search of 10,000 records, in process",
        f'command: !{COMMAND} start_time="{START_DAYS} days" limit={RECORDS} through main() over '
        f"{'HTTPS' if tls else 'HTTP'}; baseline: requests.get of the same query + .json(); "
        f"{runs} runs each, interleaved, medians; memory: tracemalloc peak, one run each",
    )
    with simulator_process(messages=SEED_MESSAGES, tls=tls) as sim, environment(sim.env):
        bench = LargeSearch(sim)
        bench.check_baseline(bench.run_baseline())  # warm-up, and the reply's size
        bench.timed_command()
        command_ms, server_like_ms, baseline_ms = interleaved(
            runs, bench.timed_command, lambda: bench.timed_command(server_like=True), bench.timed_baseline
        )
        command_peak = bench.command_peak()
        server_like_peak = bench.command_peak(server_like=True)
        baseline_peak = bench.baseline_peak()
        records_size = bench.records_footprint()
        steps = bench.phases() if show_profile else []
    reply = bench.reply_bytes
    print(
        f"  reply: {RECORDS} records, {reply / MIB:.1f} MiB of JSON; parsed, they hold {records_size / MIB:.1f} MiB "
        f"({records_size / reply:.2f}x reply)"
    )
    for label, times, peak in (
        ("baseline: requests.get + .json()", baseline_ms, baseline_peak),
        ("command: main() -> stand-in demisto.results", command_ms, command_peak),
        ("command, server-like results() (no capture)", server_like_ms, server_like_peak),
    ):
        print(
            f"  {label:<46} median {median(times):7.1f} ms ({spread(times)}), "
            f"peak {peak / MIB:6.1f} MiB = {peak / reply:5.2f}x reply"
        )
    if steps:
        print("  the command path step by step (each step's own time and traced peak):")
        for name, ms, peak in steps:
            print(f"    {ms:7.1f} ms  {peak / MIB:6.1f} MiB  {name}")
    outcomes = [
        Outcome("command / baseline time", median(command_ms) / median(baseline_ms), TIME_TARGET),
        Outcome("command peak memory / reply bytes", command_peak / reply, MEMORY_TARGET),
        Outcome(
            "server-like results(): command / baseline time",
            median(server_like_ms) / median(baseline_ms),
            TIME_TARGET,
            informative=True,
        ),
        Outcome(
            "server-like results(): peak / reply bytes",
            server_like_peak / reply,
            MEMORY_TARGET,
            informative=True,
        ),
        Outcome("baseline peak / reply bytes", baseline_peak / reply, MEMORY_TARGET, informative=True),
    ]
    print_outcomes(outcomes)
    return outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.large_result", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs")
    parser.add_argument("--runs", type=int, help="timed runs of each (default 5, 2 with --quick)")
    parser.add_argument("--http", action="store_true", help="plain HTTP instead of HTTPS")
    parser.add_argument(
        "--profile", action="store_true", help="also time and trace each step of the command path"
    )
    args = parser.parse_args(argv)
    run(quick=args.quick, runs=args.runs, tls=not args.http, show_profile=args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
