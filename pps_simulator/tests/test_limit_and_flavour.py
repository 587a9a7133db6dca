"""GET /quarantine's `limit` and `meta`, the newest-first order, and the cloud (PoD) flavour."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pps_simulator import PPSSimulator
from pps_simulator.tests.conftest import Api

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def big() -> Any:
    with PPSSimulator(messages=4000, seed=2) as simulator:
        yield simulator


def test_limit_defaults_to_100_and_meta_echoes_the_query(big: PPSSimulator) -> None:
    api = Api(big)
    assert len(big.backend.messages("Quarantine")) > 1000
    reply = api.get("/quarantine", params={"from": "*", "folder": "Quarantine"})
    body = reply.json()
    assert len(body["records"]) == body["count"] == 100
    assert body["meta"]["limit"] == 100
    assert body["meta"]["query_params"] == {"from": "*", "folder": "Quarantine"}
    assert body["meta"]["queryid"]
    assert api.get("/quarantine", params={"from": "*"}).json()["meta"]["queryid"] != body["meta"]["queryid"]


def test_limit_takes_1_to_1000_and_refuses_the_rest(big: PPSSimulator) -> None:
    api = Api(big)
    for limit in (1, 7, 1000):
        body = api.get("/quarantine", params={"from": "*", "limit": str(limit)}).json()
        assert len(body["records"]) == limit and body["meta"]["limit"] == limit
    for refused in ("0", "1001", "-1", "ten", "1.5"):
        reply = api.get("/quarantine", params={"from": "*", "limit": refused})
        assert (reply.status_code, reply.text) == (400, "Invalid argument: limit (1 to 1000)")


def test_records_come_newest_first_and_the_limit_keeps_the_newest(big: PPSSimulator) -> None:
    api = Api(big)
    every = api.get("/quarantine", params={"from": "*", "limit": "1000"}).json()["records"]
    dates = [record["date"] for record in every]
    assert dates == sorted(dates, reverse=True)
    first_ten = api.get("/quarantine", params={"from": "*", "limit": "10"}).json()["records"]
    assert first_ten == every[:10]


def test_newest_first_holds_within_one_second() -> None:
    with PPSSimulator(messages=0) as sim:
        raw = b"From: a@example.net\r\nTo: b@example.com\r\nSubject: same second\r\n\r\nx\r\n"
        added = [sim.backend.add_message("Quarantine", raw, date="2024-05-01 10:00:00") for _ in range(3)]
        records = Api(sim).quarantine(subject="same second")
        assert [r["guid"] for r in records] == [a["guid"] for a in reversed(added)]


@pytest.fixture(scope="module")
def cloud() -> Any:
    with PPSSimulator(messages=300, seed=1, flavour="cloud") as simulator:
        yield simulator


def test_cloud_records_have_the_pod_shapes(cloud: PPSSimulator) -> None:
    assert cloud.flavour == "cloud"
    records = Api(cloud).quarantine(**{"from": "*", "messagestatus": "t"})
    assert records
    for record in records:
        assert isinstance(record["size"], int) and isinstance(record["spamscore"], int)
        assert record["localguid"] == record["guid"]
        assert re.fullmatch(r"mail\.[\w.-]+ \[[\d.]+\]", record["host_ip"]), record["host_ip"]
        assert record["messagestatus"][0] == {
            "user": "",
            "comment": "",
            "id": 0,
            "date": record["date"],
            "statusdesc": "New",
            "status": 0,
        }


def test_cloud_and_onprem_hold_the_same_messages(cloud: PPSSimulator, sim: PPSSimulator) -> None:
    onprem = {r["guid"]: r for r in sim.backend.messages()}
    for record in cloud.backend.messages():
        other = onprem[record["guid"]]
        assert str(record["size"]) == other["size"] and str(record["spamscore"]) == other["spamscore"]
        assert record["host_ip"].split(" ")[1] == other["host_ip"].split(" ")[0]


def test_cloud_actions_take_the_guid_as_localguid() -> None:
    with PPSSimulator(messages=60, seed=3, flavour="cloud") as sim:
        api = Api(sim)
        first, second = sim.backend.messages("Quarantine")[:2]
        reply = api.act(action="release", folder="Quarantine", localguid=first["localguid"])
        assert (reply.status_code, reply.text) == (
            200,
            f"Request sent. Message {first['guid']} will be released momentarily",
        )
        moved = api.act(action="move", folder="Quarantine", localguid=first["guid"], targetfolder="Spam")
        assert moved.json() == {"status": f"Successfully moved message {first['guid']}"}
        after = sim.backend.get_message(guid=first["guid"])
        assert after is not None and after["localguid"] == first["guid"]  # a move does not change it
        refused = api.act(action="delete", folder="Quarantine", localguid="6:2:1")  # the on-premise form
        assert (refused.status_code, refused.text) == (
            400,
            "Invalid argument: localguid (the cloud quarantine takes the message GUID)",
        )
        assert sim.backend.get_message(guid=second["guid"]) is not None
        assert [entry["localguid"] for entry in sim.backend.actions()] == [first["guid"], first["guid"]]


def test_an_unknown_flavour_is_refused() -> None:
    with pytest.raises(ValueError, match="flavour"):
        PPSSimulator(messages=1, flavour="pod")
    result = subprocess.run(
        [sys.executable, "-m", "pps_simulator", "--flavour", "pod"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2 and "--flavour" in result.stderr
