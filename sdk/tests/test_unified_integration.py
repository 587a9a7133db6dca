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


# ---- the official spellings and the new commands, run from the unified YAML -----------------------------
# Issue 8: every command works by both names, against the simulator in both flavours, on the unified YAML.
# Each official spelling runs against one fresh simulator and its seed spelling against an equal one: the
# analyst sees the same entries and context, and the appliances receive the same requests.

FLAVOURS = ("onprem", "cloud")
PARITY_WINDOW = {"start_time": "2024-12-31T00:00:00Z", "end_time": "2025-01-31T12:00:00Z"}


def new_simulator(flavour: str) -> PPSSimulator:
    return PPSSimulator(db=":memory:", messages=60, seed=3, tls=True, port=0, now=NOW, flavour=flavour)


@pytest.fixture(params=FLAVOURS)
def flavoured_sim(request: pytest.FixtureRequest) -> Iterator[PPSSimulator]:
    with new_simulator(str(request.param)) as simulator:
        yield simulator


@pytest.fixture(params=FLAVOURS)
def twin_sims(request: pytest.FixtureRequest) -> Iterator[tuple[PPSSimulator, PPSSimulator]]:
    """Two equal fresh simulators of one flavour: the seed spelling runs on the first, the official on the other."""
    with new_simulator(str(request.param)) as seed_sim, new_simulator(str(request.param)) as official_sim:
        assert seed_sim.backend.messages() == official_sim.backend.messages()
        yield seed_sim, official_sim


def line_of(command: str, args: dict[str, str]) -> str:
    """A War Room line, each value double-quoted with its backslashes and quotes escaped."""
    quoted = ('"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"' for value in args.values())
    return " ".join([f"!{command}", *(f"{name}={value}" for name, value in zip(args, quoted, strict=True))])


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def sent_since(sim: PPSSimulator, start: int) -> list[tuple[str, str, str, str]]:
    """Method, path, query and body of each request since `start`, in a stable order (batches are concurrent)."""
    return sorted(
        (
            item.method,
            item.path,
            json.dumps(item.query, sort_keys=True),
            json.dumps(item.json, sort_keys=True),
        )
        for item in sim.requests.snapshot()[start:]
    )


def run_both(
    sims: tuple[PPSSimulator, PPSSimulator],
    seed_line: str,
    official_line: str,
    tmp_path: Path,
) -> tuple[warroom.RunResult, list[tuple[str, str, str, str]]]:
    """Both spellings, each on its simulator; returns the official run and the requests it caused, after
    checking that the seed spelling showed and sent the same."""
    seed_sim, official_sim = sims
    seed_start, official_start = len(seed_sim.requests), len(official_sim.requests)
    seed = run(seed_sim, seed_line, tmp_path / "seed")
    official = run(official_sim, official_line, tmp_path / "official")
    assert [entry["Type"] for entry in official.entries] == [entry["Type"] for entry in seed.entries]
    assert official.entries == seed.entries
    assert official.context == seed.context
    sent = sent_since(official_sim, official_start)
    assert sent == sent_since(seed_sim, seed_start)
    return official, sent


def test_official_list_with_sender_and_recipient(
    twin_sims: tuple[PPSSimulator, PPSSimulator], tmp_path: Path
) -> None:
    folders = "Quarantine,HIPAA,Spam"
    official, sent = run_both(
        twin_sims,
        line_of(
            "proofpoint-pps-list-quarantined-messages",
            {"from": "*@lucky-draw.test", "to": "*", "folder_name": folders, **PARITY_WINDOW},
        ),
        line_of(
            "proofpoint-pps-quarantine-messages-list",
            {"sender": "*@lucky-draw.test", "recipient": "*", "folder_name": folders, **PARITY_WINDOW},
        ),
        tmp_path,
    )
    records = as_list(official.context["Proofpoint"]["QuarantinedMessage"])
    backend = twin_sims[1].backend
    expected = {
        record["guid"]
        for folder in folders.split(",")
        for record in backend.search_quarantine(folder=folder, sender="*@lucky-draw.test", limit=1000)
    }
    assert expected and {record["guid"] for record in records} == expected
    dates = [record["date"] for record in records]
    assert dates == sorted(dates, reverse=True)
    assert {json.loads(query)["folder"] for _, _, query, _ in sent} == set(folders.split(","))
    if twin_sims[1].flavour == "cloud":
        assert all(record["localguid"] == record["guid"] for record in records)


ACTIONS = {
    "release": (
        "proofpoint-pps-release-message",
        "proofpoint-pps-quarantine-message-release",
        "HIPAA",
        {},
        {},
    ),
    "resubmit": (
        "proofpoint-pps-resubmit-message",
        "proofpoint-pps-quarantine-message-resubmit",
        "Spam",
        {},
        {},
    ),
    "forward": (
        "proofpoint-pps-forward-message",
        "proofpoint-pps-quarantine-message-forward",
        "Phish",
        {"from": "soc@example.com", "header_from": "SOC <soc@example.com>", "to": "analyst@example.com"},
        {
            "sender": "soc@example.com",
            "header_from": "SOC <soc@example.com>",
            "recipient": "analyst@example.com",
        },
    ),
    "move": (
        "proofpoint-pps-move-message",
        "proofpoint-pps-quarantine-message-move",
        "HIPAA",
        {"target_folder": "PCI"},
        {"target_folder": "PCI"},
    ),
    "delete": ("proofpoint-pps-delete-message", "proofpoint-pps-quarantine-message-delete", "Spam", {}, {}),
}


@pytest.mark.parametrize("action", list(ACTIONS))
def test_official_quarantine_actions(
    twin_sims: tuple[PPSSimulator, PPSSimulator], tmp_path: Path, action: str
) -> None:
    seed_command, official_command, folder, seed_args, official_args = ACTIONS[action]
    listed = run(
        twin_sims[1],
        line_of(
            "proofpoint-pps-quarantine-messages-list",
            {"recipient": "*", "folder_name": folder, **PARITY_WINDOW},
        ),
        tmp_path / "list",
    )
    local_guid = as_list(listed.context["Proofpoint"]["QuarantinedMessage"])[0]["localguid"]
    common = {"folder_name": folder, "local_guid": local_guid}

    official, sent = run_both(
        twin_sims,
        line_of(seed_command, {**common, **seed_args}),
        line_of(official_command, {**common, **official_args}),
        tmp_path,
    )

    (outcome,) = as_list(official.context["Proofpoint"]["QuarantineAction"])
    assert (outcome["LocalGUID"], outcome["Action"], outcome["Status"]) == (local_guid, action, "success")
    (post,) = sent
    body = json.loads(post[3])
    assert (post[0], body["action"], body["folder"], body["localguid"]) == (
        "POST",
        action,
        folder,
        local_guid,
    )
    if action == "forward":
        assert (body["to"], body["from"]) == ("analyst@example.com", "soc@example.com")
    for sim in twin_sims:
        assert [(entry["action"], entry["localguid"]) for entry in sim.backend.actions()] == [
            (action, local_guid)
        ]


def test_official_download(twin_sims: tuple[PPSSimulator, PPSSimulator], tmp_path: Path) -> None:
    guid = twin_sims[0].backend.messages("Quarantine")[0]["guid"]
    seed = run(twin_sims[0], f"!proofpoint-pps-download-message guid={guid}", tmp_path / "seed")
    official = run(
        twin_sims[1], f"!proofpoint-pps-quarantine-message-download guid={guid}", tmp_path / "official"
    )
    assert [entry["File"] for entry in official.entries] == [entry["File"] for entry in seed.entries]
    assert [entry["File"] for entry in official.entries] == [f"{guid}.eml"]
    raw = twin_sims[1].backend.raw_message(guid)
    assert (
        [path.read_bytes() for path in official.files] == [path.read_bytes() for path in seed.files] == [raw]
    )


def test_user_commands(flavoured_sim: PPSSimulator, tmp_path: Path) -> None:
    sim = flavoured_sim
    got = run(sim, "!proofpoint-pps-get-user email=alice@example.com", tmp_path)
    assert got.context["Proofpoint"]["User"] == sim.backend.get_enduser("alice@example.com")

    run(
        sim,
        line_of(
            "proofpoint-pps-create-user", {"email": "carol@example.com", "fields": '{"firstname": "Carol"}'}
        ),
        tmp_path,
    )
    assert sim.backend.get_enduser("carol@example.com")["firstname"] == "Carol"
    uid = sim.backend.get_enduser("carol@example.com")["uid"]
    modified = run(
        sim, line_of("proofpoint-pps-modify-user", {"uid": uid, "fields": '{"lastname": "Jones"}'}), tmp_path
    )
    assert modified.context["Proofpoint"]["User"]["lastname"] == "Jones"
    assert sim.backend.get_enduser("carol@example.com")["lastname"] == "Jones"
    run(sim, "!proofpoint-pps-delete-user email=carol@example.com", tmp_path)
    assert "carol@example.com" not in {user["email"] for user in sim.backend.endusers()}


def test_sender_list_add_and_remove(flavoured_sim: PPSSimulator, tmp_path: Path) -> None:
    sim = flavoured_sim
    users = "alice@example.com,bob@example.com"
    added = run(
        sim,
        line_of(
            "proofpoint-pps-sender-list-add", {"email": users, "list": "blocklist", "entries": "evil.example"}
        ),
        tmp_path,
    )
    changes = as_list(added.context["Proofpoint"]["SenderListChange"])
    assert sorted((change["User"], change["Outcome"]) for change in changes) == [
        ("alice@example.com", "added"),
        ("bob@example.com", "added"),
    ]
    assert all("evil.example" in sim.backend.get_enduser(user)["blocklist"] for user in users.split(","))

    removed = run(
        sim,
        line_of(
            "proofpoint-pps-sender-list-remove",
            {"email": users, "list": "blocklist", "entries": "evil.example"},
        ),
        tmp_path,
    )
    changes = as_list(removed.context["Proofpoint"]["SenderListChange"])
    assert {change["Outcome"] for change in changes} == {"removed"}
    assert all("evil.example" not in sim.backend.get_enduser(user)["blocklist"] for user in users.split(","))


def test_sender_summary(flavoured_sim: PPSSimulator, tmp_path: Path) -> None:
    sim = flavoured_sim
    sender = sim.backend.messages("Quarantine")[0]["from"]
    held = sim.backend.search_quarantine(folder="Quarantine", sender=sender, limit=1000)
    result = run(sim, line_of("proofpoint-pps-sender-summary", {"sender": sender, **PARITY_WINDOW}), tmp_path)
    summary = result.context["Proofpoint"]["SenderSummary"]
    assert summary["Sender"] == sender
    assert summary["Quarantined"] == [{"Folder": "Quarantine", "Count": len(held)}]


def test_fetch_incidents(flavoured_sim: PPSSimulator, tmp_path: Path) -> None:
    sim = flavoured_sim
    since = datetime(2025, 1, 30, 12, 0, tzinfo=timezone.utc)
    folders = ("Quarantine", "Phish")
    expected = {
        record["guid"]: folder
        for folder in folders
        for record in sim.backend.search_quarantine(folder=folder, rcpt="*", start=since, limit=1000)
    }
    params = {
        "url": sim.url,
        "credentials": {"identifier": SIMULATOR_USER, "password": SIMULATOR_PASSWORD},
        "incidentType": "Proofpoint PPS Quarantined Message",
        "first_fetch": "2025-01-30T12:00:00Z",
        "max_fetch": "200",
        "fetch_folders": ",".join(folders),
    }
    env = {"REQUESTS_CA_BUNDLE": str(sim.ca_file), "NO_PROXY": "127.0.0.1,localhost"}

    result = warroom.run_fetch(params, UNIFIED, tmp_path, state_file=tmp_path / "instance.json", env=env)

    assert result.exit_code == 0, result.entries
    raws = [json.loads(incident["rawJSON"]) for incident in result.incidents]
    assert expected and {raw["guid"]: raw["folder"] for raw in raws} == expected
    assert len(raws) == len(expected)
    assert all(incident["type"] == "Proofpoint PPS Quarantined Message" for incident in result.incidents)
    assert result.last_run is not None and set(result.last_run["folders"]) == set(folders)
    again = warroom.run_fetch(params, UNIFIED, tmp_path, state_file=tmp_path / "instance.json", env=env)
    assert again.exit_code == 0 and again.incidents == []
