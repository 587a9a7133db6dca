"""What every benchmark shares: machine facts, the simulator in its own process, the integration loaded as
the server loads it, medians and the report lines."""

from __future__ import annotations

import contextlib
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from pps_simulator import credentials
from warroom.execution import (
    ENTRY_TYPE_ERROR,
    MainHook,
    RunResult,
    Runtime,
    execute_integration,
    load_runtime,
    run_fetch,
    without_entry_idiom,
)
from warroom.integration import DEFAULT_INTEGRATION, Integration, load_integration, strip_runtime_imports

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
RUNTIME_DIR = ROOT / "xsoar_runtime"
COMMON_SERVER_FILE = RUNTIME_DIR / "CommonServerPython.py"
INTEGRATION_FILE = DEFAULT_INTEGRATION


# The simulator's admin, who manages every module the benchmarks call (pss, Quarantine, enduser).
SIMULATOR_USER, SIMULATOR_PASSWORD = credentials()
MIB = 1024 * 1024


# ---- machine facts and report lines -------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_facts() -> str:
    import requests
    import urllib3

    return (
        f"machine: {os.cpu_count()} CPUs ({cpu_model()}), {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.system()} {platform.release()}, "
        f"requests {requests.__version__}, urllib3 {urllib3.__version__}"
    )


@dataclass(frozen=True)
class Outcome:
    """One ratio of a benchmark against its target."""

    name: str
    value: float
    target: float | None = None  # None: a figure the issue asks to report, with no target of its own
    higher_is_better: bool = False
    unit: str = ""  # "" for a ratio, else e.g. "MiB"
    informative: bool = False  # shown against the target for comparison, but not one of the targets

    @property
    def met(self) -> bool:
        if self.target is None:
            return True
        return self.value >= self.target if self.higher_is_better else self.value <= self.target

    def line(self) -> str:
        comparison = ">=" if self.higher_is_better else "<="
        unit = f" {self.unit}" if self.unit else ""
        if self.target is None:
            return f"  {self.name:<48} {self.value:8.2f}{unit}   (reported)"
        verdict = "MET" if self.met else "MISSED"
        if self.informative:
            verdict = f"(informative: {'within' if self.met else 'beyond'} it)"
        return f"  {self.name:<48} {self.value:8.2f}{unit}   target {comparison} {self.target:g}{unit}   {verdict}"


def print_header(title: str, details: str) -> None:
    print(f"== {title} ==")
    print(machine_facts())
    print(details, flush=True)


def print_outcomes(outcomes: list[Outcome]) -> None:
    for outcome in outcomes:
        print(outcome.line())
    print(flush=True)


def median(values: list[float]) -> float:
    return statistics.median(values)


def spread(values: list[float]) -> str:
    """min..max, so a reader sees how noisy the medians are."""
    return f"{min(values):.1f}..{max(values):.1f}"


# ---- the simulator, as a server in its own process --------------------------------------------------------


@dataclass(frozen=True)
class Simulator:
    """A simulator process: where it listens and what the integration and a plain client need to reach it."""

    url: str  # without /rest/v1
    ca_file: str | None
    info: dict[str, Any]

    @property
    def api(self) -> str:
        return self.url + "/rest/v1"

    @property
    def auth(self) -> tuple[str, str]:
        return (SIMULATOR_USER, SIMULATOR_PASSWORD)

    @property
    def params(self) -> dict[str, Any]:
        """The instance parameters, as the YAML names them."""
        return {
            "url": self.url,
            "credentials": {"identifier": SIMULATOR_USER, "password": SIMULATOR_PASSWORD},
            "unsecure": False,
            "proxy": False,
        }

    @property
    def env(self) -> dict[str, str]:
        """Verification stays on, against the simulator's CA, for the integration and the baseline alike."""
        env = {"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
        if self.ca_file:
            env["REQUESTS_CA_BUNDLE"] = self.ca_file
        return env

    def add_fault(self, **fault: Any) -> None:
        import requests

        reply = requests.post(self.url + "/_simulator/faults", json=fault, verify=self.ca_file or True)
        reply.raise_for_status()

    def clear_faults(self) -> None:
        import requests

        requests.delete(self.url + "/_simulator/faults", verify=self.ca_file or True).raise_for_status()

    def recorded_requests(self) -> list[dict[str, Any]]:
        """The API requests the simulator received so far (method, path, query, status, time)."""
        import requests

        reply = requests.get(self.url + "/_simulator/requests", verify=self.ca_file or True, timeout=60)
        reply.raise_for_status()
        found: list[dict[str, Any]] = reply.json()["requests"]
        return found


@contextlib.contextmanager
def simulator_process(
    messages: int, *, large_message_bytes: int = 0, tls: bool = True, timeout: float = 120
) -> Iterator[Simulator]:
    """Starts `python -m bench.simulator_process` on a free loopback port and stops it at the end."""
    command = [sys.executable, "-m", "bench.simulator_process", "--messages", str(messages)]
    if large_message_bytes:
        command += ["--large-message-bytes", str(large_message_bytes)]
    if not tls:
        command.append("--http")
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors, text=True
        )
        try:
            assert process.stdout is not None
            started = time.monotonic()
            line = process.stdout.readline()
            if not line:
                process.wait(timeout=timeout - (time.monotonic() - started))
                errors.seek(0)
                raise RuntimeError(
                    f"the simulator process failed to start: {errors.read().decode(errors='replace')}"
                )
            info = json.loads(line)
            yield Simulator(url=info["url"], ca_file=info.get("ca_file"), info=info)
        finally:
            if process.stdin is not None:
                process.stdin.close()  # the process stops when its stdin closes
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextlib.contextmanager
def environment(env: Mapping[str, str]) -> Iterator[None]:
    """`env` added to this process's environment for the block: the baselines' bare requests verify
    against the simulator's CA and bypass a proxy as the integration's runs do (the executor sets the
    same for each of its runs and restores the rest)."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


# ---- the integration, run by the War Room runner's executor ---------------------------------------------


def integration_code(entry_idiom: bool = True) -> str:
    """The integration's source as the server runs it: its two runtime import lines removed (for the
    fresh-process benchmarks, which exec it themselves as a new server process does); without its
    entry idiom when `entry_idiom` is False, for a process that calls main() itself, as the runner's
    executor does for an `around_main` hook (the same removal, line numbers kept)."""
    code = strip_runtime_imports(INTEGRATION_FILE.read_text(encoding="utf-8"))
    return code if entry_idiom else without_entry_idiom(code)


@dataclass
class MainRun:
    """An `around_main` hook of the runner's executor for one run: sets `overrides` in the integration's
    namespace, gives main() the `last_run` (when not None) and keeps what main() left, times main() alone
    and, with `trace_memory`, takes the tracemalloc peak of main() alone. main()'s exceptions (return_error's
    SystemExit) go on to the runner's executor, which turns them into entries as the server does."""

    overrides: Mapping[str, Any] = field(default_factory=dict)
    trace_memory: bool = False
    last_run: dict[str, Any] | None = None
    elapsed_ms: float = 0.0
    peak_bytes: int = 0

    def __call__(self, namespace: dict[str, Any], main: Callable[[], None]) -> None:
        namespace.update(self.overrides)
        demisto = namespace["demisto"]
        if self.last_run is not None:
            demisto.setLastRun(self.last_run)
        gc.collect()
        if self.trace_memory:
            tracemalloc.start()
            tracemalloc.reset_peak()
        started = time.perf_counter()
        try:
            main()
        finally:
            self.elapsed_ms = (time.perf_counter() - started) * 1000
            if self.trace_memory:
                self.peak_bytes = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
            if self.last_run is not None:
                self.last_run = demisto.getLastRun()


class Executor:
    """Runs commands the one way the project runs them: warroom.execution.execute_integration (the War
    Room runner's executor: CommonServerPython and the integration exec'd in a fresh namespace named
    `builtins`, main() from the entry idiom, process-wide state restored afterwards). A benchmark acts
    between the exec and main() through the executor's `around_main` hook, which then calls main().
    """

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self.integration: Integration = load_integration(INTEGRATION_FILE)
        self.runtime: Runtime = load_runtime()
        self.env = dict(env or {})

    @property
    def demisto(self) -> ModuleType:
        return self.runtime.demisto

    def has_command(self, command: str) -> bool:
        """Whether the integration's YAML declares `command` (fetch-incidents: whether it fetches)."""
        manifest = self.integration.manifest
        return command in manifest.commands or (command == "fetch-incidents" and manifest.is_fetch)

    def run(
        self,
        command: str,
        args: Mapping[str, Any],
        params: Mapping[str, Any],
        hook: MainHook | None = None,
    ) -> list[dict[str, Any]]:
        """The entries of one run of `command` (args as the War Room passes them: strings, or lists as a
        playbook passes an array), `hook` in place of main() when given."""
        with tempfile.TemporaryDirectory(prefix="bench-run-") as run_dir:
            execution = execute_integration(
                self.runtime,
                self.integration,
                command,
                args,
                params,
                Path(run_dir),
                env=self.env,
                around_main=hook,
            )
        return execution.entries

    def fetch(self, params: Mapping[str, Any], state_file: Path, hook: MainHook | None = None) -> RunResult:
        """One fetch-incidents run as the runner's `run_fetch` does it (the scheduler's run: params checked
        against the YAML, isFetch on, last run and integration context kept in `state_file`)."""
        with tempfile.TemporaryDirectory(prefix="bench-fetch-") as workdir:
            return run_fetch(
                params,
                self.integration,
                Path(workdir),
                state_file=state_file,
                env=self.env,
                runtime=self.runtime,
                around_main=hook,
            )

    def measured(
        self, command: str, args: Mapping[str, Any], params: Mapping[str, Any], measure: MainRun
    ) -> list[dict[str, Any]]:
        """One run with `measure` as the hook; its figures are in `measure` afterwards."""
        return self.run(command, args, params, measure)

    def constant(self, name: str) -> Any:
        """A module-level value of the integration, read after its exec (main() is not called)."""
        found: dict[str, Any] = {}
        self.run("test-module", {}, {}, lambda namespace, main: found.update(value=namespace[name]))
        return found["value"]

    def concurrency_bounds(self) -> dict[str, int]:
        """The integration's concurrency bounds: every module-level integer named `*_CONCURRENCY`."""
        found: dict[str, int] = {}

        def read(namespace: dict[str, Any], main: Callable[[], None]) -> None:
            found.update(
                (name, value)
                for name, value in namespace.items()
                if name.endswith("_CONCURRENCY") and isinstance(value, int) and not isinstance(value, bool)
            )

        self.run("test-module", {}, {}, read)
        return found


class Skipped(Exception):
    """A benchmark of a feature the integration does not have yet: said, not failed (exit status 0)."""

    def __init__(self, command: str, what: str = "") -> None:
        super().__init__(f"skipped: {command}{' ' + what if what else ''} not in the integration yet")


def error_text(entries: list[dict[str, Any]]) -> str | None:
    """The first error entry's text, or None when no entry is an error."""
    for entry in entries:
        if entry.get("Type") == ENTRY_TYPE_ERROR:
            return str(entry.get("Contents"))
    return None


# ---- fresh processes ------------------------------------------------------------------------------------


def child_env(extra: Mapping[str, str]) -> dict[str, str]:
    """The environment of a measured child process: this one's, plus `extra`, minus what would skew it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHONPROFILE", "PYTHONTRACEMALLOC"))}
    env.pop("PYTHONPATH", None)
    env.update(extra)
    return env


def spec_path(script: str, workdir: Path) -> Path:
    return workdir / f"{Path(script).stem}.spec.json"


def run_child(
    script: str,
    spec: Mapping[str, Any],
    env: Mapping[str, str],
    workdir: Path,
    python_flags: tuple[str, ...] = (),
) -> tuple[float, dict[str, Any]]:
    """Runs bench/<script> with `spec` in a fresh process; returns its wall time (ms) and its JSON report."""
    spec_file = spec_path(script, workdir)
    spec_file.write_text(json.dumps(spec))
    command = [sys.executable, *python_flags, str(BENCH_DIR / script), str(spec_file)]
    started = time.perf_counter()
    finished = subprocess.run(
        command, cwd=workdir, env=dict(env), capture_output=True, text=True, check=False, timeout=600
    )
    elapsed_ms = (time.perf_counter() - started) * 1000
    if finished.returncode != 0:
        raise RuntimeError(f"{script} exited {finished.returncode}: {finished.stderr.strip()[-2000:]}")
    lines = finished.stdout.strip().splitlines()
    report: dict[str, Any] = json.loads(lines[-1]) if lines else {}
    report["stderr"] = finished.stderr
    return elapsed_ms, report


def interleaved(runs: int, *work: Callable[[], Any]) -> list[list[Any]]:
    """Runs each of `work` `runs` times, rotating which goes first, so drift hits all alike.

    Returns one list of results per callable, in the order given."""
    results: list[list[Any]] = [[] for _ in work]
    for number in range(runs):
        for offset in range(len(work)):
            index = (number + offset) % len(work)
            results[index].append(work[index]())
    return results
