"""Cold start: one command as a fresh Python process, against a process that only imports requests and
makes the same HTTP request.

The command process does what the XSOAR server does for every command: import demistomock, exec
CommonServerPython's source and the integration's source (import lines stripped) in a fresh namespace,
and main() runs from the entry idiom. Both processes talk to the simulator, a separate process on a
loopback port, over HTTPS verified against its CA (or plain HTTP with --http). Target: ratio <= 1.5.

`python -m bench.cold_start [--quick] [--runs N] [--http] [--profile]`
"""

from __future__ import annotations

import argparse
import io
import pstats
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from bench.common import (
    BENCH_DIR,
    COMMON_SERVER_FILE,
    RUNTIME_DIR,
    Outcome,
    Simulator,
    child_env,
    integration_code,
    interleaved,
    median,
    print_header,
    print_outcomes,
    run_child,
    simulator_process,
    spec_path,
    spread,
)

TARGET_RATIO = 1.5
COMMAND = "proofpoint-pps-smart-search"
LIMIT = 10
START_DAYS = 30
SMART_SEARCH_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S%z"  # the integration's, for the same query


def command_spec(sim: Simulator, workdir: Path) -> dict[str, Any]:
    code_file = workdir / "integration.py"
    code_file.write_text(integration_code(), encoding="utf-8")
    return {
        "runtime_dir": str(RUNTIME_DIR),
        "csp_file": str(COMMON_SERVER_FILE),
        "code_file": str(code_file),
        "command": COMMAND,
        "args": {"start_time": f"{START_DAYS} days", "limit": str(LIMIT)},
        "params": sim.params,
        "mode": "entry",
    }


def baseline_spec(sim: Simulator) -> dict[str, Any]:
    start = datetime.now(timezone.utc) - timedelta(days=START_DAYS)
    return {
        "mode": "get",
        "url": sim.api + "/pss/filter",
        "params": {"from": start.strftime(SMART_SEARCH_TIME_FORMAT), "count": str(LIMIT)},
        "auth": list(sim.auth),
        "headers": {"Accept": "application/json, text/plain, */*"},
    }


def check_command_report(report: dict[str, Any]) -> None:
    entries = report.get("entries") or []
    if len(entries) != 1 or entries[0]["Type"] != 1 or "Smart Search Results" not in entries[0]["text"]:
        raise RuntimeError(f"the command did not return its table: {entries}")


def median_phases(reports: list[dict[str, Any]], wall_ms: list[float]) -> dict[str, float]:
    collected: dict[str, list[float]] = defaultdict(list)
    for report, wall in zip(reports, wall_ms, strict=True):
        for name, value in report["phases_ms"].items():
            collected[name].append(value)
        collected["interpreter start + exit (wall - in process)"].append(
            wall - report["phases_ms"]["total in process"]
        )
    return {name: median(values) for name, values in collected.items()}


def import_times(script: str, spec: dict[str, Any], env: dict[str, str], workdir: Path) -> dict[str, int]:
    """Module -> own import time (µs) under `python -X importtime`."""
    _, report = run_child(script, spec, env, workdir, python_flags=("-X", "importtime"))
    times: dict[str, int] = {}
    for line in report["stderr"].splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if match:
            times[match.group(4)] = int(match.group(1))
    return times


def profile(spec: dict[str, Any], base: dict[str, Any], env: dict[str, str], workdir: Path) -> None:
    """Where the command process spends the time the baseline does not: imports only it makes, and cProfile."""
    command_imports = import_times("child_command.py", spec, env, workdir)
    baseline_imports = import_times("child_requests.py", base, env, workdir)
    extra = {name: us for name, us in command_imports.items() if name not in baseline_imports}
    print(
        f"  modules imported only by the command process: {len(extra)}, {sum(extra.values()) / 1000:.1f} ms own time"
    )
    for name, us in sorted(extra.items(), key=lambda item: -item[1])[:12]:
        print(f"    {us / 1000:6.1f} ms  {name}")
    stats_file = workdir / "command.prof"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "cProfile",
            "-o",
            str(stats_file),
            str(BENCH_DIR / "child_command.py"),
            str(spec_path("child_command.py", workdir)),
        ],
        cwd=workdir,
        env=env,
        capture_output=True,
        check=True,
    )
    text = io.StringIO()
    stats = pstats.Stats(str(stats_file), stream=text).sort_stats("cumulative")
    stats.print_stats(r"xsoar_runtime|integration\.py", 15)
    print("  cProfile of the command process, the project's own code (cumulative):")
    for line in text.getvalue().splitlines():
        if re.match(r"\s+\d", line) or "ncalls" in line:
            print("    " + line.strip()[:150])
    print()


def run(
    quick: bool = False, runs: int | None = None, tls: bool = True, show_profile: bool = False
) -> list[Outcome]:
    runs = runs or (5 if quick else 15)
    print_header(
        "Cold start: one command as a fresh process",
        f'command: !{COMMAND} start_time="{START_DAYS} days" limit={LIMIT} over {"HTTPS" if tls else "HTTP"}; '
        f"baseline: a process importing requests and making the same GET; {runs} runs each, interleaved, medians",
    )
    with (
        simulator_process(messages=300, tls=tls) as sim,
        tempfile.TemporaryDirectory(prefix="bench-cold-") as tmp,
    ):
        workdir = Path(tmp)
        env = child_env(sim.env)
        spec = command_spec(sim, workdir)
        base = baseline_spec(sim)
        # One of each first, so the files both read are in the page cache for every measured run.
        check_command_report(run_child("child_command.py", spec, env, workdir)[1])
        run_child("child_requests.py", base, env, workdir)
        command_runs, baseline_runs = interleaved(
            runs,
            lambda: run_child("child_command.py", spec, env, workdir),
            lambda: run_child("child_requests.py", base, env, workdir),
        )
        for _, report in command_runs:
            check_command_report(report)
        command_ms = [wall for wall, _ in command_runs]
        baseline_ms = [wall for wall, _ in baseline_runs]
        print(
            f"  baseline process (import requests + GET + JSON)   median {median(baseline_ms):7.1f} ms  ({spread(baseline_ms)})"
        )
        print(
            f"  command process (demistomock + CSP + integration) median {median(command_ms):7.1f} ms  ({spread(command_ms)})"
        )
        print("  where the time goes (medians, ms):")
        for label, reports, walls in (
            ("baseline", [r for _, r in baseline_runs], baseline_ms),
            ("command", [r for _, r in command_runs], command_ms),
        ):
            phases = median_phases(reports, walls)
            print(f"    {label:<9} " + ", ".join(f"{name} {value:.1f}" for name, value in phases.items()))
        if show_profile:
            profile(spec, base, env, workdir)
    outcomes = [
        Outcome("command / baseline wall time", median(command_ms) / median(baseline_ms), TARGET_RATIO)
    ]
    print_outcomes(outcomes)
    return outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cold_start", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs")
    parser.add_argument("--runs", type=int, help="runs of each process (default 15, 5 with --quick)")
    parser.add_argument("--http", action="store_true", help="plain HTTP instead of HTTPS")
    parser.add_argument(
        "--profile", action="store_true", help="also show -X importtime and cProfile findings"
    )
    args = parser.parse_args(argv)
    run(quick=args.quick, runs=args.runs, tls=not args.http, show_profile=args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
