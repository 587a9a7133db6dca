"""Both spellings and both flavours, end to end: War Room runner + integration + PPS simulator over HTTPS.

Issue 8 is done when every command works by both names where it has two, against the simulator in its
on-premise and its cloud flavour. Each quarantine command runs under its seed name against one fresh
simulator and under the official pack's name against an equal fresh one: the analyst must see the same
entries and context, and the appliances must have received the same requests and hold the same state.
The end-user, sender-list and sender-summary commands and the several-folder list run in both flavours.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from pps_simulator import PPSSimulator, RecordedRequest
from warroom import Integration, RunResult

from .helpers import (
    ENTRY_ERROR,
    ENTRY_FILE,
    ENTRY_NOTE,
    WarRoom,
    entries_of_type,
    readable,
    requests_since,
    war_room_line,
)

FLAVOURS = ("onprem", "cloud")
# A fixed clock, so that two simulators built apart hold the same messages with the same dates.
NOW = datetime(2025, 1, 31, 12, 0, tzinfo=timezone.utc)
WINDOW = {"start_time": "2024-12-31T00:00:00Z", "end_time": "2025-01-31T12:00:00Z"}
WINDOW_START = datetime(2024, 12, 31, tzinfo=timezone.utc)
WINDOW_END = NOW

SEED_LIST = "proofpoint-pps-list-quarantined-messages"
OFFICIAL_LIST = "proofpoint-pps-quarantine-messages-list"
SEED_DOWNLOAD = "proofpoint-pps-download-message"
OFFICIAL_DOWNLOAD = "proofpoint-pps-quarantine-message-download"
QUARANTINED_KEY = "Proofpoint.QuarantinedMessage(val.guid && val.guid == obj.guid)"
USER_KEY = "Proofpoint.User(val.email && val.email == obj.email)"
ALICE = "alice@example.com"
BOB = "bob@example.com"
# Several folders of both module types, each of which holds seeded messages in the window.
SEVERAL_FOLDERS = ("HIPAA", "Spam", "Phish")
ALL_FOUR_FOLDERS = (*SEVERAL_FOLDERS, "Quarantine")


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def new_simulator(flavour: str) -> PPSSimulator:
    return PPSSimulator(db=":memory:", messages=60, seed=3, tls=True, port=0, now=NOW, flavour=flavour)


@pytest.fixture(params=FLAVOURS)
def flavour(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@dataclass
class Twins:
    """Two equal fresh simulators: the seed spelling runs against one, the official spelling the other."""

    seed: WarRoom
    official: WarRoom


@pytest.fixture
def twins(flavour: str, tmp_path: Path, integration: Integration) -> Iterator[Twins]:
    with new_simulator(flavour) as seed_sim, new_simulator(flavour) as official_sim:
        assert seed_sim.backend.messages() == official_sim.backend.messages()
        yield Twins(
            WarRoom(seed_sim, tmp_path / "seed", integration),
            WarRoom(official_sim, tmp_path / "official", integration),
        )


@pytest.fixture
def flavoured(flavour: str, tmp_path: Path, integration: Integration) -> Iterator[WarRoom]:
    with new_simulator(flavour) as simulator:
        yield WarRoom(simulator, tmp_path / "files", integration)


def run(war_room: WarRoom, command: str, args: Mapping[str, str]) -> RunResult:
    return war_room.run(war_room_line(command, args))


def succeeded(result: RunResult) -> RunResult:
    assert result.exit_code == 0, result.entries
    assert not entries_of_type(result, ENTRY_ERROR), result.entries
    return result


def received(war_room: WarRoom, start: int) -> list[tuple[str, str, str, str]]:
    """The API requests received since `start`: method, path, query and body, in a stable order
    (actions on several ids run concurrently, so their order on the wire may vary)."""
    return sorted(
        (
            item.method,
            item.path,
            json.dumps(item.query, sort_keys=True),
            json.dumps(item.json, sort_keys=True),
        )
        for item in requests_since(war_room.sim, start)
    )


def applied_actions(sim: PPSSimulator) -> list[tuple[str, str, str, Any, str, str]]:
    """What the appliance did, without the time it did it."""
    return sorted(
        (
            entry["action"],
            entry["localguid"],
            entry["folder"],
            entry["moved_to"],
            json.dumps(entry["recipients"]),
            json.dumps(entry["options"], sort_keys=True),
        )
        for entry in sim.backend.actions()
    )


def quarantined(result: RunResult) -> list[dict[str, Any]]:
    return as_list(result.context["Proofpoint"]["QuarantinedMessage"]) if result.context else []


def action_outcomes(result: RunResult) -> list[dict[str, Any]]:
    return as_list(result.context["Proofpoint"]["QuarantineAction"])


def assert_same_run(seed: RunResult, official: RunResult) -> None:
    """The analyst sees the same thing under both names: entry types, texts, context."""
    assert [entry.get("Type") for entry in seed.entries] == [entry.get("Type") for entry in official.entries]
    assert seed.entries == official.entries
    assert seed.context == official.context
    assert seed.exit_code == official.exit_code


def held_in_window(
    sim: PPSSimulator, folder: str, sender: str | None = None, rcpt: str | None = None
) -> list[dict[str, Any]]:
    """What the simulator holds in the folder within WINDOW, newest first."""
    return sim.backend.search_quarantine(
        folder=folder, sender=sender, rcpt=rcpt, start=WINDOW_START, end=WINDOW_END, limit=1000
    )


def held_message(
    sim: PPSSimulator, *, guid: str | None = None, localguid: str | None = None
) -> dict[str, Any]:
    message = sim.backend.get_message(guid=guid, localguid=localguid)
    assert message is not None, f"the simulator holds no message {guid or localguid}"
    return message


def last_sent(sim: PPSSimulator, method: str, path: str) -> RecordedRequest:
    sent = sim.last_request(method, path)
    assert sent is not None, f"the simulator received no {method} {path}"
    return sent


# ---- the list under both names -------------------------------------------------------------------------


def test_the_list_gives_the_same_records_under_both_names(twins: Twins) -> None:
    sim = twins.seed.sim
    sender_domain = "lucky-draw.test"
    criteria = {"sender": f"*@{sender_domain}", "rcpt": "*"}
    expected = {
        record["guid"] for folder in ALL_FOUR_FOLDERS for record in held_in_window(sim, folder, **criteria)
    }
    assert expected, "the seeded simulator should hold mail from this domain"
    folders = ",".join(ALL_FOUR_FOLDERS)
    seed_start, official_start = len(twins.seed.sim.requests), len(twins.official.sim.requests)

    seed = run(
        twins.seed,
        SEED_LIST,
        {"from": f"*@{sender_domain}", "to": "*", "folder_name": folders, **WINDOW},
    )
    official = run(
        twins.official,
        OFFICIAL_LIST,
        {"sender": f"*@{sender_domain}", "recipient": "*", "folder_name": folders, **WINDOW},
    )

    assert_same_run(succeeded(seed), succeeded(official))
    assert QUARANTINED_KEY in official.entries[0]["EntryContext"]
    records = quarantined(official)
    assert {record["guid"] for record in records} == expected
    assert all(record["from"].endswith(f"@{sender_domain}") for record in records)
    sent = received(twins.official, official_start)
    assert sent == received(twins.seed, seed_start)
    assert len(sent) == 4
    queries = [json.loads(query) for _, _, query, _ in sent]
    assert {query["folder"] for query in queries} == set(folders.split(","))
    assert all(query["from"] == f"*@{sender_domain}" and query["rcpt"] == "*" for query in queries)


def test_the_list_takes_the_other_spelling_under_each_name(twins: Twins) -> None:
    """The official list also takes from/to, the seed list also sender/recipient (the official pack's)."""
    seed = run(twins.seed, SEED_LIST, {"sender": "*@partner.example.net", "recipient": "*", **WINDOW})
    official = run(twins.official, OFFICIAL_LIST, {"from": "*@partner.example.net", "to": "*", **WINDOW})

    assert_same_run(succeeded(seed), succeeded(official))
    expected = {
        r["guid"] for r in held_in_window(twins.seed.sim, "Quarantine", sender="*@partner.example.net")
    }
    assert {record["guid"] for record in quarantined(official)} == expected


# ---- the actions under both names, on ids taken from a list ---------------------------------------------


@dataclass(frozen=True)
class ActionCase:
    action: str
    seed_command: str
    official_command: str
    folder: str
    seed_args: Mapping[str, str]
    official_args: Mapping[str, str]


FORWARD_HEADER_FROM = "SOC <soc@example.com>"
ACTION_CASES = [
    ActionCase(
        "release",
        "proofpoint-pps-release-message",
        "proofpoint-pps-quarantine-message-release",
        "HIPAA",
        {"scan": "true", "deleted_folder": "Deleted Incidents"},
        {"scan": "true", "deleted_folder": "Deleted Incidents"},
    ),
    ActionCase(
        "resubmit",
        "proofpoint-pps-resubmit-message",
        "proofpoint-pps-quarantine-message-resubmit",
        "Spam",
        {},
        {},
    ),
    ActionCase(
        "forward",
        "proofpoint-pps-forward-message",
        "proofpoint-pps-quarantine-message-forward",
        "Phish",
        {
            "from": "soc@example.com",
            "header_from": FORWARD_HEADER_FROM,
            "to": "analyst@example.com",
            "subject": "Reported phish",
            "comment": "for review",
        },
        {
            "sender": "soc@example.com",
            "header_from": FORWARD_HEADER_FROM,
            "recipient": "analyst@example.com",
            "subject": "Reported phish",
            "comment": "for review",
        },
    ),
    ActionCase(
        "move",
        "proofpoint-pps-move-message",
        "proofpoint-pps-quarantine-message-move",
        "HIPAA",
        {"target_folder": "PCI"},
        {"target_folder": "PCI"},
    ),
    ActionCase(
        "delete",
        "proofpoint-pps-delete-message",
        "proofpoint-pps-quarantine-message-delete",
        "Spam",
        {"deleted_folder": "Deleted Spam"},
        {"deleted_folder": "Deleted Spam"},
    ),
]


def listed_local_guids(war_room: WarRoom, command: str, folder: str, count: int) -> list[str]:
    """The ids an analyst copies from a list of the folder (under that spelling of the list)."""
    recipient_argument = "to" if command == SEED_LIST else "recipient"
    result = succeeded(run(war_room, command, {recipient_argument: "*", "folder_name": folder, **WINDOW}))
    local_guids = [str(record["localguid"]) for record in quarantined(result)][:count]
    assert len(local_guids) == count, f"{folder} should hold {count} messages in the window"
    return local_guids


@pytest.mark.parametrize("case", ACTION_CASES, ids=[case.action for case in ACTION_CASES])
def test_each_action_does_the_same_under_both_names(twins: Twins, case: ActionCase, flavour: str) -> None:
    seed_ids = listed_local_guids(twins.seed, SEED_LIST, case.folder, 2)
    official_ids = listed_local_guids(twins.official, OFFICIAL_LIST, case.folder, 2)
    assert seed_ids == official_ids
    guids = [str(held_message(twins.seed.sim, localguid=local_guid)["guid"]) for local_guid in seed_ids]
    if flavour == "cloud":
        assert seed_ids == guids
    seed_start, official_start = len(twins.seed.sim.requests), len(twins.official.sim.requests)
    ids = ",".join(seed_ids)

    seed = run(
        twins.seed, case.seed_command, {"folder_name": case.folder, "local_guid": ids, **case.seed_args}
    )
    official = run(
        twins.official,
        case.official_command,
        {"folder_name": case.folder, "local_guid": ids, **case.official_args},
    )

    assert_same_run(succeeded(seed), succeeded(official))
    assert [entry["Type"] for entry in official.entries] == [ENTRY_NOTE]
    outcomes = action_outcomes(official)
    assert [(o["LocalGUID"], o["Action"], o["Folder"], o["Status"]) for o in outcomes] == [
        (local_guid, case.action, case.folder, "success") for local_guid in seed_ids
    ]
    sent = received(twins.official, official_start)
    assert sent == received(twins.seed, seed_start)
    assert [method for method, *_ in sent] == ["POST", "POST"]
    bodies = [json.loads(body) for *_, body in sent]
    assert sorted(body["localguid"] for body in bodies) == sorted(seed_ids)
    assert all(body["action"] == case.action and body["folder"] == case.folder for body in bodies)
    done = applied_actions(twins.official.sim)
    assert done == applied_actions(twins.seed.sim)
    assert sorted(entry[1] for entry in done) == sorted(seed_ids)
    if case.action == "forward":
        assert all(
            (body["to"], body["from"], body["headerfrom"])
            == ("analyst@example.com", "soc@example.com", FORWARD_HEADER_FROM)
            for body in bodies
        )
        assert all(json.loads(entry[4]) == ["analyst@example.com"] for entry in done)
    # Where the message is now (None: no longer quarantined), the same on both appliances.
    where_now = {
        "release": "Deleted Incidents",
        "resubmit": None,
        "forward": "Phish",
        "move": "PCI",
        "delete": "Deleted Spam",
    }
    for guid in guids:
        left = twins.official.sim.backend.get_message(guid=guid)
        assert twins.seed.sim.backend.get_message(guid=guid) == left
        assert (left or {}).get("folder") == where_now[case.action]


def test_the_official_forward_requires_a_recipient_the_seed_forward_does_not(twins: Twins) -> None:
    (local_guid,) = listed_local_guids(twins.official, OFFICIAL_LIST, "Phish", 1)
    start = len(twins.official.sim.requests)

    refused = run(
        twins.official,
        "proofpoint-pps-quarantine-message-forward",
        {"folder_name": "Phish", "local_guid": local_guid, "sender": "soc@example.com"},
    )

    assert refused.exit_code != 0
    shown = " ".join(str(entry.get("Contents")) for entry in refused.entries)
    assert "recipient" in shown
    assert requests_since(twins.official.sim, start) == []
    assert twins.official.sim.backend.actions() == []

    # The seed spelling keeps its rule: without `to`, the message goes to its original recipients.
    original = held_message(twins.seed.sim, localguid=local_guid)
    forwarded = succeeded(
        run(twins.seed, "proofpoint-pps-forward-message", {"folder_name": "Phish", "local_guid": local_guid})
    )
    assert action_outcomes(forwarded)[0]["Status"] == "success"
    (done,) = twins.seed.sim.backend.actions()
    assert sorted(done["recipients"]) == sorted(original["rcpts"])


# ---- download under both names -------------------------------------------------------------------------


def test_download_by_guid_gives_the_same_file_under_both_names(twins: Twins) -> None:
    message = held_in_window(twins.seed.sim, "Quarantine", rcpt="*")[0]
    guid = str(message["guid"])

    seed = succeeded(run(twins.seed, SEED_DOWNLOAD, {"guid": guid}))
    official = succeeded(run(twins.official, OFFICIAL_DOWNLOAD, {"guid": guid}))

    assert (
        [entry["Type"] for entry in seed.entries]
        == [entry["Type"] for entry in official.entries]
        == [ENTRY_FILE]
    )
    assert [entry["File"] for entry in seed.entries] == [entry["File"] for entry in official.entries]
    assert official.entries[0]["File"] == f"{guid}.eml"
    assert len(seed.files) == len(official.files) == 1
    raw = twins.seed.sim.backend.raw_message(guid)
    assert seed.files[0].read_bytes() == official.files[0].read_bytes() == raw
    assert last_sent(twins.official.sim, "GET", "/quarantine").query == {"guid": guid}
    assert last_sent(twins.seed.sim, "GET", "/quarantine").query == {"guid": guid}


def test_the_official_download_requires_a_guid(twins: Twins) -> None:
    start = len(twins.official.sim.requests)

    refused = run(twins.official, OFFICIAL_DOWNLOAD, {})

    assert refused.exit_code != 0
    assert "guid" in " ".join(str(entry.get("Contents")) for entry in refused.entries)
    assert requests_since(twins.official.sim, start) == []


# ---- several folders, both flavours ---------------------------------------------------------------------


@pytest.mark.parametrize("folder_name", [",".join(SEVERAL_FOLDERS), json.dumps(list(SEVERAL_FOLDERS))])
@pytest.mark.parametrize("command", [SEED_LIST, OFFICIAL_LIST])
def test_several_folders_come_back_merged_newest_first_each_with_its_folder(
    flavoured: WarRoom, flavour: str, command: str, folder_name: str
) -> None:
    sim = flavoured.sim
    expected = {
        record["guid"]: record
        for folder in SEVERAL_FOLDERS
        for record in held_in_window(sim, folder, rcpt="*")
    }

    result = succeeded(run(flavoured, command, {"to": "*", "folder_name": folder_name, **WINDOW}))

    records = quarantined(result)
    assert {record["guid"] for record in records} == set(expected)
    assert {record["folder"] for record in records} == set(SEVERAL_FOLDERS)
    assert all(record["folder"] == expected[record["guid"]]["folder"] for record in records)
    # Newest first by date; messages of the same second by guid, so the order is always the same.
    order = [(record["date"], record["guid"]) for record in records]
    assert order == sorted(sorted(order, key=lambda item: item[1]), key=lambda item: item[0], reverse=True)
    assert len({record["date"][:10] for record in records}) > 1
    shown = readable(result)
    assert all(folder in shown for folder in SEVERAL_FOLDERS)
    for record in records:
        held = expected[record["guid"]]
        assert record["localguid"] == held["localguid"]
        assert (record["size"], record["spamscore"]) == (str(held["size"]), str(held["spamscore"]))
        assert record["host_ip"] == held["host_ip"]
        if flavour == "cloud":
            assert record["localguid"] == record["guid"]
            assert " [" in record["host_ip"]


def test_the_actions_accept_the_ids_the_several_folder_list_shows(flavoured: WarRoom, flavour: str) -> None:
    """The newest message of each folder, released by the id the list gave (the guid, on the cloud)."""
    sim = flavoured.sim
    listed = quarantined(
        succeeded(
            run(
                flavoured,
                OFFICIAL_LIST,
                {"recipient": "*", "folder_name": ",".join(SEVERAL_FOLDERS), **WINDOW},
            )
        )
    )
    newest = {folder: next(r for r in listed if r["folder"] == folder) for folder in SEVERAL_FOLDERS}

    for folder, record in newest.items():
        result = succeeded(
            run(
                flavoured,
                "proofpoint-pps-quarantine-message-release",
                {"folder_name": folder, "local_guid": record["localguid"]},
            )
        )
        (outcome,) = action_outcomes(result)
        assert (outcome["LocalGUID"], outcome["Folder"], outcome["Status"]) == (
            record["localguid"],
            folder,
            "success",
        )
        assert last_sent(sim, "POST", "/quarantine").json["localguid"] == record["localguid"]

    released = {(entry["guid"], entry["folder"]) for entry in sim.backend.actions("release")}
    assert released == {(record["guid"], folder) for folder, record in newest.items()}
    if flavour == "cloud":
        assert all(record["localguid"] == record["guid"] for record in newest.values())


# ---- end users, sender lists, sender summary: both flavours --------------------------------------------


def users_in_context(result: RunResult) -> list[dict[str, Any]]:
    return as_list(result.context["Proofpoint"]["User"]) if result.context else []


def test_the_user_commands_work_in_both_flavours(flavoured: WarRoom) -> None:
    sim = flavoured.sim
    created_email = "carol.new@example.com"

    got = succeeded(run(flavoured, "proofpoint-pps-get-user", {"email": ALICE}))
    assert USER_KEY in got.entries[0]["EntryContext"]
    assert users_in_context(got) == [sim.backend.get_enduser(ALICE)]

    created = succeeded(
        run(
            flavoured,
            "proofpoint-pps-create-user",
            {
                "email": created_email,
                "fields": json.dumps({"firstname": "Carol", "lastname": "New"}),
                "attributes": json.dumps({"department": "Legal"}),
            },
        )
    )
    held = sim.backend.get_enduser(created_email)
    assert (held["firstname"], held["lastname"], held["attributes"]) == (
        "Carol",
        "New",
        {"department": "Legal"},
    )
    assert users_in_context(created) == [held]
    assert last_sent(sim, "POST", "/enduser").json == {
        "firstname": "Carol",
        "lastname": "New",
        "attributes": {"department": "Legal"},
    }

    modified = succeeded(
        run(
            flavoured,
            "proofpoint-pps-modify-user",
            {"UID": str(held["uid"]), "fields": '{"lastname": "Old"}'},
        )
    )
    assert sim.backend.get_enduser(created_email)["lastname"] == "Old"
    assert users_in_context(modified)[0]["lastname"] == "Old"
    assert last_sent(sim, "PUT", "/enduser").json == {"lastname": "Old"}

    deleted = succeeded(run(flavoured, "proofpoint-pps-delete-user", {"email": created_email}))
    assert created_email in readable(deleted)
    assert sim.count("DELETE", "/enduser") == 1
    gone = succeeded(run(flavoured, "proofpoint-pps-get-user", {"email": created_email}))
    assert readable(gone) == f"No end user {created_email} in PPS."
    assert users_in_context(gone) == []


def change_outcomes(result: RunResult) -> list[tuple[str, str, str, str]]:
    changes = as_list(result.context["Proofpoint"]["SenderListChange"])
    return [(change["User"], change["List"], change["Entry"], change["Outcome"]) for change in changes]


def test_the_sender_list_commands_work_in_both_flavours(flavoured: WarRoom) -> None:
    sim = flavoured.sim
    entry = "@phish-campaign.example"
    users = f"{ALICE},{BOB}"

    added = succeeded(
        run(
            flavoured,
            "proofpoint-pps-sender-list-add",
            {"email": users, "list": "blocklist", "entries": entry},
        )
    )
    assert sorted(change_outcomes(added)) == [
        (ALICE, "blocklist", entry, "added"),
        (BOB, "blocklist", entry, "added"),
    ]
    assert all(entry in sim.backend.get_enduser(user)["blocklist"] for user in (ALICE, BOB))
    assert sim.backend.get_enduser(ALICE)["blocklist"][:2] == ["deals-4u.test", "offers@cheap-offers.example"]
    assert {user["email"]: user["blocklist"] for user in users_in_context(added)} == {
        user: sim.backend.get_enduser(user)["blocklist"] for user in (ALICE, BOB)
    }
    assert sim.count("PUT", "/enduser") == 2

    removed = succeeded(
        run(
            flavoured,
            "proofpoint-pps-sender-list-remove",
            {"email": users, "list": "blocklist", "entries": f"{entry},deals-4u.test"},
        )
    )
    assert sorted(change_outcomes(removed)) == [
        (ALICE, "blocklist", "@phish-campaign.example", "removed"),
        (ALICE, "blocklist", "deals-4u.test", "removed"),
        (BOB, "blocklist", "@phish-campaign.example", "removed"),
        (BOB, "blocklist", "deals-4u.test", "not present"),
    ]
    assert sim.backend.get_enduser(ALICE)["blocklist"] == ["offers@cheap-offers.example"]
    assert sim.backend.get_enduser(BOB)["blocklist"] == []


def test_the_sender_summary_works_in_both_flavours(flavoured: WarRoom) -> None:
    sim = flavoured.sim
    sender = held_in_window(sim, "Quarantine", rcpt="*")[0]["from"]
    held = {folder: held_in_window(sim, folder, sender=sender) for folder in ("Quarantine", "Spam")}

    result = succeeded(
        run(
            flavoured,
            "proofpoint-pps-sender-summary",
            {"sender": sender, "folder_name": "Quarantine,Spam", **WINDOW},
        )
    )

    summary = result.context["Proofpoint"]["SenderSummary"]
    assert summary["Sender"] == sender
    assert sorted((item["Folder"], item["Count"]) for item in summary["Quarantined"]) == sorted(
        (folder, len(records)) for folder, records in held.items()
    )
    scores = [int(record["spamscore"]) for records in held.values() for record in records]
    assert summary["MaxSpamScore"] == max(scores)
    assert summary["Truncated"] is False
    assert sender in readable(result)
    assert sim.count("GET", "/pss/filter") == 1
