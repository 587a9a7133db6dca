"""`python -m xsoar_deploy` run as a user runs it: a separate process, real stdout and stderr."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import yaml

from .conftest import API_KEY, ISOLATED_VARIABLES, PPS_PASSWORD, PROJECT_ROOT, CliRun
from .fake_xsoar import FakeXsoar


def run_module(args: list[str], extra_env: dict[str, str]) -> CliRun:
    environ = {name: value for name, value in os.environ.items() if name not in ISOLATED_VARIABLES}
    environ.update(extra_env)
    completed = subprocess.run(
        [sys.executable, "-m", "xsoar_deploy", *args],
        cwd=PROJECT_ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return CliRun(completed.returncode, completed.stdout, completed.stderr)


def instance_config(folder: Path) -> Path:
    # The password comes from PPS_PASSWORD, as it would from a secret store.
    path = folder / "instance.yml"
    path.write_text(
        yaml.safe_dump({"url": "https://pps.example.com:10000", "credentials": {"identifier": "pps-admin"}}),
        encoding="utf-8",
    )
    return path


def test_help_describes_the_command():
    run = run_module(["--help"], {})

    assert run.exit_code == 0
    assert "--instance NAME" in run.out
    assert "DEMISTO_API_KEY" in run.out


def test_deploy_and_test_with_verbose_output_never_prints_a_secret(
    xsoar: FakeXsoar, unified_yaml: Path, tmp_path: Path
):
    run = run_module(
        [
            "--integration",
            str(unified_yaml),
            "--instance",
            "pps-prod",
            "--config",
            str(instance_config(tmp_path)),
            "-v",
        ],
        {"DEMISTO_BASE_URL": xsoar.url, "DEMISTO_API_KEY": API_KEY, "PPS_PASSWORD": PPS_PASSWORD},
    )

    assert run.exit_code == 0, run.err
    assert "Uploaded the integration" in run.out
    assert "Created the instance 'pps-prod'" in run.out
    assert "test-module succeeded for the instance 'pps-prod'" in run.out
    assert f"POST {xsoar.url}/settings/integration-conf/upload" in run.err
    assert API_KEY not in run.out + run.err
    assert PPS_PASSWORD not in run.out + run.err
    assert all(request.headers["Authorization"] == API_KEY for request in xsoar.requests)
    [saved] = xsoar.requests_to("PUT", "/settings/integration")
    credentials = next(entry for entry in saved.json["data"] if entry["name"] == "credentials")
    assert credentials["value"]["password"] == PPS_PASSWORD


def test_failed_test_module_exits_1_with_the_message_and_no_secret(
    xsoar: FakeXsoar, unified_yaml: Path, tmp_path: Path
):
    xsoar.test_module = lambda _instance: (
        False,
        "Cannot connect to https://pps.example.com:10000: timed out",
    )

    run = run_module(
        [
            "--integration",
            str(unified_yaml),
            "--instance",
            "pps-prod",
            "--config",
            str(instance_config(tmp_path)),
        ],
        {"DEMISTO_BASE_URL": xsoar.url, "DEMISTO_API_KEY": API_KEY, "PPS_PASSWORD": PPS_PASSWORD},
    )

    assert run.exit_code == 1
    assert (
        "test-module failed for the instance 'pps-prod': Cannot connect to https://pps.example.com:10000"
        in run.err
    )
    assert API_KEY not in run.out + run.err
    assert PPS_PASSWORD not in run.out + run.err


def test_an_unreachable_server_gives_one_clear_error(unified_yaml: Path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]

    run = run_module(
        ["--integration", str(unified_yaml), "--timeout", "5"],
        {"DEMISTO_BASE_URL": f"http://127.0.0.1:{closed_port}", "DEMISTO_API_KEY": API_KEY},
    )

    assert run.exit_code == 1
    assert run.err.startswith(
        f"error: Cannot reach XSOAR at http://127.0.0.1:{closed_port} to read the server's version"
    )
    assert len(run.err.strip().splitlines()) == 1
    assert API_KEY not in run.out + run.err
