"""Generate the integration README with demisto-sdk generate-docs, its examples run against the simulator.

    python sdk/generate_readme.py --write    # rewrite Integrations/<integration>/README.md
    python sdk/generate_readme.py --check    # fail when the committed README is not what --write makes

Run it with the Python where demisto-sdk 1.39.13 and requirements-test.txt are installed (the tox
`sdk` environment). The README is made of three kinds of parts:

- **From the YAML**, by `demisto-sdk generate-docs`, offline in the throwaway content layout
  (make_content_repo.py): the description, the parameter table and, per command, its description,
  base command, inputs and context outputs.
- **From the examples**: each line of `command_examples` runs as a reader runs it, on a fresh
  simulator: `python -m warroom --simulator --state FRESH --json --context '<line>'`. generate-docs
  `-e` would run the lines on a live XSOAR server; sdk_generate_docs.py hands it these outputs
  instead, so the `#### Command example`, `#### Context Example` and `#### Human Readable Output`
  sections are written by the SDK's own code. The simulator dates its messages over the 30 days
  before it first starts, so the lines use relative times ("7 days"), and the dates a run shows are
  moved to a fixed reference start (REFERENCE_START) before they are written: the README is the
  same whatever the day, and a reader's run differs from it only by that move (the test
  sdk/tests/test_readme_examples.py runs every example to check it).
- **One section per command**: a command the integration also answers under the official pack's
  spelling (OTHER_SPELLINGS) is documented once, under its first name, whose section names the other
  spelling and how its arguments differ (from the YAML).
- **Hand-written**, kept from the committed README at fixed places: the paragraphs after the
  description (in place of the SDK's "tested with version xx" line), every `## ` chapter other than
  the two generated ones (where it stands: before the configuration, between it and the commands,
  or after the commands), notes after the parameter table, and notes between a command's context
  output and its example.

`--check` regenerates the README from the YAML, the examples and the hand-written parts of the
committed README, and compares it with the committed one exactly: the hand-written parts are equal
by construction, so any difference is a generated section that is out of date (the YAML, the
integration's output, the simulator's seed data or the examples changed) or was edited by hand.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import difflib
import email.utils
import json
import re
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_content_repo import PACK_NAME, make_content_repo
from sdk_tools import INTEGRATION, INTEGRATION_DIR, OFFLINE_ENV, ROOT, base_env, run_sdk

sys.path.insert(0, str(ROOT))
from warroom.execution import file_context

README = INTEGRATION_DIR / "README.md"
EXAMPLES_FILE = INTEGRATION_DIR / "command_examples"
GENERATE_DOCS_WRAPPER = Path(__file__).resolve().parent / "sdk_generate_docs.py"

# The examples run as a reader runs them, each on a fresh simulator:
#     python -m warroom --simulator --state FRESH_FILE --json --context '<line>'
# The simulator dates its seeded messages over the 30 days before it first starts, so the dates of a
# run depend on the day it is made; everything else is the same on every run. The README shows the
# dates as if the simulator had first started at REFERENCE_START: a reader's are those moved by the
# time between REFERENCE_START and their own first start (shift_dates), and so are the Date headers of
# a downloaded message, and with them its hashes.
REFERENCE_START = datetime(2026, 12, 1, 12, 0, 0, tzinfo=timezone.utc)
RUNNER_EXIT_NORMAL = 0

# The SDK's stand-in for a version the author has to fill in; the hand-written intro replaces it.
SDK_VERSION_LINE = "This integration was integrated and tested with version"
ENTRY_TYPE_FILE, ENTRY_TYPE_IMAGE, ENTRY_TYPE_INFO_FILE, ENTRY_TYPE_ERROR = 3, 7, 9, 4
# The context key the server fills for a file entry, by entry type.
FILE_CONTEXT_KEYS = {ENTRY_TYPE_FILE: "File", ENTRY_TYPE_INFO_FILE: "InfoFile"}
_FENCE = re.compile(r"^\s*```[\w+-]*\s*$")


class ReadmeError(Exception):
    """The README cannot be generated (an example failed, generate-docs failed)."""


# ---- the examples ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    line: str
    command: str
    markdown: str
    context: dict[str, Any]


def example_lines(path: Path = EXAMPLES_FILE) -> list[str]:
    """The lines of a command_examples file as generate-docs reads them (`get_command_examples`)."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        lines.append(line if line.startswith("!") else f"!{line}")
    return lines


@dataclass(frozen=True)
class SimulatorRun:
    """What `python -m warroom --simulator --json --context LINE` gave, and when its simulator was seeded."""

    exit_code: int
    entries: list[dict[str, Any]]
    context: dict[str, Any]
    files: list[Path]  # the saved files of the file entries, in entry order
    seeded_at: int  # epoch seconds: the simulator dated its messages over the 30 days before
    output: str


def run_on_fresh_simulator(
    line: str, workdir: Path, integration: Path | None = None, *, fresh: bool = True
) -> SimulatorRun:
    """Run one War Room line exactly as a reader does, on a simulator whose state starts empty
    (`fresh=False`: on the state left in `workdir` by the lines run before, as a reader going
    through the README in order does)."""
    state = workdir / "simulator.sqlite"
    if fresh:
        state.unlink(missing_ok=True)
    out = workdir / "files"
    command = [sys.executable, "-m", "warroom", "--simulator", "--state", str(state), "--json", "--context"]
    command += ["--out", str(out), *(["--integration", str(integration)] if integration else []), line]
    completed = subprocess.run(
        command, cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True, text=True, encoding="utf-8"
    )
    output = completed.stdout + completed.stderr
    try:
        document, _ = json.JSONDecoder().raw_decode(completed.stdout.lstrip())
    except json.JSONDecodeError as exc:
        raise ReadmeError(
            f"The example {line!r} printed no JSON (exit {completed.returncode}): {output[-600:]}"
        ) from exc
    entries = list(document.get("entries", []))
    files = [out / str(entry.get("File")) for entry in entries if entry.get("FileID")]
    return SimulatorRun(
        completed.returncode, entries, dict(document.get("context", {})), files, seeded_at(state), output
    )


def seeded_at(state: Path) -> int:
    """When the simulator of this state file dated its messages (its `meta` table's `seeded_at`)."""
    with contextlib.closing(sqlite3.connect(state)) as db:
        row = db.execute("SELECT value FROM meta WHERE key = 'seeded_at'").fetchone()
    if row is None:
        raise ReadmeError(f"{state} records no seeding time (meta.seeded_at)")
    return int(row[0])


# `2026-12-01 17:49:22`, `2026-12-01T17:49:22Z`: the dates of records, searches and War Room tables.
_ISO_DATE = re.compile(r"(?<!\d)(\d{4}-\d{2}-\d{2})([ T])(\d{2}:\d{2}:\d{2})(?![\d.])")
# `Tue, 01 Dec 2026 17:49:22 +0000`: the Received and Date headers of a message, which may be folded
# across lines anywhere between the parts (the separators are kept as they are).
_MAIL_DATE = re.compile(
    rb"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),(\s+)\d{1,2}(\s+)[A-Z][a-z]{2}(\s+)\d{4}(\s+)\d{2}:\d{2}:\d{2}(\s+)[+-]\d{4}"
)


def shift_dates(value: Any, delta: timedelta) -> Any:
    """`value` with every date in its strings moved by `delta`, each keeping its format."""
    if isinstance(value, str):
        return _ISO_DATE.sub(lambda match: _shift_iso(match, delta), value)
    if isinstance(value, dict):
        return {key: shift_dates(item, delta) for key, item in value.items()}
    if isinstance(value, list):
        return [shift_dates(item, delta) for item in value]
    return value


def _shift_iso(match: re.Match[str], delta: timedelta) -> str:
    day, separator, clock = match.groups()
    moved = datetime.strptime(f"{day} {clock}", "%Y-%m-%d %H:%M:%S") + delta
    return moved.strftime(f"%Y-%m-%d{separator}%H:%M:%S")


def shift_mail_dates(data: bytes, delta: timedelta) -> bytes:
    """A message's bytes with its header dates moved by `delta` (same length: its size is kept)."""

    def moved(match: re.Match[bytes]) -> bytes:
        when = email.utils.parsedate_to_datetime(" ".join(match.group(0).decode("ascii").split())) + delta
        parts = email.utils.format_datetime(when).encode("ascii").split(b" ")
        separators = [*match.groups(), b""]
        return b"".join(part + separator for part, separator in zip(parts, separators, strict=True))

    return _MAIL_DATE.sub(moved, data)


def reference_example(line: str, run: SimulatorRun, workdir: Path) -> Example:
    """The example as the README shows it: the run's output with its dates moved to REFERENCE_START."""
    if run.exit_code != RUNNER_EXIT_NORMAL:
        errors = [str(e.get("Contents")) for e in run.entries if e.get("Type") == ENTRY_TYPE_ERROR]
        raise ReadmeError(f"The example {line!r} failed: {' / '.join(errors) or run.output[-600:]}")
    delta = REFERENCE_START - datetime.fromtimestamp(run.seeded_at, timezone.utc)
    entries = shift_dates(run.entries, delta)
    context = shift_dates(run.context, delta)
    shifted_files = []
    for index, path in enumerate(run.files):
        shifted = workdir / f"shifted-{index}" / path.name
        shifted.parent.mkdir(parents=True, exist_ok=True)
        shifted.write_bytes(shift_mail_dates(path.read_bytes(), delta))
        shifted_files.append(shifted)
    if shifted_files:  # the server's own File context, from the file as shown
        for key in FILE_CONTEXT_KEYS.values():
            context.pop(key, None)
    add_file_context(context, entries, shifted_files, investigation_id="1")
    return Example(
        line=line,
        command=line.split(" ")[0][1:],  # as generate-docs names it
        markdown="\n\n".join(entry_markdown(entry).rstrip("\n") for entry in entries),
        context=sorted_keys(context),
    )


def run_examples(lines: Iterable[str], integration: Path | None = None) -> list[Example]:
    """Run each line on a fresh simulator through the War Room runner; raise ReadmeError on a failure."""
    examples = []
    for line in lines:
        with tempfile.TemporaryDirectory(prefix="readme-example-") as tmp:
            run = run_on_fresh_simulator(line, Path(tmp), integration)
            examples.append(reference_example(line, run, Path(tmp)))
    return examples


def sorted_keys(value: Any) -> Any:
    """`value` with every mapping's keys sorted, as the server (in Go) returns the context."""
    if isinstance(value, dict):
        return {key: sorted_keys(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [sorted_keys(item) for item in value]
    return value


def entry_markdown(entry: dict[str, Any]) -> str:
    """What the War Room shows for one entry, as generate-docs records it (the entry's contents)."""
    if entry.get("Type") in (ENTRY_TYPE_FILE, ENTRY_TYPE_IMAGE, ENTRY_TYPE_INFO_FILE):
        return f"File: {entry.get('File')}"  # the War Room shows the file itself; the runner prints this
    readable = entry.get("HumanReadable")
    if isinstance(readable, str) and readable:
        return readable
    contents = entry.get("Contents")
    if isinstance(contents, str):
        return contents
    return f"```\n{json.dumps(contents, sort_keys=True, indent=4)}\n```"


def add_file_context(
    context: dict[str, Any], entries: list[dict[str, Any]], files: list[Path], investigation_id: str
) -> None:
    """Add the context the server creates for file entries: `File` for type 3, `InfoFile` for type 9.

    The integration does not write it (the runner's context is only the entries' EntryContext), the
    server does, from the file: name, entry ID, size, hashes, MIME type. `Type` is libmagic's
    description on the server; here it is worded as libmagic words an e-mail, or the MIME type.
    """
    saved = iter(files)
    for position, entry in enumerate(entries, start=1):
        key = FILE_CONTEXT_KEYS.get(int(entry.get("Type") or 0))
        if key is None or not entry.get("FileID"):
            continue
        path = next(saved, None)
        if path is None:
            raise ReadmeError(f"The file of entry {entry.get('File')!r} was not saved")
        name = str(entry.get("File") or path.name)
        # The runner's File context (name, entry ID, size, MIME type, hashes), worded as the server words it.
        item = file_context(name, path, f"{position}@{investigation_id}")
        if key != "File":  # InfoFile carries no hashes
            item = {field: item[field] for field in ("EntryID", "Info", "Name", "Size")}
        item["Extension"] = name.rpartition(".")[2] if "." in name else ""
        item["Type"] = file_type_description(path.read_bytes(), item["Info"])
        if key in context:
            existing = context[key]
            context[key] = [*(existing if isinstance(existing, list) else [existing]), item]
        else:
            context[key] = item


def file_type_description(data: bytes, mime: str) -> str:
    if mime != "message/rfc822":
        return mime
    text = "ASCII text" if data.isascii() else "UTF-8 Unicode text"
    return f"RFC 822 mail, {text}" + (", with CRLF line terminators" if b"\r\n" in data else "")


# ---- the README's parts ------------------------------------------------------------------------------


@dataclass
class CommandDoc:
    name: str
    head: list[str]  # generated from the YAML: "### name" through the context output
    notes: list[str] = field(default_factory=list)  # hand-written, before the example
    examples: list[str] = field(default_factory=list)  # generated from the examples


@dataclass
class Readme:
    description: list[str] = field(default_factory=list)  # from the YAML
    intro: list[str] = field(default_factory=list)  # hand-written
    chapters_before: list[list[str]] = field(default_factory=list)  # hand-written, before configuration
    configuration: list[str] = field(default_factory=list)  # from the YAML
    configuration_notes: list[str] = field(default_factory=list)  # hand-written
    chapters_between: list[list[str]] = field(default_factory=list)  # hand-written
    commands_intro: list[str] = field(default_factory=list)  # generate-docs' text
    commands: list[CommandDoc] = field(default_factory=list)
    chapters_after: list[list[str]] = field(default_factory=list)  # hand-written


def trim(lines: list[str]) -> list[str]:
    """`lines` without leading and trailing blank lines."""
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


def split_at(lines: list[str], is_heading: Callable[[str], bool]) -> tuple[list[str], list[list[str]]]:
    """Split at the lines `is_heading` accepts, outside code fences: (what comes first, [sections])."""
    first: list[str] = []
    sections: list[list[str]] = []
    in_fence = False
    for line in lines:
        if _FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and is_heading(line):
            sections.append([line])
            continue
        (sections[-1] if sections else first).append(line)
    return first, sections


def parse_readme(text: str) -> Readme:
    readme = Readme()
    preamble, chapters = split_at(text.splitlines(), lambda line: line.startswith("## "))
    preamble = trim(preamble)
    cut = next(
        (i for i, line in enumerate(preamble) if not line.strip() or line.startswith(SDK_VERSION_LINE)),
        len(preamble),
    )
    readme.description, readme.intro = preamble[:cut], trim(preamble[cut:])
    place = readme.chapters_before
    for chapter in chapters:
        if chapter[0].startswith("## Configure "):
            readme.configuration, readme.configuration_notes = split_configuration(chapter)
            place = readme.chapters_between
        elif chapter[0].strip() == "## Commands":
            intro, sections = split_at(chapter, lambda line: line.startswith("### "))
            readme.commands_intro = trim(intro)
            readme.commands = [parse_command(section) for section in sections]
            place = readme.chapters_after
        else:
            place.append(trim(chapter))
    return readme


def split_configuration(chapter: list[str]) -> tuple[list[str], list[str]]:
    """The heading and the parameter table, and the notes after the table."""
    table_end = None
    for index, line in enumerate(chapter):
        if line.lstrip().startswith("|"):
            table_end = index + 1
        elif table_end is not None and line.strip():
            break
    if table_end is None:
        return trim(chapter), []
    return trim(chapter[:table_end]), trim(chapter[table_end:])


def parse_command(section: list[str]) -> CommandDoc:
    """Split a `### command` section: the YAML part, the notes after the context output, the examples."""
    name = section[0][4:].strip()
    start = next((i for i, line in enumerate(section) if line.strip() == "#### Context Output"), None)
    if start is None:
        return CommandDoc(name, trim(section))
    end = start + 1
    while end < len(section) and not section[end].strip():
        end += 1
    if end < len(section) and section[end].lstrip().startswith("|"):
        while end < len(section) and section[end].lstrip().startswith("|"):
            end += 1
    elif end < len(section):
        end += 1  # "There is no context output for this command."
    rest = section[end:]
    notes_end = next((i for i, line in enumerate(rest) if line.startswith("#### ")), len(rest))
    return CommandDoc(name, trim(section[:end]), trim(rest[:notes_end]), trim(rest[notes_end:]))


def official_command_names(source: Path) -> dict[str, str]:
    """The integration's OFFICIAL_COMMAND_NAMES (seed name -> the official pack's name), read from its
    source without importing it: the README documents each pair once, under the seed name, and says
    there that the other spelling exists."""
    for node in ast.parse(source.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "OFFICIAL_COMMAND_NAMES" for target in node.targets
        ):
            names: dict[str, str] = ast.literal_eval(node.value)
            return names
    raise SystemExit(f"{source} defines no OFFICIAL_COMMAND_NAMES")


OTHER_SPELLINGS = official_command_names(INTEGRATION_DIR / f"{INTEGRATION}.py")
_BASE_COMMAND = "#### Base Command"


def yaml_commands(yml: Path) -> dict[str, dict[str, Any]]:
    """The integration's commands by name, as its YAML declares them."""
    integration = yaml.safe_load(yml.read_text(encoding="utf-8"))
    return {command["name"]: command for command in integration.get("script", {}).get("commands", [])}


def other_spelling_sentence(
    name: str, other: str, commands: dict[str, dict[str, Any]], description: str = ""
) -> str:
    """`Also available as ...`, with how the other spelling's arguments differ, from the YAML.

    When the command's description already names the other spelling, only the differences are said
    (nothing when there are none).
    """

    def arguments(command: str) -> dict[str, bool]:
        return {arg["name"]: bool(arg.get("required")) for arg in commands[command].get("arguments") or []}

    mine, theirs = arguments(name), arguments(other)
    only_theirs = [f"`{arg}`" for arg in theirs if arg not in mine]
    only_mine = [f"`{arg}`" for arg in mine if arg not in theirs]
    required = [f"`{arg}`" for arg in theirs if theirs[arg] and not mine.get(arg, False)]
    optional = [f"`{arg}`" for arg in theirs if mine.get(arg) and not theirs[arg]]
    differences = [
        *([f"it also takes {', '.join(only_theirs)}"] if only_theirs else []),
        *([f"it does not take {', '.join(only_mine)}"] if only_mine else []),
        *([f"it requires {', '.join(required)}"] if required else []),
        *([f"{', '.join(optional)} may be left out"] if optional else []),
    ]
    if other in description:
        return f"`{other}` has the same outputs; {'; '.join(differences)}." if differences else ""
    if not differences:
        return f"Also available as `{other}`, with the same arguments and outputs."
    return f"Also available as `{other}`, with the same outputs; {'; '.join(differences)}."


def fold_other_spellings(readme: Readme, commands: dict[str, dict[str, Any]]) -> Readme:
    """One section per command: the other spelling's section goes, the first one names it (and takes
    its examples, if any)."""
    by_name = {command.name: command for command in readme.commands}
    folded: list[CommandDoc] = []
    for command in readme.commands:
        if command.name in OTHER_SPELLINGS.values() and any(
            other == command.name and name in by_name for name, other in OTHER_SPELLINGS.items()
        ):
            continue  # documented under its first name
        other = OTHER_SPELLINGS.get(command.name)
        if other in by_name and other in commands and command.name in commands:
            at = command.head.index(_BASE_COMMAND) if _BASE_COMMAND in command.head else len(command.head)
            description = " ".join(command.head[:at])
            sentence = other_spelling_sentence(command.name, other, commands, description)
            head = [*command.head[:at], *([sentence, ""] if sentence else []), *command.head[at:]]
            command = CommandDoc(
                command.name, head, command.notes, [*command.examples, *by_name[other].examples]
            )
        folded.append(command)
    return Readme(**{**readme.__dict__, "commands": folded})


def render_readme(readme: Readme) -> str:
    parts: list[list[str]] = [readme.description, readme.intro, *readme.chapters_before]
    parts += [
        readme.configuration,
        readme.configuration_notes,
        *readme.chapters_between,
        readme.commands_intro,
    ]
    for command in readme.commands:
        parts += [command.head, command.notes, command.examples]
    parts += readme.chapters_after
    lines: list[str] = []
    for part in parts:
        if trim(part):
            lines += [*([""] if lines else []), *trim(part)]
    return "\n".join(squeeze_blank_lines(lines)) + "\n"


def squeeze_blank_lines(lines: list[str]) -> Iterator[str]:
    """One blank line where there are several, outside code fences; blank lines hold no spaces."""
    in_fence = False
    previous_blank = False
    for line in lines:
        if _FENCE.match(line):
            in_fence = not in_fence
        blank = not line.strip() and not in_fence
        if blank and previous_blank:
            continue
        previous_blank = blank
        yield "" if blank else line


def merge(generated: Readme, committed: Readme) -> tuple[Readme, list[str]]:
    """The generated README with the committed one's hand-written parts; also what had to be dropped."""
    notes = {command.name: command.notes for command in committed.commands}
    names = {command.name for command in generated.commands}
    dropped = [
        f"the notes of {name}, no longer a command" for name in notes if name not in names and notes[name]
    ]
    merged = Readme(
        description=generated.description,
        intro=committed.intro or generated.intro,
        chapters_before=committed.chapters_before,
        configuration=generated.configuration,
        configuration_notes=committed.configuration_notes,
        chapters_between=committed.chapters_between,
        commands_intro=generated.commands_intro,
        commands=[
            CommandDoc(command.name, command.head, notes.get(command.name, []), command.examples)
            for command in generated.commands
        ],
        chapters_after=committed.chapters_after,
    )
    return merged, dropped


def generated_sections(readme: Readme) -> dict[str, list[str]]:
    """The generated parts, named for a report: what comes from the YAML and what from the examples."""
    sections = {
        "the description (YAML)": readme.description,
        "the parameter table (YAML)": readme.configuration,
        "the commands' introduction (generate-docs)": readme.commands_intro,
    }
    for command in readme.commands:
        sections[f"{command.name}: description, inputs and outputs (YAML)"] = command.head
        sections[f"{command.name}: examples (command_examples run on the simulator)"] = command.examples
    return sections


# ---- generating --------------------------------------------------------------------------------------


def sdk_readme(build: Path, pack_dir: Path, examples: list[Example], env: dict[str, str]) -> str:
    """The README generate-docs writes from the pack's YAML and these example outputs."""
    integration = pack_dir / "Integrations" / INTEGRATION
    docs = build / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    recorded = docs / "examples.json"
    recorded.write_text(
        json.dumps(
            {e.line: {"command": e.command, "markdown": e.markdown, "context": e.context} for e in examples},
            indent=2,
        )
    )
    examples_file = docs / "command_examples"
    examples_file.write_text("".join(f"{example.line}\n" for example in examples))
    with tempfile.TemporaryDirectory(prefix="sdk-docs-") as out:
        args = [
            str(recorded), "generate-docs", "-i", str(integration / f"{INTEGRATION}.yml"), "-o", out,
            "-e", str(examples_file), "--no-graph", "--force", "--skip-breaking-changes",
        ]  # fmt: skip
        log = build / "generate-docs.log"
        code = run_sdk(args, build / "content", {**env, **OFFLINE_ENV}, log, script=GENERATE_DOCS_WRAPPER)
        generated = Path(out) / "README.md"
        if code != 0 or not generated.exists():
            raise ReadmeError(f"generate-docs failed (exit {code}); see {log}")
        text = generated.read_text(encoding="utf-8")
    (docs / "README.sdk.md").write_text(text)
    missing = [example.line for example in examples if f"```{example.line}```" not in text]
    if missing:
        raise ReadmeError(f"generate-docs left out the examples {missing}; see {log}")
    return text


def generate(build: Path, pack_dir: Path, committed: str, env: dict[str, str]) -> tuple[str, list[str]]:
    """The README to commit, and the hand-written parts that had to be dropped."""
    integration = pack_dir / "Integrations" / INTEGRATION
    examples = run_examples(example_lines(integration / "command_examples"), integration)
    generated = fold_other_spellings(
        parse_readme(sdk_readme(build, pack_dir, examples, env)),
        yaml_commands(integration / f"{INTEGRATION}.yml"),
    )
    merged, dropped = merge(generated, parse_readme(committed))
    return render_readme(merged), dropped


def differences(expected: str, committed: str) -> list[str]:
    """Name each generated section that differs, with its diff; empty when the texts are equal."""
    if expected == committed:
        return []
    want, have = generated_sections(parse_readme(expected)), generated_sections(parse_readme(committed))
    found = []
    for name in [*want, *(name for name in have if name not in want)]:
        if want.get(name) == have.get(name):
            continue
        diff = difflib.unified_diff(
            have.get(name, []), want.get(name, []), "README.md", "generated", lineterm=""
        )
        found.append(f"{name} differs:\n" + "\n".join(diff))
    if not found:
        diff = difflib.unified_diff(
            committed.splitlines(), expected.splitlines(), "README.md", "generated", lineterm=""
        )
        found.append("the layout differs:\n" + "\n".join(diff))
    return found


def check(build: Path, pack_dir: Path, committed_path: Path, env: dict[str, str]) -> list[str]:
    """The problems found (empty: the committed README is what --write makes)."""
    committed = committed_path.read_text(encoding="utf-8")
    expected, dropped = generate(build, pack_dir, committed, env)
    (build / "docs" / "README.generated.md").write_text(expected)
    problems = [f"hand-written text with no place in the README: {what}" for what in dropped]
    return problems + differences(expected, committed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="rewrite the integration README")
    mode.add_argument(
        "--check", action="store_true", help="fail when the README differs from what --write makes"
    )
    parser.add_argument("--build", type=Path, default=ROOT / "build" / "readme", help="work dir")
    args = parser.parse_args(argv)
    build: Path = args.build.resolve()
    build.mkdir(parents=True, exist_ok=True)
    pack_dir = make_content_repo(ROOT, build / "content", PACK_NAME)
    env = base_env(build)
    try:
        if args.write:
            expected, dropped = generate(build, pack_dir, README.read_text(encoding="utf-8"), env)
            for what in dropped:
                print(f"warning: dropped {what}")
            changed = expected != README.read_text(encoding="utf-8")
            README.write_text(expected, encoding="utf-8")
            print(f"{README.relative_to(ROOT)} {'rewritten' if changed else 'unchanged'}")
            return 0
        problems = check(build, pack_dir, README, env)
    except ReadmeError as exc:
        print(f"FAIL: {exc}")
        return 1
    for problem in problems:
        print(f"FAIL: README: {problem}")
    if problems:
        print("The README is generated: run `python sdk/generate_readme.py --write` and commit the result.")
        return 1
    print(f"{README.relative_to(ROOT)} is what the YAML and the examples generate")
    return 0


if __name__ == "__main__":
    sys.exit(main())
