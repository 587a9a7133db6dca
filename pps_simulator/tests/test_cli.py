"""`python -m pps_simulator` as a person runs it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from pps_simulator import PPSSimulator

ROOT = Path(__file__).resolve().parents[2]


def test_server_mode_prints_url_and_users_and_writes_the_ca(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pps_simulator",
            "--port",
            "0",
            "--messages",
            "30",
            "--ca-out",
            str(ca),
            "--quiet",
            "--flavour",
            "cloud",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        banner = [process.stdout.readline() for _ in range(7)]
        text = "".join(banner)
        match = re.search(r"https://127\.0\.0\.1:\d+", text)
        assert match, text
        assert "admin / Simulat0r!admin" in text and "pss-only / Simulat0r!pss" in text
        reply = requests.get(
            match.group(0) + "/rest/v1/quarantine",
            params={"subject": "*"},
            auth=("admin", "Simulat0r!admin"),
            verify=str(ca),
            timeout=10,
        )
        assert reply.status_code == 200
        record = reply.json()["records"][0]
        assert record["localguid"] == record["guid"] and isinstance(record["size"], int)  # --flavour cloud
        assert "cloud replies" in text
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0


def test_refuses_a_non_loopback_host() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pps_simulator", "--host", "0.0.0.0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "loopback" in result.stderr


@pytest.mark.parametrize("port", ["70000", "65536", "-1", "abc", "1.5"])
def test_a_port_out_of_range_is_a_usage_error(port: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pps_simulator", "--port", port],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert f"argument --port: {port!r} is not a port: give 0 (any free port) to 65535" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("port", [70000, -1, True])
def test_in_process_a_port_out_of_range_is_refused(port: int) -> None:
    with pytest.raises(ValueError, match="port must be 0"):
        PPSSimulator(messages=0, port=port)
