"""Unit tests: for every command, the request that leaves and what the user gets back (recorded replies)."""

import json
import ssl
import threading
from datetime import datetime, timezone
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import demistomock as demisto
import pytest
import requests
import yaml
from CommonServerPython import CommandResults, DemistoException

import ProofpointProtectionServerV2 as pps

ROOT = Path(__file__).resolve().parents[2]
TEST_DATA = ROOT / "TestData"
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
            "host": "10.1.2.3",
            "sid": "25nnq08028",
            "subject": "invoice",
            "guid": "Qa3mF0aLx1Zq9kT2bW7yR5nP8cV4hJ6e",
            "message_id": "<a@b.c>",
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
        "host": ["10.1.2.3"],
        "sid": ["25nnq08028"],
        "subject": ["invoice"],
        "guid": ["qa3mf0alx1zq9kt2bw7yr5np8cv4hj6e"],
        "hdr_mid": ["<a@b.c>"],
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
            "from": "john@doe.com",
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
        "from": ["john@doe.com"],
        "rcpt": ["example.com"],
        "subject": ["loan"],
        "startdate": ["2020-01-01 00:00:00"],
        "enddate": ["2020-01-31 23:00:00"],
        "limit": ["100"],
    }
    context = result.to_context()
    key = "Proofpoint.QuarantinedMessage(val.guid && val.guid == obj.guid)"
    assert context["EntryContext"][key] == reply["records"][::-1]  # newest first
    assert context["EntryContext"][key][0]["rcpts"] == ["user@test.com", "other@test.com"]
    assert context["HumanReadable"].startswith(
        "### Proofpoint Protection Server Quarantined Messages\n|localguid|guid|date|from|rcpts|"
    )
    assert "| user@test.com,<br>other@test.com |" in context["HumanReadable"]


def test_list_quarantined_messages_accepts_older_argument_names(
    client: pps.Client, requests_mock: Any
) -> None:
    requests_mock.get(f"{API}/quarantine", json={"count": 0, "records": []})
    pps.list_quarantined_messages_command(
        client, {"sender": "*@doe.com", "recipient": "foo@bar.com", "folder_name": "Spam"}
    )
    sent = requests_mock.last_request.qs
    assert sent["from"] == ["*@doe.com"]
    assert sent["rcpt"] == ["foo@bar.com"]
    assert sent["folder"] == ["spam"]


def test_list_quarantined_messages_refuses_conflicting_alias(client: pps.Client, requests_mock: Any) -> None:
    with pytest.raises(pps.InvalidArgumentError, match="from and sender"):
        pps.list_quarantined_messages_command(client, {"from": "a@b.com", "sender": "c@d.com"})
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
    requests_mock.get(f"{API}/quarantine?guid=lR_SjEF1Llfn9gML8YZzpVPUukjXQcPO", content=raw)
    entry = pps.list_quarantined_messages_command(client, {"guid": "lR_SjEF1Llfn9gML8YZzpVPUukjXQcPO"})
    assert entry["Type"] == 3
    assert entry["File"] == "lR_SjEF1Llfn9gML8YZzpVPUukjXQcPO.eml"
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
        client, {argument: "g4fsnj_sTLMk9hECaJwmmxwP6lQkr5k7"}
    )
    assert requests_mock.last_request.qs == {"guid": ["g4fsnj_stlmk9hecajwmmxwp6lqkr5k7"]}
    assert entry == {
        "Contents": "",
        "ContentsFormat": "text",
        "Type": 3,
        "File": "g4fsnj_sTLMk9hECaJwmmxwP6lQkr5k7.eml",
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
    with pytest.raises(DemistoException, match=r"larger .* than the instance's maximum download size"):
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
            "local_guid": "g4fsnj_sTLMk9hECaJwmmxwP6lQkr5k7",
            "deleted_folder": "Spam",
        },
        {
            "action": "delete",
            "folder": "Quarantine",
            "localguid": "g4fsnj_sTLMk9hECaJwmmxwP6lQkr5k7",
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
    assert (
        "| 1:1:1 | failed | The PPS server refused the request (400): Invalid argument: folder |"
        in entries[0]["Contents"]
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
        client.search_quarantine({"from": "a@b.c"})
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
    csp_path = ROOT / "xsoar_runtime" / "CommonServerPython.py"
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
    (entry,) = run_main(mocker, command, {"guid": "g4fsnj_sTLMk9hECaJwmmxwP6lQkr5k7"})
    assert requests_mock.last_request.qs == {"guid": ["g4fsnj_stlmk9hecajwmmxwp6lqkr5k7"]}
    assert (entry["Type"], entry["File"]) == (3, "g4fsnj_sTLMk9hECaJwmmxwP6lQkr5k7.eml")
    assert (tmp_path / f"1_{entry['FileID']}").read_bytes() == raw


def test_official_list_takes_sender_and_recipient(client: pps.Client, requests_mock: Any) -> None:
    requests_mock.get(f"{API}/quarantine", json={"count": 0, "records": []})
    pps.COMMANDS["proofpoint-pps-quarantine-messages-list"](
        client, {"sender": "*@doe.com", "recipient": "foo@bar.com"}
    )
    sent = requests_mock.last_request.qs
    assert (sent["from"], sent["rcpt"]) == (["*@doe.com"], ["foo@bar.com"])


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
        {"folder_name": "g4fsnj_sTLMk9hECaJwmmxwP6lQkr5k7"},
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


class CountingServer(ThreadingHTTPServer):
    """A local HTTP server that counts the requests it is answering at once (requests-mock answers one
    at a time, so it cannot show concurrency). No clock in the assertions: each request waits until
    `expected` are in flight together, or gives up, and `most` tells which happened."""

    daemon_threads = True

    def __init__(
        self, expected: int, reply: Callable[[str, str, bytes], tuple[int, str]], patience: float
    ) -> None:
        super().__init__(("127.0.0.1", 0), CountingHandler)
        self.expected = expected
        self.patience = patience
        self.reply = reply
        self.now = 0
        self.most = 0
        self.requests: list[tuple[str, str, bytes]] = []
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
            server.changed.notify_all()
            server.changed.wait_for(lambda: server.most >= server.expected, timeout=server.patience)
        status, text = server.reply(self.command, self.path, body)
        with server.changed:
            server.now -= 1
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json" if text.startswith("{") else "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = answer
    do_POST = answer


@pytest.fixture
def counting_server() -> Iterator[Callable[..., CountingServer]]:
    started: list[CountingServer] = []

    def start(
        expected: int, reply: Callable[[str, str, bytes], tuple[int, str]], patience: float = 5
    ) -> CountingServer:
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
        ("2020-01-25 08:30:00", "Zx9wV8uT7sR6qP5oN4mL3kJ2iH1gF0eD", "Spam"),
        ("2020-01-22 10:00:18", "AAk3mQ7xZp0LwE2bN9cR4tY6uI8oP1sD", "Spam"),
        ("2020-01-22 10:00:18", "edlp0pU9YXkWB5nmat91i9HUl7J-K-ep", "Quarantine"),
        ("2020-01-15 20:00:00", "lR_SjEF1Llfn9gML8YZzpVPUukjXQcPO", "Quarantine"),
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
        {
            "hipaa": (400, "Invalid argument: folder"),
            "pci": (400, "Invalid argument: folder"),
            "spam": (403, ""),
        },
    )
    entries = run_main(
        mocker,
        "proofpoint-pps-list-quarantined-messages",
        {"from": "*@doe.com", "folder_name": "HIPAA,PCI,Spam"},
    )
    assert len(entries) == 1
    assert entries[0]["Type"] == 4
    message = entries[0]["Contents"]
    assert 'Could not search folders "HIPAA", "PCI": ' in message
    assert 'Could not search folder "Spam": Access denied (403)' in message


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
        "Lm3No4Pq5Rs6Tu7Vw8Xy9Za0Bc1De2Fg",
        "Pq7Rs8Tu9Vw0Xy1Za2Bc3De4Fg5Hi6Jk",
        "Zx9wV8uT7sR6qP5oN4mL3kJ2iH1gF0eD",
        "AAk3mQ7xZp0LwE2bN9cR4tY6uI8oP1sD",
    ]
    # One type per field whichever flavour answered: the declared String.
    assert [(record["size"], record["spamscore"]) for record in records[:2]] == [
        ("734", "0"),
        ("20480", "100"),
    ]
    assert records[1]["localguid"] == records[1]["guid"]
    assert records[1]["messagestatus"] == cloud["records"][0]["messagestatus"]
    table = entries[0]["HumanReadable"]
    assert (
        "| Pq7Rs8Tu9Vw0Xy1Za2Bc3De4Fg5Hi6Jk | Pq7Rs8Tu9Vw0Xy1Za2Bc3De4Fg5Hi6Jk | 2026-06-17 17:48:41 | john@doe.com "
        "| user@test.com | Invoice overdue | Quarantine | 100 | 20480 | mail.example.net [203.0.113.7] |"
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
        "localguid": "Pq7Rs8Tu9Vw0Xy1Za2Bc3De4Fg5Hi6Jk",
    }


def local_client(server: CountingServer) -> pps.Client:
    return pps.Client(server.url, "soc-api", PASSWORD, verify=True, proxy=False, timeout=10)


def test_folders_are_searched_concurrently_within_the_bound(counting_server: Any) -> None:
    folders = [f"Folder{number}" for number in range(6)]
    server = counting_server(pps.FOLDER_CONCURRENCY, lambda *_: (200, '{"records": []}'))
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
