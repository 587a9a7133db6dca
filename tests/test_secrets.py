"""The instance password never shows: not in entries, context, logs, printed output, files, or requests.

Every command runs with a distinctive password through its success and error paths (bad arguments,
a wrong password, a role without the module, a 500, a dropped connection), with and without debug
logging, and everything the run left behind is searched for the password in every form it could
take (plain, URL-encoded, JSON-escaped, inside an HTTP Basic header).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest

from pps_simulator import PPSSimulator, User
from warroom import Integration, RunResult

from .helpers import WarRoom

# Characters that URL-encoding, JSON-escaping and shells treat specially, around a core that appears
# verbatim in most encodings: finding the core finds a partly printed password too.
CORE = "Zx9q7Leak"
# ASCII: how a non-ASCII password is sent is a question of its own (test_non_ascii_password_...).
PASSWORD = f"S3cr3t-{CORE}#pw/%+&= !?"
WRONG_PASSWORD = f"Wr0ng-{CORE}?pw/é%+&= ;"
# Beyond latin-1, the encoding requests uses for HTTP Basic credentials given as text.
UNENCODABLE_PASSWORD = f"Eur0-{CORE}€/ł"


def secret_forms(identifier: str, secret: str) -> set[str]:
    forms = {
        CORE,
        secret,
        quote(secret),
        quote(secret, safe=""),
        quote_plus(secret),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        repr(secret)[1:-1],
        base64.b64encode(f"{identifier}:{secret}".encode()).decode(),
    }
    return {form for form in forms if form}


FORMS = secret_forms("admin", PASSWORD) | secret_forms("admin", WRONG_PASSWORD)
FORMS |= secret_forms("admin", UNENCODABLE_PASSWORD)
FORMS |= secret_forms("pss-only", PASSWORD)
AUTH_HEADER = "authorization"


def leaks_in(text: str) -> list[str]:
    return sorted(form for form in FORMS if form in text)


@dataclass
class LeakFinder:
    """Collects every place where a form of the password showed up."""

    found: list[str] = field(default_factory=list)

    def check(self, where: str, value: Any) -> None:
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
        for form in leaks_in(text):
            position = text.index(form)
            self.found.append(f"{where}: {form!r} in ...{text[max(0, position - 120) : position + 40]!r}")

    def check_run(self, label: str, result: RunResult) -> None:
        self.check(f"{label} entries", result.entries)
        self.check(f"{label} context", result.context)
        self.check(f"{label} logs", result.logs)
        self.check(f"{label} args", result.args)
        for path in result.files:
            self.check(f"{label} file {path.name}", path.read_bytes().decode("latin-1"))

    def check_requests(self, sim: PPSSimulator) -> None:
        for number, request in enumerate(sim.requests.snapshot()):
            where = f"request {number} {request.method} {request.path}"
            headers = {name: value for name, value in request.headers.items() if name.lower() != AUTH_HEADER}
            self.check(f"{where} headers", headers)
            self.check(f"{where} uri", request.raw_uri)
            self.check(f"{where} query", request.query)
            self.check(f"{where} body", request.body.decode("latin-1"))
            self.check(f"{where} user", request.user or "")

    def check_output(self, capfd: pytest.CaptureFixture[str]) -> None:
        out, err = capfd.readouterr()
        self.check("stdout", out)
        self.check("stderr", err)


@pytest.fixture
def secret_sim() -> Iterator[PPSSimulator]:
    users = {
        "admin": User(PASSWORD, frozenset({"pss", "Quarantine"})),
        "pss-only": User(PASSWORD, frozenset({"pss"})),
    }
    with PPSSimulator(db=":memory:", messages=12, seed=5, tls=True, port=0, users=users) as simulator:
        yield simulator


@pytest.fixture
def secret_war_room(secret_sim: PPSSimulator, tmp_path: Path, integration: Integration) -> WarRoom:
    return WarRoom(secret_sim, tmp_path / "files", integration, user=("admin", PASSWORD))


def fresh_message(sim: PPSSimulator, folder: str = "Quarantine") -> dict[str, Any]:
    raw = b"From: a@evil.example\r\nTo: v@example.com\r\nSubject: secret test\r\n\r\nbody\r\n"
    return sim.backend.add_message(folder, raw, date=datetime.now(timezone.utc))


# Each command: a line that succeeds and a line its own validation refuses. `{localguid}` and `{guid}`
# name a message put in the Quarantine folder (HIPAA for move) just before the run.
COMMANDS: dict[str, tuple[str, str]] = {
    "test-module": ("!test-module", "!test-module extra=1"),
    "proofpoint-pps-smart-search": (
        '!proofpoint-pps-smart-search start_time="40 days" limit=5 sender=*@example.com',
        "!proofpoint-pps-smart-search limit=0 start_time=yesterday",
    ),
    "proofpoint-pps-list-quarantined-messages": (
        '!proofpoint-pps-list-quarantined-messages from=* start_time="40 days"',
        "!proofpoint-pps-list-quarantined-messages from=a@@b end_time=never",
    ),
    "proofpoint-pps-release-message": (
        "!proofpoint-pps-release-message folder_name=Quarantine local_guid={localguid},6:1:99999",
        "!proofpoint-pps-release-message folder_name=Quarantine local_guid=../../etc scan=maybe",
    ),
    "proofpoint-pps-resubmit-message": (
        "!proofpoint-pps-resubmit-message folder_name=Quarantine local_guid={localguid}",
        '!proofpoint-pps-resubmit-message folder_name=Quarantine local_guid="4:2:6;DROP"',
    ),
    "proofpoint-pps-forward-message": (
        "!proofpoint-pps-forward-message folder_name=Quarantine local_guid={localguid} to=soc@example.com",
        "!proofpoint-pps-forward-message folder_name=Quarantine local_guid={localguid} to=not-an-address",
    ),
    "proofpoint-pps-move-message": (
        "!proofpoint-pps-move-message folder_name=HIPAA local_guid={localguid} target_folder=PCI",
        "!proofpoint-pps-move-message folder_name=HIPAA local_guid={localguid} target_folder=HIPAA",
    ),
    "proofpoint-pps-delete-message": (
        "!proofpoint-pps-delete-message folder_name=Quarantine local_guid={localguid}",
        "!proofpoint-pps-delete-message folder_name=Quarantine local_guid=",
    ),
    "proofpoint-pps-download-message": (
        "!proofpoint-pps-download-message guid={guid}",
        "!proofpoint-pps-download-message guid=../../etc/passwd",
    ),
}

Fault = Callable[[PPSSimulator], object]
# name, a change of instance parameters, the fault to switch on. Reads that fail are retried: their
# faults answer with Retry-After: 0, so that the retries cost no sleeping.
VARIANTS: list[tuple[str, dict[str, Any], Fault | None]] = [
    ("success", {}, None),
    ("wrong password", {"credentials": {"identifier": "admin", "password": WRONG_PASSWORD}}, None),
    ("role without the module", {"credentials": {"identifier": "pss-only", "password": PASSWORD}}, None),
    (
        "unencodable password",
        {"credentials": {"identifier": "admin", "password": UNENCODABLE_PASSWORD}},
        None,
    ),
    ("500", {}, lambda sim: sim.faults.add(status=500, retry_after=0, times=None)),
    ("dropped connection", {}, lambda sim: sim.faults.add(method="POST", drop=True)),
    ("dropped after acting", {}, lambda sim: sim.faults.add(method="POST", drop=True, after_action=True)),
    ("timeout", {"timeout": "0.3"}, lambda sim: sim.faults.add(method="POST", latency=0.8)),
]


def fill(line: str, sim: PPSSimulator, command: str) -> str:
    message = fresh_message(sim, "HIPAA" if "move" in command else "Quarantine")
    return line.format(localguid=message["localguid"], guid=message["guid"])


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_the_password_never_shows(
    command: str, secret_war_room: WarRoom, secret_sim: PPSSimulator, capfd: pytest.CaptureFixture[str]
) -> None:
    good, bad = COMMANDS[command]
    finder = LeakFinder()
    runs = 0
    for debug in (False, True):
        mode = "debug" if debug else "normal"
        result = secret_war_room.run(fill(bad, secret_sim, command), debug=debug)
        assert result.exit_code in (1, 2), result.entries
        finder.check_run(f"{mode} bad args", result)
        for name, overrides, fault in VARIANTS:
            secret_sim.faults.clear()
            if fault is not None:
                fault(secret_sim)
            result = secret_war_room.run(fill(good, secret_sim, command), debug=debug, **overrides)
            finder.check_run(f"{mode} {name}", result)
            runs += 1
            # Each variant took the path it is named after, so the search above covered that path.
            if name == "success":
                assert result.exit_code == 0, result.entries
            elif name == "wrong password":
                assert "Authentication failed (401)" in json.dumps(result.entries), result.entries
    secret_sim.faults.clear()
    finder.check_requests(secret_sim)
    finder.check_output(capfd)

    assert runs == 2 * len(VARIANTS)
    assert finder.found == []


def test_the_leak_finder_finds_each_form_of_the_password() -> None:
    encoded = [
        quote(PASSWORD, safe=""),
        quote_plus(PASSWORD),
        json.dumps(PASSWORD)[1:-1],
        base64.b64encode(f"admin:{PASSWORD}".encode()).decode(),
        "admin:" + PASSWORD.split("#")[0],  # the start of it only
    ]

    assert all(leaks_in(f"...{form}...") for form in encoded)
    assert leaks_in("Authorization: Basic <XX_REPLACED>, password <XX_REPLACED>") == []


def test_the_password_is_really_used(secret_war_room: WarRoom, secret_sim: PPSSimulator) -> None:
    """The check above means something only if the password reached the server (in the Basic header)."""
    result = secret_war_room.run("!test-module")

    assert result.entries[0]["Contents"] == "ok"
    headers = [request.headers.get("Authorization", "") for request in secret_sim.requests]
    expected = "Basic " + base64.b64encode(f"admin:{PASSWORD}".encode()).decode()
    assert headers and set(headers) == {expected}


# The credentials parameter is required; without a username in it, the integration uses the URL's.
URL_CREDENTIALS_ONLY = {"identifier": "", "password": "set-in-the-url"}


def url_with_credentials(sim: PPSSimulator, password: str) -> str:
    return sim.url.replace("https://", f"https://admin:{password}@")


@pytest.mark.parametrize("debug", [False, True])
def test_a_url_carrying_encoded_credentials_does_not_leak_them(
    debug: bool, secret_war_room: WarRoom, secret_sim: PPSSimulator, capfd: pytest.CaptureFixture[str]
) -> None:
    url = url_with_credentials(secret_sim, quote(PASSWORD, safe=""))
    finder = LeakFinder()
    cases: list[tuple[str, dict[str, Any]]] = [
        ("ok", {}),
        ("wrong password", {"credentials": {"identifier": "admin", "password": WRONG_PASSWORD}}),
        ("bad url", {"url": url.replace("https://", "htps://")}),
        ("no host", {"url": url.split("@")[0] + "@"}),
    ]
    for label, overrides in cases:
        params = secret_war_room.params(**{"url": url, **overrides})
        for line in ('!proofpoint-pps-smart-search start_time="2 days"', "!test-module"):
            finder.check_run(label, secret_war_room.run(line, debug=debug, params=params))
    finder.check_requests(secret_sim)
    finder.check_output(capfd)

    assert finder.found == []


@pytest.mark.parametrize("scheme", ["https", "htps"])
def test_a_url_carrying_unencoded_credentials_does_not_leak_them(
    scheme: str, secret_war_room: WarRoom, secret_sim: PPSSimulator, capfd: pytest.CaptureFixture[str]
) -> None:
    url = url_with_credentials(secret_sim, PASSWORD).replace("https://", f"{scheme}://")
    finder = LeakFinder()
    # Not in debug mode too: with https the broken URL is retried, which takes seconds each time.
    result = secret_war_room.run(
        '!proofpoint-pps-smart-search start_time="2 days"', url=url, credentials=URL_CREDENTIALS_ONLY
    )
    finder.check_run("run", result)
    finder.check_output(capfd)

    assert finder.found == []


def test_url_credentials_are_used_when_the_credentials_parameter_has_no_username(
    secret_war_room: WarRoom, secret_sim: PPSSimulator
) -> None:
    url = url_with_credentials(secret_sim, quote(PASSWORD, safe=""))

    result = secret_war_room.run("!test-module", url=url, credentials=URL_CREDENTIALS_ONLY)

    assert result.entries[0]["Contents"] == "ok", result.entries


@pytest.mark.parametrize("password", ["Pässw0rd-ü", "Pass€-ł0"])
def test_non_ascii_password_authenticates(password: str, tmp_path: Path, integration: Integration) -> None:
    users = {"admin": User(password, frozenset({"pss", "Quarantine"}))}
    with PPSSimulator(db=":memory:", messages=3, seed=1, tls=True, port=0, users=users) as simulator:
        war_room = WarRoom(simulator, tmp_path, integration, user=("admin", password))

        result = war_room.run("!test-module")

    assert result.entries[0]["Contents"] == "ok", result.entries
