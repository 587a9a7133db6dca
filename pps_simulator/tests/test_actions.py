"""POST /quarantine: what each action does to the state, its reply, and the 400s."""

from __future__ import annotations

from typing import Any

import pytest

from pps_simulator import InvalidArgument, PPSSimulator


def first(sim: PPSSimulator, folder: str, n: int = 1) -> list[dict[str, Any]]:
    messages = sim.backend.messages(folder)
    assert len(messages) >= n
    return messages[:n]


def test_release_keeps_the_message_and_logs_delivery(sim: PPSSimulator, api: Any) -> None:
    (message,) = first(sim, "HIPAA")
    reply = api.act(action="release", folder="HIPAA", localguid=message["localguid"], scan="t")
    assert reply.status_code == 200
    assert reply.headers["Content-Type"].startswith("text/plain")
    assert reply.text == f"Request sent. Message {message['localguid']} will be released momentarily"
    assert sim.backend.get_message(localguid=message["localguid"]) == message
    (entry,) = sim.backend.actions()
    assert entry["action"] == "release" and entry["user"] == "admin"
    assert (entry["guid"], entry["localguid"], entry["folder"]) == (
        message["guid"],
        message["localguid"],
        "HIPAA",
    )
    assert entry["recipients"] == message["rcpts"]
    assert entry["moved_to"] is None
    assert entry["options"] == {"scan": "t"}
    history = sim.backend.message_status(message["guid"])
    assert [h["status"] for h in history] == ["quarantined", "release"]


def test_release_with_deletedfolder_moves_it(sim: PPSSimulator, api: Any) -> None:
    (message,) = first(sim, "HIPAA")
    reply = api.act(
        action="release", folder="HIPAA", localguid=message["localguid"], deletedfolder="Deleted Incidents"
    )
    assert reply.status_code == 200
    moved = sim.backend.get_message(guid=message["guid"])
    assert moved is not None and moved["folder"] == "Deleted Incidents"
    assert sim.backend.actions()[0]["moved_to"] == "Deleted Incidents"
    assert [r["current_folder"] for r in sim.backend.trace(message["guid"])] == ["Deleted Incidents"]


def test_deletedfolder_must_hold_the_same_module(sim: PPSSimulator, api: Any) -> None:
    (message,) = first(sim, "HIPAA")
    reply = api.act(
        action="release", folder="HIPAA", localguid=message["localguid"], deletedfolder="Deleted Spam"
    )
    assert reply.status_code == 400
    assert reply.headers["Content-Type"].startswith("text/plain")
    assert reply.text.startswith("Invalid argument: deletedfolder")
    reply = api.act(action="delete", folder="HIPAA", localguid=message["localguid"], deletedfolder="Nope")
    assert (reply.status_code, reply.text) == (400, "Invalid argument: deletedfolder")
    assert sim.backend.actions() == []
    assert sim.backend.get_message(guid=message["guid"]) == message


def test_resubmit_removes_the_message(sim: PPSSimulator, api: Any) -> None:
    (message,) = first(sim, "Quarantine")
    reply = api.act(action="resubmit", folder="Quarantine", localguid=message["localguid"])
    assert reply.status_code == 200
    assert reply.text == f"Request sent. Message {message['localguid']} will be resubmitted momentarily"
    assert sim.backend.get_message(guid=message["guid"]) is None
    assert api.get("/quarantine", params={"guid": message["guid"]}).status_code == 404
    assert message["guid"] not in {r["guid"] for r in api.quarantine(**{"from": "*"})}
    assert [e["action"] for e in sim.backend.actions()] == ["resubmit"]
    # The trace keeps the message's history; it just is in no folder any more.
    (record,) = sim.backend.trace(message["guid"])
    assert (record["Quarantine_Folder"], record["current_folder"]) == ("Quarantine", "")


def test_forward_sends_to_the_new_recipients_and_keeps_the_message(sim: PPSSimulator, api: Any) -> None:
    (message,) = first(sim, "Phish")
    body = {
        "action": "forward",
        "folder": "Phish",
        "localguid": message["localguid"],
        "to": "soc@example.com,analyst@example.com",
        "from": "pps@example.com",
        "headerfrom": "security@example.com",
        "subject": "FYI",
        "appendoldsubject": "t",
        "comment": "Please look at this",
    }
    reply = api.post("/quarantine", json=body)
    assert reply.status_code == 200
    assert reply.text == f"Request sent. Message {message['localguid']} will be forwarded momentarily"
    (entry,) = sim.backend.actions("forward")
    assert entry["recipients"] == ["soc@example.com", "analyst@example.com"]
    assert entry["options"]["subject"] == "FYI" and entry["options"]["comment"] == "Please look at this"
    assert sim.backend.get_message(guid=message["guid"]) == message


def test_forward_refuses_bad_addresses(sim: PPSSimulator, api: Any) -> None:
    (message,) = first(sim, "Phish")
    for field, value in (("to", "not-an-address"), ("from", "x"), ("headerfrom", "a@b")):
        reply = api.act(action="forward", folder="Phish", localguid=message["localguid"], **{field: value})
        assert (reply.status_code, reply.text) == (400, f"Invalid argument: {field}")
    assert sim.backend.actions() == []


def test_move_to_a_folder_of_the_same_module(sim: PPSSimulator, api: Any) -> None:
    (message,) = first(sim, "HIPAA")
    reply = api.act(action="move", folder="HIPAA", localguid=message["localguid"], targetfolder="PCI")
    assert reply.status_code == 200
    assert reply.headers["Content-Type"] == "application/json"
    assert reply.json() == {"status": f"Successfully moved message {message['localguid']}"}
    moved = sim.backend.get_message(guid=message["guid"])
    assert moved is not None and moved["folder"] == "PCI"
    pci_id = next(f["id"] for f in sim.backend.folders() if f["name"] == "PCI")
    # The localguid names the folder, so it changes with it.
    assert moved["localguid"] == f"{pci_id}:" + message["localguid"].split(":", 1)[1]
    assert sim.backend.get_message(localguid=message["localguid"]) is None
    assert message["guid"] in {r["guid"] for r in api.quarantine(folder="PCI", subject="*")}
    assert [r["current_folder"] for r in sim.backend.trace(message["guid"])] == ["PCI"]


def test_move_to_another_module_type_or_nowhere_is_refused(sim: PPSSimulator, api: Any) -> None:
    (message,) = first(sim, "HIPAA")
    reply = api.act(action="move", folder="HIPAA", localguid=message["localguid"], targetfolder="Quarantine")
    assert reply.status_code == 400
    assert reply.headers["Content-Type"].startswith("text/plain")
    assert reply.text.startswith("Invalid argument: targetfolder")
    reply = api.act(action="move", folder="HIPAA", localguid=message["localguid"], targetfolder="Nope")
    assert (reply.status_code, reply.text) == (400, "Invalid argument: targetfolder")
    reply = api.act(action="move", folder="HIPAA", localguid=message["localguid"])
    assert (reply.status_code, reply.text) == (400, "Invalid argument: targetfolder")
    assert sim.backend.get_message(guid=message["guid"]) == message


def test_delete_removes_or_moves_to_deletedfolder(sim: PPSSimulator, api: Any) -> None:
    gone, kept = first(sim, "Spam", 2)
    reply = api.act(action="delete", folder="Spam", localguid=gone["localguid"])
    assert reply.status_code == 200
    assert reply.json() == {"status": f"Successfully deleted message {gone['localguid']}"}
    assert sim.backend.get_message(guid=gone["guid"]) is None
    reply = api.act(action="delete", folder="Spam", localguid=kept["localguid"], deletedfolder="Deleted Spam")
    assert reply.status_code == 200
    moved = sim.backend.get_message(guid=kept["guid"])
    assert moved is not None and moved["folder"] == "Deleted Spam"
    assert [(e["action"], e["moved_to"]) for e in sim.backend.actions()] == [
        ("delete", None),
        ("delete", "Deleted Spam"),
    ]


def test_comma_separated_localguids_act_on_each(sim: PPSSimulator, api: Any) -> None:
    messages = first(sim, "Quarantine", 3)
    localguids = ",".join(m["localguid"] for m in messages)
    reply = api.act(action="release", folder="Quarantine", localguid=localguids)
    assert reply.text == f"Request sent. Message {localguids} will be released momentarily"
    assert [e["guid"] for e in sim.backend.actions()] == [m["guid"] for m in messages]
    reply = api.act(action="delete", folder="Quarantine", localguid=localguids.replace(",", ", "))
    assert reply.status_code == 200
    assert all(sim.backend.get_message(guid=m["guid"]) is None for m in messages)


def test_cloud_format_guid_is_accepted_as_localguid(sim: PPSSimulator, api: Any) -> None:
    (message,) = first(sim, "Bulk")
    reply = api.act(action="delete", folder="Bulk", localguid=message["guid"])
    assert reply.status_code == 200
    assert sim.backend.get_message(guid=message["guid"]) is None


def test_unknown_localguid_refuses_the_whole_request(sim: PPSSimulator, api: Any) -> None:
    known = first(sim, "Quarantine")[0]
    other_folder = first(sim, "Spam")[0]
    for localguid in (f"{known['localguid']},6:6:999999", other_folder["localguid"], "garbage", ""):
        reply = api.act(action="delete", folder="Quarantine", localguid=localguid)
        assert (reply.status_code, reply.text) == (400, "Invalid argument: localguid")
    assert sim.backend.get_message(guid=known["guid"]) == known
    assert sim.backend.actions() == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "release", "folder": "Nope", "localguid": "6:1:1"}, "folder"),
        ({"action": "release", "localguid": "6:1:1"}, "folder"),
        ({"action": "explode", "folder": "Quarantine", "localguid": "6:1:1"}, "action"),
        ({"folder": "Quarantine", "localguid": "6:1:1"}, "action"),
        ({"action": "release", "folder": "Quarantine"}, "localguid"),
        ({"action": "release", "folder": "Quarantine", "localguid": "6:1:1", "scan": "true"}, "scan"),
        ({"action": "release", "folder": "Quarantine", "localguid": "6:1:1", "scan": True}, "scan"),
        (
            {"action": "release", "folder": "Quarantine", "localguid": "6:1:1", "deletedfolder": None},
            "deletedfolder",
        ),
    ],
)
def test_bad_fields_answer_400_in_plain_text(
    sim: PPSSimulator, api: Any, body: dict[str, Any], field: str
) -> None:
    if body.get("localguid") == "6:1:1":
        body["localguid"] = first(sim, "Quarantine")[0]["localguid"]
    reply = api.post("/quarantine", json=body)
    assert reply.status_code == 400
    assert reply.headers["Content-Type"].startswith("text/plain")
    assert reply.text.split(" (")[0] == f"Invalid argument: {field}"
    assert sim.backend.actions() == []


def test_a_body_that_is_not_a_json_object(api: Any) -> None:
    for data in ("action=release&folder=Quarantine", "[1, 2]", ""):
        reply = api.post("/quarantine", data=data, headers={"Content-Type": "application/json"})
        assert reply.status_code == 400
        assert reply.text.startswith("Invalid argument: body")


def test_the_backend_refuses_the_same_way(sim: PPSSimulator) -> None:
    (message,) = first(sim, "PCI")
    with pytest.raises(InvalidArgument) as refused:
        sim.backend.apply_action("move", "PCI", message["localguid"], targetfolder="Spam")
    assert refused.value.field == "targetfolder"
    (entry,) = sim.backend.apply_action(
        "move", "PCI", [message["localguid"]], user="tester", targetfolder="HIPAA"
    )
    assert (entry["user"], entry["moved_to"]) == ("tester", "HIPAA")
