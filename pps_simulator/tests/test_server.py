"""The server itself: TLS with its own CA, Basic auth and modules, routing, the request record, lifecycle."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from pps_simulator import PPSSimulator


def test_https_verifies_against_the_simulator_ca_only(sim: PPSSimulator, api: Any) -> None:
    assert sim.url.startswith("https://127.0.0.1:")
    assert not sim.url.endswith("/rest/v1")
    reply = api.get("/pss/health")
    assert reply.status_code == 200
    assert reply.json() == {"status": "ok"}
    assert sim.ca_file is not None
    with open(sim.ca_file, encoding="ascii") as pem:
        assert pem.read().startswith("-----BEGIN CERTIFICATE-----")
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(
            sim.url + "/rest/v1/pss/health", auth=("admin", "Simulat0r!admin"), verify=True, timeout=10
        )


def test_certificate_names_localhost_too(sim: PPSSimulator, admin: tuple[str, str]) -> None:
    reply = requests.get(
        f"https://localhost:{sim.port}/rest/v1/pss/health", auth=admin, verify=sim.ca_file, timeout=10
    )
    assert reply.status_code == 200


def test_a_client_that_rejects_the_certificate_does_not_stop_the_server(sim: PPSSimulator, api: Any) -> None:
    context = ssl.create_default_context()  # system CAs only
    with socket.create_connection(("127.0.0.1", sim.port), timeout=5) as raw:
        with pytest.raises(ssl.SSLError):
            context.wrap_socket(raw, server_hostname="127.0.0.1")
    assert api.get("/pss/health").status_code == 200


def test_plain_http_when_tls_is_off(admin: tuple[str, str]) -> None:
    with PPSSimulator(messages=5, tls=False) as sim:
        assert sim.url.startswith("http://127.0.0.1:")
        assert sim.ca_file is None
        assert requests.get(sim.url + "/rest/v1/pss/health", auth=admin, timeout=10).status_code == 200


def test_missing_or_wrong_credentials_answer_401_with_a_challenge(make_api: Any) -> None:
    for auth in (None, ("admin", "wrong"), ("nobody", "Simulat0r!admin")):
        reply = make_api(auth).get("/pss/health")
        assert reply.status_code == 401
        assert reply.headers["WWW-Authenticate"].startswith("Basic ")


def test_a_user_without_the_quarantine_module_gets_403_there_only(
    make_api: Any, pss_only: tuple[str, str]
) -> None:
    api = make_api(pss_only)
    assert api.get("/pss/health").status_code == 200
    assert api.get("/pss/filter").status_code == 200
    assert api.get("/quarantine", params={"from": "*"}).status_code == 403
    assert api.post("/quarantine", json={"action": "delete"}).status_code == 403
    assert api.get("/enduser/someone@example.com").status_code == 403


def test_unknown_paths_and_methods(api: Any, sim: PPSSimulator) -> None:
    assert api.get("/nothing").status_code == 404
    assert api.get("//quarantine", params={"from": "*"}).status_code == 404  # doubled slash is not merged
    assert api.get("/rest/v1/quarantine", params={"from": "*"}).status_code == 404  # /rest/v1 given twice
    assert requests.get(sim.url + "/quarantine", verify=sim.ca_file, timeout=10).status_code == 404
    reply = api.request("DELETE", "/quarantine")
    assert reply.status_code == 405
    assert reply.headers["Allow"]


def test_reason_phrases_are_not_shouted(api: Any) -> None:
    reply = api.get("/nothing")
    assert reply.reason == "Not Found"


def test_every_request_is_recorded(sim: PPSSimulator, api: Any) -> None:
    api.get("/pss/filter", params={"env_from": "a@b.c", "count": "5"})
    api.post("/quarantine", json={"action": "release", "folder": "Nope", "localguid": "1:2:3"})
    api.session.post(api.base + "/quarantine", data="not json", timeout=10)
    first, second, third = list(sim.requests)
    assert (first.method, first.path, first.query, first.json, first.user) == (
        "GET",
        "/rest/v1/pss/filter",
        {"env_from": "a@b.c", "count": "5"},
        None,
        "admin",
    )
    assert first.status == 200
    assert second.json == {"action": "release", "folder": "Nope", "localguid": "1:2:3"}
    assert second.status == 400
    assert third.json is None and third.body == b"not json"
    assert sim.count("POST", "/quarantine") == 2
    assert sim.count("POST", "/rest/v1/quarantine") == 2
    assert sim.count("GET", "/quarantine") == 0
    assert sim.count(None, "/pss") == 1
    assert sim.count() == 3
    assert sim.last_request("POST") is third
    sim.requests.clear()
    assert len(sim.requests) == 0


def test_the_user_name_is_recorded_even_when_refused(sim: PPSSimulator, make_api: Any) -> None:
    make_api(("mallory", "guess")).get("/pss/health")
    make_api(None).get("/pss/health")
    assert [item.user for item in sim.requests] == ["mallory", None]
    assert [item.status for item in sim.requests] == [401, 401]


def test_the_raw_uri_keeps_the_client_encoding(sim: PPSSimulator, api: Any) -> None:
    api.get("/enduser/a%40example.com")
    item = sim.requests[-1]
    assert item.path == "/rest/v1/enduser/a@example.com"
    assert item.raw_uri == "/rest/v1/enduser/a%40example.com"


def test_concurrent_clients_are_served(sim: PPSSimulator, admin: tuple[str, str]) -> None:
    def search(index: int) -> int:
        reply = requests.get(
            sim.url + "/rest/v1/quarantine",
            params={"from": "*", "folder": "Quarantine"},
            auth=admin,
            verify=sim.ca_file,
            timeout=30,
        )
        return reply.status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(search, range(40)))
    assert statuses == [200] * 40
    assert sim.count("GET", "/quarantine") == 40


def test_a_slow_request_does_not_block_others(sim: PPSSimulator, api: Any, admin: tuple[str, str]) -> None:
    sim.faults.add("GET", "/pss/filter", latency=3.0)
    slow = threading.Thread(target=api.get, args=("/pss/filter",))
    slow.start()
    try:
        deadline = time.monotonic() + 5
        while sim.count("GET", "/pss/filter") == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        reply = requests.get(sim.url + "/rest/v1/pss/health", auth=admin, verify=sim.ca_file, timeout=10)
        assert reply.status_code == 200
        assert slow.is_alive()  # the health check was answered while the search still waited
    finally:
        slow.join()


def test_start_stop_and_restart_keep_the_state(admin: tuple[str, str]) -> None:
    sim = PPSSimulator(messages=20)
    with pytest.raises(RuntimeError):
        _ = sim.url
    sim.start()
    try:
        record = sim.backend.messages()[0]
        folder = record["folder"]
        reply = requests.post(
            sim.url + "/rest/v1/quarantine",
            json={"action": "delete", "folder": folder, "localguid": record["localguid"]},
            auth=admin,
            verify=sim.ca_file,
            timeout=10,
        )
        assert reply.status_code == 200
        sim.stop()
        assert not sim.running
        sim.start()
        reply = requests.get(sim.url + "/rest/v1/pss/health", auth=admin, verify=sim.ca_file, timeout=10)
        assert reply.status_code == 200
        assert sim.backend.get_message(guid=record["guid"]) is None
    finally:
        sim.close()


def test_listens_on_loopback_only() -> None:
    with pytest.raises(ValueError):
        PPSSimulator(host="0.0.0.0")
    with PPSSimulator(messages=1, host="localhost") as sim:
        assert sim.url.startswith("https://localhost:")
