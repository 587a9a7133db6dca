"""The unified YAML that prepare-content built, the file uploaded to XSOAR, is what was tested.

`python sdk/run_sdk_checks.py` runs this file after prepare-content with SDK_UNIFIED_YML set to
build/unified/integration-ProofpointProtectionServerV2.yml. Without the variable every test here
skips, so a plain `pytest` that collects this folder stays green.

Its code must be the integration's .py minus the two runtime import lines (plus the lines
prepare-content adds), and its commands, run from the YAML's own `script.script` through the War
Room runner against the PPS simulator over HTTPS (verified against the simulator's CA), must work.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SOURCE_DIR = ROOT / "Integrations" / "ProofpointProtectionServerV2"
SOURCE_PY = SOURCE_DIR / "ProofpointProtectionServerV2.py"
SOURCE_YML = SOURCE_DIR / "ProofpointProtectionServerV2.yml"

UNIFIED_ENV_VAR = "SDK_UNIFIED_YML"
if not os.environ.get(UNIFIED_ENV_VAR):
    pytest.skip(
        f"{UNIFIED_ENV_VAR} is not set: these tests run from sdk/run_sdk_checks.py after prepare-content",
        allow_module_level=True,
    )
UNIFIED = Path(os.environ[UNIFIED_ENV_VAR]).resolve()

import warroom  # noqa: E402 - after the skip, so a run without the variable needs none of this
from pps_simulator import PPSSimulator  # noqa: E402
from warroom.simulator import SIMULATOR_PASSWORD, SIMULATOR_USER  # noqa: E402

# Any import of the runtime modules: on the server they do not exist as modules.
RUNTIME_IMPORT = re.compile(
    r"^\s*(import\s+(demistomock|CommonServerPython|CommonServerUserPython)\b"
    r"|from\s+(demistomock|CommonServerPython|CommonServerUserPython)\s+import\b)",
    re.MULTILINE,
)
CANONICAL_IMPORTS = ("import demistomock as demisto", "from CommonServerPython import *")
# The lines prepare-content adds around the code: line registration and the pack's version.
ADDED_BY_PREPARE = re.compile(
    r"^(register_module_line\('[^']*', '(start|end)', __line__\(\)\)"
    r"|CONSTANT_PACK_VERSION = '[^']*'"
    r"|demisto\.debug\('pack id = [^']*, pack version = [^']*'\))$"
)
NOW = datetime(2025, 1, 31, 12, 0, tzinfo=timezone.utc)
WINDOW = "start_time=2025-01-01T00:00:00Z end_time=2025-01-31T12:00:00Z"


def trimmed(lines: list[str]) -> list[str]:
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


@pytest.fixture(scope="module")
def unified() -> dict[str, Any]:
    assert UNIFIED.is_file(), f"{UNIFIED_ENV_VAR} points at {UNIFIED}, which does not exist"
    document = yaml.safe_load(UNIFIED.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


@pytest.fixture(scope="module")
def source() -> dict[str, Any]:
    document = yaml.safe_load(SOURCE_YML.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def unified_code(document: dict[str, Any]) -> str:
    code = document["script"]["script"]
    assert isinstance(code, str) and code.strip() not in ("", "-"), "script.script holds no code"
    return code


# ---- the code ----------------------------------------------------------------------------------------


def test_the_unified_script_imports_no_runtime_module(unified: dict[str, Any]) -> None:
    found = RUNTIME_IMPORT.findall(unified_code(unified))
    assert not found, f"runtime imports left in script.script: {found}"


def test_the_unified_script_is_the_integration_minus_its_import_lines(unified: dict[str, Any]) -> None:
    source_lines = SOURCE_PY.read_text(encoding="utf-8").splitlines()
    for line in CANONICAL_IMPORTS:
        assert line in source_lines, f"the integration lacks the canonical line {line!r}"
    expected = trimmed([line for line in source_lines if line not in CANONICAL_IMPORTS])
    unified_lines = unified_code(unified).splitlines()
    added = [line for line in unified_lines if ADDED_BY_PREPARE.match(line)]
    actual = trimmed([line for line in unified_lines if not ADDED_BY_PREPARE.match(line)])
    assert actual == expected
    assert len(added) == 4, f"expected register start/end, the version and its debug line: {added}"


def test_the_unified_script_carries_the_pack_version(unified: dict[str, Any]) -> None:
    version = json.loads((ROOT / "pack_metadata.json").read_text())["currentVersion"]
    assert f"CONSTANT_PACK_VERSION = '{version}'" in unified_code(unified).splitlines()


def test_the_unified_yaml_keeps_the_commands_params_and_image(
    unified: dict[str, Any], source: dict[str, Any]
) -> None:
    assert unified["commonfields"] == source["commonfields"]
    assert unified["configuration"] == source["configuration"]
    assert unified["script"]["commands"] == source["script"]["commands"]
    assert unified["script"]["dockerimage"] == source["script"]["dockerimage"]
    assert str(unified.get("image", "")).startswith("data:image/png;base64,")
    assert unified.get("detaileddescription"), "the description file was not folded in"


# ---- the commands, run from the unified YAML ---------------------------------------------------------


@pytest.fixture
def sim() -> Iterator[PPSSimulator]:
    with PPSSimulator(db=":memory:", messages=300, seed=1, tls=True, port=0, now=NOW) as simulator:
        yield simulator


def run(sim: PPSSimulator, line: str, workdir: Path) -> warroom.RunResult:
    """Run `line` from the unified YAML's code against the simulator, trusting only its CA."""
    params = {"url": sim.url, "credentials": {"identifier": SIMULATOR_USER, "password": SIMULATOR_PASSWORD}}
    env = {"REQUESTS_CA_BUNDLE": str(sim.ca_file), "NO_PROXY": "127.0.0.1,localhost"}
    result = warroom.run_command(line, params, integration=UNIFIED, workdir=workdir, env=env)
    assert result.exit_code == 0, result.entries
    return result


def test_the_runner_runs_the_code_of_the_unified_yaml(unified: dict[str, Any]) -> None:
    loaded = warroom.load_integration(UNIFIED)
    assert loaded.code_path == UNIFIED and loaded.yaml_path == UNIFIED
    assert loaded.code == warroom.strip_runtime_imports(unified_code(unified))


def test_test_module(sim: PPSSimulator, tmp_path: Path) -> None:
    result = run(sim, "!test-module", tmp_path)
    assert [entry["Contents"] for entry in result.entries] == ["ok"]
    assert (sim.count("GET", "/pss/health"), sim.count("GET", "/quarantine")) == (1, 1)
    assert all(request.path.startswith("/rest/v1/") for request in sim.requests)


def test_smart_search(sim: PPSSimulator, tmp_path: Path) -> None:
    result = run(sim, f"!proofpoint-pps-smart-search sender=*@bank-alerts.example {WINDOW}", tmp_path)
    records = result.context["Proofpoint"]["SmartSearch"]
    records = records if isinstance(records, list) else [records]
    assert records and all(record["Sender"].endswith("@bank-alerts.example") for record in records)
    expected = {r["GUID"] for r in sim.backend.trace() if r["Sender"].endswith("@bank-alerts.example")}
    assert {record["GUID"] for record in records} <= expected
    readable = result.entries[0]["HumanReadable"]
    assert (
        "|GUID|Date|Sender|Recipients|Subject|Final_Action|Quarantine_Folder|Spam_Score|Virus_Names|"
        in readable
    )


def test_list_quarantined_messages(sim: PPSSimulator, tmp_path: Path) -> None:
    result = run(
        sim, f"!proofpoint-pps-list-quarantined-messages from=*@docusign-review.example {WINDOW}", tmp_path
    )
    records = result.context["Proofpoint"]["QuarantinedMessage"]
    records = records if isinstance(records, list) else [records]
    assert records
    assert all(
        r["folder"] == "Quarantine" and r["from"].endswith("@docusign-review.example") for r in records
    )
    for record in records:
        assert sim.backend.get_message(guid=record["guid"]) == record


def test_release_message(sim: PPSSimulator, tmp_path: Path) -> None:
    message = sim.backend.messages("HIPAA")[0]
    result = run(
        sim, f"!proofpoint-pps-release-message folder_name=HIPAA local_guid={message['localguid']}", tmp_path
    )
    outcome = result.context["Proofpoint"]["QuarantineAction"]
    outcome = outcome[0] if isinstance(outcome, list) else outcome
    assert (outcome["LocalGUID"], outcome["Action"], outcome["Status"]) == (
        message["localguid"],
        "release",
        "success",
    )
    assert [(a["action"], a["localguid"]) for a in sim.backend.actions()] == [
        ("release", message["localguid"])
    ]


def test_download_message(sim: PPSSimulator, tmp_path: Path) -> None:
    message = sim.backend.messages("HIPAA")[0]
    result = run(sim, f"!proofpoint-pps-download-message guid={message['guid']}", tmp_path)
    assert [entry["File"] for entry in result.entries] == [f"{message['guid']}.eml"]
    assert len(result.files) == 1
    assert result.files[0].read_bytes() == sim.backend.raw_message(message["guid"])
    assert result.files[0].stat().st_size == int(message["size"])
