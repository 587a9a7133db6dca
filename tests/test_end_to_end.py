"""Every command, end to end: War Room runner + integration + PPS simulator over verified HTTPS.

Each test checks what the analyst sees (the entry, the context) and, through the simulator's state,
that the appliance did what the command says it did.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timezone
from typing import Any

from pps_simulator import PPSSimulator
from warroom import RunResult

from .helpers import (
    ALL_SEEDED,
    ENTRY_FILE,
    ENTRY_NOTE,
    ENTRY_WARNING,
    WarRoom,
    entries_of_type,
    error_text,
    readable,
    requests_since,
)

SMART_SEARCH_KEY = "Proofpoint.SmartSearch(val.GUID && val.GUID == obj.GUID)"
QUARANTINED_KEY = "Proofpoint.QuarantinedMessage(val.guid && val.guid == obj.guid)"
SMART_SEARCH_TITLE = "### Proofpoint Protection Server Smart Search Results"
QUARANTINED_TITLE = "### Proofpoint Protection Server Quarantined Messages"


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def quarantine(sim: PPSSimulator, folder: str, subject: str, rcpts: tuple[str, ...] = ()) -> dict[str, Any]:
    """Put a message of our own into a folder and return its search record."""
    recipients = list(rcpts) or ["victim@example.com"]
    raw = (
        f"From: Attacker <attacker@evil.example>\r\nTo: {', '.join(recipients)}\r\n"
        f"Subject: {subject}\r\nMessage-ID: <{subject.replace(' ', '.')}@evil.example>\r\n\r\n"
        "Click here to claim your prize.\r\n"
    ).encode()
    return sim.backend.add_message(folder, raw, date=datetime.now(timezone.utc), rcpts=recipients)


def folder_of(sim: PPSSimulator, guid: str) -> str | None:
    """The folder that holds the message now; None when it is no longer quarantined."""
    message = sim.backend.get_message(guid=guid)
    return None if message is None else str(message["folder"])


def smart_search_records(result: RunResult) -> list[dict[str, Any]]:
    return as_list(result.context["Proofpoint"]["SmartSearch"]) if result.context else []


def quarantined_records(result: RunResult) -> list[dict[str, Any]]:
    return as_list(result.context["Proofpoint"]["QuarantinedMessage"]) if result.context else []


def action_outcomes(result: RunResult) -> list[dict[str, Any]]:
    return as_list(result.context["Proofpoint"]["QuarantineAction"])


def domain_of(address: str) -> str:
    return address.rsplit("@", 1)[-1].lower()


# ---- test-module ------------------------------------------------------------------------------------


def test_module_reports_ok_after_checking_both_managed_modules(war_room: WarRoom, sim: PPSSimulator) -> None:
    result = war_room.run("!test-module")

    assert result.exit_code == 0
    assert [entry["Contents"] for entry in result.entries] == ["ok"]
    assert sim.count("GET", "/pss/health") == 1
    assert sim.count("GET", "/quarantine") == 1


def test_module_names_the_missing_quarantine_module(pss_only_war_room: WarRoom) -> None:
    message = error_text(pss_only_war_room.run("!test-module"))

    assert "Quarantine module" in message
    assert "'pss-only'" in message
    assert "add 'Quarantine' to the role's Managed Modules" in message
    assert "pss module" not in message  # the pss module works for this user: only one problem is named


# ---- smart search -----------------------------------------------------------------------------------


def test_smart_search_shows_the_newest_records_up_to_the_limit(
    shared_war_room: WarRoom, shared_sim: PPSSimulator
) -> None:
    start = len(shared_sim.requests)
    result = shared_war_room.run(f"!proofpoint-pps-smart-search {ALL_SEEDED} limit=5")

    expected = [record["GUID"] for record in shared_sim.backend.trace()[:5]]
    shown = readable(result)
    assert shown.startswith(SMART_SEARCH_TITLE)
    assert all(guid in shown for guid in expected)
    assert SMART_SEARCH_KEY in result.entries[0]["EntryContext"]
    assert [record["GUID"] for record in smart_search_records(result)] == expected
    (sent,) = requests_since(shared_sim, start)
    assert sent.query["count"] == "5"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", sent.query["from"])


def test_smart_search_filters_by_sender_domain(shared_war_room: WarRoom, shared_sim: PPSSimulator) -> None:
    trace = shared_sim.backend.trace()
    domain, _ = Counter(domain_of(record["Sender"]) for record in trace).most_common(1)[0]
    expected = {record["GUID"] for record in trace if domain_of(record["Sender"]) == domain}
    assert 0 < len(expected) < len(trace)

    result = shared_war_room.run(f"!proofpoint-pps-smart-search sender=*@{domain} {ALL_SEEDED} limit=1000")

    records = smart_search_records(result)
    assert {record["GUID"] for record in records} == expected
    assert all(domain_of(record["Sender"]) == domain for record in records)


def test_smart_search_filters_by_recipient_and_action(
    shared_war_room: WarRoom, shared_sim: PPSSimulator
) -> None:
    trace = shared_sim.backend.trace()
    recipient = trace[0]["Recipients"].split(",")[0]
    result = shared_war_room.run(f"!proofpoint-pps-smart-search recipient={recipient} {ALL_SEEDED}")
    records = smart_search_records(result)
    assert records
    assert all(recipient.lower() in record["Recipients"].lower().split(",") for record in records)

    rejected = {record["GUID"] for record in trace if record["Final_Action"] == "reject"}
    assert rejected
    result = shared_war_room.run(f"!proofpoint-pps-smart-search action=reject {ALL_SEEDED} limit=1000")
    records = smart_search_records(result)
    assert {record["GUID"] for record in records} == rejected
    assert {record["Final_Action"] for record in records} == {"reject"}


def test_smart_search_by_guid_finds_that_message_only(
    shared_war_room: WarRoom, shared_sim: PPSSimulator
) -> None:
    guid = shared_sim.backend.trace()[3]["GUID"]

    result = shared_war_room.run(f"!proofpoint-pps-smart-search guid={guid} {ALL_SEEDED}")

    assert {record["GUID"] for record in smart_search_records(result)} == {guid}


def test_smart_search_with_nothing_found_says_so_and_writes_no_context(shared_war_room: WarRoom) -> None:
    result = shared_war_room.run(f"!proofpoint-pps-smart-search sender=nobody@nowhere.invalid {ALL_SEEDED}")

    shown = readable(result)
    assert shown.startswith(SMART_SEARCH_TITLE)
    assert "No entries." in shown
    assert smart_search_records(result) == []


# ---- list quarantined messages ----------------------------------------------------------------------


def test_list_shows_the_messages_of_the_folder_asked_for(
    shared_war_room: WarRoom, shared_sim: PPSSimulator
) -> None:
    expected = [record["guid"] for record in shared_sim.backend.messages("HIPAA")]
    assert expected

    result = shared_war_room.run(
        f"!proofpoint-pps-list-quarantined-messages folder_name=HIPAA from=* {ALL_SEEDED}"
    )

    shown = readable(result)
    assert shown.startswith(QUARANTINED_TITLE)
    assert QUARANTINED_KEY in result.entries[0]["EntryContext"]
    records = quarantined_records(result)
    assert [record["guid"] for record in records] == expected
    assert {record["folder"] for record in records} == {"HIPAA"}
    assert all(isinstance(record["rcpts"], list) and record["rcpts"] for record in records)
    assert all(record["localguid"] in shown for record in records)


def test_list_searches_the_quarantine_folder_by_default(
    shared_war_room: WarRoom, shared_sim: PPSSimulator
) -> None:
    expected = {record["guid"] for record in shared_sim.backend.messages("Quarantine")}

    result = shared_war_room.run(f"!proofpoint-pps-list-quarantined-messages from=* {ALL_SEEDED}")

    assert {record["guid"] for record in quarantined_records(result)} == expected


def test_list_takes_the_older_sender_and_recipient_names(
    shared_war_room: WarRoom, shared_sim: PPSSimulator
) -> None:
    messages = shared_sim.backend.messages("Quarantine")
    domain, _ = Counter(domain_of(record["from"]) for record in messages).most_common(1)[0]
    recipient = messages[0]["rcpts"][0]
    command = f"!proofpoint-pps-list-quarantined-messages {ALL_SEEDED}"

    by_from = quarantined_records(shared_war_room.run(f"{command} from={domain}"))
    by_sender = quarantined_records(shared_war_room.run(f"{command} sender={domain}"))
    by_to = quarantined_records(shared_war_room.run(f"{command} to={recipient}"))
    by_recipient = quarantined_records(shared_war_room.run(f"{command} recipient={recipient}"))

    assert by_from and by_from == by_sender
    assert all(domain_of(record["from"]) == domain for record in by_from)
    assert by_to and by_to == by_recipient
    assert all(recipient in record["rcpts"] for record in by_to)


def test_list_without_criteria_explains_what_to_give(shared_war_room: WarRoom) -> None:
    message = error_text(shared_war_room.run(f"!proofpoint-pps-list-quarantined-messages {ALL_SEEDED}"))

    assert "Missing search criteria" in message
    assert "from, to and subject" in message


def test_list_with_guid_returns_the_message_as_a_file(
    shared_war_room: WarRoom, shared_sim: PPSSimulator
) -> None:
    guid = shared_sim.backend.messages("Spam")[0]["guid"]

    result = shared_war_room.run(f"!proofpoint-pps-list-quarantined-messages guid={guid}")

    (entry,) = entries_of_type(result, ENTRY_FILE)
    assert entry["File"] == f"{guid}.eml"
    (saved,) = result.files
    assert saved.read_bytes() == shared_sim.backend.raw_message(guid)


# ---- download ---------------------------------------------------------------------------------------


def test_download_saves_exactly_the_raw_message(shared_war_room: WarRoom, shared_sim: PPSSimulator) -> None:
    guid = shared_sim.backend.messages("Quarantine")[1]["guid"]
    raw = shared_sim.backend.raw_message(guid)
    assert raw

    result = shared_war_room.run(f"!proofpoint-pps-download-message guid={guid}")

    assert result.exit_code == 0
    (entry,) = result.entries
    assert entry["Type"] == ENTRY_FILE
    assert entry["File"] == f"{guid}.eml"
    (saved,) = result.files
    assert saved.parent == shared_war_room.workdir
    assert saved.read_bytes() == raw


def test_download_of_an_unknown_guid_says_no_message_found(shared_war_room: WarRoom) -> None:
    result = shared_war_room.run("!proofpoint-pps-download-message guid=NoSuchMessage0123456789")

    assert readable(result) == "No message found."
    assert result.files == []


def test_download_larger_than_the_instance_allows_is_refused(
    shared_war_room: WarRoom, shared_sim: PPSSimulator
) -> None:
    guid = shared_sim.backend.messages("Quarantine")[0]["guid"]
    size = len(shared_sim.backend.raw_message(guid) or b"")
    assert size > 1024

    result = shared_war_room.run(f"!proofpoint-pps-download-message guid={guid}", max_download_size="0.001")

    message = error_text(result)
    assert f"Message {guid} is larger" in message
    assert "Maximum size of a downloaded message" in message
    assert result.files == []


# ---- actions ----------------------------------------------------------------------------------------


def test_release_delivers_and_leaves_the_message_in_its_folder(war_room: WarRoom, sim: PPSSimulator) -> None:
    message = quarantine(sim, "Quarantine", "Release me", ("alice@example.com", "bob@example.com"))
    localguid = message["localguid"]

    result = war_room.run(f"!proofpoint-pps-release-message folder_name=Quarantine local_guid={localguid}")

    assert readable(result) == f"Request sent. Message {localguid} will be released momentarily"
    assert action_outcomes(result) == [
        {
            "LocalGUID": localguid,
            "Action": "release",
            "Folder": "Quarantine",
            "Status": "success",
            "Message": f"Request sent. Message {localguid} will be released momentarily",
        }
    ]
    (logged,) = sim.backend.actions()
    assert (logged["action"], logged["localguid"]) == ("release", localguid)
    assert logged["recipients"] == ["alice@example.com", "bob@example.com"]
    assert logged["options"].get("scan", "f") == "f"
    assert folder_of(sim, message["guid"]) == "Quarantine"


def test_release_with_scan_and_deleted_folder_moves_the_message(war_room: WarRoom, sim: PPSSimulator) -> None:
    message = quarantine(sim, "Quarantine", "Release and file away")

    result = war_room.run(
        "!proofpoint-pps-release-message folder_name=Quarantine "
        f'local_guid={message["localguid"]} deleted_folder="Deleted Spam" scan=true'
    )

    assert result.exit_code == 0
    (logged,) = sim.backend.actions("release")
    assert logged["moved_to"] == "Deleted Spam"
    assert logged["options"]["scan"] == "t"
    listed = war_room.run(
        '!proofpoint-pps-list-quarantined-messages folder_name="Deleted Spam" '
        'subject="Release and file away" start_time="1 hour"'
    )
    assert [record["guid"] for record in quarantined_records(listed)] == [message["guid"]]


def test_resubmit_removes_the_message_from_its_folder(war_room: WarRoom, sim: PPSSimulator) -> None:
    message = quarantine(sim, "Quarantine", "Resubmit me")

    result = war_room.run(
        f"!proofpoint-pps-resubmit-message folder_name=Quarantine local_guid={message['localguid']}"
    )

    assert "will be resubmitted" in readable(result)
    assert [entry["localguid"] for entry in sim.backend.actions("resubmit")] == [message["localguid"]]
    assert folder_of(sim, message["guid"]) is None
    listed = war_room.run(
        '!proofpoint-pps-list-quarantined-messages subject="Resubmit me" start_time="1 hour"'
    )
    assert quarantined_records(listed) == []


def test_forward_sends_to_the_recipients_given(war_room: WarRoom, sim: PPSSimulator) -> None:
    message = quarantine(sim, "Quarantine", "Forward me")

    result = war_room.run(
        "!proofpoint-pps-forward-message folder_name=Quarantine "
        f"local_guid={message['localguid']} to=soc@example.com,analyst@example.com "
        'subject="Suspicious" append_old_subject=true header_from=soc@example.com from=pps@example.com '
        'comment="Please look at the attachment.\nThanks"'
    )

    assert "will be forwarded" in readable(result)
    (logged,) = sim.backend.actions("forward")
    assert logged["recipients"] == ["soc@example.com", "analyst@example.com"]
    assert logged["options"]["subject"] == "Suspicious"
    assert logged["options"]["appendoldsubject"] == "t"
    assert logged["options"]["headerfrom"] == "soc@example.com"
    assert logged["options"]["from"] == "pps@example.com"
    assert logged["options"]["comment"] == "Please look at the attachment.\nThanks"
    assert folder_of(sim, message["guid"]) == "Quarantine"


def test_forward_with_a_named_header_from(war_room: WarRoom, sim: PPSSimulator) -> None:
    message = quarantine(sim, "Quarantine", "Forward me with a name")

    result = war_room.run(
        f"!proofpoint-pps-forward-message folder_name=Quarantine local_guid={message['localguid']} "
        'to=soc@example.com header_from="SOC <soc@example.com>"'
    )

    assert "will be forwarded" in readable(result)
    (logged,) = sim.backend.actions("forward")
    assert logged["options"]["headerfrom"] == "SOC <soc@example.com>"


def test_move_puts_the_message_in_its_new_folder(war_room: WarRoom, sim: PPSSimulator) -> None:
    message = quarantine(sim, "HIPAA", "Move me")

    result = war_room.run(
        f"!proofpoint-pps-move-message folder_name=HIPAA local_guid={message['localguid']} target_folder=PCI"
    )

    assert readable(result) == f"Successfully moved message {message['localguid']}"
    assert folder_of(sim, message["guid"]) == "PCI"
    listed = war_room.run('!proofpoint-pps-list-quarantined-messages folder_name=PCI subject="Move me"')
    assert [record["guid"] for record in quarantined_records(listed)] == [message["guid"]]


def test_move_to_a_folder_of_another_module_shows_the_servers_refusal(
    war_room: WarRoom, sim: PPSSimulator
) -> None:
    message = quarantine(sim, "HIPAA", "Stay in HIPAA")

    result = war_room.run(
        f"!proofpoint-pps-move-message folder_name=HIPAA local_guid={message['localguid']} target_folder=Spam"
    )

    error = error_text(result)
    assert f"Could not move message {message['localguid']}" in error
    assert "(400): Invalid argument: targetfolder" in error
    assert [outcome["Status"] for outcome in action_outcomes(result)] == ["failed"]
    assert folder_of(sim, message["guid"]) == "HIPAA"
    assert sim.backend.actions() == []


def test_delete_removes_the_message(war_room: WarRoom, sim: PPSSimulator) -> None:
    message = quarantine(sim, "Quarantine", "Delete me")

    result = war_room.run(
        f"!proofpoint-pps-delete-message folder_name=Quarantine local_guid={message['localguid']}"
    )

    assert readable(result) == f"Successfully deleted message {message['localguid']}"
    assert folder_of(sim, message["guid"]) is None
    assert [entry["localguid"] for entry in sim.backend.actions("delete")] == [message["localguid"]]


def test_delete_with_deleted_folder_keeps_the_message_there(war_room: WarRoom, sim: PPSSimulator) -> None:
    message = quarantine(sim, "HIPAA", "Delete me into the incidents bin")

    result = war_room.run(
        f"!proofpoint-pps-delete-message folder_name=HIPAA local_guid={message['localguid']} "
        'deleted_folder="Deleted Incidents"'
    )

    assert result.exit_code == 0
    assert folder_of(sim, message["guid"]) == "Deleted Incidents"


def test_batch_release_acts_once_per_id_and_reports_each_outcome(
    war_room: WarRoom, sim: PPSSimulator
) -> None:
    first = quarantine(sim, "Quarantine", "Batch one")["localguid"]
    second = quarantine(sim, "Quarantine", "Batch two")["localguid"]
    unknown = "6:1:99999"
    start = len(sim.requests)

    result = war_room.run(
        "!proofpoint-pps-release-message folder_name=Quarantine "
        f"local_guid={first},{second},{first},{unknown}"
    )

    assert result.exit_code == 0
    shown = readable(result)
    assert shown.startswith("### Proofpoint Protection Server release results")
    assert shown.count(first) == 2  # its table row: the id and the reply naming it, once
    outcomes = {outcome["LocalGUID"]: outcome["Status"] for outcome in action_outcomes(result)}
    assert outcomes == {first: "success", second: "success", unknown: "failed"}
    (warning,) = entries_of_type(result, ENTRY_WARNING)
    assert warning["Contents"] == f"1 of 3 messages were not released: {unknown} (failed)"
    posted = [request.json["localguid"] for request in requests_since(sim, start, "POST")]
    assert sorted(posted) == sorted([first, second, unknown])
    assert Counter(entry["localguid"] for entry in sim.backend.actions("release")) == {first: 1, second: 1}
    assert len(entries_of_type(result, ENTRY_NOTE)) == 1
