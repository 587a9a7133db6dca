"""The runner with the project's real runtime stand-in, integration and PPS simulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from warroom import load_integration, run_command
from warroom.integration import PROJECT_ROOT

PARAMS = {"url": "https://127.0.0.1:9", "credentials": {"identifier": "admin", "password": "Simulat0r!admin"}}


def warroom(*argv: str, state: Path) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "COLUMNS": "250"}
    for name in ("PPS_URL", "PPS_USERNAME", "PPS_PASSWORD", "FORCE_COLOR"):
        environ.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "warroom", "--simulator", "--state", str(state), *argv],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=environ,
        timeout=120,
    )


def test_every_command_of_the_real_yaml_is_known() -> None:
    manifest = load_integration().manifest
    assert "proofpoint-pps-smart-search" in manifest.commands
    assert "proofpoint-pps-list-quarantined-messages" in manifest.commands
    assert {"url", "credentials"} <= set(manifest.params)


def test_real_integration_refuses_what_its_yaml_does_not_have(tmp_path: Path) -> None:
    result = run_command("!proofpoint-pps-smart-search bogus=1", PARAMS, workdir=tmp_path)
    assert result.exit_code == 2
    assert "has no argument bogus. Accepted arguments: action," in result.entries[0]["Contents"]


def test_real_integration_error_entry_without_network(tmp_path: Path) -> None:
    # Refused by the integration's own validation, before any HTTP call.
    result = run_command(
        '!proofpoint-pps-list-quarantined-messages start_time="7 days"', PARAMS, workdir=tmp_path
    )
    assert result.exit_code == 1
    assert result.entries[-1]["Type"] == 4
    assert "Traceback" not in result.entries[-1]["Contents"]


def test_simulator_smart_search_prints_a_table(tmp_path: Path) -> None:
    done = warroom(
        "!proofpoint-pps-smart-search",
        "sender=*@example.com",
        'start_time="30 days"',
        "limit=5",
        state=tmp_path / "sim.sqlite",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Proofpoint Protection Server Smart Search Results" in done.stdout
    assert "|---|" not in done.stdout  # rendered as a table, not raw markdown
    header = next(line for line in done.stdout.splitlines() if "GUID" in line)
    assert "Sender" in header and "Subject" in header
    assert "@example.com" in done.stdout
    assert "Simulat0r!admin" not in done.stdout + done.stderr


def quarantined(folder: str, sender: str, state: Path) -> list[dict[str, object]]:
    done = warroom(
        "--json",
        f'!proofpoint-pps-list-quarantined-messages from={sender} folder_name="{folder}" start_time="30 days"',
        state=state,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    contents = json.loads(done.stdout)[0]["Contents"]
    return contents if isinstance(contents, list) else []


def test_release_then_list_sees_the_change_across_runs(tmp_path: Path) -> None:
    state = tmp_path / "sim.sqlite"
    held = quarantined("HIPAA", "*@example.com", state)
    assert held, "the simulator's seed data has HIPAA messages from example.com"
    message = held[0]
    released = warroom(
        "--context",
        f"!proofpoint-pps-release-message folder_name=HIPAA local_guid={message['localguid']}"
        ' deleted_folder="Deleted Incidents"',
        state=state,
    )
    assert released.returncode == 0, released.stdout + released.stderr
    assert "released" in released.stdout
    assert message["guid"] not in [record["guid"] for record in quarantined("HIPAA", "*@example.com", state)]
    moved = quarantined("Deleted Incidents", str(message["from"]), state)
    assert message["guid"] in [record["guid"] for record in moved]


def test_downloaded_message_is_saved(tmp_path: Path) -> None:
    state = tmp_path / "sim.sqlite"
    guid = quarantined("HIPAA", "*@example.com", state)[0]["guid"]
    out = tmp_path / "files"
    done = warroom("--out", str(out), f"!proofpoint-pps-download-message guid={guid}", state=state)
    assert done.returncode == 0, done.stdout + done.stderr
    saved = out / f"{guid}.eml"
    assert f"Saved file: {saved}" in done.stdout
    assert b"Subject:" in saved.read_bytes()


def test_simulator_run_from_python(tmp_path: Path) -> None:
    from warroom.simulator import running_simulator

    with running_simulator(tmp_path / "sim.sqlite") as sim:
        result = run_command(
            '!proofpoint-pps-smart-search sender=*@example.com start_time="30 days" limit=2',
            sim.params,
            workdir=tmp_path,
            env=sim.env,
        )
    assert result.exit_code == 0, result.entries
    records = result.context["Proofpoint"]["SmartSearch"]
    assert len(records) == 2 and all(record["GUID"] for record in records)
    assert (
        "REQUESTS_CA_BUNDLE" not in os.environ
        or os.environ["REQUESTS_CA_BUNDLE"] != sim.env["REQUESTS_CA_BUNDLE"]
    )
