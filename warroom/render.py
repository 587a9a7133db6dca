"""Showing a run in the terminal: entries as the War Room shows them, rendered with rich (imported here only)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any, ClassVar

from rich import box
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.json import JSON
from rich.markdown import Markdown, MarkdownElement, TableElement
from rich.table import Column, Table
from rich.text import Text

from instance_params import Masker
from warroom.execution import ENTRY_TYPE_ERROR, FILE_ENTRY_TYPES, RunResult
from warroom.tables import fit_table

ENTRY_TYPE_WARNING = 11
_HTML_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


class _FittedTableElement(TableElement):
    """A markdown table that fits the terminal: ids whole on one line, headers never split.

    Columns that cannot fit are left out, and a line under the table names them.
    """

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for renderable in super().__rich_console__(console, options):
            if not isinstance(renderable, Table):
                yield renderable
                continue
            names = {id(column): _plain_header(column) for column in renderable.columns}
            for column in renderable.columns:
                if isinstance(column.header, Text):
                    # Final_Action wraps as "Final / Action" instead of splitting a word.
                    column.header.plain = column.header.plain.replace("_", " ")
            left_out = fit_table(renderable, options.max_width)
            yield renderable
            if left_out:
                yield Text(
                    f"Not shown at {options.max_width} columns: "
                    + ", ".join(names[id(column)] for column in left_out)
                    + " (all of them: --json or --context)",
                    style="dim",
                )


def _plain_header(column: Column) -> str:
    return column.header.plain if isinstance(column.header, Text) else str(column.header)


class TerminalMarkdown(Markdown):
    """Markdown as the War Room shows it, its tables fitted to the terminal."""

    elements: ClassVar[dict[str, type[MarkdownElement]]] = {
        **Markdown.elements,
        "table_open": _FittedTableElement,
    }


def _output_width(out: IO[str]) -> int | None:
    """A terminal's own width; piped output gets room for a War Room table instead of rich's 80 columns."""
    if os.environ.get("COLUMNS") or (hasattr(out, "isatty") and out.isatty()):
        return None
    return 160


def print_run(
    result: RunResult,
    masker: Masker,
    *,
    out: IO[str],
    show_context: bool = False,
    as_json: bool = False,
    show_logs: bool = False,
    err: IO[str] | None = None,
) -> None:
    """Print what the War Room would show for `result`, every string passed through `masker`."""
    console = Console(file=out, highlight=False, width=_output_width(out))
    err_console = Console(file=err, highlight=False, stderr=err is None, soft_wrap=True)
    if show_logs:
        for level, text in logs_worth_showing(result.logs, result.entries):
            err_console.print(Text(f"[{level}] {masker.text(text)}", style="dim"))
    if as_json:
        document: Any = masker.entries(result.entries)
        if show_context:
            document = {"entries": document, "context": masker.value(result.context)}
        out.write(json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n")
        for path in result.files:
            err_console.print(Text(f"Saved file: {masker.text(str(path))}"))
        return
    for index, entry in enumerate(result.entries):
        if index:
            console.print()
        renderable = entry_renderable(masker.entry(entry))
        # Plain text is left for the terminal to wrap, so paths in tracebacks stay whole when copied.
        console.print(renderable, soft_wrap=isinstance(renderable, Text))
    for path in result.files:
        console.print(Text(f"Saved file: {masker.text(str(path))}", style="green"))
    if show_context:
        console.print()
        console.rule("Context")
        console.print(JSON(json.dumps(masker.value(result.context), ensure_ascii=False, default=str)))


# IncidentSeverity numbers as the incident list shows them (spec §2).
SEVERITY_NAMES = {0: "Unknown", 0.5: "Info", 1: "Low", 2: "Medium", 3: "High", 4: "Critical"}


def print_fetch(
    result: RunResult,
    masker: Masker,
    state_file: Path,
    *,
    out: IO[str],
    err: IO[str] | None = None,
    as_json: bool = False,
    show_logs: bool = False,
) -> None:
    """Print a fetch run: the incidents it created (a table, or JSON), then what the next run starts from."""
    console = Console(file=out, highlight=False, width=_output_width(out))
    err_console = Console(file=err, highlight=False, stderr=err is None, soft_wrap=True)
    if show_logs:
        for level, text in result.logs:
            err_console.print(Text(f"[{level}] {masker.text(text)}", style="dim"))
    errors = [entry for entry in result.entries if entry.get("Type") == ENTRY_TYPE_ERROR]
    incidents = masker.value(result.incidents)
    if as_json:
        out.write(json.dumps(incidents, indent=2, ensure_ascii=False, default=str) + "\n")
    elif not errors:
        console.print(incidents_table(incidents, console.width))
    for entry in errors:
        console.print(entry_renderable(masker.entry(entry)), soft_wrap=True)
    for path in result.files:
        err_console.print(Text(f"Saved attachment: {masker.text(str(path))}", style="green"))
    if errors:
        err_console.print(
            Text(f"The fetch failed: no last run kept, the next fetch repeats this one ({state_file}).")
        )
    else:
        kept = json.dumps(masker.value(result.last_run), ensure_ascii=False, default=str)
        err_console.print(Text(f"{len(result.incidents)} incident(s). Last run kept in {state_file}: {kept}"))


def incidents_table(incidents: list[dict[str, Any]], max_width: int) -> RenderableType:
    """Fetched incidents as an analyst scans them: when, how bad, where, which message, and the name."""
    if not incidents:
        return Text("No new incidents.")
    table = Table(
        title=f"{len(incidents)} incident(s)", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False
    )
    for header in ("Occurred", "Severity", "Folder", "GUID", "Name"):
        table.add_column(header)
    for incident in incidents:
        record = _raw_record(incident)
        custom_fields = incident.get("CustomFields")
        fields: dict[str, Any] = custom_fields if isinstance(custom_fields, dict) else {}
        table.add_row(
            str(incident.get("occurred") or ""),
            severity_name(incident.get("severity")),
            str(fields.get("proofpointppsfolder") or record.get("folder") or ""),
            str(fields.get("proofpointppsguid") or record.get("guid") or ""),
            str(incident.get("name") or ""),
        )
    fit_table(table, max_width)
    return table


def severity_name(severity: Any) -> str:
    """'High' for 3; a value that is no IncidentSeverity is shown as given."""
    if isinstance(severity, (int, float)) and severity in SEVERITY_NAMES:
        return SEVERITY_NAMES[severity]
    return "" if severity is None else str(severity)


def _raw_record(incident: Mapping[str, Any]) -> dict[str, Any]:
    """The record an incident was made from: its rawJSON, parsed."""
    try:
        record = json.loads(incident.get("rawJSON") or "{}")
    except (TypeError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


_FULL_LOG_HEADING = "Full Integration Log:\n"


def logs_worth_showing(logs: list[tuple[str, str]], entries: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The log lines minus repeats: in debug mode return_error logs its message and traceback, then
    replays them as the "Full Integration Log", and its error entry carries them again."""
    shown_in_entries = [
        str(entry.get("Contents"))
        for entry in entries
        if entry.get("Type") in (ENTRY_TYPE_ERROR, ENTRY_TYPE_WARNING)
    ]
    kept: list[tuple[str, str]] = []
    earlier: list[str] = []
    for level, text in logs:
        body = text.strip()
        if text.startswith(_FULL_LOG_HEADING):
            rest = text[len(_FULL_LOG_HEADING) :]
            for line in earlier:
                rest = rest.replace(line, "", 1)
            body = rest.strip()
        if body and not any(body in contents for contents in shown_in_entries):
            kept.append((level, text))
        earlier.append(text)
    return kept


def print_params(params: Mapping[str, Any], err: IO[str] | None = None) -> None:
    """Print instance params already masked with `masked_params`."""
    console = Console(file=err, highlight=False, stderr=err is None, soft_wrap=True)
    console.print(Text("Instance parameters: " + json.dumps(params, default=str), style="dim"))


def entry_renderable(entry: Mapping[str, Any]) -> RenderableType:
    """How the War Room shows one entry: errors red, warnings yellow, readable output as markdown."""
    entry_type = entry.get("Type")
    contents = entry.get("Contents")
    if entry_type == ENTRY_TYPE_ERROR:
        return Text(_as_text(contents), style="bold red")
    if entry_type == ENTRY_TYPE_WARNING:
        return Text(_as_text(contents), style="yellow")
    if entry_type in FILE_ENTRY_TYPES:
        return Text(f"File: {entry.get('File')}", style="bold")
    readable = entry.get("HumanReadable")
    if isinstance(readable, str) and readable:
        return TerminalMarkdown(terminal_markdown(readable))
    if isinstance(contents, str) and entry.get("ContentsFormat") in (None, "text", "markdown"):
        return TerminalMarkdown(terminal_markdown(contents))
    if isinstance(contents, str) and entry.get("ContentsFormat") == "json":
        try:
            return JSON(json.dumps(json.loads(contents), ensure_ascii=False))
        except ValueError:
            return Text(contents)
    if isinstance(contents, (dict, list)):
        return JSON(json.dumps(contents, ensure_ascii=False, default=str))
    return Text(_as_text(contents))


def terminal_markdown(markdown: str) -> str:
    """tableToMarkdown's `<br>` as the terminal can show it: a space in a table cell, else a line break."""
    lines = []
    for line in markdown.split("\n"):
        replacement = " " if line.lstrip().startswith("|") else "  \n"
        lines.append(_HTML_BREAK.sub(replacement, line))
    return "\n".join(lines)


def _as_text(contents: Any) -> str:
    if isinstance(contents, str):
        return contents
    return json.dumps(contents, indent=2, ensure_ascii=False, default=str)
