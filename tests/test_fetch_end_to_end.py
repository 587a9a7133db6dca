"""fetch-incidents and the sender summary end to end (issue 9): the War Room runner runs the real
integration as the server's scheduler does (last run kept in a state file) against the PPS simulator
over HTTPS.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from pps_simulator import PPSSimulator
from warroom import RunResult, run_fetch

from .helpers import WarRoom, error_text

INCIDENT_TYPE = "Proofpoint PPS Quarantined Message"


def fetch(war_room: WarRoom, state: Path, **overrides: Any) -> RunResult:
    params = war_room.params(incidentType=INCIDENT_TYPE, **overrides)
    return run_fetch(params, war_room.integration, war_room.workdir, state_file=state, env=war_room.env())


def guids(result: RunResult) -> list[str]:
    return [json.loads(incident["rawJSON"])["guid"] for incident in result.incidents]


def quarantined_since(sim: PPSSimulator, folder: str, start: datetime) -> list[dict[str, Any]]:
    """What the simulator holds, oldest first by date then guid (its own order is newest first)."""
    records = sim.backend.search_quarantine(folder=folder, rcpt="*", start=start)
    return sorted(records, key=lambda record: (record["date"], record["guid"]))


def test_each_quarantined_message_becomes_one_incident_run_after_run(
    sim: PPSSimulator, war_room: WarRoom, tmp_path: Path
) -> None:
    state = tmp_path / "instance.json"
    now = datetime.now(timezone.utc)
    expected = quarantined_since(sim, "Quarantine", now - timedelta(days=3))
    assert expected, "the seeded simulator should hold recent quarantined mail"

    first = fetch(war_room, state)
    second = fetch(war_room, state)
    sim.backend.quarantine_new(3, folders="Quarantine")  # a burst in one second, now
    late = sim.backend.quarantine_new(1, folders="Quarantine", at=(now - timedelta(minutes=2)).timestamp())
    third = fetch(war_room, state)
    fourth = fetch(war_room, state)

    assert first.exit_code == 0, error_text(first)
    assert guids(first) == [record["guid"] for record in expected]
    incident = first.incidents[0]
    record = json.loads(incident["rawJSON"])
    assert incident["name"] == f"Quarantine: {record['from']} - {record['subject']}"
    assert incident["occurred"] == record["date"].replace(" ", "T") + "Z"
    assert incident["type"] == INCIDENT_TYPE
    assert incident["severity"] == 1
    assert second.incidents == []
    assert len(third.incidents) == 4 and late[0]["guid"] in guids(third)
    assert fourth.incidents == []
    assert set(json.loads(state.read_text())["last_run"]["folders"]) == {"Quarantine"}


def test_a_failed_fetch_keeps_the_last_run_and_the_next_one_repeats_it(
    sim: PPSSimulator, war_room: WarRoom, tmp_path: Path
) -> None:
    state = tmp_path / "instance.json"
    fetch(war_room, state)
    sim.backend.quarantine_new(2, folders="Phish")
    sim.faults.add(method="GET", path="/quarantine", status=400, times=1)

    failed = fetch(war_room, state, fetch_folders="Quarantine,Phish")
    repeated = fetch(war_room, state, fetch_folders="Quarantine,Phish")

    assert failed.exit_code == 1 and failed.incidents == [] and failed.last_run is None
    assert "Searching quarantine folder" in error_text(failed)
    phish = [
        incident for incident in repeated.incidents if json.loads(incident["rawJSON"])["folder"] == "Phish"
    ]
    assert len(phish) >= 2 and all(incident["severity"] == 3 for incident in phish)


def test_the_raw_message_is_attached_when_asked(sim: PPSSimulator, war_room: WarRoom, tmp_path: Path) -> None:
    (record,) = sim.backend.quarantine_new(1, folders="Quarantine")
    result = fetch(war_room, tmp_path / "instance.json", first_fetch="1 minute", fetch_attach_message=True)

    assert result.exit_code == 0, error_text(result)
    (incident,) = [incident for incident in result.incidents if record["guid"] in incident["rawJSON"]]
    (attachment,) = incident["attachment"]
    assert attachment["name"] == f"{record['guid']}.eml"
    saved = [path for path in result.files if record["messageid"].encode() in path.read_bytes()]
    assert len(saved) == 1, "the runner saves the attached raw message"


def test_test_module_with_fetching_on_names_a_folder_that_does_not_exist(war_room: WarRoom) -> None:
    result = war_room.run("!test-module", isFetch=True, fetch_folders="Quarantine,Phsh")

    assert result.exit_code == 1
    assert "Fetch folder Phsh" in error_text(result)
    assert "Fetch folder Quarantine" not in error_text(result)


def test_the_sender_summary_counts_what_the_simulator_holds(sim: PPSSimulator, war_room: WarRoom) -> None:
    sender = sim.backend.search_quarantine(folder="Quarantine", rcpt="*")[0]["from"]
    start = datetime.now(timezone.utc) - timedelta(days=30)
    held = sim.backend.search_quarantine(folder="Quarantine", sender=sender, start=start)

    result = war_room.run(f'!proofpoint-pps-sender-summary sender={sender} start_time="30 days"')

    assert result.exit_code == 0, error_text(result)
    summary = result.context["Proofpoint"]["SenderSummary"]
    assert summary["Sender"] == sender
    assert summary["Quarantined"] == [{"Folder": "Quarantine", "Count": len(held)}]
    assert summary["Truncated"] is False
    assert summary["Messages"] >= 1
