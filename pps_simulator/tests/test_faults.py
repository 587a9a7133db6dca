"""Faults on demand: statuses, Retry-After, latency, dropped connections, broken bodies, before or after acting."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import requests

from pps_simulator import PPSSimulator


@pytest.mark.parametrize("status", [401, 403, 429, 500, 502, 503])
def test_each_status_fires_once_then_the_endpoint_recovers(sim: PPSSimulator, api: Any, status: int) -> None:
    fault = sim.faults.add(method="GET", path="/pss/health", status=status)
    reply = api.get("/pss/health")
    assert reply.status_code == status
    if status == 429:
        assert reply.headers["Retry-After"] == "1"
    if status == 401:
        assert reply.headers["WWW-Authenticate"].startswith("Basic ")
    assert api.get("/pss/health").status_code == 200
    assert fault.fired == 1
    assert len(sim.faults) == 0


def test_retry_after_is_as_given(sim: PPSSimulator, api: Any) -> None:
    sim.faults.add(path="/pss/filter", status=429, retry_after=7)
    sim.faults.add(path="/pss/filter", status=503, retry_after=2.0)
    assert api.get("/pss/filter").headers["Retry-After"] == "7"
    assert api.get("/pss/filter").headers["Retry-After"] == "2"


def test_times_counts_and_none_means_forever(sim: PPSSimulator, api: Any) -> None:
    sim.faults.add(path="/pss/health", status=500, times=2)
    assert [api.get("/pss/health").status_code for _ in range(3)] == [500, 500, 200]
    sim.faults.add(path="/pss/health", status=502, times=None)
    assert [api.get("/pss/health").status_code for _ in range(4)] == [502] * 4
    assert sim.faults.clear() == 1
    assert api.get("/pss/health").status_code == 200


def test_faults_match_method_and_path_only(sim: PPSSimulator, api: Any) -> None:
    sim.faults.add(method="POST", path="/quarantine", status=503, times=None)
    assert api.get("/quarantine", params={"from": "*"}).status_code == 200
    assert api.get("/pss/health").status_code == 200
    assert api.act(action="delete", folder="Quarantine", localguid="6:1:1").status_code == 503
    sim.faults.clear()
    sim.faults.add(path="/enduser", status=500)  # a folder of paths
    assert api.get("/enduser/someone@example.com").status_code == 500


def test_a_faulted_post_did_not_act(sim: PPSSimulator, api: Any) -> None:
    message = sim.backend.messages("Quarantine")[0]
    sim.faults.add("POST", "/quarantine", status=500)
    reply = api.act(action="delete", folder="Quarantine", localguid=message["localguid"])
    assert reply.status_code == 500
    assert sim.backend.get_message(guid=message["guid"]) == message
    assert sim.backend.actions() == []


def test_after_action_the_server_acted_but_the_reply_is_lost(sim: PPSSimulator, api: Any) -> None:
    first, second = sim.backend.messages("Quarantine")[:2]
    sim.faults.add("POST", "/quarantine", status=502, after_action=True)
    reply = api.act(action="release", folder="Quarantine", localguid=first["localguid"])
    assert reply.status_code == 502
    assert [e["guid"] for e in sim.backend.actions()] == [first["guid"]]
    sim.faults.add("POST", "/quarantine", drop=True, after_action=True)
    with pytest.raises(requests.ConnectionError):
        api.act(action="resubmit", folder="Quarantine", localguid=second["localguid"])
    assert sim.backend.get_message(guid=second["guid"]) is None
    assert [e["action"] for e in sim.backend.actions()] == ["release", "resubmit"]
    assert sim.count("POST", "/quarantine") == 2


def test_dropped_connection_before_acting(sim: PPSSimulator, api: Any) -> None:
    message = sim.backend.messages("Quarantine")[0]
    sim.faults.add("POST", "/quarantine", drop=True)
    with pytest.raises(requests.ConnectionError):
        api.act(action="delete", folder="Quarantine", localguid=message["localguid"])
    assert sim.backend.get_message(guid=message["guid"]) == message
    recorded = sim.requests[-1]
    assert recorded.method == "POST" and recorded.status is None
    assert api.get("/pss/health").status_code == 200


def test_drop_over_plain_http_too(admin: tuple[str, str]) -> None:
    with PPSSimulator(messages=3, tls=False) as sim:
        sim.faults.add(path="/pss/health", drop=True)
        with pytest.raises(requests.ConnectionError):
            requests.get(sim.url + "/rest/v1/pss/health", auth=admin, timeout=10)


def test_latency_delays_the_reply(sim: PPSSimulator, api: Any) -> None:
    sim.faults.add("GET", "/pss/health", latency=0.6)
    started = time.monotonic()
    assert api.get("/pss/health").status_code == 200
    assert time.monotonic() - started >= 0.6
    sim.faults.add("GET", "/pss/health", latency=2.0)
    with pytest.raises(requests.exceptions.ReadTimeout):
        api.get("/pss/health", timeout=0.5)


def test_latency_with_a_status(sim: PPSSimulator, api: Any) -> None:
    sim.faults.add("GET", "/pss/health", latency=0.3, status=503)
    started = time.monotonic()
    assert api.get("/pss/health").status_code == 503
    assert time.monotonic() - started >= 0.3


def test_malformed_json_body(sim: PPSSimulator, api: Any) -> None:
    sim.faults.add("GET", "/pss/filter", body="malformed")
    reply = api.get("/pss/filter")
    assert reply.status_code == 200
    assert reply.headers["Content-Type"] == "application/json"
    with pytest.raises(ValueError):
        reply.json()


def test_html_error_page(sim: PPSSimulator, api: Any) -> None:
    sim.faults.add("GET", "/quarantine", status=502, body="html")
    reply = api.get("/quarantine", params={"from": "*"})
    assert reply.status_code == 502
    assert reply.headers["Content-Type"].startswith("text/html")
    assert reply.text.lstrip().startswith("<!DOCTYPE html>")


def test_literal_body(sim: PPSSimulator, api: Any) -> None:
    sim.faults.add("GET", "/pss/health", status=500, body="java.lang.NullPointerException")
    reply = api.get("/pss/health")
    assert (reply.status_code, reply.text) == (500, "java.lang.NullPointerException")


def test_a_fault_fires_before_authentication(sim: PPSSimulator, make_api: Any) -> None:
    sim.faults.add(path="/pss/health", status=503)
    assert make_api(None).get("/pss/health").status_code == 503


def test_invalid_faults_are_refused(sim: PPSSimulator) -> None:
    with pytest.raises(ValueError):
        sim.faults.add(path="/pss/health")  # does nothing
    with pytest.raises(ValueError):
        sim.faults.add(status=999)
    with pytest.raises(ValueError):
        sim.faults.add(latency=1.0, after_action=True)
    with pytest.raises(ValueError):
        sim.faults.add(status=500, times=0)


def test_faults_over_http(sim: PPSSimulator, api: Any) -> None:
    control = sim.url + "/_simulator/faults"
    session = requests.Session()
    session.trust_env = False  # else REQUESTS_CA_BUNDLE from the environment overrides `verify`
    session.verify = sim.ca_file
    reply = session.post(
        control, json={"method": "GET", "path": "/pss/health", "status": 429, "retry_after": 3}
    )
    assert reply.status_code == 201
    fault = reply.json()
    assert fault["status"] == 429 and fault["path"] == "/rest/v1/pss/health"
    assert [f["id"] for f in session.get(control).json()["faults"]] == [fault["id"]]
    health = api.get("/pss/health")
    assert (health.status_code, health.headers["Retry-After"]) == (429, "3")
    reply = session.post(
        control,
        json=[{"path": "/pss/filter", "status": 500, "times": None}, {"path": "/pss/health", "drop": True}],
    )
    assert reply.status_code == 201 and len(reply.json()["faults"]) == 2
    assert api.get("/pss/filter").status_code == 500
    assert session.delete(control).json() == {"cleared": 2}
    assert api.get("/pss/filter").status_code == 200
    added = session.post(control, json={"path": "/pss/filter", "status": 500}).json()
    assert session.delete(f"{control}/{added['id']}").status_code == 200
    assert session.delete(f"{control}/{added['id']}").status_code == 404
    assert session.post(control, json={"path": "/x", "colour": "red"}).status_code == 400
    assert session.post(control, data="nope").status_code == 400
    # The control endpoints are neither recorded nor faulted.
    sim.faults.add(status=500, times=None)
    assert session.get(control).status_code == 200
    assert sim.count(None, "/_simulator") == 0


def test_the_action_log_and_request_log_over_http(sim: PPSSimulator, api: Any) -> None:
    message = sim.backend.messages("Spam")[0]
    api.act(action="release", folder="Spam", localguid=message["localguid"])
    actions = requests.get(sim.url + "/_simulator/actions", verify=sim.ca_file, timeout=10).json()["actions"]
    assert [a["guid"] for a in actions] == [message["guid"]]
    logged = requests.get(sim.url + "/_simulator/requests", verify=sim.ca_file, timeout=10).json()["requests"]
    assert [(r["method"], r["path"], r["status"]) for r in logged] == [("POST", "/rest/v1/quarantine", 200)]
    assert json.dumps(logged)  # plain JSON
