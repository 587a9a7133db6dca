"""How the integration behaves when the appliance (the simulator's fault switches) misbehaves.

Reads (GET) are retried on 429/5xx, dropped connections and timeouts, then succeed or end in one
clear error entry. Actions (POST) are retried only when the server certainly did not act (429):
after a 5xx, a dropped connection or a timeout the outcome is reported as unknown and the request
is never sent again, so no message is released twice.

Retries back off 0.5 s, 1 s, 2 s (plus jitter) unless the reply carries Retry-After; tests that must
exhaust the retries answer with `Retry-After: 0` to stay fast.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any

import pytest

from pps_simulator import PPSSimulator
from warroom import RunResult

from .helpers import ALL_SEEDED, CHECK_OUTCOME_HINT, WarRoom, error_text, readable

MAX_TRIES = 4  # the integration's transport policy
SMART_SEARCH = f"!proofpoint-pps-smart-search {ALL_SEEDED} limit=3"
NOT_PPS_REPLY = "is not what the PPS API sends"


def quarantined(sim: PPSSimulator, subject: str = "Fault test") -> dict[str, Any]:
    raw = f"From: x@evil.example\r\nTo: victim@example.com\r\nSubject: {subject}\r\n\r\nbody\r\n".encode()
    return sim.backend.add_message("Quarantine", raw, date=datetime.now(timezone.utc))


def release_line(localguid: str) -> str:
    return f"!proofpoint-pps-release-message folder_name=Quarantine local_guid={localguid}"


def outcome_of(result: RunResult) -> dict[str, Any]:
    outcomes = result.context["Proofpoint"]["QuarantineAction"]
    (outcome,) = outcomes if isinstance(outcomes, list) else [outcomes]
    assert isinstance(outcome, dict)
    return outcome


# ---- reads ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 503])
def test_read_is_retried_after_a_server_error_and_succeeds(
    war_room: WarRoom, sim: PPSSimulator, status: int
) -> None:
    sim.faults.add(method="GET", path="/pss/filter", status=status, times=1)

    result = war_room.run(SMART_SEARCH)

    assert "Smart Search Results" in readable(result)
    assert sim.count("GET", "/pss/filter") == 2


def test_read_waits_as_long_as_retry_after_says_on_429(war_room: WarRoom, sim: PPSSimulator) -> None:
    sim.faults.add(method="GET", path="/quarantine", status=429, retry_after=1, times=1)

    started = time.monotonic()
    result = war_room.run(f"!proofpoint-pps-list-quarantined-messages from=* {ALL_SEEDED}")

    assert "Quarantined Messages" in readable(result)
    assert sim.count("GET", "/quarantine") == 2
    assert time.monotonic() - started >= 0.9


def test_read_gives_up_after_max_tries_naming_the_status(war_room: WarRoom, sim: PPSSimulator) -> None:
    sim.faults.add(method="GET", path="/pss/filter", status=503, retry_after=0, times=None)

    message = error_text(war_room.run(SMART_SEARCH))

    assert sim.count("GET", "/pss/filter") == MAX_TRIES
    assert "503" in message
    assert "GET /pss/filter" in message


def test_read_gives_up_on_persistent_rate_limiting(war_room: WarRoom, sim: PPSSimulator) -> None:
    sim.faults.add(method="GET", path="/quarantine", status=429, retry_after=0, times=None)

    message = error_text(war_room.run(f"!proofpoint-pps-list-quarantined-messages from=* {ALL_SEEDED}"))

    assert sim.count("GET", "/quarantine") == MAX_TRIES
    assert "rate limiting requests (429)" in message


def test_read_is_retried_after_a_dropped_connection(war_room: WarRoom, sim: PPSSimulator) -> None:
    guid = sim.backend.messages("Quarantine")[0]["guid"]
    sim.faults.add(method="GET", path="/quarantine", drop=True, times=1)

    result = war_room.run(f"!proofpoint-pps-download-message guid={guid}")

    assert result.exit_code == 0, result.entries
    assert sim.count("GET", "/quarantine") == 2
    (saved,) = result.files
    assert saved.read_bytes() == sim.backend.raw_message(guid)


def test_read_is_retried_after_a_timeout_and_succeeds(war_room: WarRoom, sim: PPSSimulator) -> None:
    sim.faults.add(method="GET", path="/pss/filter", latency=1.5, times=1)

    result = war_room.run(SMART_SEARCH, timeout="0.5")

    assert "Smart Search Results" in readable(result)
    assert sim.count("GET", "/pss/filter") == 2


def test_read_slower_than_the_timeout_ends_in_an_error_naming_it(
    war_room: WarRoom, sim: PPSSimulator
) -> None:
    # Several seconds: four tries of 0.3 s and the backoff between them.
    sim.faults.add(method="GET", path="/pss/filter", latency=1.0, times=None)

    message = error_text(war_room.run(SMART_SEARCH, timeout="0.3"))

    assert "did not answer GET /pss/filter within the 0.3s timeout" in message
    assert "raise the instance's timeout" in message
    assert sim.count("GET", "/pss/filter") == MAX_TRIES


@pytest.mark.parametrize(
    ("body", "extra"),
    [("malformed", ""), ("html", "an HTML page, not a PPS API reply")],
)
def test_a_reply_that_is_not_the_apis_ends_in_a_clear_error(
    war_room: WarRoom, sim: PPSSimulator, body: str, extra: str
) -> None:
    sim.faults.add(method="GET", path="/pss/filter", body=body, times=1)

    message = error_text(war_room.run(SMART_SEARCH))

    assert NOT_PPS_REPLY in message
    assert extra in message
    assert "Traceback" not in message
    assert sim.count("GET", "/pss/filter") == 1


def test_an_html_page_from_a_proxy_is_named_as_such(war_room: WarRoom, sim: PPSSimulator) -> None:
    sim.faults.add(method="GET", path="/quarantine", status=404, body="html", times=1)

    message = error_text(war_room.run(f"!proofpoint-pps-list-quarantined-messages from=* {ALL_SEEDED}"))

    assert "Not found (404)" in message
    assert "<html" not in message.lower()


def test_wrong_password_says_authentication_failed(war_room: WarRoom, sim: PPSSimulator) -> None:
    result = war_room.run(SMART_SEARCH, credentials={"identifier": "admin", "password": "not-the-password"})

    message = error_text(result)
    assert "Authentication failed (401)" in message
    assert "Credentials parameter" in message
    assert sim.count("GET", "/pss/filter") == 1  # a 401 is not worth retrying


def test_401_from_the_appliance_says_authentication_failed(war_room: WarRoom, sim: PPSSimulator) -> None:
    sim.faults.add(method="GET", path="/quarantine", status=401, times=1)

    message = error_text(war_room.run(f"!proofpoint-pps-list-quarantined-messages from=* {ALL_SEEDED}"))

    assert "Authentication failed (401)" in message


def test_403_names_the_missing_module(war_room: WarRoom, sim: PPSSimulator) -> None:
    sim.faults.add(method="GET", path="/pss/filter", status=403, times=1)

    message = error_text(war_room.run(SMART_SEARCH))

    assert "Access denied (403)" in message
    assert "lacks the managed module 'pss'" in message
    assert sim.count("GET", "/pss/filter") == 1


def test_403_of_a_role_without_quarantine_names_it(pss_only_war_room: WarRoom) -> None:
    message = error_text(
        pss_only_war_room.run(f"!proofpoint-pps-list-quarantined-messages from=* {ALL_SEEDED}")
    )

    assert "lacks the managed module 'Quarantine'" in message
    assert "'pss-only'" in message


# ---- actions ----------------------------------------------------------------------------------------


def test_action_is_retried_after_429_and_acts_exactly_once(war_room: WarRoom, sim: PPSSimulator) -> None:
    message = quarantined(sim)
    sim.faults.add(method="POST", path="/quarantine", status=429, retry_after=0, times=1)

    result = war_room.run(release_line(message["localguid"]))

    assert "will be released" in readable(result)
    assert sim.count("POST", "/quarantine") == 2
    assert [entry["localguid"] for entry in sim.backend.actions()] == [message["localguid"]]


@pytest.mark.parametrize("status", [500, 503])
def test_action_after_a_server_error_is_not_resent_and_its_outcome_is_unknown(
    war_room: WarRoom, sim: PPSSimulator, status: int
) -> None:
    message = quarantined(sim)
    sim.faults.add(method="POST", path="/quarantine", status=status, times=1)

    result = war_room.run(release_line(message["localguid"]))

    error = error_text(result)
    assert f"answered {status}" in error
    assert "outcome is unknown" in error
    assert CHECK_OUTCOME_HINT in error
    assert outcome_of(result)["Status"] == "unknown"
    assert sim.count("POST", "/quarantine") == 1
    assert sim.backend.actions() == []  # the fault answered before the server acted


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        ({"status": 500}, "answered 500"),
        ({"status": 503}, "answered 503"),
        ({"drop": True}, "connection to 127.0.0.1"),
    ],
)
def test_action_whose_reply_is_lost_after_acting_happened_exactly_once(
    war_room: WarRoom, sim: PPSSimulator, fault: dict[str, Any], said: str
) -> None:
    message = quarantined(sim)
    sim.faults.add(method="POST", path="/quarantine", after_action=True, times=1, **fault)

    result = war_room.run(release_line(message["localguid"]))

    error = error_text(result)
    assert said in error
    assert "outcome is unknown" in error
    assert CHECK_OUTCOME_HINT in error
    assert outcome_of(result)["Status"] == "unknown"
    assert sim.count("POST", "/quarantine") == 1
    assert [entry["localguid"] for entry in sim.backend.actions("release")] == [message["localguid"]]


def test_action_on_a_dropped_connection_is_not_resent(war_room: WarRoom, sim: PPSSimulator) -> None:
    message = quarantined(sim)
    sim.faults.add(method="POST", path="/quarantine", drop=True, times=1)

    result = war_room.run(
        f"!proofpoint-pps-resubmit-message folder_name=Quarantine local_guid={message['localguid']}"
    )

    error = error_text(result)
    assert "broke during POST /quarantine" in error
    assert CHECK_OUTCOME_HINT in error
    assert outcome_of(result)["Status"] == "unknown"
    assert sim.count("POST", "/quarantine") == 1
    assert sim.backend.get_message(guid=message["guid"]) is not None  # dropped before the server acted


def test_action_slower_than_the_timeout_is_not_resent(war_room: WarRoom, sim: PPSSimulator) -> None:
    message = quarantined(sim)
    sim.faults.add(method="POST", path="/quarantine", latency=1.5, times=1)

    result = war_room.run(release_line(message["localguid"]), timeout="0.5")

    error = error_text(result)
    assert "did not answer POST /quarantine within the 0.5s timeout" in error
    assert CHECK_OUTCOME_HINT in error
    assert sim.count("POST", "/quarantine") == 1
    deadline = time.monotonic() + 5  # the server acts once its latency has passed
    while not sim.backend.actions() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [entry["localguid"] for entry in sim.backend.actions()] == [message["localguid"]]


def test_batch_with_one_lost_reply_reports_it_unknown_and_the_others_done(
    war_room: WarRoom, sim: PPSSimulator
) -> None:
    ids = [quarantined(sim, f"Batch {number}")["localguid"] for number in range(3)]
    sim.faults.add(method="POST", path="/quarantine", status=502, times=1)

    result = war_room.run(release_line(",".join(ids)))

    assert result.exit_code == 0
    outcomes = result.context["Proofpoint"]["QuarantineAction"]
    statuses = sorted(outcome["Status"] for outcome in outcomes)
    assert statuses == ["success", "success", "unknown"]
    warnings = [entry["Contents"] for entry in result.entries if entry["Type"] == 11]
    assert len(warnings) == 1 and "1 of 3 messages were not released" in warnings[0]
    assert "(unknown)" in warnings[0]
    assert sim.count("POST", "/quarantine") == 3
    assert len(sim.backend.actions("release")) == 2


# ---- the instance's own settings --------------------------------------------------------------------


@pytest.mark.parametrize("url", ["https://127.0.0.1:99999", "https://[::1:10000"])
def test_a_malformed_server_url_is_refused_at_once_naming_it(war_room: WarRoom, url: str) -> None:
    message = error_text(war_room.run(SMART_SEARCH, url=url))

    assert f'Invalid Server URL "{url}"' in message
    assert "(after" not in message  # "(after N tries)": nothing worth retrying
