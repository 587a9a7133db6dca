"""DRAFT tests for issue 8 §2-§3 (end users, sender lists). At merge, everything below the END OF DRAFT HEADER
line is appended to ProofpointProtectionServerV2_test.py (its fixtures and helpers have the same names)."""

import json
import re
import sys
import threading
from pathlib import Path
from typing import Any
from urllib.parse import unquote

DRAFT = Path(__file__).resolve().parent
sys.path.insert(0, str(DRAFT))

import demistomock as demisto
import ProofpointProtectionServerV2 as pps
import pytest
import requests_mock as requests_mock_module
from hypothesis import given, settings
from hypothesis import strategies as st

assert Path(pps.__file__).parent == DRAFT, pps.__file__

TEST_DATA = DRAFT / "TestData"
SERVER = "https://pps.example.com:10000"
API = f"{SERVER}/rest/v1"
PASSWORD = "S3cret-Pa55word!"
PARAMS = {"url": SERVER, "credentials": {"identifier": "soc-api", "password": PASSWORD}, "timeout": "5"}


def load_json(name: str) -> Any:
    return json.loads((TEST_DATA / name).read_text())


@pytest.fixture
def client() -> pps.Client:
    client = pps.Client(SERVER, "soc-api", PASSWORD, verify=True, proxy=False, timeout=5)
    client.backoff_base = 0
    return client


def run_main(
    mocker: Any, command: str, args: dict[str, Any], params: dict[str, Any] | None = None
) -> list[Any]:
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


# END OF DRAFT HEADER


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
        ({"email": ALICE, "list": "safelist", "entries": "10.1.2.3"}, "for entries"),
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
