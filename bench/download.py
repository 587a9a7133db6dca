"""Download: a 50 MB quarantined message downloaded by the command process (the download command through
main(), streaming to the file entry's file) against a process that only streams the same bytes to disk
with requests (iter_content, the integration's chunk size).

The message is added to a simulator running in its own process (backend.add_message). Each side is a
fresh process; each reports its peak RSS growth during the download (the high-water mark is reset just
before it, then read after, on Linux) and its throughput. Targets: at most 32 MiB more growth than the
baseline; throughput at least 0.8 of the baseline's.

`python -m bench.download [--quick] [--runs N] [--size-mb MB] [--http]`
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.common import (
    COMMON_SERVER_FILE,
    MIB,
    ROOT,
    RUNTIME_DIR,
    Executor,
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
    spread,
)

GROWTH_TARGET_MIB = 32.0
THROUGHPUT_TARGET = 0.8
COMMAND = "proofpoint-pps-download-message"


class Download:
    def __init__(self, sim: Simulator, workdir: Path, size: int) -> None:
        self.sim = sim
        self.workdir = workdir
        self.size = size
        self.env = child_env(sim.env)
        guid = sim.info["large_guid"]
        code_file = workdir / "integration.py"
        code_file.write_text(integration_code(entry_idiom=False), encoding="utf-8")  # main() by the child
        chunk_bytes = int(Executor().constant("DOWNLOAD_CHUNK_BYTES"))
        self.chunk_bytes = chunk_bytes
        self.command_spec: dict[str, Any] = {
            "root": str(ROOT),
            "runtime_dir": str(RUNTIME_DIR),
            "csp_file": str(COMMON_SERVER_FILE),
            "code_file": str(code_file),
            "command": COMMAND,
            "args": {"guid": guid},
            "params": sim.params,
            "mode": "measured",
        }
        self.baseline_spec: dict[str, Any] = {
            "root": str(ROOT),
            "mode": "download",
            "url": sim.api + "/quarantine",
            "params": {"guid": guid},
            "auth": list(sim.auth),
            "headers": {"Accept": "application/json, text/plain, */*"},
            "chunk_bytes": chunk_bytes,
            "destination": str(workdir / "baseline.eml"),
        }

    def command(self) -> dict[str, Any]:
        _, report = run_child("child_command.py", self.command_spec, self.env, self.workdir)
        entries = report["entries"]
        if len(entries) != 1 or entries[0]["Type"] != 3 or not entries[0]["FileID"]:
            raise RuntimeError(f"the download command did not return a file entry: {entries}")
        written = self.workdir / f"1_{entries[0]['FileID']}"  # <investigation id>_<FileID>, as fileResult
        self._check_and_remove(written)
        return self._figures(report, report["phases_ms"]["main()"])

    def baseline(self) -> dict[str, Any]:
        _, report = run_child("child_requests.py", self.baseline_spec, self.env, self.workdir)
        self._check_and_remove(Path(self.baseline_spec["destination"]))
        return self._figures(report, report["phases_ms"]["download"])

    def _check_and_remove(self, path: Path) -> None:
        size = path.stat().st_size
        path.unlink()
        if size != self.size:
            raise RuntimeError(f"{path.name}: {size} bytes written, not {self.size}")

    def _figures(self, report: dict[str, Any], elapsed_ms: float) -> dict[str, Any]:
        if not report.get("peak_reset"):
            print("  (warning: the RSS high-water mark could not be reset; growth may be understated)")
        growth_kib = report["peak_after_kib"] - report["rss_before_kib"]
        return {
            "growth_mib": max(0, growth_kib) / 1024,
            "mib_per_s": self.size / MIB / (elapsed_ms / 1000),
            "rss_before_mib": report["rss_before_kib"] / 1024,
        }


def run(quick: bool = False, runs: int | None = None, size_mb: int = 50, tls: bool = True) -> list[Outcome]:
    runs = runs or (3 if quick else 7)
    size = size_mb * MIB
    print_header(
        f"Download: a {size_mb} MiB message, each side a fresh process",
        f"command: !{COMMAND} guid=<the message> through main() over {'HTTPS' if tls else 'HTTP'}, "
        "streamed to the file entry's file; baseline: requests.get(stream=True) + iter_content to a file; "
        f"{runs} runs each, interleaved, medians",
    )
    with simulator_process(messages=300, large_message_bytes=size, tls=tls) as sim:
        with tempfile.TemporaryDirectory(prefix="bench-download-") as tmp:
            bench = Download(sim, Path(tmp), size)
            bench.command()  # warm-up: page cache, the simulator's first read of the chunks
            command_runs, baseline_runs = interleaved(runs, bench.command, bench.baseline)
    figures: dict[str, dict[str, list[float]]] = {}
    for label, reports in (("baseline", baseline_runs), ("command", command_runs)):
        figures[label] = {key: [report[key] for report in reports] for key in reports[0]}
        growth, speed = figures[label]["growth_mib"], figures[label]["mib_per_s"]
        print(
            f"  {label:<9} peak RSS growth median {median(growth):6.1f} MiB ({spread(growth)}), "
            f"throughput median {median(speed):6.1f} MiB/s ({spread(speed)}), "
            f"RSS before {median(figures[label]['rss_before_mib']):.1f} MiB"
        )
    print(f"  chunk size {bench.chunk_bytes // 1024} KiB on both sides")
    outcomes = [
        Outcome(
            "command - baseline peak RSS growth",
            median(figures["command"]["growth_mib"]) - median(figures["baseline"]["growth_mib"]),
            GROWTH_TARGET_MIB,
            unit="MiB",
        ),
        Outcome(
            "command / baseline throughput",
            median(figures["command"]["mib_per_s"]) / median(figures["baseline"]["mib_per_s"]),
            THROUGHPUT_TARGET,
            higher_is_better=True,
        ),
    ]
    print_outcomes(outcomes)
    return outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.download", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs")
    parser.add_argument("--runs", type=int, help="runs of each process (default 7, 3 with --quick)")
    parser.add_argument("--size-mb", type=int, default=50, help="size of the message in MiB (default 50)")
    parser.add_argument("--http", action="store_true", help="plain HTTP instead of HTTPS")
    args = parser.parse_args(argv)
    run(quick=args.quick, runs=args.runs, size_mb=args.size_mb, tls=not args.http)
    return 0


if __name__ == "__main__":
    sys.exit(main())
