"""Fixtures: PPS simulators over HTTPS and War Room instances configured against them.

A simulator whose state a test changes (actions, faults) is function-scoped; the one read-only tests
share is session-scoped. Both are in-memory and small, so starting one costs a few milliseconds.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

# The parts under test are folders of the project root, which `pytest tests` alone does not put on
# sys.path (a run of every testpath imports them from their own folders first).
PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

from pps_simulator import PPSSimulator  # noqa: E402
from warroom import Integration, load_integration  # noqa: E402

from .helpers import PSS_ONLY, WarRoom  # noqa: E402

# Property tests: a modest, fixed number of examples per command so that the folder stays fast.
# `ci` is also reproducible (derandomized, no example database); `thorough` is for a hunt by hand:
# HYPOTHESIS_PROFILE=thorough python -m pytest tests/test_fuzz.py
settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "dev",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "thorough",
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


@pytest.fixture(scope="session")
def integration() -> Integration:
    """The project's integration, its YAML parsed once for the whole session."""
    return load_integration()


@pytest.fixture
def sim() -> Iterator[PPSSimulator]:
    """A fresh simulator for a test that changes its state or switches faults on."""
    with PPSSimulator(db=":memory:", messages=30, seed=3, tls=True, port=0) as simulator:
        yield simulator


@pytest.fixture(scope="session")
def shared_sim() -> Iterator[PPSSimulator]:
    """A simulator for tests that only read (searches, downloads): never act on it or fault it."""
    with PPSSimulator(db=":memory:", messages=80, seed=11, tls=True, port=0) as simulator:
        yield simulator


@pytest.fixture
def war_room(sim: PPSSimulator, tmp_path: Path, integration: Integration) -> WarRoom:
    return WarRoom(sim, tmp_path / "files", integration)


@pytest.fixture
def shared_war_room(shared_sim: PPSSimulator, tmp_path: Path, integration: Integration) -> WarRoom:
    return WarRoom(shared_sim, tmp_path / "files", integration)


@pytest.fixture
def pss_only_war_room(sim: PPSSimulator, tmp_path: Path, integration: Integration) -> WarRoom:
    """An instance whose user's API role lacks the Quarantine module."""
    return WarRoom(sim, tmp_path / "files", integration, user=PSS_ONLY)
