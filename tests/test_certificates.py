"""Certificate verification against the simulator's HTTPS, signed by a CA nobody trusts by default."""

from __future__ import annotations

from pathlib import Path

import pytest
import trustme

from pps_simulator import PPSSimulator

from .helpers import WarRoom, error_text, readable

NO_CA = {"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
# The runtime stand-in's switch between the two https:// adapters the server's library may mount
# for "Trust any certificate" (the XSOAR runtime specification §8).
HTTPS_ADAPTER_VARIABLE = "XSOAR_RUNTIME_HTTPS_ADAPTER"


@pytest.fixture(autouse=True)
def no_ca_bundle_from_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """A CA bundle set on the machine running the tests must not decide what is trusted here."""
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(params=["2022", "newer"])
def runtime_https_adapter(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each "Trust any certificate" test runs on both runtimes: the [2022] adapter keeps hostname checking on."""
    monkeypatch.setenv(HTTPS_ADAPTER_VARIABLE, request.param)
    return str(request.param)


def test_unknown_ca_is_refused_with_a_pointer_to_trust_any_certificate(
    war_room: WarRoom, sim: PPSSimulator
) -> None:
    message = error_text(war_room.run("!test-module", env=NO_CA))

    assert "TLS certificate of 127.0.0.1" in message
    assert "could not be verified" in message
    assert "'Trust any certificate (not secure)'" in message
    assert "(unsecure)" in message
    assert "REQUESTS_CA_BUNDLE" in message
    assert len(sim.requests) == 0  # nothing was sent over the unverified connection


def test_unknown_ca_is_refused_for_commands_too_and_not_retried(war_room: WarRoom, sim: PPSSimulator) -> None:
    message = error_text(war_room.run('!proofpoint-pps-smart-search start_time="1 day"', env=NO_CA))

    assert "could not be verified" in message
    assert "(after" not in message  # "(after N tries)": a certificate problem is not worth retrying
    assert len(sim.requests) == 0


def test_a_ca_bundle_of_another_ca_is_refused(war_room: WarRoom, sim: PPSSimulator, tmp_path: Path) -> None:
    other_ca = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other_ca))

    message = error_text(war_room.run("!test-module", env={**NO_CA, "REQUESTS_CA_BUNDLE": str(other_ca)}))

    assert "could not be verified" in message
    assert len(sim.requests) == 0


@pytest.mark.parametrize("name", ["unsecure", "insecure"])
def test_trust_any_certificate_accepts_it(
    war_room: WarRoom, sim: PPSSimulator, name: str, runtime_https_adapter: str
) -> None:
    result = war_room.run("!test-module", env=NO_CA, params=war_room.params(**{name: True}))

    assert readable(result) == "ok"
    assert sim.count("GET", "/pss/health") == 1


def test_trust_any_certificate_wins_over_a_wrong_ca_bundle(
    war_room: WarRoom, tmp_path: Path, runtime_https_adapter: str
) -> None:
    other_ca = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other_ca))

    result = war_room.run(
        '!proofpoint-pps-smart-search start_time="40 days" limit=2',
        env={**NO_CA, "REQUESTS_CA_BUNDLE": str(other_ca)},
        unsecure="true",
    )

    assert "Smart Search Results" in readable(result)


def test_the_simulators_ca_given_as_requests_ca_bundle_is_trusted(
    war_room: WarRoom, sim: PPSSimulator
) -> None:
    assert sim.ca_file is not None

    result = war_room.run("!test-module", env={**NO_CA, "REQUESTS_CA_BUNDLE": sim.ca_file})

    assert readable(result) == "ok"


def test_the_ca_bundle_stays_trusted_for_downloads(war_room: WarRoom, sim: PPSSimulator) -> None:
    guid = sim.backend.messages("Quarantine")[0]["guid"]

    result = war_room.run(f"!proofpoint-pps-download-message guid={guid}")  # env: the simulator's CA

    (saved,) = result.files
    assert saved.read_bytes() == sim.backend.raw_message(guid)
