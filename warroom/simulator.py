"""`--simulator`: the PPS simulator in this process, its state kept in a file across runs."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pps_simulator import credentials
from warroom.errors import CommandRefused
from warroom.integration import PROJECT_ROOT

DEFAULT_STATE_FILE = PROJECT_ROOT / ".warroom" / "simulator.sqlite"
SIMULATOR_USER, SIMULATOR_PASSWORD = credentials()


@dataclass(frozen=True)
class SimulatorInstance:
    """What a run against the simulator needs: the instance params and the environment for the run."""

    params: dict[str, Any]
    env: dict[str, str]
    url: str


@contextlib.contextmanager
def running_simulator(state_file: Path | None = None) -> Iterator[SimulatorInstance]:
    """Start the simulator on a free loopback port with TLS; the integration trusts only its CA."""
    try:
        from pps_simulator import PPSSimulator
    except ImportError as exc:
        raise CommandRefused(f"The PPS simulator is not available: {exc}") from exc

    state = Path(state_file) if state_file is not None else DEFAULT_STATE_FILE
    state.parent.mkdir(parents=True, exist_ok=True)
    with PPSSimulator(db=str(state), tls=True, port=0) as sim:
        yield SimulatorInstance(
            params={
                "url": sim.url,
                "credentials": {"identifier": SIMULATOR_USER, "password": SIMULATOR_PASSWORD},
            },
            # Verification stays on, against the simulator's own CA, and a system proxy is not used for it.
            env={
                "REQUESTS_CA_BUNDLE": str(sim.ca_file),
                "NO_PROXY": "127.0.0.1,localhost",
                "no_proxy": "127.0.0.1,localhost",
            },
            url=sim.url,
        )
