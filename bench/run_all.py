"""Runs every benchmark and prints each ratio against its target, then a summary.

`python -m bench [--quick] [--only NAME ...] [--http] [--profile]` (or `python bench/run_all.py ...`).
Benchmarks measure, they do not test: the exit status is 0 whether targets are met or not, and 1 only
when a benchmark could not run. A benchmark of a feature the integration does not have yet says
"skipped: <command> not in the integration yet", which is no failure.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import batch_release, cold_start, download, fetch_backlog, folder_list, large_result, sender_list
from bench.common import Outcome, Skipped, machine_facts

BenchmarkRun = Callable[[argparse.Namespace], list[Outcome]]

BENCHMARKS: dict[str, BenchmarkRun] = {
    "cold_start": lambda a: cold_start.run(quick=a.quick, tls=not a.http, show_profile=a.profile),
    "large_result": lambda a: large_result.run(quick=a.quick, tls=not a.http, show_profile=a.profile),
    "batch_release": lambda a: batch_release.run(quick=a.quick, tls=not a.http),
    "download": lambda a: download.run(quick=a.quick, tls=not a.http),
    "folder_list": lambda a: folder_list.run(quick=a.quick, tls=not a.http),
    "sender_list": lambda a: sender_list.run(quick=a.quick, tls=not a.http),
    "fetch_backlog": lambda a: fetch_backlog.run(quick=a.quick, tls=not a.http, show_profile=a.profile),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description="Runs the benchmarks in bench/.")
    parser.add_argument(
        "--quick", action="store_true", help="fewer runs and a smaller batch (under a minute)"
    )
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHMARKS), help="run only these")
    parser.add_argument("--http", action="store_true", help="plain HTTP to the simulator instead of HTTPS")
    parser.add_argument("--profile", action="store_true", help="also show where the time goes")
    args = parser.parse_args(argv)

    started = time.monotonic()
    summary: list[tuple[str, Outcome | Skipped | str]] = []
    for name in args.only or list(BENCHMARKS):
        try:
            summary.extend((name, outcome) for outcome in BENCHMARKS[name](args))
        except Skipped as skip:
            print(f"== {name}: {skip} ==", flush=True)
            print(flush=True)
            summary.append((name, skip))
        except Exception as error:  # one broken benchmark must not hide the others' numbers
            traceback.print_exc()
            summary.append((name, f"could not run: {error}"))
            print(flush=True)

    print(f"== Summary ({'quick' if args.quick else 'full'} run, {time.monotonic() - started:.0f} s) ==")
    print(machine_facts())
    for name, outcome in summary:
        print(f"{name:<14}" + (outcome.line() if isinstance(outcome, Outcome) else f"  {outcome}"))
    return 1 if any(isinstance(outcome, str) for _, outcome in summary) else 0


if __name__ == "__main__":
    sys.exit(main())
