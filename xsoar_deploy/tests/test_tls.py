"""TLS: the certificate is verified unless --insecure is given, whatever the environment says."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from .conftest import API_KEY, run_deploy
from .fake_xsoar import FakeXsoar


@pytest.fixture(scope="module")
def certificate_authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def tls_xsoar(certificate_authority: trustme.CA) -> Iterator[FakeXsoar]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate_authority.issue_cert("127.0.0.1").configure_cert(context)
    with FakeXsoar(API_KEY, ssl_context=context) as server:
        yield server


@pytest.fixture
def ca_file(certificate_authority: trustme.CA, tmp_path: Path) -> Path:
    path = tmp_path / "xsoar-ca.pem"
    certificate_authority.cert_pem.write_to_path(str(path))
    return path


def test_an_untrusted_certificate_is_refused(tls_xsoar: FakeXsoar, unified_yaml: Path):
    # DEMISTO_VERIFY_SSL would turn verification off in demisto-py; only --insecure does here.
    environ = {"DEMISTO_BASE_URL": tls_xsoar.url, "DEMISTO_API_KEY": API_KEY, "DEMISTO_VERIFY_SSL": "false"}

    run = run_deploy(["--integration", str(unified_yaml)], environ)

    assert run.exit_code == 1
    assert "Cannot read the server's version: the TLS connection to" in run.err
    assert "--ca-cert FILE" in run.err and "--insecure" in run.err
    assert tls_xsoar.requests == []
    assert API_KEY not in run.out + run.err


def test_the_servers_ca_makes_it_trusted(tls_xsoar: FakeXsoar, unified_yaml: Path, ca_file: Path):
    environ = {"DEMISTO_BASE_URL": tls_xsoar.url, "DEMISTO_API_KEY": API_KEY}

    run = run_deploy(["--integration", str(unified_yaml), "--ca-cert", str(ca_file)], environ)

    assert run.exit_code == 0, run.err
    assert len(tls_xsoar.requests_to("POST", "/settings/integration-conf/upload")) == 1
    assert "warning" not in run.err


def test_insecure_skips_verification_and_says_so(tls_xsoar: FakeXsoar, unified_yaml: Path):
    environ = {"DEMISTO_BASE_URL": tls_xsoar.url, "DEMISTO_API_KEY": API_KEY}

    run = run_deploy(["--integration", str(unified_yaml), "--insecure"], environ)

    assert run.exit_code == 0, run.err
    assert len(tls_xsoar.requests_to("POST", "/settings/integration-conf/upload")) == 1
    assert run.err.count("certificate is not verified") == 1
