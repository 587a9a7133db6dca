"""generate_readme.py's README layout: generated parts replaced, hand-written parts kept where they stand.

These tests need neither demisto-sdk nor the simulator; the generation itself runs in
`python sdk/generate_readme.py --check` (the `docs` step of run_sdk_checks.py).
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest

SDK_DIR = Path(__file__).resolve().parents[1]
if str(SDK_DIR) not in sys.path:
    sys.path.insert(0, str(SDK_DIR))

import generate_readme as gr  # noqa: E402

# What generate-docs writes (its blank lines included), for one command with an example.
SDK_OUTPUT = """New description of the integration.
This integration was integrated and tested with version xx of Demo.

## Configure Demo in Cortex


| **Parameter** | **Required** |
| --- | --- |
| Server URL | True |

## Commands

You can execute these commands from the CLI, as part of an automation, or in a playbook.
After you successfully execute a command, a DBot message appears in the War Room with the command details.

### demo-search

***
Searches.

#### Base Command

`demo-search`

#### Input

| **Argument Name** | **Description** | **Required** |
| --- | --- | --- |
| query | What to find. | Optional |

#### Context Output

| **Path** | **Type** | **Description** |
| --- | --- | --- |
| Demo.Item.ID | String | The ID. |

#### Command example
```!demo-search query=a```
#### Context Example
```json
{
    "Demo": {
        "Item": {
            "ID": "1"
        }
    }
}
```

#### Human Readable Output

>### Items
>|ID|
>|---|
>| 1 |


### demo-get

***
Gets.

#### Base Command

`demo-get`

#### Input

There are no input arguments for this command.

#### Context Output

There is no context output for this command.

#### Command example
```!demo-get```
#### Human Readable Output

>Done

"""

# A committed README: an older generated part, and hand-written text in every place it may stand.
COMMITTED = """Old description.

Tested against version 8.16.2.

## Authentication

Sign in with Basic auth.

## Configure Demo in Cortex

| **Parameter** | **Required** |
| --- | --- |
| Old URL | True |

Enter the URL without `/rest/v1`.

## Behaviour

### Retries
GETs are retried.

```text
## not a chapter: inside a code block
```

## Commands

Old intro.

### demo-search

***
Old description.

#### Context Output

| **Path** | **Type** | **Description** |
| --- | --- | --- |
| Demo.Item.ID | String | Old. |

The table shows the main columns.

#### Command example
```!demo-search query=old```

#### Human Readable Output

>old

### demo-gone

***
Removed from the YAML.

#### Context Output

There is no context output for this command.

A note that has lost its command.

## Troubleshooting

Check the port.
"""


def generated() -> str:
    merged, _ = gr.merge(gr.parse_readme(SDK_OUTPUT), gr.parse_readme(COMMITTED))
    return gr.render_readme(merged)


def test_generated_parts_come_from_the_sdk_and_hand_written_parts_stay_in_place() -> None:
    text = generated()
    order = [
        "New description of the integration.",
        "Tested against version 8.16.2.",
        "## Authentication",
        "## Configure Demo in Cortex",
        "| Server URL | True |",
        "Enter the URL without `/rest/v1`.",
        "## Behaviour",
        "## not a chapter: inside a code block",
        "## Commands",
        "You can execute these commands from the CLI",
        "### demo-search",
        "| Demo.Item.ID | String | The ID. |",
        "The table shows the main columns.",
        "```!demo-search query=a```",
        ">| 1 |",
        "### demo-get",
        ">Done",
        "## Troubleshooting",
    ]
    positions = [text.index(item) for item in order]
    assert positions == sorted(positions)
    for old in ("Old description.", "Old URL", "Old intro.", "query=old", "demo-gone", "version xx"):
        assert old not in text


def test_notes_of_a_command_no_longer_in_the_yaml_are_reported() -> None:
    _, dropped = gr.merge(gr.parse_readme(SDK_OUTPUT), gr.parse_readme(COMMITTED))
    assert dropped == ["the notes of demo-gone, no longer a command"]


def test_without_an_intro_the_sdk_version_line_stays() -> None:
    merged, _ = gr.merge(gr.parse_readme(SDK_OUTPUT), gr.parse_readme(SDK_OUTPUT))
    assert gr.render_readme(merged).splitlines()[:3] == [
        "New description of the integration.",
        "",
        "This integration was integrated and tested with version xx of Demo.",
    ]


def test_generating_again_from_the_result_changes_nothing() -> None:
    once = generated()
    merged, dropped = gr.merge(gr.parse_readme(SDK_OUTPUT), gr.parse_readme(once))
    assert gr.render_readme(merged) == once and dropped == []
    assert gr.differences(once, once) == []


def test_the_rendered_readme_has_single_blank_lines_outside_code_blocks() -> None:
    text = generated()
    assert "\n\n\n" not in text and text.endswith("\n") and not text.endswith("\n\n")


def test_differences_name_the_yaml_part_or_the_example_that_changed() -> None:
    good = generated()
    yaml_edit = good.replace("| Demo.Item.ID | String | The ID. |", "| Demo.Item.ID | String | Edited. |")
    example_edit = good.replace(">Done", ">Edited")
    note_edit = good.replace("The table shows the main columns.", "Edited note.")
    [yaml_problem] = gr.differences(good, yaml_edit)
    assert yaml_problem.startswith("demo-search: description, inputs and outputs (YAML) differs")
    [example_problem] = gr.differences(good, example_edit)
    assert example_problem.startswith("demo-get: examples (command_examples run on the simulator) differs")
    # A hand-written note is not generated: the check takes it from the committed README.
    merged, _ = gr.merge(gr.parse_readme(SDK_OUTPUT), gr.parse_readme(note_edit))
    assert gr.render_readme(merged) == note_edit


def test_the_committed_readme_is_a_fixed_point_of_the_layout() -> None:
    committed = gr.README.read_text(encoding="utf-8")
    readme = gr.parse_readme(committed)
    assert gr.render_readme(readme) == committed
    commands = gr.yaml_commands(gr.INTEGRATION_DIR / f"{gr.INTEGRATION}.yml")
    folded = {other for name, other in gr.OTHER_SPELLINGS.items() if name in commands}
    # Every command of the YAML once, in its order; another spelling under its first name.
    assert [command.name for command in readme.commands] == [name for name in commands if name not in folded]
    with_examples = {line.split(" ")[0][1:] for line in gr.example_lines()}
    for command in readme.commands:
        if command.name in with_examples:
            assert command.examples[0] == "#### Command example", command.name


def test_example_lines_are_read_as_generate_docs_reads_them(tmp_path: Path) -> None:
    path = tmp_path / "command_examples"
    path.write_text("!a-b x=1\n\n# a comment\nc-d y=2\n")
    assert gr.example_lines(path) == ["!a-b x=1", "!c-d y=2"]


@pytest.mark.parametrize(
    ("entry", "markdown"),
    [
        ({"Type": 1, "HumanReadable": "### T\n|a|\n", "Contents": {"a": 1}}, "### T\n|a|\n"),
        ({"Type": 11, "Contents": "1 of 2 failed"}, "1 of 2 failed"),
        (
            {"Type": 1, "Contents": {"b": 1, "a": [1]}},
            '```\n{\n    "a": [\n        1\n    ],\n    "b": 1\n}\n```',
        ),
        ({"Type": 3, "File": "x.eml", "FileID": "f"}, "File: x.eml"),
    ],
)
def test_entry_markdown(entry: dict[str, object], markdown: str) -> None:
    assert gr.entry_markdown(entry) == markdown


def test_file_entries_get_the_context_the_server_adds(tmp_path: Path) -> None:
    data = b"From: a@example.com\r\nSubject: hi\r\n\r\nbody\r\n"
    saved = [tmp_path / "m.eml", tmp_path / "r.txt"]
    saved[0].write_bytes(data)
    saved[1].write_bytes(b"report")
    entries: list[dict[str, object]] = [
        {"Type": 1, "Contents": "x"},
        {"Type": 3, "File": "m.eml", "FileID": "1"},
        {"Type": 9, "File": "r.txt", "FileID": "2"},
    ]
    context: dict[str, object] = {}
    gr.add_file_context(context, entries, saved, investigation_id="7")
    assert context["File"] == {
        "EntryID": "2@7",
        "Extension": "eml",
        "Info": "message/rfc822",
        "MD5": hashlib.md5(data).hexdigest(),
        "Name": "m.eml",
        "SHA1": hashlib.sha1(data).hexdigest(),
        "SHA256": hashlib.sha256(data).hexdigest(),
        "SHA512": hashlib.sha512(data).hexdigest(),
        "Size": len(data),
        "Type": "RFC 822 mail, ASCII text, with CRLF line terminators",
    }
    assert context["InfoFile"] == {
        "EntryID": "3@7",
        "Extension": "txt",
        "Info": "text/plain",
        "Name": "r.txt",
        "Size": 6,
        "Type": "text/plain",
    }


def test_context_keys_are_sorted_as_the_server_returns_them() -> None:
    assert list(gr.sorted_keys({"b": [{"z": 1, "a": 2}], "a": 1})) == ["a", "b"]
    assert list(gr.sorted_keys({"b": [{"z": 1, "a": 2}]})["b"][0]) == ["a", "z"]


def command_doc(name: str, description: str, examples: list[str] | None = None) -> gr.CommandDoc:
    head = [f"### {name}", "", "***", description, "", "#### Base Command", "", f"`{name}`"]
    return gr.CommandDoc(name, head, [], examples or [])


def yaml_command(name: str, **arguments: bool) -> dict[str, object]:
    return {
        "name": name,
        "arguments": [{"name": arg, "required": required} for arg, required in arguments.items()],
    }


def test_each_command_is_documented_once_under_its_first_name() -> None:
    seed, other = "proofpoint-pps-move-message", "proofpoint-pps-quarantine-message-move"
    readme = gr.Readme(
        commands=[
            command_doc("proofpoint-pps-smart-search", "Searches."),
            command_doc(seed, "Moves the message.", ["#### Command example", f"```!{seed} a=1```"]),
            command_doc(other, "Moves the message.", ["#### Command example", f"```!{other} a=1```"]),
        ]
    )
    commands = {seed: yaml_command(seed, a=True), other: yaml_command(other, a=True)}
    folded = gr.fold_other_spellings(readme, commands)
    assert [command.name for command in folded.commands] == ["proofpoint-pps-smart-search", seed]
    head = folded.commands[1].head
    sentence = f"Also available as `{other}`, with the same arguments and outputs."
    assert head[head.index(sentence) + 2] == "#### Base Command"
    assert f"```!{other} a=1```" in folded.commands[1].examples, "the other spelling's example stays"


def test_the_other_spelling_says_how_its_arguments_differ() -> None:
    seed, other = "proofpoint-pps-forward-message", "proofpoint-pps-quarantine-message-forward"
    commands = {
        seed: yaml_command(seed, local_guid=True, to=False, subject=False),
        other: yaml_command(other, local_guid=True, recipient=True, subject=False),
    }
    assert gr.other_spelling_sentence(seed, other, commands) == (
        f"Also available as `{other}`, with the same outputs; it also takes `recipient`; "
        "it does not take `to`; it requires `recipient`."
    )
    named = f"Forwards. Also available as {other}."
    assert gr.other_spelling_sentence(seed, other, commands, named) == (
        f"`{other}` has the same outputs; it also takes `recipient`; it does not take `to`; it requires `recipient`."
    )
    same = {seed: yaml_command(seed, a=True), other: yaml_command(other, a=True)}
    assert gr.other_spelling_sentence(seed, other, same, named) == ""


def test_a_command_without_its_other_spelling_in_the_yaml_is_left_as_it_is() -> None:
    seed = "proofpoint-pps-release-message"
    readme = gr.Readme(commands=[command_doc(seed, "Releases.")])
    folded = gr.fold_other_spellings(readme, {seed: yaml_command(seed, a=True)})
    assert folded.commands == readme.commands
