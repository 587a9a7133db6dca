"""The pack's content items fit the integration: playbooks, incident type, fields, mapper and layout.

Every playbook task must run a command the integration's YAML declares (under either of its
spellings) or a server built-in, give only arguments that command declares and every one it
requires, and read only context that is there when it runs: a playbook input, an incident field, or
an output of a task that every path from the start passes through before it. The incident content
must agree with the fetched record: the mapper reads the record's keys into the type's fields.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ProofpointProtectionServerV2 as pps
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
INTEGRATION_YML = ROOT / "Integrations" / "ProofpointProtectionServerV2" / "ProofpointProtectionServerV2.yml"
PLAYBOOK_DIRS = (ROOT / "Playbooks", ROOT / "TestPlaybooks")
QUARANTINE_REPLY = ROOT / "TestData" / "quarantine_search_reply.json"

INCIDENT_TYPE = "Proofpoint PPS Quarantined Message"
MAPPER_NAME = "Proofpoint PPS REST - Incoming Mapper"
TRIAGE = "Proofpoint PPS - Triage Quarantined Message"
PURGE = "Proofpoint PPS - Purge Sender"
# The incident fields fetch and the playbooks agree on (docs: coord INTERFACES).
FIELD_CLI_NAMES = {
    "proofpointppsguid",
    "proofpointppslocalguid",
    "proofpointppsfolder",
    "proofpointppsspamscore",
    "proofpointppsmessageid",
    "proofpointppssize",
    "proofpointppsprocessingserver",
    "proofpointppshostip",
}
# Fields that exist on every server: the email fields of the CommonTypes core pack and system fields.
STANDARD_FIELDS = {
    "Email From": "emailfrom",
    "Email To": "emailto",
    "Email Subject": "emailsubject",
    "Email Message ID": "emailmessageid",
}
SYSTEM_FIELD_CLI_NAMES = {
    "name",
    "type",
    "occurred",
    "severity",
    "owner",
    "details",
    "attachment",
    "closereason",
    "closenotes",
}
# The official pack's names for the seed commands (issue 8 §1): one function answers both.
OFFICIAL_SPELLINGS = pps.OFFICIAL_COMMAND_NAMES
OTHER_SPELLING = {**OFFICIAL_SPELLINGS, **{new: old for old, new in OFFICIAL_SPELLINGS.items()}}
# Server built-ins the playbooks may use, with the arguments they take; they write no context.
BUILTIN_COMMANDS = {"closeInvestigation": frozenset({"id", "closeReason", "closeNotes"})}
INTEGRATION_BRANDS = {"", "Proofpoint PPS REST"}
DT_FILTER = re.compile(r"\([^()]*\)")
REFERENCE = re.compile(r"\$\{([^{}]+)\}")


@dataclass(frozen=True)
class Command:
    arguments: frozenset[str]
    required: frozenset[str]
    outputs: frozenset[str]


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def integration_commands(manifest: dict[str, Any]) -> dict[str, Command]:
    commands = {}
    for command in manifest["script"]["commands"]:
        arguments = command.get("arguments") or []
        commands[command["name"]] = Command(
            arguments=frozenset(arg["name"] for arg in arguments),
            required=frozenset(
                arg["name"] for arg in arguments if arg.get("required") and "defaultValue" not in arg
            ),
            outputs=frozenset(out["contextPath"] for out in command.get("outputs") or []),
        )
    return commands


def playbook_files() -> list[Path]:
    return sorted(path for folder in PLAYBOOK_DIRS for path in folder.glob("*.yml"))


def all_playbooks() -> dict[str, dict[str, Any]]:
    return {playbook["id"]: playbook for playbook in map(load_yaml, playbook_files())}


def incident_fields() -> list[dict[str, Any]]:
    return [load_json(path) for path in sorted((ROOT / "IncidentFields").glob("*.json"))]


def context_path(reference: str) -> str:
    """`Root(val.x == 1).Leaf` and `Root.[0]` read the path Root.Leaf / Root."""
    path = DT_FILTER.sub("", reference.strip())
    return ".".join(part for part in path.split(".") if part and not part.startswith("["))


def paths_in_value(value: Any, is_context: bool = False) -> Iterator[str]:
    """Context paths an argument or condition operand reads: ${...} in text, or a complex value."""
    if not isinstance(value, dict):
        return
    if isinstance(value.get("simple"), str):
        text = value["simple"]
        if is_context:
            yield context_path(text)
        else:
            yield from (context_path(ref) for ref in REFERENCE.findall(text))
    complex_value = value.get("complex")
    if isinstance(complex_value, dict):
        root = complex_value["root"]
        accessor = complex_value.get("accessor")
        yield context_path(f"{root}.{accessor}" if accessor else root)
        for group in complex_value.get("filters") or []:
            for condition in group:
                yield from paths_in_operands(condition)
        for transformer in complex_value.get("transformers") or []:
            for arg in (transformer.get("args") or {}).values():
                yield from paths_in_operand(arg)


def paths_in_operand(operand: dict[str, Any] | None) -> Iterator[str]:
    if operand:
        yield from paths_in_value(operand.get("value"), bool(operand.get("iscontext")))


def paths_in_operands(condition: dict[str, Any]) -> Iterator[str]:
    yield from paths_in_operand(condition.get("left"))
    yield from paths_in_operand(condition.get("right"))


def task_reads(task: dict[str, Any]) -> set[str]:
    reads: set[str] = set()
    for value in (task.get("scriptarguments") or {}).values():
        reads.update(paths_in_value(value))
    for branch in task.get("conditions") or []:
        for group in branch.get("condition") or []:
            for condition in group:
                reads.update(paths_in_operands(condition))
    return reads


def is_provided(path: str, outputs: set[str]) -> bool:
    """Reading `path` finds something when an output is that path or lies below it."""
    return any(output == path or output.startswith(path + ".") for output in outputs)


def reachable_avoiding(tasks: dict[str, Any], start: str, target: str, avoid: set[str]) -> bool:
    """Whether some path from `start` reaches `target` without passing through a task in `avoid`."""
    seen, stack = set(), [start]
    while stack:
        key = stack.pop()
        if key == target:
            return True
        if key in seen or key in avoid:
            continue
        seen.add(key)
        for next_keys in (tasks[key].get("nexttasks") or {}).values():
            stack.extend(next_keys or [])
    return False


def resolve_command(name: str, commands: dict[str, Command]) -> Command | None:
    return commands.get(name) or commands.get(OTHER_SPELLING.get(name, ""))


def task_outputs(
    task: dict[str, Any], commands: dict[str, Command], playbooks: dict[str, dict[str, Any]]
) -> set[str]:
    if task["type"] == "playbook":
        sub = playbooks.get(task["task"].get("playbookId") or task["task"].get("playbookName", ""))
        return {out["contextPath"] for out in (sub or {}).get("outputs") or []}
    script = task["task"].get("script") or ""
    brand, _, name = script.rpartition("|||")
    command = resolve_command(name, commands) if brand != "Builtin" else None
    return set(command.outputs) if command else set()


def task_call_problems(
    key: str, task: dict[str, Any], commands: dict[str, Command], playbooks: dict[str, dict[str, Any]]
) -> list[str]:
    """What is wrong with what the task runs and the arguments it gives."""
    body = task["task"]
    given = set((task.get("scriptarguments") or {}).keys())
    where = f"task {key} ({body.get('name')!r})"
    if body.get("scriptName"):
        return [f"{where} runs the script {body['scriptName']!r}: only this pack's commands and built-ins"]
    if task["type"] == "playbook":
        sub_id = body.get("playbookId") or body.get("playbookName")
        sub = playbooks.get(sub_id or "")
        if sub is None:
            return [f"{where} runs the playbook {sub_id!r}, which the pack does not have"]
        inputs = {item["key"]: item for item in sub.get("inputs") or []}
        problems = [
            f"{where} gives {name!r}, not an input of {sub_id!r}" for name in sorted(given - set(inputs))
        ]
        problems += [
            f"{where} leaves out the required input {name!r} of {sub_id!r}"
            for name, item in sorted(inputs.items())
            if item.get("required") and not (item.get("value") or {}) and name not in given
        ]
        return problems
    script = body.get("script")
    if not script:
        return [] if not given else [f"{where} gives arguments but runs nothing"]
    brand, separator, name = script.rpartition("|||")
    if not separator or not body.get("iscommand"):
        return [f"{where} runs {script!r}, which is not a command"]
    if brand == "Builtin":
        if name not in BUILTIN_COMMANDS:
            return [f"{where} runs the built-in {name!r}, which this test does not know"]
        return [
            f"{where}: {name} takes no argument {arg!r}" for arg in sorted(given - BUILTIN_COMMANDS[name])
        ]
    if brand not in INTEGRATION_BRANDS:
        return [f"{where} runs {name!r} of the integration {brand!r}, not of this pack"]
    command = resolve_command(name, commands)
    if command is None:
        return [f"{where} runs {name!r}, which the integration YAML does not declare (under either spelling)"]
    problems = [f"{where}: {name} declares no argument {arg!r}" for arg in sorted(given - command.arguments)]
    problems += [f"{where}: {name} requires {arg!r}" for arg in sorted(command.required - given)]
    return problems


def playbook_problems(
    playbook: dict[str, Any],
    commands: dict[str, Command],
    playbooks: dict[str, dict[str, Any]],
    field_cli_names: set[str],
) -> list[str]:
    tasks: dict[str, Any] = playbook["tasks"]
    start = playbook["starttaskid"]
    inputs = {item["key"] for item in playbook.get("inputs") or []}
    outputs_of = {key: task_outputs(task, commands, playbooks) for key, task in tasks.items()}
    problems = []
    for key, task in tasks.items():
        problems += task_call_problems(key, task, commands, playbooks)
        for path in sorted(task_reads(task)):
            root, _, rest = path.partition(".")
            if root == "inputs":
                if rest not in inputs:
                    problems.append(f"task {key} reads {path}, not an input of the playbook")
                continue
            if root == "incident":
                if rest not in field_cli_names:
                    problems.append(f"task {key} reads {path}, not an incident field")
                continue
            writers = {
                other for other, written in outputs_of.items() if other != key and is_provided(path, written)
            }
            if not writers:
                problems.append(f"task {key} reads {path}, which no task of the playbook writes")
            elif reachable_avoiding(tasks, start, key, writers):
                problems.append(f"task {key} reads {path} on a path where no earlier task wrote it")
    written = set().union(*outputs_of.values())
    problems += [
        f"declares the output {out['contextPath']}, which no task writes"
        for out in playbook.get("outputs") or []
        if not is_provided(out["contextPath"], written)
    ]
    return problems


@pytest.fixture(scope="module")
def commands() -> dict[str, Command]:
    return integration_commands(load_yaml(INTEGRATION_YML))


@pytest.fixture(scope="module")
def playbooks() -> dict[str, dict[str, Any]]:
    return all_playbooks()


@pytest.fixture(scope="module")
def field_cli_names() -> set[str]:
    return (
        {field["cliName"] for field in incident_fields()}
        | set(STANDARD_FIELDS.values())
        | SYSTEM_FIELD_CLI_NAMES
    )


@pytest.fixture(scope="module")
def quarantine_record() -> dict[str, Any]:
    record: dict[str, Any] = load_json(QUARANTINE_REPLY)["records"][1]
    return record


# ---------------------------------------------------------------- the playbooks


def test_the_pack_has_the_playbooks(playbooks: dict[str, dict[str, Any]]) -> None:
    assert {TRIAGE, PURGE} <= set(playbooks)
    assert any(path.parent.name == "TestPlaybooks" for path in playbook_files())


@pytest.mark.parametrize("path", playbook_files(), ids=lambda path: path.stem)
def test_every_task_fits_the_integration(
    path: Path, commands: dict[str, Command], playbooks: dict[str, dict[str, Any]], field_cli_names: set[str]
) -> None:
    assert playbook_problems(load_yaml(path), commands, playbooks, field_cli_names) == []


@pytest.mark.parametrize("path", playbook_files(), ids=lambda path: path.stem)
def test_every_task_is_reached_and_ends(path: Path) -> None:
    playbook = load_yaml(path)
    tasks = playbook["tasks"]
    for key in tasks:
        assert reachable_avoiding(tasks, playbook["starttaskid"], key, set()), f"task {key} is never reached"
    ends = [key for key, task in tasks.items() if not task.get("nexttasks")]
    assert ends, "the playbook has no last task"


def test_triage_acts_on_this_incidents_message(playbooks: dict[str, dict[str, Any]]) -> None:
    tasks = playbooks[TRIAGE]["tasks"].values()
    calls = {
        task["task"]["script"].rpartition("|||")[2]: task for task in tasks if task["task"].get("script")
    }
    assert calls["proofpoint-pps-download-message"]["scriptarguments"]["guid"] == {
        "simple": "${incident.proofpointppsguid}"
    }
    for action in ("proofpoint-pps-release-message", "proofpoint-pps-delete-message"):
        assert calls[action]["scriptarguments"] == {
            "folder_name": {"simple": "${incident.proofpointppsfolder}"},
            "local_guid": {"simple": "${incident.proofpointppslocalguid}"},
        }
    assert "proofpoint-pps-sender-summary" in calls and "closeInvestigation" in calls
    # A message too large to download, or no sender to summarise, must not stop the analyst's decision;
    # a failed release or delete must not be recorded as done.
    assert calls["proofpoint-pps-download-message"].get("continueonerror") is True
    assert calls["proofpoint-pps-sender-summary"].get("continueonerror") is True
    assert not calls["proofpoint-pps-release-message"].get("continueonerror")
    assert not calls["proofpoint-pps-delete-message"].get("continueonerror")
    decision = next(task for task in tasks if task["type"] == "condition" and not task.get("conditions"))
    assert set(decision["nexttasks"]) == {"Release", "Delete", "Leave in quarantine"}


def test_purge_deletes_and_blocks_only_the_senders_messages(playbooks: dict[str, dict[str, Any]]) -> None:
    purge = playbooks[PURGE]
    assert {item["key"] for item in purge["inputs"]} >= {"sender", "folders"}
    loop = next(task for task in purge["tasks"].values() if task["type"] == "playbook")
    assert loop["loop"]["forEach"] is True
    folder_tasks = playbooks[loop["task"]["playbookId"]]["tasks"].values()
    delete = next(t for t in folder_tasks if t["task"].get("script", "").endswith("delete-message"))
    block = next(
        t for t in purge["tasks"].values() if t["task"].get("script", "").endswith("sender-list-add")
    )
    assert block["scriptarguments"]["list"] == {"simple": "blocklist"}
    assert block["scriptarguments"]["entries"] == {"simple": "${inputs.sender}"}
    for task, field in ((delete, "localguid"), (block, "rcpts")):
        selection = task["scriptarguments"]["local_guid" if field == "localguid" else "email"]["complex"]
        assert selection["accessor"] == field
        filtered_on = {
            condition["left"]["value"]["simple"] for group in selection["filters"] for condition in group
        }
        assert "Proofpoint.QuarantinedMessage.from" in filtered_on
    assert {out["contextPath"].rsplit(".", 1)[0] for out in purge["outputs"]} >= {
        "Proofpoint.QuarantineAction",
        "Proofpoint.SenderListChange",
    }


# The checker itself: each rule reports the mistake it exists for.
def broken_triage(playbooks: dict[str, dict[str, Any]], breakage: str) -> dict[str, Any]:
    playbook = copy.deepcopy(playbooks[TRIAGE])
    tasks = playbook["tasks"]
    download = next(t for t in tasks.values() if t["task"].get("script", "").endswith("download-message"))
    release = next(t for t in tasks.values() if t["task"].get("script", "").endswith("release-message"))
    if breakage == "unknown command":
        download["task"]["script"] = "|||proofpoint-pps-no-such-command"
    elif breakage == "undeclared argument":
        download["scriptarguments"]["folder"] = {"simple": "Quarantine"}
    elif breakage == "missing required argument":
        del release["scriptarguments"]["local_guid"]
    elif breakage == "script from another pack":
        download["task"]["scriptName"] = "DeleteContext"
    elif breakage == "unknown input":
        download["scriptarguments"]["guid"] = {"simple": "${inputs.NoSuchInput}"}
    elif breakage == "unknown incident field":
        download["scriptarguments"]["guid"] = {"simple": "${incident.nosuchfield}"}
    elif breakage == "read before written":
        download["scriptarguments"]["guid"] = {
            "simple": "${Proofpoint.QuarantineAction(val.Action=='x').LocalGUID}"
        }
    elif breakage == "written on one branch only":
        # Leaving the message in quarantine now leads to the check of a release that never ran.
        confirm = next(
            t for t in tasks.values() if "release" in t["task"]["name"] and t["type"] == "condition"
        )
        decision = next(t for t in tasks.values() if t["type"] == "condition" and not t.get("conditions"))
        decision["nexttasks"]["Leave in quarantine"] = [confirm["id"]]
    elif breakage == "foreign brand":
        download["task"]["script"] = "Some Other Integration|||proofpoint-pps-download-message"
    return playbook


@pytest.mark.parametrize(
    ("breakage", "reported"),
    [
        (
            "unknown command",
            "runs 'proofpoint-pps-no-such-command', which the integration YAML does not declare",
        ),
        ("undeclared argument", "proofpoint-pps-download-message declares no argument 'folder'"),
        ("missing required argument", "proofpoint-pps-release-message requires 'local_guid'"),
        ("script from another pack", "runs the script 'DeleteContext'"),
        ("unknown input", "reads inputs.NoSuchInput, not an input of the playbook"),
        ("unknown incident field", "reads incident.nosuchfield, not an incident field"),
        (
            "read before written",
            "reads Proofpoint.QuarantineAction.LocalGUID on a path where no earlier task wrote it",
        ),
        (
            "written on one branch only",
            "reads Proofpoint.QuarantineAction.Status on a path where no earlier task",
        ),
        ("foreign brand", "of the integration 'Some Other Integration', not of this pack"),
    ],
)
def test_the_check_finds_a_broken_task(
    breakage: str,
    reported: str,
    commands: dict[str, Command],
    playbooks: dict[str, dict[str, Any]],
    field_cli_names: set[str],
) -> None:
    intact = playbook_problems(playbooks[TRIAGE], commands, playbooks, field_cli_names)
    broken = playbook_problems(broken_triage(playbooks, breakage), commands, playbooks, field_cli_names)
    assert not any(reported in problem for problem in intact)
    assert any(reported in problem for problem in broken), broken


def test_either_spelling_of_a_command_is_accepted(commands: dict[str, Command]) -> None:
    for old, new in OFFICIAL_SPELLINGS.items():
        if old in commands or new in commands:
            assert resolve_command(old, commands) is not None
            assert resolve_command(new, commands) is not None


def test_a_sub_playbook_task_gives_only_its_inputs(
    commands: dict[str, Command], playbooks: dict[str, dict[str, Any]], field_cli_names: set[str]
) -> None:
    purge = copy.deepcopy(playbooks[PURGE])
    loop = next(task for task in purge["tasks"].values() if task["type"] == "playbook")
    loop["scriptarguments"]["folders_typo"] = {"simple": "Quarantine"}
    del loop["scriptarguments"]["sender"]
    problems = playbook_problems(purge, commands, playbooks, field_cli_names)
    assert any("'folders_typo', not an input" in problem for problem in problems)
    assert any("required input 'sender'" in problem for problem in problems)


def test_context_paths_are_read_through_filters_and_complex_values() -> None:
    task = {
        "scriptarguments": {
            "a": {"simple": "${Proofpoint.QuarantineAction(val.Action == 'delete').Status} and ${inputs.x}"},
            "b": {
                "complex": {
                    "root": "Proofpoint.QuarantinedMessage",
                    "accessor": "rcpts",
                    "filters": [
                        [
                            {
                                "operator": "isEqualString",
                                "left": {
                                    "value": {"simple": "Proofpoint.QuarantinedMessage.from"},
                                    "iscontext": True,
                                },
                                "right": {"value": {"simple": "inputs.sender"}, "iscontext": True},
                            }
                        ]
                    ],
                }
            },
            "c": {"simple": "plain text"},
        }
    }
    assert task_reads(task) == {
        "Proofpoint.QuarantineAction.Status",
        "inputs.x",
        "Proofpoint.QuarantinedMessage.rcpts",
        "Proofpoint.QuarantinedMessage.from",
        "inputs.sender",
    }


# ---------------------------------------------------------------- incident type, fields, mapper, layout


def apply_mapping(rule: dict[str, Any], record: dict[str, Any]) -> Any:
    """What the server's mapper puts in a field, for the rule shapes this pack uses."""
    if rule.get("simple") is not None:
        return record.get(rule["simple"])
    complex_rule = rule["complex"]
    value = record.get(complex_rule["root"])
    for transformer in complex_rule.get("transformers") or []:
        assert transformer["operator"] == "join", f"this test cannot apply {transformer['operator']}"
        value = transformer["args"]["separator"]["value"]["simple"].join(value)
    return value


def mapper() -> dict[str, Any]:
    found = [load_json(path) for path in (ROOT / "Classifiers").glob("*.json")]
    return next(item for item in found if item.get("type") == "mapping-incoming")


def test_the_fields_are_those_fetch_fills() -> None:
    fields = incident_fields()
    assert {field["cliName"] for field in fields} == FIELD_CLI_NAMES
    for field in fields:
        # The server derives the cliName from the name; a mismatch would make a second field.
        assert field["cliName"] == field["name"].lower().replace(" ", "")
        assert field["id"] == f"incident_{field['cliName']}"
        assert field["associatedTypes"] == [INCIDENT_TYPE]


def test_the_incident_type_runs_triage_with_its_layout(playbooks: dict[str, dict[str, Any]]) -> None:
    (incident_type,) = [load_json(path) for path in (ROOT / "IncidentTypes").glob("*.json")]
    (layout,) = [load_json(path) for path in (ROOT / "Layouts").glob("*.json")]
    assert incident_type["name"] == INCIDENT_TYPE
    assert incident_type["playbookId"] == TRIAGE and TRIAGE in playbooks
    assert incident_type["layout"] == layout["id"]


def test_the_mapper_fills_every_field_from_the_record(quarantine_record: dict[str, Any]) -> None:
    item = mapper()
    assert item["name"] == MAPPER_NAME
    rules = item["mapping"][INCIDENT_TYPE]["internalMapping"]
    by_cli_name = {field["name"]: field["cliName"] for field in incident_fields()} | STANDARD_FIELDS
    assert set(rules) == set(by_cli_name), "a mapped field the pack does not have, or a field left unmapped"
    mapped = {by_cli_name[name]: apply_mapping(rule, quarantine_record) for name, rule in rules.items()}
    record = quarantine_record
    assert mapped == {
        "proofpointppsguid": record["guid"],
        "proofpointppslocalguid": record["localguid"],
        "proofpointppsfolder": record["folder"],
        "proofpointppsspamscore": record["spamscore"],
        "proofpointppsmessageid": record["messageid"],
        "proofpointppssize": record["size"],
        "proofpointppsprocessingserver": record["processingserver"],
        "proofpointppshostip": record["host_ip"],
        "emailfrom": record["from"],
        "emailto": ",".join(record["rcpts"]),
        "emailsubject": record["subject"],
        "emailmessageid": record["messageid"],
    }
    assert "," in mapped["emailto"], "the record under test should have several recipients"


def test_fetched_incidents_go_through_the_mapper() -> None:
    """Without the integration naming it, an instance maps nothing and the incident's fields stay empty."""
    assert load_yaml(INTEGRATION_YML).get("defaultmapperin") == mapper()["id"] == MAPPER_NAME


def test_the_layout_shows_every_field_with_the_message(field_cli_names: set[str]) -> None:
    (layout,) = [load_json(path) for path in (ROOT / "Layouts").glob("*.json")]
    shown = {
        item["fieldId"]
        for tab in layout["detailsV2"]["tabs"]
        for section in tab.get("sections") or []
        for item in section.get("items") or []
    }
    assert shown <= field_cli_names, f"unknown fields: {shown - field_cli_names}"
    assert FIELD_CLI_NAMES | set(STANDARD_FIELDS.values()) | {"attachment"} <= shown
