"""The backend: deterministic seed data, exact raw sizes, persistence in a file, and large states."""

from __future__ import annotations

import email
import time
from datetime import datetime, timezone
from email import policy
from pathlib import Path
from typing import Any

import pytest
import requests

from pps_simulator import PPSBackend, PPSSimulator

NOW = datetime(2024, 3, 1, 12, 0, tzinfo=timezone.utc)


def snapshot(backend: PPSBackend) -> tuple[Any, ...]:
    return backend.messages(), backend.trace(), backend.endusers(), backend.folders()


def test_the_same_seed_gives_the_same_state() -> None:
    first, second = PPSBackend(messages=120, seed=7, now=NOW), PPSBackend(messages=120, seed=7, now=NOW)
    assert snapshot(first) == snapshot(second)
    guid = first.messages()[5]["guid"]
    assert first.raw_message(guid) == second.raw_message(guid)


def test_another_seed_gives_another_state() -> None:
    first, other = PPSBackend(messages=50, seed=1, now=NOW), PPSBackend(messages=50, seed=2, now=NOW)
    assert {m["guid"] for m in first.messages()}.isdisjoint({m["guid"] for m in other.messages()})


def test_without_now_only_the_times_move(sim: PPSSimulator) -> None:
    later = PPSBackend(messages=300, seed=1)
    strip = ("date",)
    assert [{k: v for k, v in m.items() if k not in strip} for m in later.messages()] == [
        {k: v for k, v in m.items() if k not in strip} for m in sim.backend.messages()
    ]


def test_times_spread_over_the_last_30_days() -> None:
    backend = PPSBackend(messages=300, seed=3, now=NOW)
    dates = [
        datetime.strptime(m["date"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
        for m in backend.messages()
    ]
    ages = [(NOW - d).total_seconds() / 86400 for d in dates]
    assert min(ages) >= 0 and max(ages) <= 30.01
    assert any(age < 1 for age in ages) and any(age > 20 for age in ages)


def test_variety_of_seed_data(sim: PPSSimulator) -> None:
    messages = sim.backend.messages()
    assert len(messages) == 300
    assert len({m["from"].split("@")[1] for m in messages}) >= 15
    assert len({m["subject"] for m in messages}) >= 60
    assert {m["folder"] for m in messages} == {f["name"] for f in sim.backend.folders()}
    assert len({m["spamscore"] for m in messages}) >= 20
    assert len({m["localguid"] for m in messages}) == len({m["guid"] for m in messages}) == 300
    trace = sim.backend.trace()
    assert len({r["Virus_Names"] for r in trace if r["Virus_Names"]}) >= 5
    assert len({n for r in trace for n in r["Attachment_Names"].split(",") if n}) >= 20


def test_every_seeded_raw_message_has_its_advertised_size(sim: PPSSimulator) -> None:
    for message in sim.backend.messages():
        raw = sim.backend.raw_message(message["guid"])
        assert raw is not None and len(raw) == int(message["size"])
        parsed = email.message_from_bytes(raw, policy=policy.default)
        assert parsed["Subject"] == message["subject"]
        assert not parsed.defects


def test_a_file_database_survives_a_restart(tmp_path: Path, admin: tuple[str, str]) -> None:
    db = tmp_path / "pps.sqlite"
    with PPSSimulator(db=db, messages=40, seed=5) as sim:
        assert sim.backend.seeded
        victim = sim.backend.messages("Quarantine")[0]
        reply = requests.post(
            sim.url + "/rest/v1/quarantine",
            json={"action": "delete", "folder": "Quarantine", "localguid": victim["localguid"]},
            auth=admin,
            verify=sim.ca_file,
            timeout=10,
        )
        assert reply.status_code == 200
        added = sim.backend.add_message(
            "Spam", b"Subject: kept\r\nFrom: a@example.net\r\nTo: b@example.com\r\n\r\nhi\r\n"
        )
        before = sim.backend.messages()
    # Another seed and size: the existing file wins, it is not reseeded.
    with PPSSimulator(db=db, messages=999, seed=6) as sim:
        assert not sim.backend.seeded
        assert sim.backend.messages() == before
        assert sim.backend.get_message(guid=victim["guid"]) is None
        assert [a["guid"] for a in sim.backend.actions()] == [victim["guid"]]
        assert sim.backend.raw_message(added["guid"]) is not None
        reply = requests.get(
            sim.url + "/rest/v1/quarantine",
            params={"guid": added["guid"]},
            auth=admin,
            verify=sim.ca_file,
            timeout=10,
        )
        assert reply.content.endswith(b"hi\r\n")


def test_add_message_takes_fields_over_headers(sim: PPSSimulator) -> None:
    raw = b"From: Someone <someone@example.net>\r\nTo: x@example.com\r\nSubject: Original\r\n\r\nbody\r\n"
    record = sim.backend.add_message(
        "HIPAA",
        raw,
        subject="Override",
        rcpts=["p@example.org", "q@example.org"],
        spamscore=42,
        date="2021-02-03 04:05:06",
        guid="G" * 32,
    )
    assert record["from"] == "someone@example.net"
    assert record["subject"] == "Override"
    assert record["rcpts"] == ["p@example.org", "q@example.org"]
    assert (record["spamscore"], record["date"], record["guid"]) == ("42", "2021-02-03 04:05:06", "G" * 32)
    assert record["folder"] == "HIPAA" and record["localguid"].startswith("4:")
    assert sim.backend.raw_message("G" * 32) == raw
    with pytest.raises(TypeError):
        sim.backend.add_message("HIPAA", raw, colour="red")


def test_100k_messages_load_and_search_quickly() -> None:
    started = time.perf_counter()
    backend = PPSBackend(messages=100_000, seed=1)
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    trace_hits = backend.search_trace(env_from="*@paypa1.test", count=100)
    quarantine_hits = backend.search_quarantine(folder="Phish", rcpt="james.smith@example.com")
    searched = time.perf_counter() - started
    print(
        f"\n100k quarantined messages (150k trace records): loaded in {loaded:.2f} s, two searches {searched:.3f} s"
    )
    assert len(trace_hits) == 100
    assert quarantine_hits
    backend.close()
