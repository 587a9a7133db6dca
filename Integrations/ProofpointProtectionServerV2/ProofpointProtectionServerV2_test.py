"""Unit tests: for every command, the request that leaves and what the user gets back (recorded replies)."""

import json
from functools import partial
import time
import socket
import base64
import random
import re
import ssl
import threading
from datetime import datetime, timedelta, timezone
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, quote_plus, unquote, urlsplit

import demistomock as demisto
import pytest
from hypothesis import strategies as st
from hypothesis import HealthCheck, given, settings
import requests_mock as requests_mock_module
import requests
import yaml
import CommonServerPython
from CommonServerPython import CommandResults, DemistoException

import ProofpointProtectionServerV2 as pps

HERE = Path(__file__).resolve().parent
# The pack's root: this repository's root, or Packs/<pack>/ in a content repository.
ROOT = HERE.parents[1]
# Recorded replies: TestData/ at this repository's root; laid beside the tests, in test_data/, where a
# content repository keeps them.
TEST_DATA = HERE / "test_data" if (HERE / "test_data").is_dir() else ROOT / "TestData"
SERVER = "https://pps.example.com:10000"
API = f"{SERVER}/rest/v1"
PASSWORD = "S3cret-Pa55word!"
PARAMS = {"url": SERVER, "credentials": {"identifier": "soc-api", "password": PASSWORD}, "timeout": "5"}


def load_json(name: str) -> Any:
    return json.loads((TEST_DATA / name).read_text())


@pytest.fixture
def client() -> pps.Client:
    client = pps.Client(SERVER, "soc-api", PASSWORD, verify=True, proxy=False, timeout=5)
    client.backoff_base = 0  # retries are tested for their count, not their pauses
    return client


@pytest.fixture
def now() -> datetime:
    return datetime(2026, 11, 28, 12, 0, 0, tzinfo=timezone.utc)


def run_main(
    mocker: Any, command: str, args: dict[str, Any], params: dict[str, Any] | None = None
) -> list[Any]:
    """Runs main() as the server would and returns every entry it sent to the War Room."""
    mocker.patch.object(demisto, "params", return_value=params or PARAMS)
    mocker.patch.object(demisto, "args", return_value=args)
    mocker.patch.object(demisto, "command", return_value=command)
    sent = mocker.patch.object(demisto, "results")
    try:
        pps.main()
    except SystemExit:
        pass
    entries: list[Any] = []
    for call in sent.call_args_list:
        value = call.args[0]
        entries.extend(value if isinstance(value, list) else [value])
    return entries


# -- URL and client -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://pps.example.com:10000",
        "https://pps.example.com:10000/",
        "https://pps.example.com:10000/rest/v1",
        "https://pps.example.com:10000/rest/v1/",
    ],
)
def test_api_base_url_appends_rest_v1_once(url: str) -> None:
    assert pps.api_base_url(url) == (API, None)


def test_api_base_url_takes_credentials_out_of_the_url() -> None:
    base, credentials = pps.api_base_url("https://user:pw%21@pps.example.com:10000")
    assert base == API
    assert credentials == ("user", "pw!")


def test_bad_url_is_refused_without_echoing_credentials() -> None:
    with pytest.raises(pps.InvalidArgumentError) as error:
        pps.api_base_url("pps.example.com")
    assert "Server URL" in str(error.value)
    with pytest.raises(pps.InvalidArgumentError) as error:
        pps.api_base_url("ftp://user:hunter22@pps.example.com")
    assert "hunter22" not in str(error.value)


# -- smart search ---------------------------------------------------------------------------------


def test_smart_search_request_and_outputs(client: pps.Client, requests_mock: Any) -> None:
    reply = load_json("smart_search_reply.json")
    requests_mock.get(f"{API}/pss/filter", json=reply)
    result = pps.smart_search_command(
        client,
        {
            "action": "discard",
            "start_time": "2026-11-26T12:00:00Z",
            "end_time": "2026-11-28T10:00:00-05:00",
            "sender": "*@invoices.example.net",
            "recipient": "alice@example.com",
            "virus": "Eicar, Trojan.X",
            "attachment": "a.zip,b.doc",
            "queue_id": "u8P6D24m919880",
            "host": "192.0.2.3",
            "sid": "25nnq08028",
            "subject": "invoice",
            "guid": "exampleguid000000000000000000006",
            "message_id": "<a@example.net>",
            "limit": "50",
        },
    )
    request = requests_mock.last_request
    assert request.method == "GET"
    assert request.path == "/rest/v1/pss/filter"
    assert request.qs == {
        "action": ["discard"],
        "from": ["2026-11-26t12:00:00+0000"],
        "to": ["2026-11-28t15:00:00+0000"],
        "virus": ["eicar,trojan.x"],
        "env_from": ["*@invoices.example.net"],
        "env_rcpt": ["alice@example.com"],
        "attach": ["a.zip,b.doc"],
        "qid": ["u8p6d24m919880"],
        "host": ["192.0.2.3"],
        "sid": ["25nnq08028"],
        "subject": ["invoice"],
        "guid": ["exampleguid000000000000000000006"],
        "hdr_mid": ["<a@example.net>"],
        "count": ["50"],
    }
    assert request.headers["Authorization"].startswith("Basic ")
    context = result.to_context()
    key = "Proofpoint.SmartSearch(val.GUID && val.GUID == obj.GUID)"
    assert context["EntryContext"][key] == reply["result"]
    assert context["EntryContext"][key][1]["module_rules"] == ["spam.quarantine", "access.system"]
    readable = context["HumanReadable"]
    assert readable.startswith(
        "### Proofpoint Protection Server Smart Search Results\n|GUID|Date|Sender|Recipients|Subject|"
    )
    assert "| Invoice 4471 \\| overdue |" in readable
    assert "SendmailRaw_Log" not in readable


def test_smart_search_defaults_to_last_24_hours_and_100_records(
    client: pps.Client, requests_mock: Any
) -> None:
    requests_mock.get(f"{API}/pss/filter", json={"result": []})
    result = pps.smart_search_command(client, {})
    sent = requests_mock.last_request.qs
    assert set(sent) == {"from", "count"}
    assert sent["count"] == ["100"]
    started = datetime.strptime(sent["from"][0].upper(), "%Y-%m-%dT%H:%M:%S%z")
    hours = (datetime.now(timezone.utc) - started).total_seconds() / 3600
    assert 23.9 < hours < 24.1
    assert result.to_context()["HumanReadable"].endswith("**No entries.**\n")


@pytest.mark.parametrize(
    ("args", "named"),
    [
        ({"start_time": "yesterday-ish"}, "start_time"),
        ({"end_time": "3 fortnights"}, "end_time"),
        ({"start_time": "1 day", "end_time": "3 days"}, "end_time"),
        ({"limit": "0"}, "limit"),
        ({"limit": "10001"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"action": "bounce"}, "action"),
        ({"sender": "two words@example.com"}, "sender"),
        ({"recipient": "a@b@c"}, "recipient"),
        ({"guid": "../../etc/passwd"}, "guid"),
        ({"queue_id": "u8P6D24m9 OR 1=1"}, "queue_id"),
        ({"sid": "25nnq08028;"}, "sid"),
        ({"host": "mail example com"}, "host"),
    ],
)
def test_smart_search_refuses_bad_arguments_before_any_request(
    client: pps.Client, requests_mock: Any, args: dict[str, str], named: str
) -> None:
    with pytest.raises(pps.InvalidArgumentError) as error:
        pps.smart_search_command(client, args)
    assert f"for {named}" in str(error.value)
    assert not requests_mock.called


# -- times ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 minute", datetime(2026, 11, 28, 11, 59, tzinfo=timezone.utc)),
        ("12 hours", datetime(2026, 11, 28, 0, 0, tzinfo=timezone.utc)),
        ("7 days ago", datetime(2026, 11, 21, 12, 0, tzinfo=timezone.utc)),
        ("2 weeks", datetime(2026, 11, 14, 12, 0, tzinfo=timezone.utc)),
        ("1 Month", datetime(2026, 10, 29, 12, 0, tzinfo=timezone.utc)),
        ("1 year", datetime(2025, 11, 28, 12, 0, tzinfo=timezone.utc)),
        ("2020-01-25T10:00:00Z", datetime(2020, 1, 25, 10, 0, tzinfo=timezone.utc)),
        ("2020-01-25T10:00:00+02:00", datetime(2020, 1, 25, 8, 0, tzinfo=timezone.utc)),
        ("2020-01-25T10:00:00", datetime(2020, 1, 25, 10, 0, tzinfo=timezone.utc)),
        ("2020-01-25", datetime(2020, 1, 25, tzinfo=timezone.utc)),
    ],
)
def test_parse_time_accepts_relative_and_iso(text: str, expected: datetime, now: datetime) -> None:
    assert pps.parse_time(text, "start_time", now) == expected


def test_parse_time_refuses_overflow_with_the_argument_name(now: datetime) -> None:
    with pytest.raises(pps.InvalidArgumentError, match="start_time"):
        pps.parse_time("999999 years", "start_time", now)


# -- quarantine search ----------------------------------------------------------------------------


def test_list_quarantined_messages_request_and_outputs(client: pps.Client, requests_mock: Any) -> None:
    reply = load_json("quarantine_search_reply.json")
    requests_mock.get(f"{API}/quarantine", json=reply)
    result = pps.list_quarantined_messages_command(
        client,
        {
            "from": "john@example.com",
            "to": "example.com",
            "subject": "Loan",
            "start_time": "2020-01-01T00:00:00Z",
            "end_time": "2020-02-01T00:00:00+01:00",
        },
    )
    request = requests_mock.last_request
    assert request.method == "GET"
    assert request.path == "/rest/v1/quarantine"
    assert dict(request.qs) == {
        "folder": ["quarantine"],
        "from": ["john@example.com"],
        "rcpt": ["example.com"],
        "subject": ["loan"],
        "startdate": ["2020-01-01 00:00:00"],
        "enddate": ["2020-01-31 23:00:00"],
        "limit": ["100"],
    }
    context = result.to_context()
    key = "Proofpoint.QuarantinedMessage(val.guid && val.guid == obj.guid)"
    assert context["EntryContext"][key] == reply["records"][::-1]  # newest first
    assert context["EntryContext"][key][0]["rcpts"] == ["user@example.com", "other@example.com"]
    assert context["HumanReadable"].startswith(
        "### Proofpoint Protection Server Quarantined Messages\n|localguid|guid|date|from|rcpts|"
    )
    assert "| user@example.com,<br>other@example.com |" in context["HumanReadable"]


def test_list_quarantined_messages_accepts_older_argument_names(
    client: pps.Client, requests_mock: Any
) -> None:
    requests_mock.get(f"{API}/quarantine", json={"count": 0, "records": []})
    pps.list_quarantined_messages_command(
        client, {"sender": "*@doe.com", "recipient": "foo@example.com", "folder_name": "Spam"}
    )
    sent = requests_mock.last_request.qs
    assert sent["from"] == ["*@doe.com"]
    assert sent["rcpt"] == ["foo@example.com"]
    assert sent["folder"] == ["spam"]


def test_list_quarantined_messages_refuses_conflicting_alias(client: pps.Client, requests_mock: Any) -> None:
    with pytest.raises(pps.InvalidArgumentError, match="from and sender"):
        pps.list_quarantined_messages_command(client, {"from": "a@example.com", "sender": "c@example.com"})
    assert not requests_mock.called


def test_list_quarantined_messages_needs_a_criterion(client: pps.Client, requests_mock: Any) -> None:
    with pytest.raises(
        pps.InvalidArgumentError, match=r"at least one of from, to and subject \(sender and recipient"
    ):
        pps.list_quarantined_messages_command(client, {"folder_name": "Quarantine"})
    assert not requests_mock.called


def test_list_quarantined_messages_with_guid_returns_the_raw_message_as_a_file(
    client: pps.Client, requests_mock: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    raw = (TEST_DATA / "quarantined_message.eml").read_bytes()
    requests_mock.get(f"{API}/quarantine?guid=exampleguid000000000000000000010", content=raw)
    entry = pps.list_quarantined_messages_command(client, {"guid": "exampleguid000000000000000000010"})
    assert entry["Type"] == 3
    assert entry["File"] == "exampleguid000000000000000000010.eml"
    assert (tmp_path / f"1_{entry['FileID']}").read_bytes() == raw


# -- download -------------------------------------------------------------------------------------


@pytest.mark.parametrize("argument", ["guid", "folder_name"])
def test_download_message_writes_the_file_where_file_result_would(
    client: pps.Client, requests_mock: Any, tmp_path: Path, monkeypatch: Any, argument: str
) -> None:
    monkeypatch.chdir(tmp_path)
    raw = (TEST_DATA / "quarantined_message.eml").read_bytes()
    requests_mock.get(f"{API}/quarantine", content=raw, headers={"Content-Type": "message/rfc822"})
    entry = pps.COMMANDS["proofpoint-pps-download-message"](
        client, {argument: "exampleguid000000000000000000009"}
    )
    assert requests_mock.last_request.qs == {"guid": ["exampleguid000000000000000000009"]}
    assert entry == {
        "Contents": "",
        "ContentsFormat": "text",
        "Type": 3,
        "File": "exampleguid000000000000000000009.eml",
        "FileID": entry["FileID"],
    }
    assert [path.name for path in tmp_path.iterdir()] == [f"1_{entry['FileID']}"]
    assert (tmp_path / f"1_{entry['FileID']}").read_bytes() == raw


def test_download_message_not_found(
    client: pps.Client, requests_mock: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    requests_mock.get(f"{API}/quarantine", status_code=404, text="Not found")
    result = pps.download_message_command(client, {"guid": "missing000000000"})
    assert isinstance(result, CommandResults)
    assert result.readable_output == "No message found."
    assert list(tmp_path.iterdir()) == []


def test_download_message_refuses_a_message_over_the_size_cap(
    client: pps.Client, requests_mock: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    requests_mock.get(f"{API}/quarantine", content=b"x" * 3 * 1048576)
    client.max_download_bytes = 2 * 1048576
    with pytest.raises(DemistoException, match=r"larger than the instance's maximum download size"):
        pps.download_message_command(client, {"guid": "big00000000000000"})
    assert list(tmp_path.iterdir()) == []


def test_download_message_needs_a_guid(client: pps.Client, requests_mock: Any) -> None:
    with pytest.raises(pps.InvalidArgumentError, match="Missing required argument guid"):
        pps.download_message_command(client, {})
    assert not requests_mock.called


@pytest.mark.parametrize(
    ("guid", "name"),
    [
        ("abc", "abc.eml"),
        ("../../etc/passwd", "etc_passwd.eml"),
        ("/absolute", "absolute.eml"),
        ("....", "message.eml"),
        ("a/b\\c", "a_b_c.eml"),
    ],
)
def test_safe_file_name_never_leaves_the_folder(guid: str, name: str) -> None:
    assert pps.safe_file_name(guid) == name


# -- actions --------------------------------------------------------------------------------------

ACTION_CASES = [
    (
        "release",
        {
            "folder_name": "HIPAA",
            "local_guid": "4:2:6",
            "deleted_folder": "Deleted Incidents",
            "scan": "yes",
            "brand_template": "Corp",
            "security_policy": "Default",
        },
        {
            "action": "release",
            "folder": "HIPAA",
            "localguid": "4:2:6",
            "deletedfolder": "Deleted Incidents",
            "scan": "t",
            "brandtemplate": "Corp",
            "securitypolicy": "Default",
        },
    ),
    (
        "release",
        {"folder_name": "HIPAA", "local_guid": "4:2:6", "scan": "false"},
        {"action": "release", "folder": "HIPAA", "localguid": "4:2:6", "scan": "f"},
    ),
    (
        "resubmit",
        {"folder_name": "HIPAA", "local_guid": "4:2:6"},
        {"action": "resubmit", "folder": "HIPAA", "localguid": "4:2:6"},
    ),
    (
        "forward",
        {
            "folder_name": "HIPAA",
            "local_guid": "4:2:6",
            "to": "a@example.com, b@example.com",
            "from": "soc@example.com",
            "header_from": "SOC <soc@example.com>",
            "subject": "FYI",
            "append_old_subject": "True",
            "comment": "Please review.\nThanks",
            "deleted_folder": "Deleted Incidents",
        },
        {
            "action": "forward",
            "folder": "HIPAA",
            "localguid": "4:2:6",
            "to": "a@example.com,b@example.com",
            "from": "soc@example.com",
            "headerfrom": "SOC <soc@example.com>",
            "subject": "FYI",
            "appendoldsubject": "t",
            "comment": "Please review.\nThanks",
            "deletedfolder": "Deleted Incidents",
        },
    ),
    (
        "move",
        {"folder_name": "HIPAA", "local_guid": "4:2:6", "target_folder": "PCI"},
        {"action": "move", "folder": "HIPAA", "localguid": "4:2:6", "targetfolder": "PCI"},
    ),
    (
        "delete",
        {"folder_name": "HIPAA", "local_guid": "4:2:6"},
        {"action": "delete", "folder": "HIPAA", "localguid": "4:2:6"},
    ),
    (
        "delete",
        {
            "folder_name": "Quarantine",
            "local_guid": "exampleguid000000000000000000009",
            "deleted_folder": "Spam",
        },
        {
            "action": "delete",
            "folder": "Quarantine",
            "localguid": "exampleguid000000000000000000009",
            "deletedfolder": "Spam",
        },
    ),
]


@pytest.mark.parametrize(("action", "args", "body"), ACTION_CASES)
def test_action_sends_only_the_given_keys(
    client: pps.Client, requests_mock: Any, action: str, args: dict[str, str], body: dict[str, str]
) -> None:
    reply = {"json": {"status": "ok"}} if action in ("move", "delete") else {"text": "Request sent."}
    requests_mock.post(f"{API}/quarantine", **reply)  # type: ignore[arg-type]
    pps.quarantine_action_command(client, args, action)
    assert requests_mock.call_count == 1
    assert requests_mock.last_request.method == "POST"
    assert requests_mock.last_request.path == "/rest/v1/quarantine"
    assert requests_mock.last_request.json() == body


@pytest.mark.parametrize(
    ("action", "reply", "readable"),
    [
        ("release", "Request sent. Message 4:2:6 will be released momentarily", None),
        ("resubmit", "Request sent. Message 4:2:6 will be resubmitted momentarily", None),
        ("forward", "Request sent. Message 4:2:6 will be forwarded momentarily", None),
        ("move", '{"status": "moved"}', "Successfully moved message 4:2:6"),
        ("delete", '{"status": "deleted"}', "Successfully deleted message 4:2:6"),
    ],
)
def test_action_readable_output_and_context(
    client: pps.Client, requests_mock: Any, action: str, reply: str, readable: str | None
) -> None:
    content_type = "application/json" if reply.startswith("{") else "text/plain"
    requests_mock.post(f"{API}/quarantine", text=reply, headers={"Content-Type": content_type})
    args = {"folder_name": "HIPAA", "local_guid": "4:2:6", "target_folder": "PCI"}
    results = pps.quarantine_action_command(client, args, action)
    assert len(results) == 1
    context = results[0].to_context()
    assert context["HumanReadable"] == (readable or reply)
    key = (
        "Proofpoint.QuarantineAction(val.LocalGUID && val.LocalGUID == obj.LocalGUID "
        "&& val.Action && val.Action == obj.Action)"
    )
    assert context["EntryContext"][key] == [
        {
            "LocalGUID": "4:2:6",
            "Action": action,
            "Folder": "HIPAA",
            "Status": "success",
            "Message": readable or reply,
        }
    ]


def test_batch_action_reports_each_id_acts_once_per_id_and_warns(
    client: pps.Client, requests_mock: Any
) -> None:
    def reply(request: Any, context: Any) -> str:
        local_guid = request.json()["localguid"]
        if local_guid == "4:2:7":
            context.status_code = 400
            return "Invalid argument: localguid"
        return f"Request sent. Message {local_guid} will be released momentarily"

    requests_mock.post(f"{API}/quarantine", text=reply)
    results = pps.quarantine_action_command(
        client, {"folder_name": "Quarantine", "local_guid": "4:2:6,4:2:7,4:2:6,4:2:8"}, "release"
    )
    sent = sorted(request.json()["localguid"] for request in requests_mock.request_history)
    assert sent == ["4:2:6", "4:2:7", "4:2:8"]
    outcomes = results[0].outputs
    assert [(outcome["LocalGUID"], outcome["Status"]) for outcome in outcomes] == [
        ("4:2:6", "success"),
        ("4:2:7", "failed"),
        ("4:2:8", "success"),
    ]
    assert "Invalid argument: localguid" in outcomes[1]["Message"]
    assert results[0].readable_output.startswith(
        "### Proofpoint Protection Server release results\n|LocalGUID|Status|Message|"
    )
    warning = results[1]
    assert warning["Type"] == 11
    assert warning["Contents"] == "1 of 3 messages were not released: 4:2:7 (failed)"


def test_batch_action_where_nothing_succeeds_is_an_error_with_context(
    mocker: Any, requests_mock: Any
) -> None:
    requests_mock.post(f"{API}/quarantine", status_code=400, text="Invalid argument: folder")
    entries = run_main(
        mocker, "proofpoint-pps-delete-message", {"folder_name": "Nope", "local_guid": "1:1:1,1:1:2"}
    )
    assert len(entries) == 1
    assert entries[0]["Type"] == 4
    assert entries[0]["Contents"].startswith(
        "None of the 2 messages was deleted (2 failed); "
        "each id's outcome is below.\n\n### Proofpoint Protection Server delete results\n"
    )
    assert (
        '| 1:1:1 | failed | The PPS server refused folder_name "Nope" (400): Invalid argument: folder. No folder '
        'has that name. Folder names are case-sensitive (e.g. "Quarantine", not "quarantine"): check the '
        "spelling and case. |" in entries[0]["Contents"]
    )
    (outcomes,) = entries[0]["EntryContext"].values()
    assert [outcome["Status"] for outcome in outcomes] == ["failed", "failed"]


@pytest.mark.parametrize(
    ("args", "named"),
    [
        ({"local_guid": "4:2:6"}, "folder_name"),
        ({"folder_name": "HIPAA"}, "local_guid"),
        ({"folder_name": "HIPAA", "local_guid": "4:2"}, "local_guid"),
        ({"folder_name": "HIPAA", "local_guid": "4:2:6,"}, "local_guid"),
        ({"folder_name": "HIPAA", "local_guid": "4:2:6;rm -rf"}, "local_guid"),
        ({"folder_name": "HIPAA", "local_guid": "4:2:6", "scan": "maybe"}, "scan"),
    ],
)
def test_release_refuses_bad_arguments_before_any_request(
    client: pps.Client, requests_mock: Any, args: dict[str, str], named: str
) -> None:
    with pytest.raises(pps.InvalidArgumentError) as error:
        pps.quarantine_action_command(client, args, "release")
    assert named in str(error.value)
    assert not requests_mock.called


def test_move_to_the_same_folder_is_refused(client: pps.Client, requests_mock: Any) -> None:
    with pytest.raises(pps.InvalidArgumentError, match="target_folder"):
        pps.quarantine_action_command(
            client, {"folder_name": "PCI", "local_guid": "4:2:6", "target_folder": "PCI"}, "move"
        )
    assert not requests_mock.called


@pytest.mark.parametrize(
    ("args", "named"),
    [
        ({"to": "not-an-address"}, "to"),
        ({"from": "*@example.com"}, "from"),
        ({"header_from": "SOC <nope>"}, "header_from"),
        ({"append_old_subject": "sometimes"}, "append_old_subject"),
    ],
)
def test_forward_refuses_bad_addresses(
    client: pps.Client, requests_mock: Any, args: dict[str, str], named: str
) -> None:
    with pytest.raises(pps.InvalidArgumentError, match=f"for {named}"):
        pps.quarantine_action_command(
            client, {"folder_name": "HIPAA", "local_guid": "4:2:6", **args}, "forward"
        )
    assert not requests_mock.called


# -- transport policy -----------------------------------------------------------------------------


def test_reads_are_retried_on_5xx_and_429(client: pps.Client, requests_mock: Any) -> None:
    requests_mock.get(
        f"{API}/pss/filter",
        [
            {"status_code": 503, "text": "busy"},
            {"status_code": 429, "text": "slow down", "headers": {"Retry-After": "0"}},
            {"json": {"result": []}},
        ],
    )
    assert client.smart_search({"count": "1"}) == []
    assert requests_mock.call_count == 3


def test_reads_give_up_after_the_bounded_number_of_tries(client: pps.Client, requests_mock: Any) -> None:
    requests_mock.get(f"{API}/pss/filter", status_code=502, text="bad gateway")
    with pytest.raises(DemistoException, match=r"failed \(502"):
        client.smart_search({})
    assert requests_mock.call_count == pps.MAX_TRIES


def test_reads_are_retried_on_connection_errors(client: pps.Client, requests_mock: Any) -> None:
    requests_mock.get(
        f"{API}/pss/health",
        [{"exc": requests.exceptions.ConnectionError("reset by peer")}, {"json": {"status": "ok"}}],
    )
    assert client.check_health() == {"status": "ok"}
    assert requests_mock.call_count == 2


def test_actions_are_retried_after_429(client: pps.Client, requests_mock: Any) -> None:
    requests_mock.post(
        f"{API}/quarantine",
        [{"status_code": 429, "text": "later", "headers": {"Retry-After": "0"}}, {"text": "Request sent."}],
    )
    assert (
        client.act_on_message({"action": "release", "folder": "Q", "localguid": "1:1:1"}) == "Request sent."
    )
    assert requests_mock.call_count == 2


def test_actions_are_retried_when_the_connection_was_never_made(
    client: pps.Client, requests_mock: Any
) -> None:
    requests_mock.post(
        f"{API}/quarantine",
        [{"exc": requests.exceptions.ConnectTimeout("connect timed out")}, {"text": "Request sent."}],
    )
    assert (
        client.act_on_message({"action": "release", "folder": "Q", "localguid": "1:1:1"}) == "Request sent."
    )
    assert requests_mock.call_count == 2


@pytest.mark.parametrize(
    "reply",
    [
        {"status_code": 500, "text": "oops"},
        {"status_code": 503, "text": "unavailable"},
        {"exc": requests.exceptions.ReadTimeout("read timed out")},
        {"exc": requests.exceptions.ConnectionError("Connection aborted.")},
    ],
)
def test_actions_are_never_sent_twice_when_the_outcome_is_unknown(
    client: pps.Client, requests_mock: Any, reply: dict[str, Any]
) -> None:
    requests_mock.post(f"{API}/quarantine", [reply, {"text": "Request sent."}])
    with pytest.raises(pps.OutcomeUnknownError, match="outcome is unknown") as error:
        client.act_on_message({"action": "release", "folder": "Q", "localguid": "1:1:1"})
    assert "list-quarantined-messages" in error.value.message
    assert requests_mock.call_count == 1


def test_batch_marks_unknown_outcomes(client: pps.Client, requests_mock: Any) -> None:
    requests_mock.post(f"{API}/quarantine", [{"text": "Request sent."}, {"status_code": 502, "text": "gw"}])
    results = pps.quarantine_action_command(
        client, {"folder_name": "Q", "local_guid": "1:1:1,1:1:2"}, "release"
    )
    statuses = sorted(outcome["Status"] for outcome in results[0].outputs)
    assert statuses == ["success", "unknown"]
    assert requests_mock.call_count == 2


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (401, "Unauthorized", "Authentication failed (401): check the username and password"),
        (403, "Forbidden", "lacks the managed module 'Quarantine'"),
        (404, "Not Found", "Not found (404): GET /quarantine"),
        (
            400,
            "Invalid argument: folder",
            "The PPS server refused the request (400): Invalid argument: folder",
        ),
        (200, "<html><body>Login</body></html>", "is not what the PPS API sends"),
        (200, "{not json", "is not what the PPS API sends"),
    ],
)
def test_errors_name_their_cause(
    client: pps.Client, requests_mock: Any, status: int, body: str, expected: str
) -> None:
    requests_mock.get(f"{API}/quarantine", status_code=status, text=body)
    with pytest.raises(DemistoException) as error:
        client.search_quarantine({"subject": "invoice"})
    assert expected in error.value.message


def test_403_on_smart_search_names_the_pss_module(client: pps.Client, requests_mock: Any) -> None:
    requests_mock.get(f"{API}/pss/filter", status_code=403, text="Forbidden")
    with pytest.raises(DemistoException, match="lacks the managed module 'pss'"):
        client.smart_search({})


def test_certificate_failure_points_to_the_unsecure_parameter(client: pps.Client, requests_mock: Any) -> None:
    requests_mock.get(f"{API}/pss/health", exc=requests.exceptions.SSLError("CERTIFICATE_VERIFY_FAILED"))
    with pytest.raises(DemistoException, match="Trust any certificate") as error:
        client.check_health()
    assert requests_mock.call_count == 1
    assert "unsecure" in error.value.message


# -- test-module and main -------------------------------------------------------------------------


def test_test_module_is_ok_only_when_both_modules_answer(mocker: Any, requests_mock: Any) -> None:
    requests_mock.get(f"{API}/pss/health", json={"status": "ok"})
    requests_mock.get(f"{API}/quarantine", json={"count": 0, "records": []})
    entries = run_main(mocker, "test-module", {})
    assert entries == ["ok"]
    probe = requests_mock.request_history[1]
    assert probe.qs["folder"] == ["quarantine"]
    assert "startdate" in probe.qs


def test_test_module_names_the_missing_module(mocker: Any, requests_mock: Any) -> None:
    requests_mock.get(f"{API}/pss/health", json={"status": "ok"})
    requests_mock.get(f"{API}/quarantine", status_code=403, text="Forbidden")
    entries = run_main(mocker, "test-module", {})
    assert entries[0]["Type"] == 4
    assert "Quarantine module" in entries[0]["Contents"]
    assert "lacks the managed module 'Quarantine'" in entries[0]["Contents"]
    assert "pss module" not in entries[0]["Contents"]


def test_test_module_reports_bad_credentials_once(mocker: Any, requests_mock: Any) -> None:
    requests_mock.get(f"{API}/pss/health", status_code=401)
    requests_mock.get(f"{API}/quarantine", status_code=401)
    entries = run_main(mocker, "test-module", {})
    assert entries[0]["Contents"].count("Authentication failed (401)") == 1


def test_main_refuses_control_characters_before_any_request(mocker: Any, requests_mock: Any) -> None:
    entries = run_main(mocker, "proofpoint-pps-smart-search", {"subject": "hello\r\nX-Injected: 1"})
    assert entries[0]["Type"] == 4
    assert "Invalid value for subject" in entries[0]["Contents"]
    assert not requests_mock.called


def test_main_never_shows_the_password(mocker: Any, requests_mock: Any) -> None:
    requests_mock.get(f"{API}/pss/filter", status_code=400, text=f"Invalid argument: password {PASSWORD}")
    entries = run_main(mocker, "proofpoint-pps-smart-search", {})
    assert entries[0]["Type"] == 4
    assert PASSWORD not in json.dumps(entries)
    assert "<XX_REPLACED>" in entries[0]["Contents"]


def test_main_uses_the_older_insecure_parameter(mocker: Any, requests_mock: Any) -> None:
    requests_mock.get(f"{API}/pss/health", json={})
    requests_mock.get(f"{API}/quarantine", json={"records": []})
    run_main(mocker, "test-module", {}, {**PARAMS, "insecure": True})
    assert requests_mock.last_request.verify is False
    run_main(mocker, "test-module", {}, {**PARAMS, "unsecure": "true"})
    assert requests_mock.last_request.verify is False
    run_main(mocker, "test-module", {}, PARAMS)
    assert requests_mock.last_request.verify is True


def test_main_refuses_a_bad_timeout_parameter(mocker: Any, requests_mock: Any) -> None:
    entries = run_main(mocker, "test-module", {}, {**PARAMS, "timeout": "-3"})
    assert "Invalid value for timeout" in entries[0]["Contents"]
    assert not requests_mock.called


def test_runs_as_the_server_runs_it_without_its_import_lines(requests_mock: Any) -> None:
    """The server execs CSP and the integration in one namespace, with the two import lines removed."""
    source = Path(pps.__file__).read_text()
    stripped = source.replace("import demistomock as demisto\n", "").replace(
        "from CommonServerPython import *\n", ""
    )
    assert "import demistomock" not in stripped and "from CommonServerPython" not in stripped
    requests_mock.get(f"{API}/pss/health", json={"status": "ok"})
    requests_mock.get(f"{API}/quarantine", json={"count": 0, "records": []})
    demisto.reset(command="test-module", args={}, params=PARAMS)
    namespace: dict[str, Any] = {"__name__": "builtins", "demisto": demisto}
    csp_path = Path(CommonServerPython.__file__)
    exec(compile(csp_path.read_text(), str(csp_path), "exec"), namespace)
    exec(compile(stripped, "ProofpointProtectionServerV2.py", "exec"), namespace)
    assert demisto.captured_entries == [{"Type": 1, "Contents": "ok", "ContentsFormat": "text"}]


def test_a_batch_of_1000_comma_separated_ids_is_accepted_and_each_is_released(
    mocker: Any, requests_mock: Any
) -> None:
    local_guids = [f"6:2:{number}" for number in range(1, 1001)]  # about 8,000 characters in one value
    requests_mock.post(f"{API}/quarantine", text="Request sent.")
    entries = run_main(
        mocker,
        "proofpoint-pps-release-message",
        {"folder_name": "Quarantine", "local_guid": ",".join(local_guids)},
    )
    assert entries[0]["Type"] == 1
    released = sorted(request.json()["localguid"] for request in requests_mock.request_history)
    assert released == sorted(local_guids)


def test_an_oversized_single_value_is_refused_before_any_request(mocker: Any, requests_mock: Any) -> None:
    entries = run_main(mocker, "proofpoint-pps-smart-search", {"subject": "x" * 1001})
    assert entries[0]["Type"] == 4
    assert (
        "Invalid value for subject: it is 1001 characters long; at most 1000 are accepted."
        in entries[0]["Contents"]
    )
    assert not requests_mock.called


# -- both command spellings (issue 8 §1) ----------------------------------------------------------

YAML_PATH = Path(pps.__file__).with_suffix(".yml")

# (seed name, official name, arguments the two accept alike)
SPELLINGS = [
    (
        "proofpoint-pps-list-quarantined-messages",
        "proofpoint-pps-quarantine-messages-list",
        {"from": "*@doe.com", "subject": "Loan", "start_time": "2020-01-01T00:00:00Z"},
    ),
    ("proofpoint-pps-release-message", "proofpoint-pps-quarantine-message-release", {"scan": "true"}),
    ("proofpoint-pps-resubmit-message", "proofpoint-pps-quarantine-message-resubmit", {}),
    (
        "proofpoint-pps-forward-message",
        "proofpoint-pps-quarantine-message-forward",
        {"to": "analyst@example.com", "header_from": "SOC <soc@example.com>", "subject": "FYI"},
    ),
    ("proofpoint-pps-move-message", "proofpoint-pps-quarantine-message-move", {"target_folder": "PCI"}),
    ("proofpoint-pps-delete-message", "proofpoint-pps-quarantine-message-delete", {"deleted_folder": "Old"}),
]


def record_exchange(mocker: Any, requests_mock: Any, command: str, args: dict[str, Any]) -> Any:
    """What a user sees of one command run: the requests sent and the entries returned."""
    requests_mock.reset_mock()
    entries = run_main(mocker, command, args)
    sent = [
        (request.method, request.path, request.qs, request.body and request.json())
        for request in requests_mock.request_history
    ]
    # The search window is relative to now: compare the requests, not the clock.
    for _, _, query, _ in sent:
        query.pop("enddate", None)
    return sent, entries


@pytest.mark.parametrize(("seed", "official", "args"), SPELLINGS)
def test_each_official_name_sends_the_same_request_and_writes_the_same_context(
    mocker: Any, requests_mock: Any, seed: str, official: str, args: dict[str, str]
) -> None:
    requests_mock.get(f"{API}/quarantine", json=load_json("quarantine_search_reply.json"))
    requests_mock.post(f"{API}/quarantine", text="Request sent. Message 4:2:6 will be acted on momentarily")
    if "quarantine-message" in official:
        args = {"folder_name": "HIPAA", "local_guid": "4:2:6,4:2:7", **args}
    if official.endswith("forward"):
        official_args = {**args, "recipient": args["to"]}
        del official_args["to"]
    else:
        official_args = args
    seed_exchange = record_exchange(mocker, requests_mock, seed, args)
    official_exchange = record_exchange(mocker, requests_mock, official, official_args)
    assert seed_exchange == official_exchange
    sent, entries = official_exchange
    assert sent and entries[0]["Type"] == 1
    assert entries[0]["EntryContext"]


@pytest.mark.parametrize(
    "command", ["proofpoint-pps-download-message", "proofpoint-pps-quarantine-message-download"]
)
def test_both_download_spellings_return_the_same_file_entry(
    mocker: Any, requests_mock: Any, tmp_path: Path, monkeypatch: Any, command: str
) -> None:
    monkeypatch.chdir(tmp_path)
    raw = (TEST_DATA / "quarantined_message.eml").read_bytes()
    requests_mock.get(f"{API}/quarantine", content=raw)
    (entry,) = run_main(mocker, command, {"guid": "exampleguid000000000000000000009"})
    assert requests_mock.last_request.qs == {"guid": ["exampleguid000000000000000000009"]}
    assert (entry["Type"], entry["File"]) == (3, "exampleguid000000000000000000009.eml")
    assert (tmp_path / f"1_{entry['FileID']}").read_bytes() == raw


def test_official_list_takes_sender_and_recipient(client: pps.Client, requests_mock: Any) -> None:
    requests_mock.get(f"{API}/quarantine", json={"count": 0, "records": []})
    pps.COMMANDS["proofpoint-pps-quarantine-messages-list"](
        client, {"sender": "*@doe.com", "recipient": "foo@example.com"}
    )
    sent = requests_mock.last_request.qs
    assert (sent["from"], sent["rcpt"]) == (["*@doe.com"], ["foo@example.com"])


def test_a_refusal_names_the_spelling_the_user_typed(client: pps.Client, requests_mock: Any) -> None:
    with pytest.raises(pps.InvalidArgumentError, match="for sender"):
        pps.list_quarantined_messages_command(client, {"sender": "two words@example.com"})
    with pytest.raises(pps.InvalidArgumentError, match="for recipient"):
        pps.COMMANDS["proofpoint-pps-quarantine-message-forward"](
            client, {"folder_name": "HIPAA", "local_guid": "4:2:6", "recipient": "not-an-address"}
        )
    assert not requests_mock.called


def test_official_forward_requires_a_recipient_before_any_request(mocker: Any, requests_mock: Any) -> None:
    requests_mock.post(f"{API}/quarantine", text="Request sent.")
    args = {"folder_name": "HIPAA", "local_guid": "4:2:6", "sender": "soc@example.com"}
    entries = run_main(mocker, "proofpoint-pps-quarantine-message-forward", args)
    assert entries[0]["Type"] == 4
    assert "Missing required argument recipient" in entries[0]["Contents"]
    assert not requests_mock.called
    # The seed spelling keeps its optional to.
    entries = run_main(
        mocker, "proofpoint-pps-forward-message", {"folder_name": "HIPAA", "local_guid": "4:2:6"}
    )
    assert entries[0]["Type"] == 1
    assert requests_mock.last_request.json() == {"action": "forward", "folder": "HIPAA", "localguid": "4:2:6"}


def test_official_forward_sends_sender_as_the_envelope_from(client: pps.Client, requests_mock: Any) -> None:
    requests_mock.post(f"{API}/quarantine", text="Request sent.")
    pps.COMMANDS["proofpoint-pps-quarantine-message-forward"](
        client,
        {
            "folder_name": "HIPAA",
            "local_guid": "4:2:6",
            "sender": "soc@example.com",
            "header_from": "SOC <soc@example.com>",
            "recipient": "a@example.com,b@example.com",
        },
    )
    assert requests_mock.last_request.json() == {
        "action": "forward",
        "folder": "HIPAA",
        "localguid": "4:2:6",
        "from": "soc@example.com",
        "headerfrom": "SOC <soc@example.com>",
        "to": "a@example.com,b@example.com",
    }


def test_official_download_takes_only_guid(mocker: Any, requests_mock: Any) -> None:
    entries = run_main(
        mocker,
        "proofpoint-pps-quarantine-message-download",
        {"folder_name": "exampleguid000000000000000000009"},
    )
    assert entries[0]["Type"] == 4
    assert "Missing required argument guid" in entries[0]["Contents"]
    assert not requests_mock.called


def test_the_yaml_declares_every_command_main_runs_and_names_the_other_spelling() -> None:
    commands = {
        command["name"]: command for command in yaml.safe_load(YAML_PATH.read_text())["script"]["commands"]
    }
    assert set(commands) == set(pps.COMMANDS) - {"test-module"}
    pairs = [(seed, official) for seed, official, _ in SPELLINGS]
    pairs.append(("proofpoint-pps-download-message", "proofpoint-pps-quarantine-message-download"))
    for seed, official in pairs:
        assert official in commands[seed]["description"]
        assert seed in commands[official]["description"]
        assert commands[seed]["outputs"] == commands[official]["outputs"]
    forward = {
        argument["name"]: argument
        for argument in commands["proofpoint-pps-quarantine-message-forward"]["arguments"]
    }
    assert forward["recipient"].get("required") is True
    assert {"sender", "header_from"} <= set(forward)
    download = commands["proofpoint-pps-quarantine-message-download"]["arguments"]
    assert [(argument["name"], argument.get("required")) for argument in download] == [("guid", True)]
    listing = {
        argument["name"] for argument in commands["proofpoint-pps-quarantine-messages-list"]["arguments"]
    }
    assert {"sender", "recipient", "from", "to"} <= listing


# -- several folders, limits, cloud records (issue 8 §4) ------------------------------------------


# What the counting server answers: (status, body), or (status, body, bytes announced) to break off
# after the body when more were announced.
Reply = Callable[[str, str, bytes], tuple[int, str] | tuple[int, str, int]]


class CountingServer(ThreadingHTTPServer):
    """A local HTTP server that counts the requests it is answering at once (requests-mock answers one
    at a time, so it cannot show concurrency). No clock in the assertions: each request waits until
    `expected` are in flight together, or until no other has arrived for `patience` seconds, and
    `most` tells which happened."""

    daemon_threads = True

    def __init__(self, expected: int, reply: Reply, patience: float) -> None:
        super().__init__(("127.0.0.1", 0), CountingHandler)
        self.expected = expected
        self.patience = patience
        self.reply = reply
        self.now = 0
        self.most = 0
        self.requests: list[tuple[str, str, bytes]] = []
        self.last_arrival = 0.0
        self.changed = threading.Condition()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class CountingHandler(BaseHTTPRequestHandler):
    server: CountingServer

    def log_message(self, *args: Any) -> None:  # keeps pytest's output clean
        pass

    def answer(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        server = self.server
        with server.changed:
            server.now += 1
            server.most = max(server.most, server.now)
            server.requests.append((self.command, self.path, body))
            server.last_arrival = time.monotonic()
            server.changed.notify_all()
            while server.most < server.expected:
                quiet_until = server.last_arrival + server.patience
                if time.monotonic() >= quiet_until:
                    break
                server.changed.wait(quiet_until - time.monotonic())
        status, text, *announced = server.reply(self.command, self.path, body)
        with server.changed:
            server.now -= 1
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json" if text.startswith("{") else "text/plain")
        self.send_header("Content-Length", str(announced[0] if announced else len(data)))
        self.end_headers()
        self.wfile.write(data)
        if announced:  # the rest never comes
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True

    do_GET = answer
    do_POST = answer


@pytest.fixture
def counting_server() -> Iterator[Callable[..., CountingServer]]:
    started: list[CountingServer] = []

    def start(expected: int, reply: Reply, patience: float = 5) -> CountingServer:
        server = CountingServer(expected, reply, patience)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.shutdown()
        server.server_close()


def folder_replies(requests_mock: Any, replies: dict[str, Any]) -> None:
    """Answers GET /quarantine per folder: a dict is a JSON reply, a (status, text) pair an error."""

    def answer(request: Any, context: Any) -> str:
        reply = replies[request.qs["folder"][0]]
        if isinstance(reply, tuple):
            context.status_code = reply[0]
            return reply[1]
        return json.dumps(reply)

    requests_mock.get(f"{API}/quarantine", text=answer)


def searched_folders(requests_mock: Any) -> list[str]:
    return sorted(request.qs["folder"][0] for request in requests_mock.request_history)


def case_of_folders(request_folders: list[str]) -> dict[str, Any]:
    """The recorded replies of two on-premise folders, keyed as requests_mock's lowercased query shows them."""
    return {
        "quarantine": load_json("quarantine_search_reply.json"),
        "spam": load_json("quarantine_search_reply_spam_folder.json"),
    }


@pytest.mark.parametrize(
    "folder_name",
    [
        "Quarantine,Spam",
        " Quarantine , Spam ,",
        '["Quarantine", "Spam"]',
        ["Quarantine", "Spam"],
        "Quarantine,Spam,Spam",
    ],
)
def test_several_folders_are_searched_and_merged_newest_first(
    client: pps.Client, requests_mock: Any, folder_name: Any
) -> None:
    folder_replies(requests_mock, case_of_folders([]))
    result = pps.list_quarantined_messages_command(client, {"from": "*@doe.com", "folder_name": folder_name})
    assert searched_folders(requests_mock) == ["quarantine", "spam"]
    other_parameters = {
        key: value for key, value in requests_mock.request_history[0].qs.items() if key != "folder"
    }
    assert all(
        {key: value for key, value in request.qs.items() if key != "folder"} == other_parameters
        for request in requests_mock.request_history
    )
    records = result.outputs
    # Newest first; the two records of 2020-01-22 10:00:18 ordered by guid.
    assert [(record["date"], record["guid"], record["folder"]) for record in records] == [
        ("2020-01-25 08:30:00", "exampleguid000000000000000000007", "Spam"),
        ("2020-01-22 10:00:18", "exampleguid000000000000000000003", "Spam"),
        ("2020-01-22 10:00:18", "exampleguid000000000000000000008", "Quarantine"),
        ("2020-01-15 20:00:00", "exampleguid000000000000000000010", "Quarantine"),
    ]
    assert "more may exist" not in result.readable_output


def test_a_record_without_its_folder_gets_the_folder_searched(client: pps.Client, requests_mock: Any) -> None:
    reply = load_json("quarantine_search_reply.json")
    for record in reply["records"]:
        del record["folder"]
    folder_replies(requests_mock, {"hipaa": reply})
    result = pps.list_quarantined_messages_command(client, {"subject": "Loan", "folder_name": "HIPAA"})
    assert {record["folder"] for record in result.outputs} == {"HIPAA"}


@pytest.mark.parametrize(
    "folder_name",
    [
        '["Quarantine", ',
        "[1, 2]",
        ",".join(f"F{number}" for number in range(21)),
        "x" * 256,
    ],
)
def test_a_bad_folder_list_is_refused_before_any_request(
    client: pps.Client, requests_mock: Any, folder_name: str
) -> None:
    with pytest.raises(pps.InvalidArgumentError, match="for folder_name"):
        pps.list_quarantined_messages_command(client, {"from": "*@doe.com", "folder_name": folder_name})
    assert not requests_mock.called


def test_a_failing_folder_warns_and_the_others_still_come_back(mocker: Any, requests_mock: Any) -> None:
    folder_replies(
        requests_mock,
        {"quarantine": load_json("quarantine_search_reply.json"), "hipaa": (400, "Invalid argument: folder")},
    )
    entries = run_main(
        mocker,
        "proofpoint-pps-quarantine-messages-list",
        {"sender": "*@doe.com", "folder_name": "Quarantine,HIPAA"},
    )
    assert [entry["Type"] for entry in entries] == [1, 11]
    (records,) = entries[0]["EntryContext"].values()
    assert {record["folder"] for record in records} == {"Quarantine"}
    assert len(records) == 2
    assert entries[1]["Contents"].startswith('Could not search folder "HIPAA": ')
    assert "Invalid argument: folder" in entries[1]["Contents"]
    assert entries[1]["Contents"].endswith("The other folders' records are shown.")


def test_all_folders_failing_is_an_error_naming_each(mocker: Any, requests_mock: Any) -> None:
    folder_replies(
        requests_mock,
        {"hipaa": (400, "Invalid argument: folder"), "pci": (403, ""), "spam": (403, "")},
    )
    entries = run_main(
        mocker,
        "proofpoint-pps-list-quarantined-messages",
        {"from": "*@doe.com", "folder_name": "HIPAA,PCI,Spam"},
    )
    assert len(entries) == 1
    assert entries[0]["Type"] == 4
    message = entries[0]["Contents"]
    assert 'Could not search folder "HIPAA": The PPS server refused folder_name "HIPAA"' in message
    assert 'Could not search folders "PCI", "Spam": Access denied (403)' in message


def test_limit_is_sent_and_a_full_folder_says_more_may_exist(client: pps.Client, requests_mock: Any) -> None:
    folder_replies(requests_mock, case_of_folders([]))
    result = pps.list_quarantined_messages_command(
        client, {"from": "*@doe.com", "folder_name": "Quarantine,Spam,", "limit": "2"}
    )
    assert {request.qs["limit"][0] for request in requests_mock.request_history} == {"2"}
    assert len(result.outputs) == 4
    assert '"Quarantine", "Spam" returned 2 records, the limit: more may exist.' in result.readable_output
    assert "Narrow the search" in result.readable_output
    result = pps.list_quarantined_messages_command(client, {"from": "*@doe.com", "limit": "3"})
    assert "more may exist" not in result.readable_output


@pytest.mark.parametrize(
    ("limit", "accepted"),
    [("1", True), ("1000", True), ("0", False), ("1001", False), ("-1", False), ("2.5", False)],
)
def test_list_limit_accepts_exactly_1_to_1000(
    client: pps.Client, requests_mock: Any, limit: str, accepted: bool
) -> None:
    requests_mock.get(f"{API}/quarantine", json={"count": 0, "records": []})
    if accepted:
        pps.list_quarantined_messages_command(client, {"from": "*@doe.com", "limit": limit})
        assert requests_mock.last_request.qs["limit"] == [limit]
    else:
        with pytest.raises(pps.InvalidArgumentError, match=r"for limit.*from 1 to 1000\."):
            pps.list_quarantined_messages_command(client, {"from": "*@doe.com", "limit": limit})
        assert not requests_mock.called


@pytest.mark.parametrize(
    ("limit", "accepted"), [("1", True), ("10000", True), ("0", False), ("10001", False)]
)
def test_smart_search_limit_accepts_exactly_1_to_its_maximum(
    client: pps.Client, requests_mock: Any, limit: str, accepted: bool
) -> None:
    requests_mock.get(f"{API}/pss/filter", json={"result": []})
    if accepted:
        pps.smart_search_command(client, {"limit": limit})
        assert requests_mock.last_request.qs["count"] == [limit]
    else:
        with pytest.raises(pps.InvalidArgumentError, match=r"for limit.*from 1 to 10000\."):
            pps.smart_search_command(client, {"limit": limit})


def test_cloud_records_work_as_on_premise_ones(mocker: Any, requests_mock: Any) -> None:
    cloud = load_json("quarantine_search_reply_cloud.json")
    folder_replies(
        requests_mock, {"quarantine": cloud, "spam": load_json("quarantine_search_reply_spam_folder.json")}
    )
    entries = run_main(
        mocker,
        "proofpoint-pps-quarantine-messages-list",
        {"sender": "*@doe.com", "folder_name": "Quarantine,Spam"},
    )
    (records,) = entries[0]["EntryContext"].values()
    assert [record["guid"] for record in records] == [
        "exampleguid000000000000000000004",
        "exampleguid000000000000000000005",
        "exampleguid000000000000000000007",
        "exampleguid000000000000000000003",
    ]
    # One type per field whichever flavour answered: the declared String.
    assert [(record["size"], record["spamscore"]) for record in records[:2]] == [
        ("734", "0"),
        ("20480", "100"),
    ]
    assert records[1]["localguid"] == records[1]["guid"]
    table = entries[0]["HumanReadable"]
    assert (
        "| exampleguid000000000000000000005 | exampleguid000000000000000000005 | 2026-06-17 17:48:41 | john@example.com "
        "| user@example.com | Invoice overdue | Quarantine | 100 | 20480 | mail.example.net [203.0.113.7] |"
        in table
    )
    # The cloud localguid is what the actions take.
    requests_mock.post(f"{API}/quarantine", text="Request sent.")
    entries = run_main(
        mocker,
        "proofpoint-pps-quarantine-message-release",
        {"folder_name": "Quarantine", "local_guid": records[1]["localguid"]},
    )
    assert entries[0]["Type"] == 1
    assert requests_mock.last_request.json() == {
        "action": "release",
        "folder": "Quarantine",
        "localguid": "exampleguid000000000000000000005",
    }


def local_client(server: CountingServer) -> pps.Client:
    return pps.Client(server.url, "soc-api", PASSWORD, verify=True, proxy=False, timeout=10)


def test_folders_are_searched_concurrently_within_the_bound(counting_server: Any) -> None:
    folders = [f"Folder{number}" for number in range(6)]
    # Waiting for one more than the bound shows both that it is reached and that it is never passed.
    server = counting_server(pps.FOLDER_CONCURRENCY + 1, lambda *_: (200, '{"records": []}'), patience=0.5)
    pps.list_quarantined_messages_command(
        local_client(server), {"from": "*@doe.com", "folder_name": ",".join(folders)}
    )
    assert sorted(parse_qs(urlsplit(path).query)["folder"][0] for _, path, _ in server.requests) == folders
    assert server.most == pps.FOLDER_CONCURRENCY > 1


def test_batch_actions_run_concurrently_within_the_bound(counting_server: Any) -> None:
    server = counting_server(pps.ACTION_CONCURRENCY, lambda *_: (200, "Request sent."))
    local_guids = [f"4:2:{number}" for number in range(12)]
    results = pps.quarantine_action_command(
        local_client(server), {"folder_name": "HIPAA", "local_guid": ",".join(local_guids)}, "release"
    )
    assert sorted(json.loads(body)["localguid"] for _, _, body in server.requests) == sorted(local_guids)
    assert [outcome["Status"] for outcome in results[0].outputs] == ["success"] * 12
    assert server.most == pps.ACTION_CONCURRENCY > 1


@pytest.mark.parametrize("command", ["list", "batch"])
def test_debug_mode_runs_concurrent_parts_one_request_at_a_time(
    counting_server: Any, mocker: Any, command: str
) -> None:
    mocker.patch.object(demisto, "is_debug", True, create=True)
    # Each request waits a moment for a second one, which never comes when they run one at a time.
    server = counting_server(
        2, lambda *_: (200, '{"records": []}' if command == "list" else "Request sent."), patience=0.2
    )
    client = local_client(server)
    if command == "list":
        pps.list_quarantined_messages_command(client, {"from": "*@doe.com", "folder_name": "A,B,C,D"})
    else:
        pps.quarantine_action_command(
            client, {"folder_name": "HIPAA", "local_guid": "1:1:1,1:1:2,1:1:3"}, "delete"
        )
    assert len(server.requests) >= 3
    assert server.most == 1


# -- "Trust any certificate" on both runtime behaviours (issue 10, runtime spec §8) ----------------

# The runtime stand-in's switch between the [2022] and [newer] https:// adapters of BaseClient; the
# server's runtime ignores it.
RUNTIME_ADAPTERS = ["2022", "newer"]


@pytest.mark.parametrize("runtime_adapter", RUNTIME_ADAPTERS)
def test_an_unverified_client_mounts_its_own_adapter(monkeypatch: Any, runtime_adapter: str) -> None:
    monkeypatch.setenv("XSOAR_RUNTIME_HTTPS_ADAPTER", runtime_adapter)
    client = pps.Client(SERVER, "soc-api", PASSWORD, verify=False, proxy=False)
    adapter = client._session.get_adapter(f"{API}/pss/health")
    assert isinstance(adapter, pps.UnverifiedTLSAdapter)
    direct = adapter.poolmanager.connection_pool_kw["ssl_context"]
    through_proxy = adapter.proxy_manager_for("http://proxy.example.com:3128").connection_pool_kw[
        "ssl_context"
    ]
    for context in (direct, through_proxy):
        assert context.check_hostname is False
        assert context.verify_mode == ssl.CERT_NONE
        assert context.options & pps.OP_LEGACY_SERVER_CONNECT
        assert context.security_level == 1  # the runtime's wider cipher list (@SECLEVEL=1)


def test_a_verifying_client_keeps_the_standard_adapter() -> None:
    client = pps.Client(SERVER, "soc-api", PASSWORD, verify=True, proxy=False)
    assert not isinstance(client._session.get_adapter(f"{API}/pss/health"), pps.UnverifiedTLSAdapter)


@pytest.fixture
def self_signed_server(tmp_path: Path) -> Iterator[str]:
    """An HTTPS server whose certificate no one trusts and whose name is not the one dialled."""
    trustme = pytest.importorskip("trustme")
    certificate = trustme.CA().issue_cert("pps.internal.example")
    server = CountingServer(1, lambda *_: (200, '{"status": "ok"}'), patience=0)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    certificate.configure_cert(context)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("runtime_adapter", RUNTIME_ADAPTERS)
def test_trust_any_certificate_reaches_a_self_signed_server(
    self_signed_server: str, monkeypatch: Any, runtime_adapter: str
) -> None:
    monkeypatch.setenv("XSOAR_RUNTIME_HTTPS_ADAPTER", runtime_adapter)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    trusting = pps.Client(self_signed_server, "soc-api", PASSWORD, verify=False, proxy=False, timeout=10)
    assert trusting.check_health() == {"status": "ok"}
    verifying = pps.Client(self_signed_server, "soc-api", PASSWORD, verify=True, proxy=False, timeout=10)
    with pytest.raises(DemistoException, match="could not be verified"):
        verifying.check_health()


# -- end users (issue 8 §2) -----------------------------------------------------------------------

USER_KEY = "Proofpoint.User(val.email && val.email == obj.email)"
CHANGE_KEY = (
    "Proofpoint.SenderListChange(val.User && val.User == obj.User && val.List && val.List == obj.List "
    "&& val.Entry && val.Entry == obj.Entry)"
)
ENDUSER_URL = re.compile(re.escape(f"{API}/enduser/") + ".+")
ALICE = "alice.ng@example.com"


def test_get_user_by_email_writes_every_field_with_lists_as_lists(
    client: pps.Client, requests_mock: Any
) -> None:
    reply = load_json("enduser_reply.json")
    requests_mock.get(f"{API}/enduser/{ALICE}", json=reply)
    result = pps.get_user_command(client, {"email": ALICE})
    assert requests_mock.last_request.method == "GET"
    context = result.to_context()
    user = context["EntryContext"][USER_KEY]
    assert user == reply
    assert user["safelist"] == ["partner.example.net", "@billing.example.org"]
    assert user["attributes"] == {"department": "Finance", "costcenter": "4711"}
    assert context["HumanReadable"].startswith(
        f"### Proofpoint Protection Server end user {ALICE}\n|email|uid|firstname|lastname|type|groups|"
    )


def test_get_user_by_uid(client: pps.Client, requests_mock: Any) -> None:
    requests_mock.get(f"{API}/enduser/1004", json=load_json("enduser_reply.json"))
    result = pps.get_user_command(client, {"uid": "1004"})
    assert result.outputs["email"] == ALICE


def test_user_lists_sent_as_text_become_lists(client: pps.Client, requests_mock: Any) -> None:
    reply = {**load_json("enduser_reply.json"), "safelist": "a.example, @b.example", "groups": None}
    requests_mock.get(ENDUSER_URL, json=reply)
    user = pps.get_user_command(client, {"email": ALICE}).outputs
    assert user["safelist"] == ["a.example", "@b.example"]
    assert user["groups"] == []


def test_the_user_path_segment_is_url_encoded(client: pps.Client, requests_mock: Any) -> None:
    address = "O'Brien+Tag/x#y?z%@Example.com"
    requests_mock.get(ENDUSER_URL, json={**load_json("enduser_reply.json"), "email": address})
    pps.get_user_command(client, {"email": address})
    assert requests_mock.last_request.url == f"{API}/enduser/O%27Brien%2BTag%2Fx%23y%3Fz%25@Example.com"
    assert requests_mock.last_request.qs == {}


def test_get_user_that_does_not_exist_is_a_normal_answer(mocker: Any, requests_mock: Any) -> None:
    requests_mock.get(ENDUSER_URL, status_code=404, json=load_json("enduser_error_not_found.json"))
    entries = run_main(mocker, "proofpoint-pps-get-user", {"email": "nobody@example.com"})
    assert len(entries) == 1
    assert entries[0]["Type"] == 1
    assert entries[0]["HumanReadable"] == "No end user nobody@example.com in PPS."
    assert entries[0]["EntryContext"] == {}


def test_a_404_html_page_is_a_wrong_server_url_not_a_missing_user(mocker: Any, requests_mock: Any) -> None:
    requests_mock.get(
        ENDUSER_URL,
        status_code=404,
        text="<html><body>Not Found</body></html>",
        headers={"Content-Type": "text/html"},
    )
    entries = run_main(mocker, "proofpoint-pps-get-user", {"email": ALICE})
    assert entries[0]["Type"] == 4
    assert "Not found (404)" in entries[0]["Contents"]
    assert "Server URL" in entries[0]["Contents"]


@pytest.mark.parametrize(
    ("command", "args", "named"),
    [
        ("proofpoint-pps-get-user", {}, "email or uid"),
        ("proofpoint-pps-get-user", {"email": ALICE, "uid": "1004"}, "email and uid"),
        ("proofpoint-pps-get-user", {"email": "not an address"}, "for email"),
        ("proofpoint-pps-get-user", {"email": "a@example.com,b@example.com"}, "for email"),
        ("proofpoint-pps-get-user", {"uid": "10 04"}, "for uid"),
        ("proofpoint-pps-get-user", {"uid": ".."}, "for uid"),
        ("proofpoint-pps-delete-user", {}, "email or uid"),
        ("proofpoint-pps-create-user", {"uid": "1004"}, "Missing required argument email"),
        ("proofpoint-pps-create-user", {"email": ALICE, "fields": '{"firstname": "Alice",}'}, "for fields"),
        ("proofpoint-pps-create-user", {"email": ALICE, "fields": '["firstname"]'}, "for fields"),
        (
            "proofpoint-pps-create-user",
            {"email": ALICE, "attributes": "department=Finance"},
            "for attributes",
        ),
        ("proofpoint-pps-modify-user", {"email": ALICE, "attributes": "null"}, "for attributes"),
        ("proofpoint-pps-modify-user", {"email": ALICE}, "Nothing to change"),
        ("proofpoint-pps-modify-user", {"uid": "1", "UID": "2", "fields": '{"a": "b"}'}, "uid and UID"),
        (
            "proofpoint-pps-modify-user",
            {"email": ALICE, "fields": '{"attributes": {"a": "b"}}', "attributes": '{"c": "d"}'},
            "for attributes",
        ),
    ],
)
def test_user_commands_refuse_bad_arguments_before_any_request(
    mocker: Any, requests_mock: Any, command: str, args: dict[str, str], named: str
) -> None:
    entries = run_main(mocker, command, args)
    assert entries[0]["Type"] == 4
    assert named in entries[0]["Contents"]
    assert not requests_mock.called


def test_create_user_sends_only_what_was_given(client: pps.Client, requests_mock: Any) -> None:
    created = {**load_json("enduser_reply.json"), "creationsource": "api"}
    requests_mock.post(f"{API}/enduser/{ALICE}", json=created)
    result = pps.create_user_command(
        client, {"email": ALICE, "fields": '{"firstname": "Alice", "lastname": "Ng", "addgroup": "finance"}'}
    )
    request = requests_mock.last_request
    assert request.method == "POST"
    assert request.json() == {"firstname": "Alice", "lastname": "Ng", "addgroup": "finance"}
    assert result.to_context()["EntryContext"][USER_KEY]["creationsource"] == "api"
    assert str(result.readable_output).startswith(f"### Created end user {ALICE}\n")


def test_create_user_without_fields_sends_an_empty_body(client: pps.Client, requests_mock: Any) -> None:
    requests_mock.post(ENDUSER_URL, json=load_json("enduser_reply.json"))
    pps.create_user_command(client, {"email": ALICE, "attributes": "{}"})
    assert requests_mock.last_request.json() == {}


def test_create_user_that_exists_is_an_error_naming_the_user(mocker: Any, requests_mock: Any) -> None:
    requests_mock.post(ENDUSER_URL, status_code=400, json=load_json("enduser_error_exists.json"))
    entries = run_main(mocker, "proofpoint-pps-create-user", {"email": ALICE})
    assert entries[0]["Type"] == 4
    assert f"User {ALICE} already exists in PPS, so it was not created." in entries[0]["Contents"]
    assert requests_mock.call_count == 1


def test_create_user_refused_for_another_reason_says_that_reason(mocker: Any, requests_mock: Any) -> None:
    body = {"status": 400, "errors": {"invalidarguments": [{"error": "Group does not exist: finanse"}]}}
    requests_mock.post(ENDUSER_URL, status_code=400, json=body)
    entries = run_main(
        mocker, "proofpoint-pps-create-user", {"email": ALICE, "fields": '{"addgroup": "finanse"}'}
    )
    assert entries[0]["Contents"] == (
        "Failed to execute proofpoint-pps-create-user. The PPS server refused the request (400): "
        "Group does not exist: finanse"
    )


def test_modify_user_sends_only_the_given_fields_and_never_an_empty_attributes(
    client: pps.Client, requests_mock: Any
) -> None:
    requests_mock.put(f"{API}/enduser/1004", json=load_json("enduser_reply.json"))
    pps.modify_user_command(client, {"UID": "1004", "fields": '{"lastname": "Ng-Smith"}', "attributes": " "})
    assert requests_mock.last_request.json() == {"lastname": "Ng-Smith"}
    pps.modify_user_command(client, {"uid": "1004", "attributes": {"department": "Audit"}})
    assert requests_mock.last_request.json() == {"attributes": {"department": "Audit"}}


def test_modify_user_accepts_indented_json_from_a_playbook(mocker: Any, requests_mock: Any) -> None:
    requests_mock.put(ENDUSER_URL, json=load_json("enduser_reply.json"))
    entries = run_main(
        mocker, "proofpoint-pps-modify-user", {"email": ALICE, "fields": '{\n  "firstname": "Alice"\n}'}
    )
    assert entries[0]["Type"] == 1
    assert requests_mock.last_request.json() == {"firstname": "Alice"}


def test_modify_user_that_does_not_exist_is_an_error(mocker: Any, requests_mock: Any) -> None:
    requests_mock.put(ENDUSER_URL, status_code=404, json=load_json("enduser_error_not_found.json"))
    entries = run_main(
        mocker, "proofpoint-pps-modify-user", {"email": "nobody@example.com", "fields": '{"a": "b"}'}
    )
    assert entries[0]["Type"] == 4
    assert "User nobody@example.com was not found in PPS, so nothing was changed." in entries[0]["Contents"]


@pytest.mark.parametrize(("status", "said"), [(200, "Deleted end user"), (404, "No end user")])
def test_delete_user(mocker: Any, requests_mock: Any, status: int, said: str) -> None:
    requests_mock.delete(
        f"{API}/enduser/{ALICE}", status_code=status, json={"status": status, "message": "User deleted"}
    )
    entries = run_main(mocker, "proofpoint-pps-delete-user", {"email": ALICE})
    assert entries[0]["Type"] == 1
    assert entries[0]["HumanReadable"].startswith(f"{said} {ALICE}")
    assert requests_mock.last_request.method == "DELETE"


@pytest.mark.parametrize(
    ("reply", "shown"),
    [
        (
            {"json": {"status": 400, "errors": {"invalidarguments": [{"error": "Invalid argument: type"}]}}},
            "The PPS server refused the request (400): Invalid argument: type",
        ),
        (
            {"json": {"status": 400, "errors": {"invalidarguments": []}}},
            "The PPS server refused the request (400): the reply gave no reason",
        ),
        (
            {"json": {"status": 400, "errors": {}}},
            "The PPS server refused the request (400): the reply gave no reason",
        ),
        ({"json": {"status": 400}}, "The PPS server refused the request (400): the reply gave no reason"),
        (
            {"json": {"status": 400, "errors": {"invalidarguments": [{"code": 7}, "bad type"]}}},
            "The PPS server refused the request (400): bad type",
        ),
        (
            {"text": "Invalid argument: type"},
            "The PPS server refused the request (400): Invalid argument: type",
        ),
        ({"text": ""}, "The PPS server refused the request (400): the reply gave no reason"),
    ],
)
def test_error_bodies_of_any_shape_give_a_clear_message(
    mocker: Any, requests_mock: Any, reply: dict[str, Any], shown: str
) -> None:
    requests_mock.put(ENDUSER_URL, status_code=400, **reply)
    entries = run_main(mocker, "proofpoint-pps-modify-user", {"email": ALICE, "fields": '{"type": 7}'})
    assert entries[0]["Type"] == 4
    assert entries[0]["Contents"] == f"Failed to execute proofpoint-pps-modify-user. {shown}"


def test_403_on_end_users_names_the_enduser_module(mocker: Any, requests_mock: Any) -> None:
    requests_mock.get(ENDUSER_URL, status_code=403, text="Forbidden")
    entries = run_main(mocker, "proofpoint-pps-get-user", {"email": ALICE})
    assert "lacks the managed module 'enduser'" in entries[0]["Contents"]


def test_a_user_change_with_unknown_outcome_is_not_sent_again_and_says_how_to_check(
    mocker: Any, requests_mock: Any
) -> None:
    requests_mock.put(ENDUSER_URL, status_code=502, text="Bad Gateway")
    entries = run_main(mocker, "proofpoint-pps-modify-user", {"email": ALICE, "fields": '{"lastname": "Ng"}'})
    assert requests_mock.call_count == 1
    assert "The outcome is unknown" in entries[0]["Contents"]
    assert "!proofpoint-pps-get-user" in entries[0]["Contents"]


# -- safe and blocked sender lists (issue 8 §3) ---------------------------------------------------


class FakeEndUsers:
    """The /enduser resource with replace semantics for lists, and hooks for another writer's changes."""

    def __init__(self, mocker: Any, users: dict[str, dict[str, Any]]) -> None:
        self.users = users
        self.before_put: list[Any] = []  # another writer, between our read and our write (one per write)
        self.after_put: list[Any] = []  # another writer, between our write and our read-back
        self.puts: list[tuple[str, dict[str, Any]]] = []
        mocker.get(ENDUSER_URL, json=self.get)
        mocker.put(ENDUSER_URL, json=self.put)

    def ident(self, request: Any) -> str:
        return unquote(request._request.path_url.rsplit("/", 1)[1])

    def get(self, request: Any, context: Any) -> Any:
        user = self.users.get(self.ident(request))
        if user is None:
            context.status_code = 404
            return load_json("enduser_error_not_found.json")
        return json.loads(json.dumps(user))

    def put(self, request: Any, context: Any) -> Any:
        ident = self.ident(request)
        if self.before_put:
            self.before_put.pop(0)(self.users[ident])
        self.puts.append((ident, request.json()))
        self.users[ident].update(request.json())
        if self.after_put:
            self.after_put.pop(0)(self.users[ident])
        return self.users[ident]


def a_user(
    email: str, safelist: list[str] | None = None, blocklist: list[str] | None = None
) -> dict[str, Any]:
    return {
        **load_json("enduser_reply.json"),
        "email": email,
        "safelist": safelist or [],
        "blocklist": blocklist or [],
    }


def outcomes_of(results: list[Any]) -> list[tuple[str, str, str]]:
    changes = results[0].to_context()["EntryContext"][CHANGE_KEY]
    return [(change["User"], change["Entry"], change["Outcome"]) for change in changes]


def test_sender_list_add_reads_writes_the_whole_list_and_reads_back(
    client: pps.Client, requests_mock: Any
) -> None:
    fake = FakeEndUsers(
        requests_mock, {ALICE: a_user(ALICE, blocklist=["deals@spam.example", "@Evil.example"])}
    )
    results = pps.sender_list_command(
        client,
        {"email": ALICE, "list": "blocklist", "entries": "evil.example,@EVIL.example, ceo@fraud.example"},
        adding=True,
    )
    assert [request.method for request in requests_mock.request_history] == ["GET", "PUT", "GET"]
    assert fake.puts == [
        (ALICE, {"blocklist": ["deals@spam.example", "@Evil.example", "evil.example", "ceo@fraud.example"]})
    ]
    assert outcomes_of(results) == [
        (ALICE, "evil.example", "added"),
        (ALICE, "@EVIL.example", "already present"),
        (ALICE, "ceo@fraud.example", "added"),
    ]
    context = results[0].to_context()
    assert context["EntryContext"][USER_KEY][0]["blocklist"][-1] == "ceo@fraud.example"
    assert context["HumanReadable"].startswith(
        "### Proofpoint Protection Server blocklist changes\n|User|List|Entry|Outcome|Message|"
    )
    assert len(results) == 1  # no warning


def test_sender_list_remove_matches_whole_entries_ignoring_case_never_substrings(
    client: pps.Client, requests_mock: Any
) -> None:
    safelist = ["example.com", "mail.example.com", "bob@example.com", "@EXAMPLE.COM", "Example.Com"]
    fake = FakeEndUsers(requests_mock, {ALICE: a_user(ALICE, safelist=safelist)})
    results = pps.sender_list_command(
        client, {"email": ALICE, "list": "safelist", "entries": "EXAMPLE.com,other.example"}, adding=False
    )
    assert fake.users[ALICE]["safelist"] == ["mail.example.com", "bob@example.com", "@EXAMPLE.COM"]
    assert outcomes_of(results) == [
        (ALICE, "EXAMPLE.com", "removed"),
        (ALICE, "other.example", "not present"),
    ]


def test_sender_list_with_nothing_to_change_writes_nothing(client: pps.Client, requests_mock: Any) -> None:
    FakeEndUsers(requests_mock, {ALICE: a_user(ALICE, safelist=["partner.example"])})
    results = pps.sender_list_command(
        client, {"email": ALICE, "list": "safelist", "entries": "PARTNER.example"}, adding=True
    )
    assert [request.method for request in requests_mock.request_history] == ["GET"]
    assert outcomes_of(results) == [(ALICE, "PARTNER.example", "already present")]


def test_adding_an_entry_the_other_list_holds_warns(client: pps.Client, requests_mock: Any) -> None:
    FakeEndUsers(requests_mock, {ALICE: a_user(ALICE, safelist=["partner.example"])})
    results = pps.sender_list_command(
        client, {"email": ALICE, "list": "blocklist", "entries": "Partner.example,spam.example"}, adding=True
    )
    assert outcomes_of(results)[0][2] == "added"
    assert results[1]["Type"] == 11
    assert results[1]["Contents"] == (
        "Now in both the blocklist and the safelist (PPS allows it; remove each from the list that should not "
        f"apply): {ALICE}: Partner.example"
    )


def test_many_users_one_outcome_each_and_a_warning_for_those_that_failed(
    client: pps.Client, requests_mock: Any
) -> None:
    users = {f"user{number}@example.com": a_user(f"user{number}@example.com") for number in range(1, 7)}
    fake = FakeEndUsers(requests_mock, users)
    emails = [*users, "gone@example.com"]
    results = pps.sender_list_command(
        client, {"email": ",".join(emails), "list": "blocklist", "entries": "evil.example"}, adding=True
    )
    assert outcomes_of(results) == [
        *[(email, "evil.example", "added") for email in users],
        ("gone@example.com", "evil.example", "failed"),
    ]
    assert all(user["blocklist"] == ["evil.example"] for user in fake.users.values())
    assert results[1]["Type"] == 11
    assert (
        results[1]["Contents"]
        == "1 of 7 blocklist changes were not made: gone@example.com evil.example (failed)"
    )
    assert len(results[0].to_context()["EntryContext"][USER_KEY]) == 6


def test_sender_list_change_where_nothing_succeeds_is_an_error_with_context(
    mocker: Any, requests_mock: Any
) -> None:
    requests_mock.get(ENDUSER_URL, status_code=404, json=load_json("enduser_error_not_found.json"))
    entries = run_main(
        mocker,
        "proofpoint-pps-sender-list-add",
        {"email": "a@example.com,b@example.com", "list": "safelist", "entries": "partner.example"},
    )
    assert len(entries) == 1
    assert entries[0]["Type"] == 4
    assert (
        "| a@example.com | safelist | partner.example | failed | User a@example.com was not found in PPS. |"
        in (entries[0]["Contents"])
    )
    changes = entries[0]["EntryContext"][CHANGE_KEY]
    assert [change["Outcome"] for change in changes] == ["failed", "failed"]
    assert {request.method for request in requests_mock.request_history} == {"GET"}


def test_a_change_another_writer_keeps_undoing_is_reported_as_a_conflict(
    client: pps.Client, requests_mock: Any
) -> None:
    fake = FakeEndUsers(requests_mock, {ALICE: a_user(ALICE, safelist=["keep.example"])})
    fake.after_put = [lambda user: user.update(safelist=["keep.example"])] * 10
    with pytest.raises(pps.ActionFailedError) as error:
        pps.sender_list_command(
            client, {"email": ALICE, "list": "safelist", "entries": "new.example"}, adding=True
        )
    assert len(fake.puts) == pps.SENDER_LIST_ROUNDS
    (change,) = error.value.context[CHANGE_KEY]
    assert change["Outcome"] == "conflict"
    assert "Another writer changed the safelist" in change["Message"]


def test_a_change_undone_once_is_written_again_and_confirmed(client: pps.Client, requests_mock: Any) -> None:
    fake = FakeEndUsers(requests_mock, {ALICE: a_user(ALICE)})
    fake.after_put = [lambda user: user.update(safelist=["theirs.example"])]
    results = pps.sender_list_command(
        client, {"email": ALICE, "list": "safelist", "entries": "ours.example"}, adding=True
    )
    assert fake.puts[-1] == (ALICE, {"safelist": ["theirs.example", "ours.example"]})
    assert outcomes_of(results) == [(ALICE, "ours.example", "added")]


def test_a_write_with_unknown_outcome_is_settled_by_the_read_back(
    client: pps.Client, requests_mock: Any
) -> None:
    fake = FakeEndUsers(requests_mock, {ALICE: a_user(ALICE)})

    def applied_then_502(request: Any, context: Any) -> str:
        fake.users[ALICE].update(request.json())
        context.status_code = 502
        return "Bad Gateway"

    requests_mock.put(ENDUSER_URL, text=applied_then_502)
    results = pps.sender_list_command(
        client, {"email": ALICE, "list": "safelist", "entries": "ours.example"}, adding=True
    )
    assert [request.method for request in requests_mock.request_history] == ["GET", "PUT", "GET"]
    assert outcomes_of(results) == [(ALICE, "ours.example", "added")]


def test_a_read_back_that_fails_after_a_write_says_the_change_was_sent(
    client: pps.Client, requests_mock: Any
) -> None:
    FakeEndUsers(requests_mock, {ALICE: a_user(ALICE)})
    requests_mock.get(
        ENDUSER_URL, [{"json": a_user(ALICE)}, *[{"status_code": 503, "text": "busy"}] * pps.MAX_TRIES]
    )
    with pytest.raises(pps.ActionFailedError) as error:
        pps.sender_list_command(
            client, {"email": ALICE, "list": "safelist", "entries": "ours.example"}, adding=True
        )
    (change,) = error.value.context[CHANGE_KEY]
    assert change["Outcome"] == "failed"
    assert change["Message"].startswith("The new safelist was sent but could not be read back to check it:")


@pytest.mark.parametrize(
    ("args", "named"),
    [
        ({"list": "safelist", "entries": "a.example"}, "email or uid"),
        ({"email": ALICE, "entries": "a.example"}, "argument list"),
        ({"email": ALICE, "list": "greylist", "entries": "a.example"}, "for list"),
        ({"email": ALICE, "list": "safelist"}, "argument entries"),
        ({"email": ALICE, "list": "safelist", "entries": ","}, "argument entries"),
        ({"email": f"{ALICE},not-an-address", "list": "safelist", "entries": "a.example"}, "for email"),
        ({"email": ALICE, "list": "safelist", "entries": "*@a.example"}, "for entries"),
        ({"email": ALICE, "list": "safelist", "entries": "a.example,two words.example"}, "for entries"),
        ({"email": ALICE, "list": "safelist", "entries": "localhost"}, "for entries"),
        ({"email": ALICE, "list": "safelist", "entries": "@"}, "for entries"),
        ({"email": ALICE, "list": "safelist", "entries": "a@b@c.example"}, "for entries"),
        ({"email": ALICE, "list": "safelist", "entries": "192.0.2.3"}, "for entries"),
        ({"email": ALICE, "list": "safelist", "entries": "bad_domain.example"}, "for entries"),
    ],
)
def test_sender_list_refuses_bad_arguments_before_any_request(
    mocker: Any, requests_mock: Any, args: dict[str, str], named: str
) -> None:
    entries = run_main(mocker, "proofpoint-pps-sender-list-add", args)
    assert entries[0]["Type"] == 4
    assert named in entries[0]["Contents"]
    assert not requests_mock.called


@pytest.mark.parametrize(
    "entry",
    [
        "user@example.com",
        "@example.com",
        "example.com",
        "Sub.Example.co.uk",
        "xn--bcher-kva.example",
        "o'brien+x@example.com",
    ],
)
def test_sender_entry_forms(entry: str) -> None:
    assert pps.is_sender_entry(entry)


def test_a_campaign_of_300_recipients_in_one_argument_is_accepted(mocker: Any, requests_mock: Any) -> None:
    users = {
        f"recipient{number}@example.com": a_user(f"recipient{number}@example.com") for number in range(300)
    }
    FakeEndUsers(requests_mock, users)
    entries = run_main(
        mocker,
        "proofpoint-pps-sender-list-add",
        {"email": ",".join(users), "list": "blocklist", "entries": "evil.example"},
    )
    assert entries[0]["Type"] == 1
    assert all(user["blocklist"] == ["evil.example"] for user in users.values())


# The property tests draw entries from a small alphabet so that adds and removes collide often.
ENTRY = st.sampled_from(
    ["a.example", "A.Example", "@a.example", "b.example", "x@a.example", "X@A.EXAMPLE", "c.example"]
)
OPERATIONS = st.lists(st.tuples(st.booleans(), st.lists(ENTRY, min_size=1, max_size=4)), max_size=8)


def model_apply(model: dict[str, str], adding: bool, entries: list[str]) -> None:
    """The sender list as a mapping from the lowercased entry to its first spelling, in insertion order."""
    for entry in entries:
        if adding:
            model.setdefault(entry.lower(), entry)
        else:
            model.pop(entry.lower(), None)


@settings(max_examples=60, deadline=None)
@given(start=st.lists(ENTRY, max_size=5), operations=OPERATIONS)
def test_any_sequence_of_adds_and_removes_gives_the_models_list(
    start: list[str], operations: list[tuple[bool, list[str]]]
) -> None:
    client = pps.Client(SERVER, "soc-api", PASSWORD, verify=True, proxy=False, timeout=5)
    with requests_mock_module.Mocker() as mocker:
        fake = FakeEndUsers(mocker, {ALICE: a_user(ALICE, safelist=pps.unique_ignoring_case(start))})
        model: dict[str, str] = {}
        model_apply(model, True, start)
        for adding, entries in operations:
            model_apply(model, adding, entries)
            try:
                pps.sender_list_command(
                    client, {"email": ALICE, "list": "safelist", "entries": ",".join(entries)}, adding=adding
                )
            except pps.ActionFailedError:
                pytest.fail("a change with no other writer must succeed")
            assert fake.users[ALICE]["safelist"] == list(model.values())
            assert fake.users[ALICE]["blocklist"] == []


@settings(max_examples=80, deadline=None)
@given(
    start=st.lists(ENTRY, max_size=4),
    ours=st.lists(ENTRY, min_size=1, max_size=3),
    adding=st.booleans(),
    theirs=st.lists(
        st.tuples(st.booleans(), st.booleans(), st.lists(ENTRY, min_size=1, max_size=3)), max_size=5
    ),
)
def test_another_writer_between_our_read_and_write_never_makes_us_lose_an_entry_silently(
    start: list[str], ours: list[str], adding: bool, theirs: list[tuple[bool, bool, list[str]]]
) -> None:
    """Another writer changes the list between our read and our write, or between our write and our read-back.
    Whatever it does, each of our entries is reported as done only when the final list shows it, and otherwise
    as a conflict; we never write after the read-back that settled the outcome."""
    client = pps.Client(SERVER, "soc-api", PASSWORD, verify=True, proxy=False, timeout=5)
    with requests_mock_module.Mocker() as mocker:
        fake = FakeEndUsers(mocker, {ALICE: a_user(ALICE, safelist=pps.unique_ignoring_case(start))})
        for before, their_adding, entries in theirs:

            def their_change(
                user: dict[str, Any], their_adding: bool = their_adding, entries: list[str] = entries
            ) -> None:
                change_list = pps.with_entries_added if their_adding else pps.with_entries_removed
                user["safelist"] = change_list(user["safelist"], entries)

            (fake.before_put if before else fake.after_put).append(their_change)
        try:
            results = pps.sender_list_command(
                client, {"email": ALICE, "list": "safelist", "entries": ",".join(ours)}, adding=adding
            )
            changes = results[0].to_context()["EntryContext"][CHANGE_KEY]
        except pps.ActionFailedError as error:
            changes = error.context[CHANGE_KEY]
        final = fake.users[ALICE]["safelist"]
        last_request = mocker.request_history[-1]
        assert last_request.method == "GET"  # the outcome comes from a read after our last write
        assert len(fake.puts) <= pps.SENDER_LIST_ROUNDS
        for reported in changes:
            in_final = pps.holds(final, reported["Entry"])
            if reported["Outcome"] in ("added", "already present"):
                assert in_final
            elif reported["Outcome"] in ("removed", "not present"):
                assert not in_final
            else:
                assert reported["Outcome"] == "conflict"
                assert in_final != adding
        # Only a change after our write can undo it; each write meets at most one.
        if sum(1 for before, _, _ in theirs if not before) < pps.SENDER_LIST_ROUNDS:
            assert all(reported["Outcome"] != "conflict" for reported in changes)


class SharedEndUsers(pps.Client):
    """A client whose end users live in one in-memory store shared by several writers (threads), with a gate
    that holds a writer's request until the scenario lets it through; replace semantics for lists."""

    lock = threading.Lock()

    def __init__(self, store: dict[str, dict[str, Any]], gate: Any) -> None:
        super().__init__(SERVER, "soc-api", PASSWORD, verify=True, proxy=False, timeout=5)
        self.store, self.gate = store, gate

    def get_user(self, ident: str) -> dict[str, Any] | None:
        self.gate("GET")
        with self.lock:
            return json.loads(json.dumps(self.store[ident]))

    def update_user(self, ident: str, body: dict[str, Any]) -> dict[str, Any]:
        self.gate("PUT")
        with self.lock:
            self.store[ident].update(json.loads(json.dumps(body)))
            return json.loads(json.dumps(self.store[ident]))


def test_two_concurrent_writers_keep_both_entries_when_one_overwrote_the_other() -> None:
    """Writer A reads; writer B reads and writes; then A writes the list it computed from its older read, which
    drops B's entry. B's read-back sees its entry gone and writes again: both entries stay, none is lost
    silently."""
    store = {ALICE: a_user(ALICE)}
    a_read, b_wrote, a_wrote = threading.Event(), threading.Event(), threading.Event()
    calls: list[tuple[str, str]] = []  # as the writers send them
    served: list[tuple[str, str]] = []  # as the store carries them out

    def gate(method: str) -> None:
        writer = threading.current_thread().name
        calls.append((writer, method))
        if (writer, method) == ("B", "GET") and calls.count(("B", "GET")) == 1:
            assert a_read.wait(5)
        if (writer, method) == ("A", "PUT") and calls.count(("A", "PUT")) == 1:
            assert b_wrote.wait(5)
        if (writer, method) == ("B", "GET") and calls.count(("B", "GET")) == 2:
            assert a_wrote.wait(5)

    def after(method: str) -> None:
        writer = threading.current_thread().name
        served.append((writer, method))
        {("A", "GET"): a_read, ("B", "PUT"): b_wrote, ("A", "PUT"): a_wrote}.get(
            (writer, method), threading.Event()
        ).set()

    class Writer(SharedEndUsers):
        def get_user(self, ident: str) -> dict[str, Any] | None:
            user = super().get_user(ident)
            after("GET")
            return user

        def update_user(self, ident: str, body: dict[str, Any]) -> dict[str, Any]:
            user = super().update_user(ident, body)
            after("PUT")
            return user

    results: dict[str, list[Any]] = {}

    def write(name: str, entry: str) -> None:
        args = {"email": ALICE, "list": "blocklist", "entries": entry}
        results[name] = pps.sender_list_command(Writer(store, gate), args, adding=True)

    threads = [
        threading.Thread(target=write, args=(name, f"{name.lower()}.example"), name=name) for name in "AB"
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert served[:4] == [("A", "GET"), ("B", "GET"), ("B", "PUT"), ("A", "PUT")]  # A overwrote B's entry
    assert sorted(store[ALICE]["blocklist"]) == ["a.example", "b.example"]
    assert outcomes_of(results["A"]) == [(ALICE, "a.example", "added")]
    assert outcomes_of(results["B"]) == [(ALICE, "b.example", "added")]
    assert calls.count(("B", "PUT")) == 2  # B saw its entry overwritten and wrote again


# -- fetch-incidents and the sender summary (issue 9 §1, §3) --------------------------------------

NOW = datetime(2026, 11, 28, 12, 0, 0, tzinfo=timezone.utc)


def sent_query(request: Any) -> dict[str, str]:
    """The query as sent, case kept (requests-mock's qs lowercases values)."""
    return {key: values[0] for key, values in parse_qs(urlsplit(request.url).query).items()}


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


class FakeQuarantine:
    """GET /quarantine as the API spec allows it to behave: a page of at most `limit` records, in an
    order it does not promise, bounds inclusive or not; messages become visible at a time of their own
    (a late write keeps its earlier date)."""

    def __init__(self, mocker: Any, inclusive: bool = True, order: str = "newest", seed: int = 0) -> None:
        self.messages: list[dict[str, Any]] = []
        self.now = NOW
        self.inclusive = inclusive
        self.order = order
        self.random = random.Random(seed)
        self.failing = False
        self.searches: list[dict[str, str]] = []
        mocker.get(f"{API}/quarantine", json=self.reply)

    def add(
        self, folder: str, date: datetime, guid: str, visible: datetime | None = None, **fields: Any
    ) -> dict[str, Any]:
        record = {
            "date": stamp(date),
            "folder": folder,
            "from": "sender@example.net",
            "subject": f"message {guid}",
            "guid": guid,
            "localguid": f"1:1:{len(self.messages)}",
            "rcpts": ["user@example.com"],
            "spamscore": "100",
            "size": "1000",
            **fields,
        }
        self.messages.append({"record": record, "date": date, "visible": visible or date})
        return record

    def reply(self, request: Any, context: Any) -> Any:
        query = sent_query(request)
        self.searches.append(query)
        if self.failing:
            context.status_code = 400
            return {"status": 400}
        start = datetime.strptime(query["startdate"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
        end = datetime.strptime(query["enddate"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
        limit = min(int(query.get("limit", "100")), 1000)

        def inside(date: datetime) -> bool:
            return start <= date <= end if self.inclusive else start < date < end

        matching = [
            message
            for message in self.messages
            if message["record"]["folder"] == query["folder"]
            and message["visible"] <= self.now
            and inside(message["date"])
        ]
        if self.order == "newest":
            matching.sort(key=lambda message: message["date"], reverse=True)
        elif self.order == "oldest":
            matching.sort(key=lambda message: message["date"])
        else:
            self.random.shuffle(matching)
        page = [message["record"] for message in matching[:limit]]
        return {"count": len(page), "meta": {"limit": limit}, "records": page}


def fetch_settings(**changes: Any) -> pps.FetchSettings:
    values: dict[str, Any] = {
        "first_fetch": NOW - timedelta(days=3),
        "max_fetch": 50,
        "folders": ["Quarantine"],
        "criteria": {"rcpt": "*"},
        "look_back": timedelta(minutes=5),
        "attach_message": False,
        "incident_type": "Proofpoint PPS Quarantined Message",
    }
    values.update(changes)
    return pps.FetchSettings(**values)


def guids_of(incidents: list[dict[str, Any]]) -> list[str]:
    return [json.loads(incident["rawJSON"])["guid"] for incident in incidents]


def run_fetch(
    client: pps.Client, settings: pps.FetchSettings, last_run: dict[str, Any], now: datetime
) -> Any:
    next_run, incidents = pps.fetch_incidents(client, settings, last_run, now)
    return json.loads(json.dumps(next_run)), incidents


# -- the incident ---------------------------------------------------------------------------------


def test_first_fetch_request_incident_and_last_run(client: pps.Client, requests_mock: Any) -> None:
    reply = json.loads((TEST_DATA / "quarantine_search_reply.json").read_text())
    requests_mock.get(f"{API}/quarantine", json=reply)
    first_fetch = datetime(2020, 1, 15, 0, 0, tzinfo=timezone.utc)
    now = datetime(2020, 1, 22, 12, 0, tzinfo=timezone.utc)
    last_run, incidents = run_fetch(client, fetch_settings(first_fetch=first_fetch), {}, now)
    assert sent_query(requests_mock.last_request) == {
        "folder": "Quarantine",
        "rcpt": "*",
        "startdate": "2020-01-14 23:59:59",
        "enddate": "2020-01-22 12:00:01",
        "limit": "100",
    }
    assert incidents[0] == {
        "name": "Quarantine: john@example.com - Loan",
        "occurred": "2020-01-15T20:00:00Z",
        "rawJSON": json.dumps(reply["records"][0]),
        "severity": 1,
        "type": "Proofpoint PPS Quarantined Message",
    }
    assert guids_of(incidents) == [record["guid"] for record in reply["records"]]
    assert last_run == {
        "first_folder": "Quarantine",
        "folders": {
            "Quarantine": {
                "time": "2020-01-22T12:00:01Z",
                "from": "2020-01-22T11:55:00Z",
                "span": int((now - first_fetch).total_seconds()),
                "taken": {},
            }
        },
    }


def test_fetch_criteria_are_sent_and_every_recipient_only_when_none_is_given(
    client: pps.Client, requests_mock: Any
) -> None:
    requests_mock.get(f"{API}/quarantine", json={"count": 0, "records": []})
    settings = pps.parse_fetch_settings(
        {"fetch_sender": "*@phish.example", "fetch_recipient": "ceo@example.com", "fetch_subject": "invoice"},
        NOW,
    )
    pps.fetch_incidents(client, settings, {}, NOW)
    query = sent_query(requests_mock.last_request)
    assert (query["from"], query["rcpt"], query["subject"]) == (
        "*@phish.example",
        "ceo@example.com",
        "invoice",
    )


def test_fetch_settings_defaults() -> None:
    settings = pps.parse_fetch_settings({}, NOW)
    assert settings == pps.FetchSettings(
        first_fetch=NOW - timedelta(days=3),
        max_fetch=50,
        folders=["Quarantine"],
        criteria={"rcpt": "*"},
        look_back=timedelta(minutes=5),
        attach_message=False,
        incident_type=None,
    )


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"max_fetch": "201"}, "max_fetch"),
        ({"max_fetch": "0"}, "max_fetch"),
        ({"max_fetch": "many"}, "max_fetch"),
        ({"fetch_look_back": "-1"}, "fetch_look_back"),
        ({"fetch_look_back": "1441"}, "fetch_look_back"),
        ({"first_fetch": "last tuesday"}, "first_fetch"),
        ({"fetch_sender": "two words@example.com"}, "fetch_sender"),
        ({"fetch_recipient": "a@b@c"}, "fetch_recipient"),
        ({"fetch_folders": "x" * 256}, "fetch_folders"),
        ({"fetch_attach_message": "perhaps"}, "fetch_attach_message"),
    ],
)
def test_bad_fetch_parameters_are_refused_by_name(params: dict[str, str], named: str) -> None:
    with pytest.raises(pps.InvalidArgumentError, match=f"for {named}"):
        pps.parse_fetch_settings(params, NOW)


@pytest.mark.parametrize(
    ("folder", "severity"),
    [
        ("Virus", 3),
        ("Phish", 3),
        ("Phishing_Inbound", 3),
        ("Impostor", 3),
        ("Malware-Sandbox", 3),
        ("HIPAA", 2),
        ("PCI_Outbound", 2),
        ("DLP Incidents", 2),
        ("Compliance", 2),
        ("Quarantine", 1),
        ("Spam", 1),
        ("Bulk", 1),
        ("Specials", 1),
    ],
)
def test_severity_rule_follows_the_folder(folder: str, severity: int) -> None:
    assert pps.quarantine_severity(folder) == severity


# -- exactly once, oldest first -------------------------------------------------------------------


def test_takes_the_oldest_first_whatever_order_the_reply_has(client: pps.Client, requests_mock: Any) -> None:
    fake = FakeQuarantine(requests_mock, order="newest")
    for second, guid in [(30, "c"), (10, "a"), (20, "b"), (40, "d")]:
        fake.add("Quarantine", NOW - timedelta(minutes=30) + timedelta(seconds=second), guid)
    settings = fetch_settings(max_fetch=3)
    last_run, first = run_fetch(client, settings, {}, NOW)
    assert guids_of(first) == ["a", "b", "c"]
    assert last_run["folders"]["Quarantine"]["time"] == "2026-11-28T11:30:40Z"
    _, second = run_fetch(client, settings, last_run, NOW + timedelta(minutes=1))
    assert guids_of(second) == ["d"]


def test_more_than_max_fetch_in_one_second(client: pps.Client, requests_mock: Any) -> None:
    fake = FakeQuarantine(requests_mock, order="shuffled")
    burst = NOW - timedelta(minutes=1)
    for index in range(7):
        fake.add("Quarantine", burst, f"g{index}")
    settings = fetch_settings(max_fetch=3)
    last_run: dict[str, Any] = {}
    taken: list[str] = []
    for run in range(4):
        last_run, incidents = run_fetch(client, settings, last_run, NOW + timedelta(seconds=run))
        taken += guids_of(incidents)
    assert taken == [f"g{index}" for index in range(7)]
    assert last_run["folders"]["Quarantine"]["taken"] == {"2026-11-28T11:59:00Z": taken}


def test_a_late_write_inside_the_look_back_window_is_fetched_once(
    client: pps.Client, requests_mock: Any
) -> None:
    fake = FakeQuarantine(requests_mock)
    fake.add("Quarantine", NOW - timedelta(seconds=30), "on-time")
    fake.add("Quarantine", NOW - timedelta(seconds=20), "late", visible=NOW + timedelta(minutes=3))
    last_run: dict[str, Any] = {}
    taken = []
    for minutes in (0, 1, 4, 5):
        fake.now = NOW + timedelta(minutes=minutes)
        last_run, incidents = run_fetch(client, fetch_settings(), last_run, fake.now)
        taken.append(guids_of(incidents))
    assert taken == [["on-time"], [], ["late"], []]


def test_the_last_run_forgets_old_guids(client: pps.Client, requests_mock: Any) -> None:
    fake = FakeQuarantine(requests_mock)
    fake.add("Quarantine", NOW - timedelta(minutes=2), "recent")
    fake.add("Quarantine", NOW - timedelta(hours=2), "old")
    last_run, _ = run_fetch(client, fetch_settings(), {}, NOW)
    assert last_run["folders"]["Quarantine"]["taken"] == {"2026-11-28T11:58:00Z": ["recent"]}
    last_run, incidents = run_fetch(client, fetch_settings(), last_run, NOW + timedelta(minutes=10))
    assert incidents == []
    assert last_run["folders"]["Quarantine"]["taken"] == {}
    assert last_run["folders"]["Quarantine"]["from"] == "2026-11-28T12:05:00Z"


@pytest.mark.parametrize("order", ["newest", "oldest", "shuffled"])
@pytest.mark.parametrize("inclusive", [True, False])
def test_a_full_reply_narrows_the_window_and_takes_the_older_part_first(
    client: pps.Client, requests_mock: Any, monkeypatch: Any, order: str, inclusive: bool
) -> None:
    monkeypatch.setattr(pps, "QUARANTINE_MAX_LIMIT", 4)
    fake = FakeQuarantine(requests_mock, inclusive=inclusive, order=order)
    start = NOW - timedelta(hours=1)
    for index in range(10):
        fake.add("Quarantine", start + timedelta(minutes=5 * index), f"g{index:02}")
    settings = fetch_settings(first_fetch=start, max_fetch=3)
    last_run: dict[str, Any] = {}
    taken: list[str] = []
    for run in range(5):
        last_run, incidents = run_fetch(client, settings, last_run, NOW + timedelta(seconds=run))
        taken += guids_of(incidents)
    assert taken == [f"g{index:02}" for index in range(10)]
    first = fake.searches[0]
    narrowed = fake.searches[1]
    assert narrowed["startdate"] == first["startdate"]
    assert narrowed["enddate"] < first["enddate"]


def test_seconds_at_the_window_bounds_are_found_when_the_server_excludes_bounds(
    client: pps.Client, requests_mock: Any
) -> None:
    fake = FakeQuarantine(requests_mock, inclusive=False)
    start = NOW - timedelta(hours=1)
    fake.add("Quarantine", start, "at-start")
    fake.add("Quarantine", NOW, "at-end")
    _, incidents = run_fetch(client, fetch_settings(first_fetch=start), {}, NOW)
    assert guids_of(incidents) == ["at-start", "at-end"]


def test_a_second_beside_crowded_seconds_is_listed_whole_when_the_server_includes_bounds(
    client: pps.Client, requests_mock: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(pps, "QUARANTINE_MAX_LIMIT", 4)
    fake = FakeQuarantine(requests_mock, inclusive=True, order="newest")
    start = NOW - timedelta(seconds=2)
    for second in range(3):
        for index in range(3):
            fake.add("Quarantine", start + timedelta(seconds=second), f"s{second}-{index}")
    settings = fetch_settings(first_fetch=start)
    last_run: dict[str, Any] = {}
    taken: list[str] = []
    for run in range(4):
        last_run, incidents = run_fetch(client, settings, last_run, NOW + timedelta(seconds=run))
        taken += guids_of(incidents)
    assert taken == [f"s{second}-{index}" for second in range(3) for index in range(3)]


def test_several_folders_take_turns_to_go_first_and_share_max_fetch(
    client: pps.Client, requests_mock: Any
) -> None:
    fake = FakeQuarantine(requests_mock)
    for minute, guid in [(50, "q1"), (45, "q2"), (40, "q3"), (30, "q4")]:
        fake.add("Quarantine", NOW - timedelta(minutes=minute), guid)
    for minute, guid in [(49, "p1"), (20, "p2")]:
        fake.add("Phish", NOW - timedelta(minutes=minute), guid)
    settings = fetch_settings(folders=["Quarantine", "Phish"], max_fetch=3)
    last_run, first = run_fetch(client, settings, {}, NOW)
    assert guids_of(first) == ["q1", "q2", "q3"]
    assert [incident["severity"] for incident in first] == [1, 1, 1]
    assert [request["folder"] for request in fake.searches] == ["Quarantine"]
    assert last_run["first_folder"] == "Phish"
    last_run, second = run_fetch(client, settings, last_run, NOW + timedelta(minutes=1))
    assert guids_of(second) == ["p1", "p2", "q4"]
    assert [incident["name"].split(":")[0] for incident in second] == ["Phish", "Phish", "Quarantine"]
    assert second[0]["severity"] == 3
    _, third = run_fetch(client, settings, last_run, NOW + timedelta(minutes=2))
    assert third == []


def test_a_message_that_moved_to_another_fetched_folder_is_not_fetched_again(
    client: pps.Client, requests_mock: Any
) -> None:
    fake = FakeQuarantine(requests_mock)
    record = fake.add("Quarantine", NOW - timedelta(minutes=1), "moved")
    last_run, first = run_fetch(client, fetch_settings(folders=["Quarantine", "Phish"]), {}, NOW)
    record["folder"], record["localguid"] = "Phish", "9:9:9"
    _, second = run_fetch(
        client, fetch_settings(folders=["Quarantine", "Phish"]), last_run, NOW + timedelta(minutes=1)
    )
    assert (guids_of(first), second) == (["moved"], [])


def test_a_failing_folder_fails_the_run_and_names_the_folder(client: pps.Client, requests_mock: Any) -> None:
    requests_mock.get(
        f"{API}/quarantine",
        [{"json": {"records": []}}, {"status_code": 400, "text": "Invalid argument: folder"}],
    )
    with pytest.raises(DemistoException, match=r"Searching quarantine folder Phish failed: .*folder"):
        pps.fetch_incidents(client, fetch_settings(folders=["Quarantine", "Phish"]), {}, NOW)


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("2020-01-15 20:00:00", datetime(2020, 1, 15, 20, 0, tzinfo=timezone.utc)),
        (" 2020-01-15 20:00:00 ", datetime(2020, 1, 15, 20, 0, tzinfo=timezone.utc)),
        ("2020-01-15T20:00:00", None),
        ("2020-01-15 20:00:00+01:00", None),
        ("2020-01-15", None),
        ("2020-13-15 20:00:00", None),
        ("", None),
        (None, None),
    ],
)
def test_record_dates_are_the_api_form_only(text: Any, parsed: datetime | None) -> None:
    assert pps.parse_record_date(text) == parsed


def test_the_incoming_mapper_reads_fields_fetch_puts_in_the_incident(
    client: pps.Client, requests_mock: Any
) -> None:
    manifest = yaml.safe_load(YAML_PATH.read_text())
    (mapper_path,) = (ROOT / "Classifiers").glob("classifier-mapper-incoming-*.json")
    mapper = json.loads(mapper_path.read_text())
    assert manifest["defaultmapperin"] == mapper["id"]
    requests_mock.get(f"{API}/quarantine", json=load_json("quarantine_search_reply.json"))
    _, incidents = run_fetch(
        client, fetch_settings(first_fetch=datetime(2020, 1, 1, tzinfo=timezone.utc)), {}, NOW
    )
    record = json.loads(incidents[0]["rawJSON"])
    fields = mapper["mapping"][incidents[0]["type"]]["internalMapping"]
    read = {field.get("simple") or field["complex"]["root"] for field in fields.values()}
    assert read <= set(record)


def test_a_record_without_guid_or_date_is_skipped(client: pps.Client, requests_mock: Any) -> None:
    requests_mock.get(
        f"{API}/quarantine",
        json={
            "records": [
                {"date": stamp(NOW), "subject": "no guid"},
                {"guid": "g-bad-date", "date": "yesterday"},
                {"guid": "good", "date": stamp(NOW), "from": "a@example.net", "subject": "s"},
            ]
        },
    )
    _, incidents = run_fetch(client, fetch_settings(), {}, NOW)
    assert guids_of(incidents) == ["good"]


def test_a_record_listed_twice_in_one_reply_is_one_incident(client: pps.Client, requests_mock: Any) -> None:
    record = {
        "guid": "twice",
        "date": stamp(NOW - timedelta(minutes=1)),
        "from": "a@example.net",
        "subject": "s",
    }
    requests_mock.get(f"{API}/quarantine", json={"records": [record, dict(record)]})
    last_run, incidents = run_fetch(client, fetch_settings(), {}, NOW)
    assert guids_of(incidents) == ["twice"]
    assert last_run["folders"]["Quarantine"]["taken"] == {"2026-11-28T11:59:00Z": ["twice"]}


# -- main: the runtime's fetch contract -----------------------------------------------------------


def run_fetch_main(mocker: Any, params: dict[str, Any]) -> None:
    """Runs main() as the server's scheduler does; the stand-in keeps the last run and the incidents."""
    mocker.patch.object(demisto, "params", return_value=params)
    mocker.patch.object(demisto, "args", return_value={})
    mocker.patch.object(demisto, "command", return_value="fetch-incidents")
    pps.main()


def test_fetch_stores_the_last_run_and_sends_the_incidents(mocker: Any, requests_mock: Any) -> None:
    demisto.reset()
    fake = FakeQuarantine(requests_mock)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    fake.now = now
    fake.add("Quarantine", now - timedelta(minutes=1), "g1")
    run_fetch_main(mocker, {**PARAMS, "isFetch": True, "incidentType": "Proofpoint PPS Quarantined Message"})
    stored = demisto.getLastRun()
    assert list(stored["folders"]["Quarantine"]) == ["time", "from", "span", "taken"]
    assert stored["folders"]["Quarantine"]["taken"] == {pps.iso_utc(now - timedelta(minutes=1)): ["g1"]}
    sent = json.loads(demisto.captured_entries[-1]["Contents"])
    assert guids_of(sent) == ["g1"]
    assert sent[0]["type"] == "Proofpoint PPS Quarantined Message"


def test_a_failed_fetch_stores_no_last_run_and_sends_no_incidents(mocker: Any, requests_mock: Any) -> None:
    demisto.reset()
    before = {"folders": {"Quarantine": {"time": "x", "from": "2026-11-28T11:00:00Z", "taken": {}}}}
    demisto.setLastRun(before)
    requests_mock.get(f"{API}/quarantine", status_code=400, text="Invalid argument: folder")
    with pytest.raises(Exception, match=r"Searching quarantine folder Quarantine failed: .*Invalid argument"):
        run_fetch_main(mocker, PARAMS)
    assert demisto.getLastRun() == before
    assert demisto.captured_entries == []


def test_bad_fetch_parameters_fail_the_fetch_before_any_request(mocker: Any, requests_mock: Any) -> None:
    demisto.reset()
    with pytest.raises(Exception, match="Invalid value for max_fetch"):
        run_fetch_main(mocker, {**PARAMS, "max_fetch": "1000"})
    assert not requests_mock.called
    assert demisto.getLastRun() == {}


# -- attachments ----------------------------------------------------------------------------------


def test_the_raw_message_is_attached_when_asked(
    client: pps.Client, requests_mock: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    raw = (TEST_DATA / "quarantined_message.eml").read_bytes()
    fake = FakeQuarantine(requests_mock)
    fake.add("Quarantine", NOW - timedelta(minutes=1), "exampleguid000000000000000000009")
    requests_mock.get(f"{API}/quarantine?guid=exampleguid000000000000000000009", content=raw)
    _, incidents = run_fetch(client, fetch_settings(attach_message=True), {}, NOW)
    attachment = incidents[0]["attachment"]
    assert attachment == [{"path": attachment[0]["path"], "name": "exampleguid000000000000000000009.eml"}]
    assert (tmp_path / f"1_{attachment[0]['path']}").read_bytes() == raw
    assert "details" not in incidents[0]


@pytest.mark.parametrize(
    ("download", "reason"),
    [
        ({"status_code": 404, "text": "Not found"}, "no longer holds it"),
        ({"content": b"x" * 2048, "headers": {"Content-Length": "2048"}}, "maximum download size"),
        ({"status_code": 403, "text": "Forbidden"}, "lacks the managed module 'Quarantine'"),
    ],
)
def test_a_message_that_cannot_be_attached_leaves_the_incident_saying_why(
    client: pps.Client,
    requests_mock: Any,
    tmp_path: Path,
    monkeypatch: Any,
    download: dict[str, Any],
    reason: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    client.max_download_bytes = 1024
    fake = FakeQuarantine(requests_mock)
    fake.add("Quarantine", NOW - timedelta(minutes=2), "gone")
    fake.add("Quarantine", NOW - timedelta(minutes=1), "fine")
    requests_mock.get(f"{API}/quarantine?guid=gone", **download)
    requests_mock.get(f"{API}/quarantine?guid=fine", content=b"small")
    last_run, incidents = run_fetch(client, fetch_settings(attach_message=True), {}, NOW)
    assert guids_of(incidents) == ["gone", "fine"]
    assert "attachment" not in incidents[0]
    assert incidents[0]["details"].startswith("The raw message gone was not attached: ")
    assert reason in incidents[0]["details"]
    assert "attachment" in incidents[1]
    assert last_run["folders"]["Quarantine"]["taken"]


# -- test-module with fetching on -----------------------------------------------------------------


def test_check_fetch_folders_names_each_folder_that_fails(client: pps.Client, requests_mock: Any) -> None:
    def reply(request: Any, context: Any) -> Any:
        if sent_query(request)["folder"] == "Phsh":
            context.status_code = 400
            return "Invalid argument: folder"
        return json.dumps({"records": []})

    requests_mock.get(f"{API}/quarantine", text=reply)
    problems = pps.check_fetch_folders(client, {"fetch_folders": "Quarantine,Phsh"}, NOW)
    assert len(problems) == 1
    assert problems[0].startswith("Fetch folder Phsh: ")
    assert "Invalid argument: folder" in problems[0]


def test_check_fetch_folders_reports_bad_fetch_settings(client: pps.Client, requests_mock: Any) -> None:
    problems = pps.check_fetch_folders(client, {"max_fetch": "500"}, NOW)
    assert problems == [
        'Fetch settings: Invalid value for max_fetch: "500". Use a whole number from 1 to 200.'
    ]
    assert not requests_mock.called


def test_test_module_with_fetching_on_names_the_folder_that_fails(mocker: Any, requests_mock: Any) -> None:
    def reply(request: Any, context: Any) -> Any:
        if sent_query(request)["folder"] == "Phsh":
            context.status_code = 400
            return "Invalid argument: folder"
        return json.dumps({"records": []})

    requests_mock.get(f"{API}/pss/health", json={"status": "ok"})
    requests_mock.get(f"{API}/quarantine", text=reply)
    params = {**PARAMS, "isFetch": True, "fetch_folders": "Quarantine,Phsh"}
    entries = run_main(mocker, "test-module", {}, params)
    assert entries[0]["Type"] == 4
    assert (
        "- Fetch folder Phsh: The PPS server refused the request (400): Invalid argument: folder"
        in entries[0]["Contents"]
    )
    assert "Fetch folder Quarantine" not in entries[0]["Contents"]
    assert run_main(mocker, "test-module", {}, {**params, "fetch_folders": "Quarantine"}) == ["ok"]


# -- sender summary -------------------------------------------------------------------------------


def test_sender_summary_requests_and_context(
    client: pps.Client, requests_mock: Any, monkeypatch: Any
) -> None:
    requests_mock.get(f"{API}/pss/filter", json=load_json("sender_summary_smart_search_reply.json"))
    requests_mock.get(
        f"{API}/quarantine",
        json={
            "records": [
                {"guid": "q1", "date": "2026-11-25 23:00:00", "spamscore": 88, "folder": "Quarantine"}
            ]
        },
    )
    result = pps.sender_summary_command(
        client,
        {
            "sender": "*@bad.example",
            "start_time": "2026-11-21T12:00:00Z",
            "end_time": "2026-11-28T12:00:00Z",
            "folder_name": "Quarantine,Phish",
        },
    )
    smart = next(request for request in requests_mock.request_history if request.path.endswith("/pss/filter"))
    assert sent_query(smart) == {
        "env_from": "*@bad.example",
        "from": "2026-11-21T12:00:00+0000",
        "to": "2026-11-28T12:00:00+0000",
        "count": "10000",
    }
    folders = [
        sent_query(request)
        for request in requests_mock.request_history
        if request.path.endswith("/quarantine")
    ]
    assert sorted(query["folder"] for query in folders) == ["Phish", "Quarantine"]
    assert folders[0]["from"] == "*@bad.example"
    assert (folders[0]["startdate"], folders[0]["enddate"]) == ("2026-11-21 12:00:00", "2026-11-28 12:00:00")
    context = result.to_context()["EntryContext"][
        "Proofpoint.SenderSummary(val.Sender && val.Sender == obj.Sender)"
    ]
    assert context == {
        "Sender": "*@bad.example",
        "Start": "2026-11-21T12:00:00Z",
        "End": "2026-11-28T12:00:00Z",
        "Messages": 3,
        "FinalActions": [{"Action": "discard", "Count": 2}, {"Action": "accept", "Count": 1}],
        "Recipients": 3,
        "TopRecipients": [
            {"Recipient": "a@example.com", "Count": 2},
            {"Recipient": "b@example.com", "Count": 1},
            {"Recipient": "c@example.com", "Count": 1},
        ],
        "Quarantined": [{"Folder": "Quarantine", "Count": 1}, {"Folder": "Phish", "Count": 1}],
        "VirusNames": ["Eicar", "Trojan.X"],
        "MaxSpamScore": 100.0,
        "FirstSeen": "2026-11-25T23:00:00Z",
        "LastSeen": "2026-11-28T08:00:00Z",
        "Truncated": False,
    }
    readable = result.readable_output or ""
    assert "- Messages: 3 (discard 2, accept 1)" in readable
    assert "- Highest spam score: 100\n" in readable
    assert "### Top recipients\n|Recipient|Count|" in readable
    assert "partial" not in readable


def test_sender_summary_says_when_a_search_reached_its_limit(
    client: pps.Client, requests_mock: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(pps, "QUARANTINE_MAX_LIMIT", 2)
    requests_mock.get(f"{API}/pss/filter", json={"result": []})
    requests_mock.get(
        f"{API}/quarantine",
        json={
            "records": [
                {"guid": "q1", "date": "2026-11-25 23:00:00"},
                {"guid": "q2", "date": "2026-11-25 23:00:01"},
            ]
        },
    )
    result = pps.sender_summary_command(client, {"sender": "x@bad.example"})
    assert result.outputs["Truncated"] is True
    assert "**Counts are partial**" in (result.readable_output or "")


def test_sender_summary_names_the_search_that_failed(client: pps.Client, requests_mock: Any) -> None:
    requests_mock.get(f"{API}/pss/filter", json={"result": []})
    requests_mock.get(f"{API}/quarantine", status_code=403, text="Forbidden")
    with pytest.raises(
        DemistoException, match=r'Could not search folder "Quarantine": Access denied \(403\)'
    ):
        pps.sender_summary_command(client, {"sender": "x@bad.example"})


@pytest.mark.parametrize(
    ("args", "named"),
    [
        ({}, "sender"),
        ({"sender": "a b"}, "sender"),
        ({"sender": "x@example.com", "start_time": "soon"}, "start_time"),
        ({"sender": "x@example.com", "folder_name": "f" * 300}, "folder_name"),
    ],
)
def test_sender_summary_refuses_bad_arguments_before_any_request(
    client: pps.Client, requests_mock: Any, args: dict[str, str], named: str
) -> None:
    with pytest.raises(pps.InvalidArgumentError, match=named):
        pps.sender_summary_command(client, args)
    assert not requests_mock.called


def test_sender_summary_defaults_to_the_last_seven_days(client: pps.Client, requests_mock: Any) -> None:
    requests_mock.get(f"{API}/pss/filter", json={"result": []})
    requests_mock.get(f"{API}/quarantine", json={"records": []})
    result = pps.sender_summary_command(client, {"sender": "x@bad.example"})
    start = datetime.strptime(result.outputs["Start"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    end = datetime.strptime(result.outputs["End"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert end - start == timedelta(days=7)
    assert result.outputs["Quarantined"] == [{"Folder": "Quarantine", "Count": 0}]
    assert (result.outputs["MaxSpamScore"], result.outputs["FirstSeen"]) == (None, None)


# -- the property: exactly once, per folder in date order, bounded last-run -----------------------

FOLDERS = ["Quarantine", "Phish", "HIPAA"]


@st.composite
def quarantine_histories(draw: Any) -> dict[str, Any]:
    page_limit = draw(st.integers(3, 8))
    look_back = draw(st.integers(0, 3))
    folders = draw(st.lists(st.sampled_from(FOLDERS), min_size=1, max_size=3, unique=True))
    bursts = draw(
        st.lists(
            st.tuples(
                st.sampled_from(folders),
                # second after first_fetch: often crowded into neighbouring seconds, sometimes spread out
                st.one_of(st.integers(0, 20), st.integers(0, 900)),
                st.integers(1, page_limit),  # messages in that second
                st.integers(0, look_back * 60),  # written this late (inside the look-back window)
            ),
            max_size=25,
        )
    )
    return {
        "page_limit": page_limit,
        "look_back": look_back,
        "folders": folders,
        "bursts": bursts,
        "max_fetch": draw(st.integers(1, 6)),
        "inclusive": draw(st.booleans()),
        "order": draw(st.sampled_from(["newest", "oldest", "shuffled"])),
        "runs": draw(st.lists(st.tuples(st.integers(0, 240), st.booleans()), min_size=1, max_size=12)),
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history=quarantine_histories())
def test_every_message_comes_out_exactly_once_in_date_order_with_a_bounded_last_run(
    history: dict[str, Any],
) -> None:
    client = pps.Client(SERVER, "soc-api", PASSWORD, verify=True, proxy=False, timeout=5)
    client.backoff_base = 0
    original_limit = pps.QUARANTINE_MAX_LIMIT
    pps.QUARANTINE_MAX_LIMIT = history["page_limit"]
    try:
        with requests_mock_module.Mocker() as mocker:
            check_fetch_history(client, mocker, history)
    finally:
        pps.QUARANTINE_MAX_LIMIT = original_limit


def check_fetch_history(client: pps.Client, mocker: Any, history: dict[str, Any]) -> None:
    fake = FakeQuarantine(mocker, inclusive=history["inclusive"], order=history["order"], seed=1)
    first_fetch = NOW
    dates: dict[str, datetime] = {}
    on_time: set[str] = set()
    per_second: dict[tuple[str, int], int] = {}
    for index, (folder, second, count, delay) in enumerate(history["bursts"]):
        date = first_fetch + timedelta(seconds=second)
        # More messages in one folder and second than a page holds cannot be listed by the API at all.
        count = min(count, history["page_limit"] - per_second.get((folder, second), 0))
        per_second[(folder, second)] = per_second.get((folder, second), 0) + count
        for item in range(count):
            guid = f"{folder[:2]}{index:02}{item:02}{random.Random(index * 100 + item).randrange(10**6):06}"
            fake.add(folder, date, guid, visible=date + timedelta(seconds=delay))
            dates[guid] = date
            if delay == 0:
                on_time.add(guid)
    look_back = timedelta(minutes=history["look_back"])
    settings = fetch_settings(
        first_fetch=first_fetch,
        max_fetch=history["max_fetch"],
        folders=history["folders"],
        look_back=look_back,
    )
    drain = [(60, False)] * (len(dates) // history["max_fetch"] + 3)
    fake.now = first_fetch
    last_run: dict[str, Any] = {}
    emitted: list[str] = []
    latest_on_time: dict[str, datetime] = {}
    for step, fails in [*history["runs"], (1200 + history["look_back"] * 60, False), *drain]:
        fake.now += timedelta(seconds=step)
        fake.failing = fails
        try:
            next_run, incidents = pps.fetch_incidents(
                client, settings, json.loads(json.dumps(last_run)), fake.now
            )
        except DemistoException:
            assert fails
            continue  # the runtime stores no last-run for a failed run
        assert not fails
        assert len(incidents) <= history["max_fetch"]
        by_folder: dict[str, list[tuple[datetime, str]]] = {}
        for incident in incidents:
            record = json.loads(incident["rawJSON"])
            by_folder.setdefault(record["folder"], []).append((dates[record["guid"]], record["guid"]))
            if record["guid"] in on_time:
                assert dates[record["guid"]] >= latest_on_time.get(record["folder"], first_fetch)
                latest_on_time[record["folder"]] = dates[record["guid"]]
        for taken in by_folder.values():
            assert taken == sorted(taken)
        emitted += guids_of(incidents)
        previous, last_run = last_run, json.loads(json.dumps(next_run))
        for folder, folder_state in last_run["folders"].items():
            if folder_state == previous.get("folders", {}).get(folder):
                continue  # not searched in this run (max_fetch was reached before its turn)
            keep_from = pps.parse_iso_utc(folder_state["from"])
            reached = pps.parse_iso_utc(folder_state["time"])
            assert keep_from is not None and reached is not None
            assert keep_from == min(reached, fake.now - look_back)
            stored = [guid for guids in folder_state["taken"].values() for guid in guids]
            assert set(stored) <= set(emitted)
            assert all(dates[guid] >= keep_from for guid in stored)
    assert sorted(emitted) == sorted(dates)
    assert len(emitted) == len(set(emitted))
    # Caught up: what the last-run holds is the look-back window's messages, nothing older.
    for folder_state in last_run["folders"].values():
        assert pps.parse_iso_utc(folder_state["from"]) == fake.now - look_back


# -- first use without friction (issue 11) --------------------------------------------------------


def test_a_batch_with_no_success_says_so_above_the_table(client: pps.Client, requests_mock: Any) -> None:
    requests_mock.post(
        f"{API}/quarantine",
        [{"status_code": 400, "text": "Invalid argument: localguid"}, {"status_code": 502, "text": "gw"}],
    )
    with pytest.raises(pps.ActionFailedError) as error:
        pps.quarantine_action_command(client, {"folder_name": "Q", "local_guid": "1:1:1,1:1:2"}, "release")
    first_line, _, rest = error.value.message.partition("\n\n")
    assert first_line.startswith(
        "None of the 2 messages was released (1 failed, 1 unknown); each id's outcome is below."
    )
    assert "whether it was acted on before trying again" in first_line
    assert rest.startswith("### Proofpoint Protection Server release results\n|LocalGUID|Status|Message|")


@pytest.mark.parametrize(
    ("size", "cap", "known", "expected"),
    [
        (3 * 1048576, 2 * 1048576, True, "it is 3.0 MB, the maximum is 2.0 MB."),
        (10241, 10240, True, "it is 10,241 bytes, the maximum is 10,240 bytes."),
        (2048, 1000, True, "it is 2.0 KB, the maximum is 1000 bytes."),
        (
            3 * 1048576,
            2 * 1048576,
            False,
            "3.0 MB arrived before the download was stopped, the maximum is 2.0 MB.",
        ),
    ],
)
def test_the_size_cap_message_shows_comparable_sizes(size: int, cap: int, known: bool, expected: str) -> None:
    message = pps.too_large_message("g1", size, cap, known)
    assert message.startswith(
        f"Message g1 is larger than the instance's maximum download size: {expected} Raise 'Maximum size of a "
        "downloaded message, in MB'"
    )


def download_from(client: pps.Client, tmp_path: Path, monkeypatch: Any) -> Path:
    monkeypatch.chdir(tmp_path)
    entry = pps.download_message_command(client, {"guid": "exampleguid000000000000000000009"})
    return tmp_path / f"1_{entry['FileID']}"


@pytest.mark.parametrize("declared", [True, False])
@pytest.mark.parametrize(("size", "accepted"), [(1000, True), (1001, False)])
def test_the_download_size_cap_is_exact(
    client: pps.Client,
    requests_mock: Any,
    tmp_path: Path,
    monkeypatch: Any,
    declared: bool,
    size: int,
    accepted: bool,
) -> None:
    client.max_download_bytes = 1000
    headers = {"Content-Length": str(size)} if declared else {}
    requests_mock.get(f"{API}/quarantine", content=b"x" * size, headers=headers)
    if accepted:
        assert download_from(client, tmp_path, monkeypatch).read_bytes() == b"x" * size
    else:
        with pytest.raises(DemistoException, match="the maximum is 1000 bytes"):
            download_from(client, tmp_path, monkeypatch)
        assert list(tmp_path.iterdir()) == []


def test_a_declared_size_over_the_cap_is_refused_before_reading(
    client: pps.Client, requests_mock: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    client.max_download_bytes = 1000
    # The body itself is small: only the announced Content-Length can refuse it.
    requests_mock.get(f"{API}/quarantine", content=b"x" * 10, headers={"Content-Length": "1001"})
    with pytest.raises(DemistoException, match=r"it is 1001 bytes, the maximum is 1000 bytes\."):
        download_from(client, tmp_path, monkeypatch)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("breaks", "completes"), [(1, True), (2, False), (5, False)])
def test_a_broken_off_download_is_started_again_once_and_only_once(
    counting_server: Any, tmp_path: Path, monkeypatch: Any, breaks: int, completes: bool
) -> None:
    raw = (TEST_DATA / "quarantined_message.eml").read_text()
    answered: list[int] = []

    def reply(*_: Any) -> tuple[int, str] | tuple[int, str, int]:
        answered.append(1)
        if len(answered) <= breaks:
            return 200, raw[: len(raw) // 2], len(raw)
        return 200, raw

    server = counting_server(1, reply, patience=0)
    client = local_client(server)
    if completes:
        assert download_from(client, tmp_path, monkeypatch).read_text() == raw
    else:
        with pytest.raises(DemistoException, match="The connection broke twice while downloading message"):
            download_from(client, tmp_path, monkeypatch)
        assert list(tmp_path.iterdir()) == []
    assert len(server.requests) == 2


@pytest.mark.parametrize(
    ("credentials", "url", "expected"),
    [
        (
            {"identifier": "soc-api", "password": ""},
            SERVER,
            'Missing parameter Password: the instance has the username "soc-api" but no password.',
        ),
        ({"identifier": "", "password": ""}, SERVER, "Missing parameter Username"),
        (
            {"identifier": "", "password": "x"},
            "https://soc-api@pps.example.com:10000",
            'Missing parameter Password: the instance has the username "soc-api"',
        ),
    ],
)
def test_incomplete_credentials_are_a_missing_parameter_before_any_request(
    mocker: Any, requests_mock: Any, credentials: dict[str, str], url: str, expected: str
) -> None:
    entries = run_main(mocker, "test-module", {}, {**PARAMS, "url": url, "credentials": credentials})
    assert entries[0]["Type"] == 4
    assert entries[0]["Contents"].startswith(expected)
    assert not requests_mock.called


def basic_auth_of(request: Any) -> str:
    return base64.b64decode(request.headers["Authorization"].removeprefix("Basic ")).decode()


def test_url_credentials_are_split_at_the_last_at_sign(mocker: Any, requests_mock: Any) -> None:
    assert pps.api_base_url("https://soc@corp:p@ss@pps.example.com:10000") == (API, ("soc@corp", "p@ss"))
    requests_mock.get(f"{API}/pss/health", json={})
    requests_mock.get(f"{API}/quarantine", json={"records": []})
    params = {
        **PARAMS,
        "url": "https://soc-api:p@ss:w%40rd@pps.example.com:10000",
        "credentials": {"identifier": "", "password": ""},
    }
    assert run_main(mocker, "test-module", {}, params) == ["ok"]
    assert requests_mock.last_request.netloc == "pps.example.com:10000"
    assert basic_auth_of(requests_mock.last_request) == "soc-api:p@ss:w@rd"


AWKWARD_PASSWORD = 'p@ss w/rd+"%&é'


@pytest.mark.parametrize(
    "form",
    [
        AWKWARD_PASSWORD,
        quote(AWKWARD_PASSWORD, safe=""),
        quote_plus(AWKWARD_PASSWORD),
        json.dumps(AWKWARD_PASSWORD)[1:-1],
        json.dumps(AWKWARD_PASSWORD, ensure_ascii=False)[1:-1],
        quote(AWKWARD_PASSWORD),
        re.sub("%[0-9A-F]{2}", lambda escape: escape.group().lower(), quote(AWKWARD_PASSWORD, safe="")),
        base64.b64encode(f"soc-api:{AWKWARD_PASSWORD}".encode()).decode(),
    ],
)
def test_the_password_is_masked_in_each_encoded_form(mocker: Any, requests_mock: Any, form: str) -> None:
    params = {**PARAMS, "credentials": {"identifier": "soc-api", "password": AWKWARD_PASSWORD}}
    requests_mock.get(f"{API}/pss/filter", status_code=400, text=f"Invalid argument: {form} is not a query")
    entries = run_main(mocker, "proofpoint-pps-smart-search", {}, params)
    assert entries[0]["Type"] == 4
    assert form not in entries[0]["Contents"]
    assert "Invalid argument: <XX_REPLACED> is not a query" in entries[0]["Contents"]


@pytest.mark.parametrize(
    ("password", "reply", "shown"),
    [
        # A short password inside a word or a JSON key is not the password: the text stays whole.
        ("ion", "Connection refused for Type", "Connection refused for Type"),
        ("e", "Invalid argument: folder e", "Invalid argument: folder <XX_REPLACED>"),
        ("p", "Invalid argument: p, then pp", "Invalid argument: <XX_REPLACED>, then pp"),
        ("example", "host pps.example.com said example", "host pps.<XX_REPLACED>.com said <XX_REPLACED>"),
        # A long one is masked wherever it stands, even glued to other text.
        ("Hunter2Hunter2", "Invalid argument: xHunter2Hunter2y", "Invalid argument: x<XX_REPLACED>y"),
        # The boundary: 8 characters are masked glued to other text, 7 only as a whole token.
        ("Gr8Pass!", "Invalid argument: xGr8Pass!y", "Invalid argument: x<XX_REPLACED>y"),
        ("Gr8Pass", "Invalid argument: xGr8Passy Gr8Pass", "Invalid argument: xGr8Passy <XX_REPLACED>"),
    ],
)
def test_short_passwords_are_masked_as_whole_tokens_and_long_ones_everywhere(
    mocker: Any, requests_mock: Any, password: str, reply: str, shown: str
) -> None:
    params = {**PARAMS, "credentials": {"identifier": "soc-api", "password": password}}
    requests_mock.get(f"{API}/pss/filter", status_code=400, text=reply)
    entries = run_main(mocker, "proofpoint-pps-smart-search", {}, params)
    assert entries[0]["Type"] == 4
    assert entries[0]["Contents"].endswith(shown)


@pytest.mark.parametrize(
    "character", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9b", "\r", "\n", "\u2028", "\u2029"]
)
def test_a_control_character_in_the_middle_of_a_value_is_refused(
    mocker: Any, requests_mock: Any, character: str
) -> None:
    entries = run_main(mocker, "proofpoint-pps-smart-search", {"subject": f"invoice{character}overdue"})
    assert entries[0]["Type"] == 4
    assert entries[0]["Contents"].startswith("Invalid value for subject: it contains a control character")
    assert not requests_mock.called


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "99999999999 years",
            "The form is right but the time is out of range: give a time after 1970-01-01.",
        ),
        ("999999 years", "The form is right but the time is out of range: give a time after 1970-01-01."),
        (
            "1969-12-31T23:59:59Z",
            "The form is right but the time is out of range: give a time after 1970-01-01.",
        ),
        ("yesterday-ish", 'Use "<number> <unit>"'),
    ],
)
def test_a_time_out_of_range_is_not_called_a_format_error(now: datetime, value: str, expected: str) -> None:
    with pytest.raises(pps.InvalidArgumentError) as error:
        pps.parse_time(value, "start_time", now)
    assert str(error.value) == f'Invalid value for start_time: "{value}". ' + (
        expected if expected.startswith("The form") else pps.TIME_FORM_HINT
    )


def test_a_wrongly_cased_folder_is_echoed_with_the_case_rule(mocker: Any, requests_mock: Any) -> None:
    folder_replies(requests_mock, {"quarantine": (400, "Invalid argument: folder")})
    entries = run_main(
        mocker, "proofpoint-pps-list-quarantined-messages", {"from": "*@doe.com", "folder_name": "quarantine"}
    )
    assert entries[0]["Type"] == 4
    assert entries[0]["Contents"] == (
        'Failed to execute proofpoint-pps-list-quarantined-messages. Could not search folder "quarantine": The PPS '
        'server refused folder_name "quarantine" (400): Invalid argument: folder. No folder has that name. Folder '
        'names are case-sensitive (e.g. "Quarantine", not "quarantine"): check the spelling and case.'
    )


def test_a_refused_target_folder_names_the_argument_and_the_module_rule(
    client: pps.Client, requests_mock: Any
) -> None:
    requests_mock.post(f"{API}/quarantine", status_code=400, text="Invalid argument: targetfolder")
    with pytest.raises(pps.ActionFailedError) as error:
        pps.quarantine_action_command(
            client, {"folder_name": "HIPAA", "local_guid": "4:2:6", "target_folder": "spam"}, "move"
        )
    ((outcome,),) = error.value.context.values()
    assert outcome["Message"].startswith(
        'The PPS server refused target_folder "spam" (400): Invalid argument: targetfolder. No folder has that '
        "name, or it holds another module's messages (spam and DLP-incident folders do not mix)."
    )


def test_an_unrecognised_400_keeps_the_servers_words(client: pps.Client, requests_mock: Any) -> None:
    requests_mock.post(f"{API}/quarantine", status_code=400, text="Invalid argument: localguid")
    with pytest.raises(pps.ActionFailedError) as error:
        pps.quarantine_action_command(client, {"folder_name": "HIPAA", "local_guid": "4:2:6"}, "delete")
    ((outcome,),) = error.value.context.values()
    assert outcome["Message"] == "The PPS server refused the request (400): Invalid argument: localguid"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_refused_connection_is_one_short_sentence(mocker: Any) -> None:
    port = closed_port()
    mocker.patch.object(pps.time, "sleep")
    entries = run_main(
        mocker, "proofpoint-pps-smart-search", {}, {**PARAMS, "url": f"https://127.0.0.1:{port}"}
    )
    assert entries[0]["Contents"] == (
        f"Failed to execute proofpoint-pps-smart-search. Could not connect to 127.0.0.1:{port} (after 4 tries): the "
        "connection was refused (nothing answers on that port). Check the Server URL (e.g. "
        "https://example.pphosted.com:10000) and that the appliance is reachable from XSOAR."
    )


def test_http_to_an_https_server_gets_a_hint_about_the_scheme(self_signed_server: str, mocker: Any) -> None:
    mocker.patch.object(pps.time, "sleep")
    plain = self_signed_server.replace("https://", "http://")
    host = urlsplit(plain).netloc
    entries = run_main(mocker, "proofpoint-pps-smart-search", {}, {**PARAMS, "url": plain})
    message = entries[0]["Contents"]
    assert message.startswith(
        f"Failed to execute proofpoint-pps-smart-search. The connection to {host} broke during GET /pss/filter (after 4 tries): the server "
    )
    assert message.endswith(
        f". The Server URL starts with http://, but the PPS API speaks HTTPS: use https://{host}."
    )


def test_https_to_a_plain_http_server_is_not_called_a_certificate_problem(
    counting_server: Any, mocker: Any
) -> None:
    server = counting_server(1, lambda *_: (200, "{}"), patience=0)
    address = server.url.removeprefix("http://")
    entries = run_main(
        mocker, "test-module", {}, {**PARAMS, "url": server.url.replace("http://", "https://")}
    )
    assert (
        f"pss module (smart search): Could not open a TLS connection to {address}: the TLS handshake failed "
        "(wrong version number). Check that the Server URL names the appliance's HTTPS API port"
        in entries[0]["Contents"]
    )


@pytest.mark.parametrize(
    ("error", "cause"),
    [
        (
            requests.exceptions.ConnectionError(socket.gaierror(-2, "Name or service not known")),
            "the host name could not be resolved",
        ),
        (
            requests.exceptions.ConnectionError(ConnectionResetError(104, "Connection reset by peer")),
            "the server reset the connection",
        ),
        (
            requests.exceptions.ConnectionError(OSError(101, "Network is unreachable")),
            "network is unreachable",
        ),
        (
            requests.exceptions.ConnectionError(
                "<urllib3.connection.HTTPSConnection object at 0x7f>: " + "x" * 300
            ),
            "ConnectionError (no further detail)",
        ),
    ],
)
def test_transport_causes_are_short_phrases(error: Exception, cause: str) -> None:
    assert pps.transport_cause(error) == cause


# -- the transport policy, rule by rule -----------------------------------------------------------


class FakeClock:
    """Stands in for the integration's `time`: sleeping advances the clock, and is recorded."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.mark.parametrize(("retry_after", "waited"), [("7", 7.0), ("120", pps.RETRY_AFTER_CAP_SECONDS)])
def test_retry_after_is_honoured_up_to_its_cap(
    client: pps.Client, requests_mock: Any, mocker: Any, retry_after: str, waited: float
) -> None:
    clock = FakeClock()
    mocker.patch.object(pps, "time", clock)
    requests_mock.get(
        f"{API}/pss/filter",
        [{"status_code": 429, "headers": {"Retry-After": retry_after}}, {"json": {"result": []}}],
    )
    assert client.smart_search({}) == []
    assert clock.slept == [waited]


def test_retries_stop_at_the_time_budget(client: pps.Client, requests_mock: Any, mocker: Any) -> None:
    clock = FakeClock()
    mocker.patch.object(pps, "time", clock)
    requests_mock.get(f"{API}/pss/filter", status_code=503, headers={"Retry-After": "25"})
    with pytest.raises(DemistoException, match=r"failed \(503"):
        client.smart_search({})
    # 25 + 25 fit in the 60 s budget; a third pause of 25 would not.
    assert clock.slept == [25.0, 25.0]
    assert requests_mock.call_count == 3


def test_backoff_grows_between_tries(requests_mock: Any, mocker: Any) -> None:
    clock = FakeClock()
    mocker.patch.object(pps, "time", clock)
    mocker.patch.object(pps.random, "uniform", return_value=0)
    client = pps.Client(SERVER, "soc-api", PASSWORD, verify=True, proxy=False)
    requests_mock.get(f"{API}/pss/filter", status_code=502)
    with pytest.raises(DemistoException):
        client.smart_search({})
    assert clock.slept == [0.5, 1.0, 2.0]


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_client_errors_are_not_retried(client: pps.Client, requests_mock: Any, status: int) -> None:
    requests_mock.get(f"{API}/pss/filter", status_code=status)
    with pytest.raises(DemistoException):
        client.smart_search({})
    assert requests_mock.call_count == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_actions_are_not_retried_on_5xx(client: pps.Client, requests_mock: Any, status: int) -> None:
    requests_mock.post(f"{API}/quarantine", status_code=status)
    with pytest.raises(pps.OutcomeUnknownError):
        client.act_on_message({"action": "release", "folder": "Q", "localguid": "1:1:1"})
    assert requests_mock.call_count == 1


def test_a_password_the_server_url_carries_is_masked_too(mocker: Any, requests_mock: Any) -> None:
    params = {
        **PARAMS,
        "url": "https://soc-api:url%2Fphrase@pps.example.com:10000",
        "credentials": {"identifier": "", "password": ""},
    }
    requests_mock.get(f"{API}/pss/filter", status_code=400, text="Invalid argument: url/phrase")
    entries = run_main(mocker, "proofpoint-pps-smart-search", {}, params)
    assert basic_auth_of(requests_mock.last_request) == "soc-api:url/phrase"
    assert "phrase" not in entries[0]["Contents"]
    assert "Invalid argument: <XX_REPLACED>" in entries[0]["Contents"]


# -- declared outputs against what the commands write (issue 11 #14) ------------------------------

# What each declared type admits. Lists and objects are declared Unknown; File.* is written by the
# server from the file entry, not by the command, so it is not checked here.
OUTPUT_TYPE_CHECKS: dict[str, Callable[[Any], bool]] = {
    "String": lambda value: isinstance(value, str),
    "Number": lambda value: isinstance(value, int | float) and not isinstance(value, bool),
    "Boolean": lambda value: isinstance(value, bool),
    "Date": lambda value: isinstance(value, str) and value[:4].isdigit(),
    "Unknown": lambda value: isinstance(value, list | dict),
}


def quarantine_replies(requests_mock: Any) -> None:
    folder_replies(
        requests_mock,
        {
            "quarantine": load_json("quarantine_search_reply.json"),
            "cloud": load_json("quarantine_search_reply_cloud.json"),
        },
    )


def action_replies(requests_mock: Any) -> None:
    def reply(request: Any, context: Any) -> str:
        local_guid = request.json()["localguid"]
        context.status_code = {"1:1:2": 400, "1:1:3": 502}.get(local_guid, 200)
        return "Invalid argument: localguid" if context.status_code == 400 else "Request sent."

    requests_mock.post(f"{API}/quarantine", text=reply)


ACTION_SAMPLE = {"folder_name": "HIPAA", "local_guid": "1:1:1,1:1:2,1:1:3", "target_folder": "PCI"}
LIST_SAMPLE = {"from": "*@doe.com", "folder_name": "Quarantine,Cloud"}

# Per command: the arguments and the recorded replies of a run that writes every declared output.
OUTPUT_SAMPLES: dict[str, tuple[dict[str, Any], Callable[[Any], None]]] = {
    "proofpoint-pps-smart-search": (
        {},
        lambda mock: mock.get(f"{API}/pss/filter", json=load_json("smart_search_reply.json")),
    ),
    "proofpoint-pps-list-quarantined-messages": (LIST_SAMPLE, quarantine_replies),
    "proofpoint-pps-quarantine-messages-list": (LIST_SAMPLE, quarantine_replies),
    **{
        f"proofpoint-pps-{name}": (ACTION_SAMPLE, action_replies)
        for action in ("release", "resubmit", "forward", "move", "delete")
        for name in (f"{action}-message", f"quarantine-message-{action}")
    },
}
OUTPUT_SAMPLES["proofpoint-pps-quarantine-message-forward"] = (
    {**ACTION_SAMPLE, "recipient": "analyst@example.com"},
    action_replies,
)


def declared_outputs() -> list[tuple[str, dict[str, str]]]:
    commands = yaml.safe_load(YAML_PATH.read_text())["script"]["commands"]
    return [
        (
            command["name"],
            {
                output["contextPath"]: output["type"]
                for output in command.get("outputs") or []
                if not output["contextPath"].startswith("File.")
            },
        )
        for command in commands
        # A download writes a file entry only: its File.* context comes from the server.
        if any(not output["contextPath"].startswith("File.") for output in command.get("outputs") or [])
    ]


def written_values(entries: list[Any]) -> dict[str, list[Any]]:
    """Every value the entries write to the context, by context path; lists of records are flattened and
    records inside records are walked too (Foo.Items.Name)."""
    values: dict[str, list[Any]] = {}

    def walk(path: str, value: Any) -> None:
        values.setdefault(path, []).append(value)
        for record in value if isinstance(value, list) else [value]:
            if isinstance(record, dict):
                for field, inner in record.items():
                    walk(f"{path}.{field}", inner)

    for entry in entries:
        for key, records in (entry.get("EntryContext") or {}).items():
            for record in records if isinstance(records, list) else [records]:
                for field, value in record.items():
                    walk(f"{key.split('(')[0]}.{field}", value)
    return values


@pytest.mark.parametrize(("command", "declared"), declared_outputs())
def test_every_declared_output_has_the_type_the_command_writes(
    mocker: Any, requests_mock: Any, command: str, declared: dict[str, str]
) -> None:
    args, replies = OUTPUT_SAMPLES[command]
    replies(requests_mock)
    written = written_values(run_main(mocker, command, args))
    assert not set(declared) - set(written), "declared outputs the sample run does not write"
    undeclared = [
        path
        for path in written
        if not any(path == known or path.startswith(known + ".") for known in declared)
        and not any(known.startswith(path + ".") for known in declared)
    ]
    assert not undeclared, f"{command} writes undeclared outputs"
    for path, declared_type in declared.items():
        wrong = [
            value
            for value in written[path]
            if value is not None and not OUTPUT_TYPE_CHECKS[declared_type](value)
        ]
        assert not wrong, f"{path} is declared {declared_type} but {command} writes {wrong[:3]}"


def user_replies(requests_mock: Any) -> None:
    requests_mock.get(ENDUSER_URL, json=load_json("enduser_reply.json"))
    requests_mock.post(ENDUSER_URL, json=load_json("enduser_reply.json"))
    requests_mock.put(ENDUSER_URL, json=load_json("enduser_reply.json"))


def sender_list_replies(requests_mock: Any) -> None:
    FakeEndUsers(
        requests_mock,
        {ALICE: a_user(ALICE, safelist=["partner.example.net"], blocklist=["deals@spam.example"])},
    )


OUTPUT_SAMPLES |= {
    "proofpoint-pps-get-user": ({"email": ALICE}, user_replies),
    "proofpoint-pps-create-user": ({"email": ALICE, "fields": '{"firstname": "Alice"}'}, user_replies),
    "proofpoint-pps-modify-user": ({"uid": "1004", "fields": '{"lastname": "Ng"}'}, user_replies),
    "proofpoint-pps-sender-list-add": (
        {"email": ALICE, "list": "blocklist", "entries": "evil.example,deals@spam.example"},
        sender_list_replies,
    ),
    "proofpoint-pps-sender-list-remove": (
        {"email": ALICE, "list": "safelist", "entries": "partner.example.net,nobody.example"},
        sender_list_replies,
    ),
}


def test_a_sender_list_change_with_nothing_made_says_so_above_the_table(
    client: pps.Client, requests_mock: Any
) -> None:
    FakeEndUsers(requests_mock, {})  # neither user exists
    with pytest.raises(pps.ActionFailedError) as error:
        pps.sender_list_command(
            client,
            {"email": "x@example.com,y@example.com", "list": "blocklist", "entries": "evil.example"},
            adding=True,
        )
    first_line, _, table = error.value.message.partition("\n\n")
    assert (
        first_line == "None of the 2 blocklist changes was made (2 failed); each change's outcome is below."
    )
    assert table.startswith(
        "### Proofpoint Protection Server blocklist changes\n|User|List|Entry|Outcome|Message|"
    )


def sender_summary_replies(requests_mock: Any) -> None:
    requests_mock.get(f"{API}/pss/filter", json=load_json("sender_summary_smart_search_reply.json"))
    requests_mock.get(
        f"{API}/quarantine",
        json={
            "records": [
                {"guid": "q1", "date": "2026-11-25 23:00:00", "spamscore": 88, "folder": "Quarantine"}
            ]
        },
    )


OUTPUT_SAMPLES["proofpoint-pps-sender-summary"] = (
    {"sender": "*@bad.example", "start_time": "2026-11-21T12:00:00Z", "end_time": "2026-11-28T12:00:00Z"},
    sender_summary_replies,
)


def test_each_official_name_runs_the_function_of_its_seed_name() -> None:
    """OFFICIAL_COMMAND_NAMES (which the docs and playbook checks read) and the dispatch table agree."""

    def target(command: str) -> Any:
        function = pps.COMMANDS[command]
        return (
            (function.func, function.keywords.get("action"))
            if isinstance(function, partial)
            else (function, None)
        )

    assert len(pps.OFFICIAL_COMMAND_NAMES) == 7
    for seed, official in pps.OFFICIAL_COMMAND_NAMES.items():
        assert target(official) == target(seed)
    aliases = {name for name in pps.COMMANDS if "-quarantine-message" in name}
    assert aliases == set(pps.OFFICIAL_COMMAND_NAMES.values())
