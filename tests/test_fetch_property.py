"""fetch-incidents against the PPS simulator (issue 9): run after run while messages arrive in bursts,
in the same second, late (dated up to the look-back window earlier than they are written) and in several
folders, every message comes out exactly once, each folder's in date order, and the last run stays
bounded. The simulator answers newest first and honours `limit`, so a full page holds the newest
records: the worst case for a fetch that must take the oldest first.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import ProofpointProtectionServerV2 as pps
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pps_simulator import PPSSimulator

START = datetime(2026, 11, 28, 12, 0, 0, tzinfo=timezone.utc)
FOLDERS = ["Quarantine", "Phish", "HIPAA"]


@st.composite
def arrival_histories(draw: Any) -> dict[str, Any]:
    """Runs of fetch, each after some seconds and some arrivals (burst, folder, how late)."""
    page = draw(st.integers(3, 8))
    look_back = draw(st.integers(0, 3))
    folders = draw(st.lists(st.sampled_from(FOLDERS), min_size=1, max_size=3, unique=True))
    arrival = st.tuples(
        st.sampled_from(folders),
        st.integers(1, page),  # messages dated in one second: more than the API's page cannot be listed
        st.integers(0, look_back * 60),  # seconds earlier than written, inside the look-back window
    )
    steps = st.tuples(st.integers(0, 150), st.lists(arrival, max_size=3))
    return {
        "page": page,
        "look_back": look_back,
        "folders": folders,
        "max_fetch": draw(st.integers(1, 6)),
        "steps": draw(st.lists(steps, min_size=1, max_size=8)),
    }


@pytest.fixture(autouse=True)
def keep_page_limit() -> Any:
    original = pps.QUARANTINE_MAX_LIMIT
    yield
    pps.QUARANTINE_MAX_LIMIT = original


@given(history=arrival_histories())
def test_every_arrival_is_fetched_exactly_once_in_date_order_with_a_bounded_last_run(
    history: dict[str, Any],
) -> None:
    # A small page makes the simulator's newest-first truncation bite with a handful of messages.
    pps.QUARANTINE_MAX_LIMIT = history["page"]
    with PPSSimulator(db=":memory:", messages=0, seed=9, tls=False, port=0) as sim:
        client = pps.Client(sim.url, *admin_credentials(), verify=False, proxy=False, timeout=10)
        drive_fetch(sim, client, history)


def admin_credentials() -> tuple[str, str]:
    from pps_simulator import credentials

    return credentials()


class FetchDriver:
    """Moves a clock on, quarantines arrivals in the simulator, runs fetch as the scheduler would (the
    last run handed from one run to the next) and checks each run."""

    def __init__(self, sim: PPSSimulator, client: pps.Client, history: dict[str, Any]) -> None:
        self.sim, self.client, self.history = sim, client, history
        self.look_back = timedelta(minutes=history["look_back"])
        self.settings = pps.FetchSettings(
            first_fetch=START,
            max_fetch=history["max_fetch"],
            folders=history["folders"],
            criteria={"rcpt": "*"},
            look_back=self.look_back,
            attach_message=False,
            incident_type=None,
        )
        self.now = START
        self.last_run: dict[str, Any] = {}
        self.dates: dict[str, datetime] = {}  # every message quarantined, by guid
        self.on_time: set[str] = set()  # those dated the second they were written
        self.per_second: dict[tuple[str, datetime], int] = {}
        self.emitted: list[str] = []
        self.latest_on_time: dict[str, datetime] = {}

    def quarantine(self, folder: str, count: int, late_by: int) -> None:
        date = max(self.now - timedelta(seconds=late_by), START)
        # More messages in one folder and second than a page holds cannot be listed by the API at all.
        count = min(count, self.history["page"] - self.per_second.get((folder, date), 0))
        if count <= 0:
            return
        self.per_second[(folder, date)] = self.per_second.get((folder, date), 0) + count
        for record in self.sim.backend.quarantine_new(count, folders=folder, at=date.timestamp()):
            self.dates[record["guid"]] = date
            if date == self.now:
                self.on_time.add(record["guid"])

    def fetch_after(self, seconds: int, arrivals: list[tuple[str, int, int]]) -> int:
        """One run, `seconds` after the last, once the arrivals are in; returns how many incidents it made."""
        self.now += timedelta(seconds=seconds)
        for folder, count, late_by in arrivals:
            self.quarantine(folder, count, late_by)
        next_run, incidents = pps.fetch_incidents(
            self.client, self.settings, json.loads(json.dumps(self.last_run)), self.now
        )
        assert len(incidents) <= self.history["max_fetch"]
        by_folder: dict[str, list[tuple[datetime, str]]] = {}
        for incident in incidents:
            record = json.loads(incident["rawJSON"])
            guid, folder = record["guid"], record["folder"]
            assert incident["occurred"] == pps.iso_utc(self.dates[guid])
            by_folder.setdefault(folder, []).append((self.dates[guid], guid))
            if guid in self.on_time:  # across runs too, for messages that were not late
                assert self.dates[guid] >= self.latest_on_time.get(folder, START)
                self.latest_on_time[folder] = self.dates[guid]
        for taken in by_folder.values():
            assert taken == sorted(taken)
            self.emitted += [guid for _, guid in taken]
        previous, self.last_run = self.last_run, json.loads(json.dumps(next_run))
        for folder, state in self.last_run["folders"].items():
            if state == previous.get("folders", {}).get(folder):
                continue  # not searched in this run: max_fetch was reached before its turn
            self.check_bounded(state)
        return len(incidents)

    def check_bounded(self, state: dict[str, Any]) -> None:
        """The last run keeps only the guids taken from its next start on, and starts no earlier than it must."""
        keep_from, reached = pps.parse_iso_utc(state["from"]), pps.parse_iso_utc(state["time"])
        assert keep_from is not None and reached is not None
        assert keep_from == min(reached, self.now - self.look_back)
        stored = [guid for guids in state["taken"].values() for guid in guids]
        assert set(stored) <= set(self.emitted)
        assert all(self.dates[guid] >= keep_from for guid in stored)


def drive_fetch(sim: PPSSimulator, client: pps.Client, history: dict[str, Any]) -> None:
    driver = FetchDriver(sim, client, history)
    for seconds, arrivals in history["steps"]:
        driver.fetch_after(seconds, arrivals)
    # Past every look-back window, the rest comes out, max_fetch a run, and then nothing more.
    runs = 1
    while driver.fetch_after(600 if runs == 1 else 60, []):
        runs += 1
        assert runs <= len(driver.dates) + 2
    assert sorted(driver.emitted) == sorted(driver.dates)
    assert len(driver.emitted) == len(set(driver.emitted))
    for state in driver.last_run["folders"].values():
        # Caught up: the last run holds the look-back window's guids, nothing older.
        assert pps.parse_iso_utc(state["from"]) == driver.now - driver.look_back
