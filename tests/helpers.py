"""What the cross-part tests share: running a War Room line against a simulator, and reading its entries."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pps_simulator import PSS_ONLY_USER, PPSSimulator, RecordedRequest, credentials
from warroom import Integration, RunResult, run_command

ADMIN = credentials()
PSS_ONLY = credentials(PSS_ONLY_USER)

ENTRY_NOTE = 1
ENTRY_FILE = 3
ENTRY_ERROR = 4
ENTRY_WARNING = 11

# Wide enough for every seeded message: the simulator spreads them over the 30 days before now.
ALL_SEEDED = 'start_time="40 days"'
CHECK_OUTCOME_HINT = "Check with !proofpoint-pps-list-quarantined-messages"


def quote_value(value: str) -> str:
    """A War Room argument value, double-quoted so that any text (spaces, quotes, newlines) survives."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def war_room_line(command: str, args: Mapping[str, str]) -> str:
    return " ".join([f"!{command}", *(f"{name}={quote_value(value)}" for name, value in args.items())])


@dataclass
class WarRoom:
    """One integration instance configured against one simulator, run through the War Room runner."""

    sim: PPSSimulator
    workdir: Path
    integration: Integration
    user: tuple[str, str] = ADMIN

    def params(self, **overrides: Any) -> dict[str, Any]:
        """The instance parameters: the simulator's URL and this user's credentials, then `overrides`."""
        identifier, password = self.user
        params: dict[str, Any] = {
            "url": self.sim.url,
            "credentials": {"identifier": identifier, "password": password},
        }
        params.update(overrides)
        return params

    def env(self) -> dict[str, str]:
        """Verification on, against the simulator's own CA (what `--simulator` of the runner does too)."""
        assert self.sim.ca_file is not None
        return {
            "REQUESTS_CA_BUNDLE": self.sim.ca_file,
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        }

    def run(
        self,
        line: str,
        *,
        debug: bool = False,
        env: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        **param_overrides: Any,
    ) -> RunResult:
        """Run a War Room line; `params` replaces the instance parameters, `param_overrides` amends them."""
        instance = dict(params) if params is not None else self.params(**param_overrides)
        return run_command(
            line,
            instance,
            integration=self.integration,
            workdir=self.workdir,
            debug=debug,
            env=self.env() if env is None else env,
        )


def entries_of_type(result: RunResult, entry_type: int) -> list[dict[str, Any]]:
    return [entry for entry in result.entries if entry.get("Type") == entry_type]


def error_text(result: RunResult) -> str:
    """The text of the run's one error entry (the run must have ended in exactly one)."""
    errors = entries_of_type(result, ENTRY_ERROR)
    assert len(errors) == 1, f"expected one error entry, got {result.entries}"
    assert result.exit_code == 1, result.entries
    return str(errors[0]["Contents"])


def readable(result: RunResult) -> str:
    """What the War Room shows of a successful run's single note entry."""
    assert result.exit_code == 0, result.entries
    notes = entries_of_type(result, ENTRY_NOTE)
    assert notes, result.entries
    entry = notes[0]
    return str(entry.get("HumanReadable") or entry.get("Contents"))


def requests_since(sim: PPSSimulator, start: int, method: str | None = None) -> list[RecordedRequest]:
    """The API requests the simulator received after the first `start` ones."""
    return [item for item in sim.requests.snapshot()[start:] if method is None or item.method == method]
