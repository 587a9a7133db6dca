"""Draft tests for fetch-incidents and the sender summary (to merge into ProofpointProtectionServerV2_test.py)."""

import json
import random
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import demistomock as demisto
import pytest
import requests_mock as requests_mock_module
from CommonServerPython import DemistoException
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fetch_draft as pps

ROOT = Path(__file__).resolve().parents[2]
TEST_DATA = ROOT / "TestData"
SERVER = "https://pps.example.com:10000"
API = f"{SERVER}/rest/v1"
PASSWORD = "S3cret-Pa55word!"
PARAMS = {"url": SERVER, "credentials": {"identifier": "soc-api", "password": PASSWORD}, "timeout": "5"}
NOW = datetime(2026, 11, 28, 12, 0, 0, tzinfo=timezone.utc)


@pytest.fixture
def client() -> pps.Client:
    client = pps.Client(SERVER, "soc-api", PASSWORD, verify=True, proxy=False, timeout=5)
    client.backoff_base = 0
    return client


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
        "name": "Quarantine: john@doe.com - Loan",
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


def test_the_last_run_forgets_guids_older_than_the_look_back_window(
    client: pps.Client, requests_mock: Any
) -> None:
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


def test_a_record_without_guid_or_date_is_skipped(client: pps.Client, requests_mock: Any) -> None:
    requests_mock.get(
        f"{API}/quarantine",
        json={
            "records": [
                {"date": stamp(NOW), "subject": "no guid"},
                {"guid": "g-bad-date", "date": "yesterday"},
                {"guid": "good", "date": stamp(NOW), "from": "a@b.c", "subject": "s"},
            ]
        },
    )
    _, incidents = run_fetch(client, fetch_settings(), {}, NOW)
    assert guids_of(incidents) == ["good"]


def test_a_record_listed_twice_in_one_reply_is_one_incident(client: pps.Client, requests_mock: Any) -> None:
    record = {"guid": "twice", "date": stamp(NOW - timedelta(minutes=1)), "from": "a@b.c", "subject": "s"}
    requests_mock.get(f"{API}/quarantine", json={"records": [record, dict(record)]})
    last_run, incidents = run_fetch(client, fetch_settings(), {}, NOW)
    assert guids_of(incidents) == ["twice"]
    assert last_run["folders"]["Quarantine"]["taken"] == {"2026-11-28T11:59:00Z": ["twice"]}


# -- main: the runtime's fetch contract -----------------------------------------------------------


def run_fetch_main(mocker: Any, params: dict[str, Any]) -> None:
    mocker.patch.object(demisto, "params", return_value=params)
    mocker.patch.object(demisto, "command", return_value="fetch-incidents")
    pps.fetch_incidents_command(pps.build_client(params), params)


def test_fetch_stores_the_last_run_and_sends_the_incidents(mocker: Any, requests_mock: Any) -> None:
    demisto.reset()
    fake = FakeQuarantine(requests_mock)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    fake.now = now
    fake.add("Quarantine", now - timedelta(hours=1), "g1")
    run_fetch_main(mocker, {**PARAMS, "isFetch": True})
    stored = demisto.getLastRun()
    assert list(stored["folders"]["Quarantine"]) == ["time", "from", "span", "taken"]
    sent = json.loads(demisto.captured_entries[-1]["Contents"])
    assert guids_of(sent) == ["g1"]


def test_a_failed_fetch_stores_no_last_run_and_sends_no_incidents(mocker: Any, requests_mock: Any) -> None:
    demisto.reset()
    demisto.setLastRun(
        {"folders": {"Quarantine": {"time": "x", "from": "2026-11-28T11:00:00Z", "taken": {}}}}
    )
    requests_mock.get(f"{API}/quarantine", status_code=400, text="Invalid argument: folder")
    with pytest.raises(DemistoException):
        run_fetch_main(mocker, PARAMS)
    assert demisto.getLastRun()["folders"]["Quarantine"]["time"] == "x"
    assert demisto.captured_entries == []


# -- attachments ----------------------------------------------------------------------------------


def test_the_raw_message_is_attached_when_asked(
    client: pps.Client, requests_mock: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    raw = (TEST_DATA / "quarantined_message.eml").read_bytes()
    fake = FakeQuarantine(requests_mock)
    fake.add("Quarantine", NOW - timedelta(minutes=1), "g4fsnj_sTLMk9hECaJwmmxwP6lQkr5k7")
    requests_mock.get(f"{API}/quarantine?guid=g4fsnj_sTLMk9hECaJwmmxwP6lQkr5k7", content=raw)
    _, incidents = run_fetch(client, fetch_settings(attach_message=True), {}, NOW)
    attachment = incidents[0]["attachment"]
    assert attachment == [{"path": attachment[0]["path"], "name": "g4fsnj_sTLMk9hECaJwmmxwP6lQkr5k7.eml"}]
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


# -- sender summary -------------------------------------------------------------------------------


SMART_RECORDS = [
    {
        "GUID": "m1",
        "Date": "2026-11-27 08:00:00 [UTC-0600]",
        "Final_Action": "discard",
        "Recipients": "a@example.com,b@example.com",
        "Virus_Names": "Eicar",
        "Spam_Score": "100",
    },
    {
        "GUID": "m2",
        "Date": "2026-11-26 10:00:00 [UTC+0000]",
        "Final_Action": "accept",
        "Recipients": "A@example.com",
        "Virus_Names": "",
        "Spam_Score": "12",
    },
    {
        "GUID": "m3",
        "Date": "2026-11-28 09:00:00 [UTC+0100]",
        "Final_Action": "discard",
        "Recipients": "c@example.com",
        "Virus_Names": "Eicar,Trojan.X",
        "Spam_Score": "",
    },
]


def test_sender_summary_requests_and_context(
    client: pps.Client, requests_mock: Any, monkeypatch: Any
) -> None:
    requests_mock.get(f"{API}/pss/filter", json={"result": SMART_RECORDS})
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
    readable = result.readable_output
    assert "- Messages: 3 (discard 2, accept 1)" in readable
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
    assert "**Counts are partial**" in result.readable_output


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
        ({"sender": "x@y.z", "start_time": "soon"}, "start_time"),
        ({"sender": "x@y.z", "folder_name": "f" * 300}, "folder_name"),
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
            assert keep_from == min(reached, fake.now - look_back)
            stored = [guid for guids in folder_state["taken"].values() for guid in guids]
            assert set(stored) <= set(emitted)
            assert all(dates[guid] >= keep_from for guid in stored)
    assert sorted(emitted) == sorted(dates)
    assert len(emitted) == len(set(emitted))
    # Caught up: what the last-run holds is the look-back window's messages, nothing older.
    for folder_state in last_run["folders"].values():
        assert pps.parse_iso_utc(folder_state["from"]) == fake.now - look_back
