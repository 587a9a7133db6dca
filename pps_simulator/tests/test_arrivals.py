"""Arrivals: new quarantined messages as time passes (rate, bursts in one second, folders, late ones)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import requests

from pps_simulator import ArrivalPlan, Arrivals, PPSBackend, PPSSimulator
from pps_simulator.tests.conftest import Api

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2024, 3, 1, 12, 0, tzinfo=timezone.utc)


def parse(date: str) -> datetime:
    return datetime.strptime(date, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)


def test_quarantine_new_puts_a_burst_in_one_second_across_folders() -> None:
    backend = PPSBackend(messages=0, seed=1, now=START)
    records = backend.quarantine_new(5, folders=["Quarantine", "Spam"], at=START)
    assert [r["folder"] for r in records] == ["Quarantine", "Spam", "Quarantine", "Spam", "Quarantine"]
    assert {r["date"] for r in records} == {"2024-03-01 12:00:00"}
    assert len({r["guid"] for r in records}) == 5
    assert len(backend.messages("Quarantine")) == 3 and len(backend.messages("Spam")) == 2
    for record in records:  # a trace record and a raw message each, like seeded mail
        assert backend.trace(record["guid"])[0]["Quarantine_Folder"] == record["folder"]
        raw = backend.raw_message(record["guid"])
        assert raw is not None and len(raw) == int(record["size"])
    assert backend.arrivals_count() == 5


def test_the_nth_arrival_is_always_the_same_message() -> None:
    first, second = PPSBackend(messages=20, seed=3, now=START), PPSBackend(messages=20, seed=3, now=START)
    one_by_one = [first.quarantine_new(1, at=START)[0] for _ in range(3)]
    together = second.quarantine_new(3, at=START)
    assert [r["guid"] for r in one_by_one] == [r["guid"] for r in together]


def test_new_recipients_become_end_users() -> None:
    backend = PPSBackend(messages=0, seed=1, now=START)
    records = backend.quarantine_new(20, folders=["Quarantine"], at=START)
    users = {user["email"] for user in backend.endusers()}
    internal = {rcpt for r in records for rcpt in r["rcpts"] if rcpt.split("@")[1].endswith("example.com")}
    assert internal and internal <= users


def test_a_late_message_is_dated_before_younger_mail() -> None:
    backend = PPSBackend(messages=0, seed=1, now=START)
    (young,) = backend.quarantine_new(1, at=START)
    (late,) = backend.quarantine_new(1, at=START - timedelta(minutes=3))
    assert parse(late["date"]) == START - timedelta(minutes=3)
    assert [r["guid"] for r in backend.messages("Quarantine")] == [young["guid"], late["guid"]]
    with pytest.raises(ValueError):
        backend.quarantine_new(0)
    with pytest.raises(Exception, match="folder"):
        backend.quarantine_new(1, folders=["quarantine"])  # case-sensitive


def test_advancing_the_clock_brings_the_bursts_due_at_their_own_seconds() -> None:
    backend = PPSBackend(messages=0, seed=1, now=START)
    plan = ArrivalPlan(rate=6, burst=3, folders=("Quarantine", "Spam", "Phish"))  # a burst every 30 s
    arrivals = Arrivals(backend, plan, start=START)
    assert arrivals.advance(29) == []
    first = arrivals.advance(1)
    assert len(first) == 3 and {r["date"] for r in first} == {"2024-03-01 12:00:30"}
    rest = arrivals.advance(60 * 10 - 30)
    seconds = Counter(r["date"] for r in first + rest)
    assert len(seconds) == 20 and set(seconds.values()) == {3}  # 20 bursts of 3 in 10 minutes
    assert Counter(r["folder"] for r in first + rest) == {"Quarantine": 20, "Spam": 20, "Phish": 20}
    assert arrivals.reached == (START + timedelta(minutes=10)).timestamp()
    assert arrivals.catch_up(START + timedelta(minutes=5)) == []  # never goes back


def test_a_plan_can_bring_late_messages() -> None:
    backend = PPSBackend(messages=0, seed=1, now=START)
    plan = ArrivalPlan(rate=60, burst=2, late_every=3, late_by=90)  # a burst every 2 s
    added = Arrivals(backend, plan, start=START).advance(12)
    assert len(added) == 6 * 2 + 2
    late = [r for r in added if parse(r["date"]) < START]
    assert [parse(r["date"]) for r in late] == [
        START + timedelta(seconds=6 - 90),
        START + timedelta(seconds=12 - 90),
    ]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"rate": 0}, "rate"),
        ({"rate": -1}, "rate"),
        ({"rate": float("nan")}, "rate"),
        ({"rate": 1, "burst": 0}, "burst"),
        ({"rate": 1, "folders": ()}, "folders"),
        ({"rate": 1, "late_every": -1}, "late_every"),
        ({"rate": 1, "late_by": 0}, "late_by"),
    ],
)
def test_a_bad_plan_is_refused(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ArrivalPlan(**fields)


def test_an_unknown_folder_is_refused_when_scheduling() -> None:
    backend = PPSBackend(messages=0, seed=1, now=START)
    with pytest.raises(ValueError, match="case-sensitive"):
        Arrivals(backend, ArrivalPlan(rate=1, folders=("spam",)))


def test_a_live_simulator_quarantines_as_time_passes() -> None:
    plan = ArrivalPlan(rate=120, burst=2, folders=("Quarantine", "Spam"))  # a burst every second
    with PPSSimulator(messages=0, arrivals=plan) as sim:
        api = Api(sim)
        deadline = time.monotonic() + 15
        while len(sim.backend.messages()) < 4 and time.monotonic() < deadline:
            time.sleep(0.2)
        records = api.quarantine(folder="Quarantine", subject="*") + api.quarantine(
            folder="Spam", subject="*"
        )
        assert len(records) >= 4
        assert sim.arrivals is not None and sim.arrivals.bursts >= 2
        sim.stop()
        stopped_at = len(sim.backend.messages())
        time.sleep(1.5)
        assert len(sim.backend.messages()) == stopped_at  # no arrivals while stopped


def test_the_control_endpoint_adds_bursts_and_late_messages(sim: PPSSimulator) -> None:
    url = sim.url + "/_simulator/arrivals"
    burst = requests.post(
        url, json={"count": 3, "folders": ["Spam", "Phish"]}, verify=sim.ca_file, timeout=10
    )
    assert burst.status_code == 201
    records = burst.json()["records"]
    assert [r["folder"] for r in records] == ["Spam", "Phish", "Spam"] and len(
        {r["date"] for r in records}
    ) == 1
    late = requests.post(url, json={"seconds_ago": 600}, verify=sim.ca_file, timeout=10).json()["records"][0]
    age = datetime.now(timezone.utc) - parse(late["date"])
    assert timedelta(seconds=590) < age < timedelta(seconds=700)
    fixed = requests.post(url, json={"at": "2024-03-01 12:00:00"}, verify=sim.ca_file, timeout=10)
    assert fixed.json()["records"][0]["date"] == "2024-03-01 12:00:00"
    assert requests.get(url, verify=sim.ca_file, timeout=10).json() == {"arrivals": 5}
    for body in ({"count": 0}, {"folders": ["spam"]}, {"at": "yesterday"}, {"colour": 1}, [1]):
        reply = requests.post(url, json=body, verify=sim.ca_file, timeout=10)
        assert reply.status_code == 400 and reply.text.startswith("Invalid arrivals: "), reply.text


def test_server_option_arrivals(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [
            sys.executable, "-m", "pps_simulator", "--port", "0", "--messages", "0", "--http", "--quiet",
            "--arrivals-rate", "120", "--arrivals-burst", "2", "--arrivals-folders", "Quarantine,Spam",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    try:
        assert process.stdout is not None
        text = "".join(process.stdout.readline() for _ in range(7))
        assert "arrivals: 120 a minute, 2 per second-burst, into Quarantine, Spam" in text
        match = re.search(r"http://127\.0\.0\.1:\d+", text)
        assert match, text
        deadline = time.monotonic() + 15
        count = 0
        while count < 4 and time.monotonic() < deadline:
            time.sleep(0.3)
            count = requests.get(match.group(0) + "/_simulator/arrivals", timeout=10).json()["arrivals"]
        assert count >= 4
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["--arrivals-rate", "-1"], "--arrivals-rate"),
        (["--arrivals-rate", "5", "--arrivals-burst", "0"], "--arrivals-burst"),
        (["--arrivals-rate", "5", "--arrivals-folders", "spam"], "--arrivals-folders"),
        (["--arrivals-rate", "5", "--arrivals-late-every", "-2"], "--arrivals-late-every"),
    ],
)
def test_bad_arrival_options_are_usage_errors(argv: list[str], named: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pps_simulator", *argv], cwd=ROOT, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 2
    assert named in result.stderr and "Traceback" not in result.stderr
