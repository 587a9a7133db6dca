"""Property tests: every command, fed random and hostile arguments, ends in valid entries and sends
only values the PPS API accepts.

The arguments are built from the YAML's argument names; each run goes through the War Room runner
in this process, against a requests-mock catch-all that answers like PPS (or with an error, drawn
too). Profiles are in conftest.py: `ci` runs a fixed set of 60 examples per command.
"""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest
import requests_mock
from hypothesis import event, given
from hypothesis import strategies as st

from warroom import Integration, RunResult, load_integration, run_command

from .helpers import ENTRY_ERROR, ENTRY_FILE, ENTRY_NOTE, ENTRY_WARNING, war_room_line

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEST_DATA = PROJECT_ROOT / "TestData"
SERVER = "https://pps.example.com:10000"
PARAMS = {"url": SERVER, "credentials": {"identifier": "admin", "password": "fuzz-password"}}

INTEGRATION = load_integration()
COMMANDS = ["test-module", *sorted(INTEGRATION.manifest.commands)]

SMART_SEARCH_REPLY = (TEST_DATA / "smart_search_reply.json").read_bytes()
QUARANTINE_REPLY = (TEST_DATA / "quarantine_search_reply.json").read_bytes()
RAW_MESSAGE = (TEST_DATA / "quarantined_message.eml").read_bytes()
ENDUSER_REPLY = json.loads((TEST_DATA / "enduser_reply.json").read_bytes())

# ---- what a request may carry ------------------------------------------------------------------------

API_PATHS = {"/rest/v1/pss/health", "/rest/v1/pss/filter", "/rest/v1/quarantine"}
ENDUSER_PREFIX = "/rest/v1/enduser/"
# One path segment, percent-encoded: no raw character that would end or split it.
ENDUSER_SEGMENT = re.compile(r"(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})+")
ENDUSER_METHODS = {"GET", "POST", "PUT", "DELETE"}
USER_LIST_FIELDS = {"safelist", "blocklist"}
FILTER_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{4}")
QUARANTINE_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}")
LOCAL_GUID = re.compile(r"[0-9]+:[0-9]+:[0-9]+")
CLOUD_GUID = re.compile(r"[A-Za-z0-9_-]{8,64}")
MESSAGE_GUID = re.compile(r"[A-Za-z0-9_=-]{1,128}")
SMART_SEARCH_PARAMS = {
    "action", "from", "to", "virus", "env_from", "env_rcpt", "attach", "qid", "host", "sid", "subject",
    "guid", "hdr_mid", "count",
}  # fmt: skip
QUARANTINE_PARAMS = {"folder", "from", "rcpt", "subject", "startdate", "enddate", "limit"}
ACTION_FIELDS = {
    "action", "folder", "localguid", "deletedfolder", "scan", "brandtemplate", "securitypolicy",
    "targetfolder", "to", "from", "headerfrom", "subject", "appendoldsubject", "comment",
}  # fmt: skip
ACTIONS = {"release", "resubmit", "forward", "move", "delete"}
# A forwarded message's new body: line breaks are its point.
MULTILINE_FIELDS = {"comment"}


def control_characters(text: str, allowed: str = "") -> str:
    """What is wrong with `text` for a PPS request: its control characters (Unicode category Cc), tab
    excepted, named `C1 control character` when all are C1 (U+0080..U+009F), or "" when there is none."""
    found = [char for char in text if unicodedata.category(char) == "Cc" and char not in "\t" + allowed]
    if not found:
        return ""
    return "C1 control character" if all("\x80" <= char <= "\x9f" for char in found) else "control character"


def short_year(text: str) -> str:
    return (
        " (a year of fewer than four digits)" if re.match(r"[0-9]{1,3}-[0-9]{2}-[0-9]{2}[T ]", text) else ""
    )


def request_problems(request: Any) -> list[str]:
    """What is wrong with one request that left the integration; empty when it is one PPS accepts."""
    problems: list[str] = []
    parts = urlsplit(request.url)
    where = f"{request.method} {parts.path}"
    if f"{parts.scheme}://{parts.netloc}" != SERVER:
        return [f"request to an unexpected place: {request.url}"]
    if parts.path.startswith(ENDUSER_PREFIX):
        return enduser_request_problems(request, parts.path[len(ENDUSER_PREFIX) :], parts.query)
    if parts.path not in API_PATHS:
        return [f"request to an unexpected place: {request.url}"]
    query = parse_qsl(parts.query, keep_blank_values=True)
    names = [name for name, _ in query]
    if len(names) != len(set(names)):
        problems.append(f"{where}: a query parameter repeated: {names}")
    values = dict(query)
    for name, value in query:
        if kind := control_characters(value):
            problems.append(f"{where}: {kind} in query {name}={value!r}")
        if value == "":
            problems.append(f"{where}: empty query parameter {name}")
    if parts.path == "/rest/v1/pss/filter":
        problems += [f"{where}: unknown parameter {name}" for name in set(values) - SMART_SEARCH_PARAMS]
        for name in ("from", "to"):
            if name in values and not FILTER_TIME.fullmatch(values[name]):
                problems.append(
                    f"{where}: {name}={values[name]!r} is not YYYY-MM-DDTHH:MM:SS+HHMM{short_year(values[name])}"
                )
        count = values.get("count", "100")
        if not (re.fullmatch(r"[0-9]+", count) and 1 <= int(count) <= 10000):
            problems.append(f"{where}: count={count!r} is not a whole number from 1 to 10000")
    elif parts.path == "/rest/v1/quarantine" and request.method == "GET":
        if "guid" in values:
            if set(values) != {"guid"} or not MESSAGE_GUID.fullmatch(values["guid"]):
                problems.append(f"{where}: download query {values}")
        else:
            problems += [f"{where}: unknown parameter {name}" for name in set(values) - QUARANTINE_PARAMS]
            if not {"from", "rcpt", "subject"} & set(values):
                problems.append(f"{where}: search without from, rcpt or subject")
            for name in ("startdate", "enddate"):
                if name in values and not QUARANTINE_TIME.fullmatch(values[name]):
                    problems.append(
                        f"{where}: {name}={values[name]!r} is not YYYY-MM-DD HH:MM:SS{short_year(values[name])}"
                    )
    elif parts.path == "/rest/v1/quarantine" and request.method == "POST":
        problems += action_body_problems(where, request.body)
    return problems


def enduser_request_problems(request: Any, segment: str, query: str) -> list[str]:
    """An /enduser request: one encoded, non-empty segment naming a user, no query, a JSON object body
    on writes whose sender lists are lists of clean strings, and no empty `attributes`."""
    where = f"{request.method} /enduser/{segment}"
    problems: list[str] = []
    if request.method not in ENDUSER_METHODS:
        problems.append(f"{where}: unexpected method")
    if not ENDUSER_SEGMENT.fullmatch(segment):
        problems.append(f"{where}: the user segment is empty or not percent-encoded")
    elif kind := control_characters(unquote(segment)):
        problems.append(f"{where}: {kind} in the user segment")
    if query:
        problems.append(f"{where}: unexpected query {query!r}")
    if request.method not in ("POST", "PUT"):
        return problems
    try:
        body = json.loads(request.body)
    except (TypeError, ValueError):
        return [*problems, f"{where}: the body is not JSON: {request.body!r}"]
    if not isinstance(body, dict):
        return [*problems, f"{where}: the body is not a JSON object: {body!r}"]
    if body.get("attributes") == {}:
        problems.append(f"{where}: an empty attributes object, which may clear the user's attributes")
    for name in USER_LIST_FIELDS & set(body):
        entries = body[name]
        if not isinstance(entries, list) or not all(isinstance(entry, str) for entry in entries):
            problems.append(f"{where}: {name} is not a list of strings: {entries!r}")
        elif any(control_characters(entry) or not entry.strip() for entry in entries):
            problems.append(f"{where}: an empty entry or a control character in {name}: {entries!r}")
    return problems


def action_body_problems(where: str, raw: Any) -> list[str]:
    try:
        body = json.loads(raw)
    except (TypeError, ValueError):
        return [f"{where}: the body is not JSON: {raw!r}"]
    if not isinstance(body, dict):
        return [f"{where}: the body is not a JSON object: {body!r}"]
    problems = [
        f"{where}: {name} is not a string: {value!r}"
        for name, value in body.items()
        if not isinstance(value, str)
    ]
    if problems:
        return problems
    problems += [f"{where}: unknown field {name}" for name in set(body) - ACTION_FIELDS]
    for name, value in body.items():
        if kind := control_characters(value, "\n" if name in MULTILINE_FIELDS else ""):
            problems.append(f"{where}: {kind} in {name}={value!r}")
    if body.get("action") not in ACTIONS or not body.get("folder"):
        problems.append(f"{where}: action or folder missing: {body}")
    localguid = body.get("localguid", "")
    if re.fullmatch(r"\d+:\d+:\d+", localguid) and not localguid.isascii():
        problems.append(f"{where}: localguid={localguid!r} has non-ASCII digits")
    elif not (LOCAL_GUID.fullmatch(localguid) or CLOUD_GUID.fullmatch(localguid)):
        problems.append(f"{where}: localguid={localguid!r} is neither folder:table:dbase nor a cloud GUID")
    for name in ("scan", "appendoldsubject"):
        if name in body and body[name] not in ("t", "f"):
            problems.append(f"{where}: {name}={body[name]!r} is not t or f")
    return problems


def entry_problems(result: RunResult, debug: bool, workdir: Path) -> list[str]:
    problems: list[str] = []
    if result.exit_code not in (0, 1, 2):
        problems.append(f"exit code {result.exit_code}")
    if not result.entries:
        problems.append("no entry at all")
    for entry in result.entries:
        kind = entry.get("Type")
        missing = {"Type", "ContentsFormat", "Contents"} - set(entry)
        if kind not in (ENTRY_NOTE, ENTRY_FILE, ENTRY_ERROR, ENTRY_WARNING):
            problems.append(f"entry of type {kind}: {entry}")
        if missing:
            problems.append(f"entry without {sorted(missing)}: {entry}")
        if kind == ENTRY_FILE and not (entry.get("File") and entry.get("FileID")):
            problems.append(f"file entry without File or FileID: {entry}")
        if kind == ENTRY_ERROR and not str(entry.get("Contents") or "").strip():
            problems.append(f"error entry without a message: {entry}")
    text = json.dumps(result.entries, default=str)
    if not debug and "Traceback" in text:
        problems.append(f"a traceback shown outside debug mode: {text[:2000]}")
    has_error = any(entry.get("Type") == ENTRY_ERROR for entry in result.entries)
    if (result.exit_code == 0) == has_error:
        problems.append(f"exit code {result.exit_code} does not match the entries")
    for path in result.files:
        if path.resolve().parent != workdir.resolve():
            problems.append(f"a file saved outside the work folder: {path}")
    return problems


# ---- the fake PPS ----------------------------------------------------------------------------------

REPLY_KINDS = ["ok", "ok", "ok", "empty", "400", "401", "403", "404", "429", "503", "malformed", "html"]


def pps_reply(kind: str) -> Callable[[Any, Any], bytes]:
    """A requests-mock callback answering as PPS does, or with the error `kind`."""

    def reply(request: Any, context: Any) -> bytes:
        path = urlsplit(request.url).path
        context.headers["Content-Type"] = "application/json"
        statuses = {"400": 400, "401": 401, "403": 403, "404": 404, "429": 429, "503": 503}
        if kind in statuses:
            context.status_code = statuses[kind]
            context.headers["Content-Type"] = "text/plain"
            context.headers["Retry-After"] = "0"
            return b"Invalid argument: folder" if kind == "400" else kind.encode()
        if kind == "malformed":
            return b'{"result": [{"GUID": "'
        if kind == "html":
            context.headers["Content-Type"] = "text/html"
            return b"<!DOCTYPE html><html><body><h1>Bad Gateway</h1></body></html>"
        empty = kind == "empty"
        if path.startswith(ENDUSER_PREFIX):
            return enduser_reply(request, context, empty)
        if path.endswith("/pss/health"):
            return b'{"status": "ok"}'
        if path.endswith("/pss/filter"):
            return b'{"result": []}' if empty else SMART_SEARCH_REPLY
        if request.method == "GET" and "guid=" in urlsplit(request.url).query:
            if empty:
                context.status_code = 404
                return b"Message not found"
            context.headers["Content-Type"] = "message/rfc822"
            return RAW_MESSAGE
        if request.method == "GET":
            return b'{"count": 0, "records": []}' if empty else QUARANTINE_REPLY
        body = json.loads(request.body)
        action, localguid = body.get("action"), body.get("localguid")
        if action in ("move", "delete"):
            return json.dumps({"status": f"Successfully {action}d message {localguid}"}).encode()
        context.headers["Content-Type"] = "text/plain"
        return b"" if empty else f"Request sent. Message {localguid} will be {action}ed momentarily".encode()

    return reply


def enduser_reply(request: Any, context: Any, empty: bool) -> bytes:
    """PPS's /enduser answers: a user object, `User not found` for an empty store, 200 on delete."""
    if empty and request.method != "POST":
        context.status_code = 404
        return json.dumps(
            {"status": 404, "errors": {"invalidarguments": [{"error": "User not found"}]}}
        ).encode()
    if request.method == "DELETE":
        return b""
    user = dict(ENDUSER_REPLY)
    if request.method in ("POST", "PUT"):
        sent = json.loads(request.body)
        user.update({name: sent[name] for name in USER_LIST_FIELDS & set(sent)})
    return json.dumps(user).encode()


# ---- arguments -------------------------------------------------------------------------------------

HOSTILE = [
    "", " ", "*", "**", "*@*", "@", ",", ",,", "a,b,,c", " , ", "../", "../../etc/passwd", "..\\..\\boot.ini",
    "/", "%00", "%0d%0aX-Injected: 1", "\x00", "\r\nX-Injected: 1", "a\nb", "\t", "\x85", "\u2028",
    "\u202e", "\ufeff", "ü", "é€ł", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "٣", "null", "None", "undefined", "[]", "{}", "true",
    "false", "True", "yes", "no", "0", "1", "-1", "1.5", "1e3", "NaN", "99999999999999999999",
    "'; DROP TABLE messages; --", "<script>alert(1)</script>", "${jndi:ldap://x}", "{{7*7}}",
    '"quoted"', "back\\slash", "a b", "x" * 300,
]  # fmt: skip
PLAUSIBLE: dict[str, list[str]] = {
    "local_guid": [
        "4:2:6",
        "4:2:6,4:2:6",
        "4:2:6, 7:8:9",
        "exampleguid000000000000000000009",
        "4:2",
        "4:2:6:1",
        "-4:2:6",
        "٤:٢:٦",
        "４:２:６",
        "4:2:6,exampleguid000000000000000000009",
        '["4:2:6", "1:2:3"]',
        "['4:2:6']",
        "short",
        "a" * 65,
    ],
    "guid": ["exampleguid000000000000000000009", "exampleguid000000000000000000010", "a=b", "a/b", "x" * 129],
    "start_time": [
        "12 hours",
        "7 days",
        "1 day ago",
        "0 minutes",
        "2 weeks",
        "3 months",
        "1 year",
        "999999 years",
        "2000 years",
        "1500 years",
        "2020-01-25T10:00:00Z",
        "2020-01-25T10:00:00+05:30",
        "2020-01-25",
        "2020-01-25 10:00:00",
        "0001-01-01T00:00:00Z",
        "0001-01-01T00:00:00+14:00",
        "0999-06-01T00:00:00Z",
        "9999-12-31T23:59:59Z",
        "9999-12-31T23:59:59-14:00",
        "2020-02-30T00:00:00Z",
        "yesterday",
        "now",
    ],
    "limit": ["1", "100", "10000", "10001", "0", "-5", "1.5", " 7 ", "١٠", "１０", "5e2"],
    "sender": ["user@example.com", "*@example.com", "example.com", "@*.example.com", "a@b@c", "a,b@c.d"],
    "folder_name": ["Quarantine", "HIPAA", "Deleted Spam", "../../etc", "x" * 256],
    "scan": ["true", "false", "yes", "no", "1", "0", "t", "f", "maybe"],
    "action": ["accept", "REJECT", "discard", "deliver"],
    "to": ["soc@example.com", "a@example.com,b@example.com", "not-an-address", "a@b"],
    "header_from": ["SOC <soc@example.com>", "soc@example.com", "<>", "SOC <a@b@c>"],
    "comment": ["line one\nline two", "tab\there", "cr\r\nlf"],
}
PLAUSIBLE.update(
    {
        "email": [
            "alice@example.com",
            "a@example.com,b@example.com",
            "O'Brien+tag/x#y?z%@example.com",
            "a@b",
        ],
        "uid": ["1001", "abc", "1/2", "%2F"],
        "list": ["safelist", "blocklist", "SAFELIST", "allowlist"],
        "entries": [
            "spam@evil.example",
            "@evil.example",
            "evil.example",
            "*.evil.example",
            "a,,b",
            "1.2.3.4",
        ],
        "fields": ['{"firstname": "Ann"}', '{"firstname": ', "[]", '{"addgroup": "x"}', "{}"],
        "attributes": ['{"dept": "SOC"}', "{", '"text"', "{}"],
    }
)
PLAUSIBLE["UID"] = PLAUSIBLE["uid"]
PLAUSIBLE["end_time"] = PLAUSIBLE["start_time"]
PLAUSIBLE["recipient"] = PLAUSIBLE["from"] = PLAUSIBLE["sender"]
PLAUSIBLE["target_folder"] = PLAUSIBLE["deleted_folder"] = PLAUSIBLE["folder_name"]
PLAUSIBLE["append_old_subject"] = PLAUSIBLE["scan"]

HUGE = st.integers(min_value=1000, max_value=20000).map(lambda size: "A" * size)
LISTS = st.lists(st.sampled_from(["4:2:6", "*@example.com", "a", "", " ", "x,y"]), max_size=4)
GENERIC = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40),
    st.text(alphabet=st.characters(max_codepoint=0x9F), max_size=20),  # dense in control characters
    st.integers().map(str),
    st.booleans().map(str),
    LISTS.map(",".join),
    LISTS.map(json.dumps),
    HUGE,
)


# Values each argument's own validation accepts: a run built from them reaches the (fake) appliance,
# so that one hostile value among them is tested where it matters, in the request it ends up in.
VALID: dict[str, list[str]] = {
    "action": ["accept", "reject", "Discard"],
    "start_time": ["12 hours", "7 days", "2 weeks ago", "2020-01-25T10:00:00Z", "2020-01-25T10:00:00+05:30"],
    "end_time": ["1 minute", "0 minutes", "2099-01-01T00:00:00Z"],
    "virus": ["Eicar-Test-Signature", "Win.Trojan,JS.Agent"],
    "attachment": ["invoice.pdf", "a.exe, b.zip"],
    "sender": ["*@example.com", "user@example.com", "example.com", "*"],
    "queue_id": ["u8P6D24m919880"],
    "sid": ["25nnq08028"],
    "host": ["mail.example.com", "10.0.0.1", "[2001:db8::1]"],
    "subject": ["Invoice", "Ünïcödé – subject", "FW: check this"],
    "guid": ["exampleguid000000000000000000009", "exampleguid000000000000000000010"],
    "message_id": ["<abc@example.com>", "abc@example.com"],
    "limit": ["1", "50", "10000"],
    "folder_name": ["Quarantine", "HIPAA", "Deleted Spam"],
    "local_guid": ["4:2:6", "4:2:6,5:1:9", "exampleguid000000000000000000009", "4:2:6, 4:2:6"],
    "deleted_folder": ["Deleted Spam", "Deleted Incidents"],
    "target_folder": ["PCI", "Spam"],
    "scan": ["true", "false"],
    "append_old_subject": ["true", "false"],
    "brand_template": ["Default"],
    "security_policy": ["Standard Response"],
    "header_from": ["SOC <soc@example.com>", "soc@example.com"],
    "comment": ["Please have a look.\nThanks", "ok"],
}
VALID["recipient"] = VALID["sender"]
# Arguments whose meaning differs by command.
VALID_FOR: dict[tuple[str, str], list[str]] = {
    ("proofpoint-pps-list-quarantined-messages", "from"): VALID["sender"],
    ("proofpoint-pps-list-quarantined-messages", "to"): VALID["sender"],
    ("proofpoint-pps-list-quarantined-messages", "folder_name"): ["Quarantine", "HIPAA", ""],
    ("proofpoint-pps-forward-message", "from"): ["pps@example.com"],
    ("proofpoint-pps-forward-message", "to"): ["soc@example.com", "a@example.com,b@example.com"],
    ("proofpoint-pps-download-message", "folder_name"): VALID["guid"],
}


def hostile_values(name: str) -> st.SearchStrategy[str]:
    plausible = PLAUSIBLE.get(name)
    if plausible is None:
        return GENERIC
    return st.one_of(st.sampled_from(plausible), GENERIC)


def valid_values(command: str, name: str) -> st.SearchStrategy[str]:
    return st.sampled_from(VALID_FOR.get((command, name)) or VALID.get(name) or ["text"])


@st.composite
def arguments(draw: st.DrawFn, command: str) -> dict[str, str]:
    """A third each: all valid; valid but one (or two) hostile; anything at all."""
    spec = INTEGRATION.manifest.commands.get(command)
    names = sorted(spec.arguments) if spec else []
    if not names:
        return draw(st.one_of(st.just({}), st.fixed_dictionaries({"extra": GENERIC})))
    required = [name for name in names if spec and spec.arguments[name].required]
    mode = draw(st.sampled_from(["valid", "one hostile", "anything"]), label="mode")
    if mode == "anything":
        return draw(st.fixed_dictionaries({}, optional={name: hostile_values(name) for name in names}))
    args = draw(
        st.fixed_dictionaries(
            {name: valid_values(command, name) for name in required},
            optional={name: valid_values(command, name) for name in names if name not in required},
        )
    )
    if mode == "one hostile":
        for name in draw(st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True)):
            args[name] = draw(hostile_values(name))
    return args


# ---- the property ----------------------------------------------------------------------------------


def run_fuzzed(
    command: str, args: dict[str, str], reply_kind: str, debug: bool, integration: Integration, workdir: Path
) -> tuple[RunResult, list[Any]]:
    with requests_mock.Mocker() as mocker:
        mocker.register_uri(requests_mock.ANY, requests_mock.ANY, content=pps_reply(reply_kind))
        result = run_command(
            war_room_line(command, args), PARAMS, integration=integration, workdir=workdir, debug=debug
        )
        return result, list(mocker.request_history)


@pytest.mark.parametrize("command", COMMANDS)
@given(data=st.data())
def test_every_run_ends_in_valid_entries_and_sends_only_valid_values(
    command: str, data: st.DataObject, tmp_path_factory: pytest.TempPathFactory
) -> None:
    args = data.draw(arguments(command), label="args")
    reply_kind = data.draw(st.sampled_from(REPLY_KINDS), label="reply")
    debug = data.draw(st.booleans(), label="debug")
    workdir = tmp_path_factory.mktemp("fuzz")
    try:
        result, sent = run_fuzzed(command, args, reply_kind, debug, INTEGRATION, workdir)

        event(f"exit {result.exit_code}, {'a request sent' if sent else 'no request'}")
        problems = entry_problems(result, debug, workdir)
        for request in sent:
            problems += request_problems(request)
        if result.exit_code == 2:
            problems += [f"a request left although the line was refused: {r.url}" for r in sent]
        else:  # the line reached the integration with exactly the values drawn (or the YAML defaults)
            problems += [
                f"argument {name} arrived as {result.args.get(name)!r}, not {value!r}"
                for name, value in args.items()
                if value != "" and result.args.get(name) != value
            ]
        assert problems == [], "\n".join(problems)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# ---- what the property found: each bug gets its own test, kept after the fix -----------------------------


def sent_problems(command: str, args: dict[str, str], tmp_path: Path) -> tuple[RunResult, list[str]]:
    result, sent = run_fuzzed(command, args, "ok", False, INTEGRATION, tmp_path)
    return result, [problem for request in sent for problem in request_problems(request)]


@pytest.mark.parametrize(
    ("command", "args"),
    [
        ("proofpoint-pps-smart-search", {"start_time": "0999-06-01T00:00:00Z"}),
        ("proofpoint-pps-smart-search", {"start_time": "2000 years"}),
        ("proofpoint-pps-list-quarantined-messages", {"from": "*", "start_time": "0999-06-01T00:00:00Z"}),
    ],
)
def test_times_before_the_year_1000_are_refused_naming_the_range(
    command: str, args: dict[str, str], tmp_path: Path
) -> None:
    result, problems = sent_problems(command, args, tmp_path)

    assert problems == []
    assert result.exit_code == 1
    message = str(result.entries[0]["Contents"])
    assert message.startswith('Invalid value for start_time: "')
    assert "the time is out of range: give a time after 1970-01-01" in message


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_a_time_out_of_range_is_refused_naming_the_argument(value: str, tmp_path: Path) -> None:
    result, _ = sent_problems("proofpoint-pps-smart-search", {"start_time": value}, tmp_path)

    assert result.exit_code == 1
    assert 'Invalid value for start_time: "' in str(result.entries[0]["Contents"])


@pytest.mark.parametrize(
    ("command", "args"),
    [
        ("proofpoint-pps-smart-search", {"subject": "invoice\x85Bcc: attacker@evil.example"}),
        ("proofpoint-pps-list-quarantined-messages", {"subject": "\x9b31mred"}),
        (
            "proofpoint-pps-forward-message",
            {
                "folder_name": "Quarantine",
                "local_guid": "4:2:6",
                "subject": "FW\x85Bcc: attacker@evil.example",
            },
        ),
    ],
)
def test_c1_control_characters_are_refused(command: str, args: dict[str, str], tmp_path: Path) -> None:
    result, problems = sent_problems(command, args, tmp_path)

    assert problems == []
    assert result.exit_code == 1
    assert "control character" in str(result.entries[0]["Contents"])


@pytest.mark.parametrize("local_guid", ["٤:٢:٦", "４:２:６"])
def test_local_guid_with_non_ascii_digits_is_refused(local_guid: str, tmp_path: Path) -> None:
    result, problems = sent_problems(
        "proofpoint-pps-release-message", {"folder_name": "Quarantine", "local_guid": local_guid}, tmp_path
    )

    assert problems == []
    assert result.exit_code == 1
    assert "Invalid value for local_guid" in str(result.entries[0]["Contents"])


def test_the_property_accepts_what_the_integration_sends_for_good_arguments(tmp_path: Path) -> None:
    """The checks above are not too strict: well-formed commands send requests that pass them."""
    lines: list[tuple[str, dict[str, str]]] = [
        ("test-module", {}),
        ("proofpoint-pps-smart-search", {"sender": "*@example.com", "limit": "10", "end_time": "1 hour"}),
        (
            "proofpoint-pps-list-quarantined-messages",
            {"to": "example.com", "start_time": "2020-01-25T10:00:00Z"},
        ),
        ("proofpoint-pps-download-message", {"guid": "exampleguid000000000000000000009"}),
        (
            "proofpoint-pps-forward-message",
            {"folder_name": "HIPAA", "local_guid": "4:2:6,5:1:9", "to": "soc@example.com", "comment": "a\nb"},
        ),
    ]
    for command, args in lines:
        result, problems = sent_problems(command, args, tmp_path)
        assert result.exit_code == 0, result.entries
        assert problems == []
