"""`around_main`: the caller's code between the integration's exec and its main(), everything else as a run.

The benchmarks use it to set a constant (e.g. a concurrency bound) and to time main() alone; what the
run produces, and what it restores afterwards, must stay what the entry idiom's run gives.
"""

from __future__ import annotations

import http.client
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from warroom import Runtime, run_command, run_fetch
from warroom.execution import without_entry_idiom

from .fakes import FAKE_FETCH_INTEGRATION, FAKE_FETCH_YAML

PARAMS = {"url": "https://pps.example.com", "credentials": {"identifier": "me", "password": "pw"}}
Writer = Callable[..., Path]

# A module-level constant main() reads, a record of main()'s calls, and an entry idiom that would call
# main() a second time if it ran; main() also does what CSP does in debug mode: replace http.client.print.
COUNTING_INTEGRATION = """\
import demistomock as demisto  # noqa: E402
from CommonServerPython import *  # noqa: F401,F403
import http.client

GREETING = "hello"
MAIN_CALLS = []


def main():
    MAIN_CALLS.append(demisto.command())
    http.client.print = lambda *parts, **options: None
    if demisto.args().get("note") == "raise":
        raise ValueError("boom from main")
    if demisto.args().get("note") == "fail":
        return_error("it failed")
    return_results(f"{GREETING} from {__name__}")


if __name__ in ("__main__", "__builtin__", "builtins"):
    main()
"""


class Hook:
    """Sets `overrides` in the namespace, then calls main(); keeps what it saw."""

    def __init__(self, **overrides: Any) -> None:
        self.overrides = overrides
        self.seen: dict[str, Any] = {}
        self.namespace: dict[str, Any] = {}
        self.calls = 0

    def __call__(self, namespace: dict[str, Any], main: Callable[[], None]) -> None:
        self.calls += 1
        self.namespace = namespace
        self.seen = {name: namespace.get(name) for name in ("GREETING", "MAIN_CALLS", "__name__")}
        self.seen["MAIN_CALLS"] = list(namespace["MAIN_CALLS"])  # as it was before main()
        namespace.update(self.overrides)
        main()


@pytest.fixture
def counting(make_integration: Writer) -> Path:
    return make_integration(COUNTING_INTEGRATION)


def test_the_hook_sees_the_constants_before_main_and_its_change_reaches_main(
    fake_runtime: Runtime, counting: Path, tmp_path: Path
) -> None:
    hook = Hook(GREETING="changed")

    result = run_command("!fake-echo text=x", PARAMS, counting, tmp_path / "out", around_main=hook)

    assert hook.calls == 1
    assert hook.seen == {"GREETING": "hello", "MAIN_CALLS": [], "__name__": "builtins"}
    assert result.entries == [{"Type": 1, "Contents": "changed from builtins", "ContentsFormat": "text"}]
    assert result.exit_code == 0
    assert hook.namespace["MAIN_CALLS"] == ["fake-echo"]  # once: the entry idiom did not run it too


def test_without_the_hook_the_entry_idiom_runs_main_as_before(
    fake_runtime: Runtime, counting: Path, tmp_path: Path
) -> None:
    result = run_command("!fake-echo text=x", PARAMS, counting, tmp_path / "out")

    assert result.entries == [{"Type": 1, "Contents": "hello from builtins", "ContentsFormat": "text"}]


def test_a_hook_that_does_not_call_main_runs_nothing_of_the_command(
    fake_runtime: Runtime, counting: Path, tmp_path: Path
) -> None:
    seen: dict[str, Any] = {}

    def read_only(namespace: dict[str, Any], main: Callable[[], None]) -> None:
        seen.update(greeting=namespace["GREETING"], calls=namespace["MAIN_CALLS"])

    result = run_command("!fake-echo text=x", PARAMS, counting, tmp_path / "out", around_main=read_only)

    assert seen == {"greeting": "hello", "calls": []}
    assert result.entries == [] and result.exit_code == 0


def test_http_client_print_is_restored_after_a_hooked_run(
    fake_runtime: Runtime, counting: Path, tmp_path: Path
) -> None:
    before = http.client.__dict__.get("print")

    result = run_command("!fake-echo text=x", PARAMS, counting, tmp_path / "out", around_main=Hook())

    assert result.exit_code == 0
    assert http.client.__dict__.get("print") is before


def test_return_error_and_exceptions_in_main_become_entries_as_without_the_hook(
    fake_runtime: Runtime, counting: Path, tmp_path: Path
) -> None:
    failed = run_command(
        "!fake-echo text=x note=fail", PARAMS, counting, tmp_path / "out", around_main=Hook()
    )
    raised = run_command(
        "!fake-echo text=x note=raise", PARAMS, counting, tmp_path / "out", around_main=Hook()
    )

    assert failed.exit_code == 1
    assert [entry["Contents"] for entry in failed.entries] == ["it failed"]
    assert raised.exit_code == 1
    (error,) = raised.entries
    assert "ValueError: boom from main" in error["Contents"]
    # The entry idiom is left out without moving a line: the traceback names the file's own line.
    raise_line = COUNTING_INTEGRATION.splitlines().index('        raise ValueError("boom from main")') + 1
    assert f'File "{counting}", line {raise_line}, in main' in error["Contents"]


def test_an_integration_without_main_is_an_error_entry_naming_it(
    fake_runtime: Runtime, make_integration: Writer, tmp_path: Path
) -> None:
    code = make_integration("X = 1\n")

    result = run_command("!test-module", PARAMS, code, tmp_path / "out", around_main=Hook())

    assert result.exit_code == 1
    assert "defines no main() for around_main to run" in result.entries[-1]["Contents"]


def test_run_fetch_passes_the_hook_through(make_integration: Writer, tmp_path: Path) -> None:
    fetcher = make_integration(FAKE_FETCH_INTEGRATION, FAKE_FETCH_YAML, name="FakeFetch")
    calls: list[str] = []

    def around(namespace: dict[str, Any], main: Callable[[], None]) -> None:
        calls.append(namespace["demisto"].command())
        main()

    result = run_fetch({"url": "https://pps.example.com"}, fetcher, tmp_path / "out", around_main=around)

    assert calls == ["fetch-incidents"]
    assert [incident["name"].rsplit(" ", 1)[1] for incident in result.incidents] == ["0", "1"]


def test_without_entry_idiom_blanks_only_the_idiom_and_keeps_line_numbers() -> None:
    code = (
        "x = 1\n"
        'if __name__ == "__main__": main()\n'
        'if __name__ in ("__main__",\n'
        '               "builtins"):\n'
        "    main()\n"
        "if x == 1:\n"
        "    y = 2\n"
        "    if __name__ in ('builtins',):\n"
        "        main()\n"
    )
    assert without_entry_idiom(code) == (
        "x = 1\n\n\n\n\nif x == 1:\n    y = 2\n    if __name__ in ('builtins',):\n        main()\n"
    )
