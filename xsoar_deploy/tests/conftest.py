"""Fixtures: a unified integration YAML, the XSOAR stand-in, and the deploy command run in process."""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from instance_params import PPS_VARIABLES
from xsoar_deploy.cli import main

from .fake_xsoar import FakeXsoar

PROJECT_ROOT = Path(__file__).resolve().parents[2]
INTEGRATION_DIR = PROJECT_ROOT / "Integrations" / "ProofpointProtectionServerV2"
INTEGRATION_ID = "Proofpoint PPS REST"
API_KEY = "Xs0arK3y-9f2d7c1e4b8a6d3f0e5c2b1a-NEVER-PRINT"
PPS_PASSWORD = "Pps-Pa55w0rd!-also-secret"
# Variables of the developer's shell that would change what the command does.
ISOLATED_VARIABLES = (
    "DEMISTO_BASE_URL",
    "DEMISTO_API_KEY",
    "DEMISTO_ADVANCED_API_KEY",
    "DEMISTO_API_KEY_ID",
    "XSIAM_AUTH_ID",
    "XSOAR_AUTH_ID",
    "DEMISTO_USERNAME",
    "DEMISTO_PASSWORD",
    "DEMISTO_VERIFY_SSL",
    "DEMISTO_HTTP_HEADERS",
    "DEMISTO_EXCEPTION_HEADER_LOGGING",
    "SSL_CERT_FILE",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "http_proxy",
    "https_proxy",
    *PPS_VARIABLES,
)


@dataclass(frozen=True)
class CliRun:
    exit_code: int
    out: str
    err: str


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ISOLATED_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def make_unified_yaml(folder: Path) -> Path:
    """What `demisto-sdk prepare-content` makes, near enough: the manifest with the code in script.script."""
    document = yaml.safe_load(
        (INTEGRATION_DIR / "ProofpointProtectionServerV2.yml").read_text(encoding="utf-8")
    )
    document["script"]["script"] = (INTEGRATION_DIR / "ProofpointProtectionServerV2.py").read_text(
        encoding="utf-8"
    )
    path = folder / "integration-ProofpointProtectionServerV2.yml"
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def unified_yaml(tmp_path: Path) -> Path:
    folder = tmp_path / "unified"
    folder.mkdir()
    return make_unified_yaml(folder)


@pytest.fixture
def xsoar() -> Iterator[FakeXsoar]:
    with FakeXsoar(API_KEY) as server:
        yield server


@pytest.fixture
def xsoar_env(xsoar: FakeXsoar) -> dict[str, str]:
    return {"DEMISTO_BASE_URL": xsoar.url, "DEMISTO_API_KEY": API_KEY}


def run_deploy(argv: Sequence[str], environ: dict[str, str]) -> CliRun:
    out, err = io.StringIO(), io.StringIO()
    exit_code = main(list(argv), environ=environ, out=out, err=err)
    return CliRun(exit_code, out.getvalue(), err.getvalue())
