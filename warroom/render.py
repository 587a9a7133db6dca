"""Showing a run in the terminal: entries as the War Room shows them, rendered with rich (imported here only)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from typing import IO, Any, ClassVar

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.json import JSON
from rich.markdown import Markdown, MarkdownElement, TableElement
from rich.table import Table
from rich.text import Text

from instance_params import Masker
from warroom.execution import ENTRY_TYPE_ERROR, RunResult

ENTRY_TYPE_WARNING = 11
_FILE_ENTRY_TYPES = (3, 7, 9)
_HTML_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


class _WrappingTableElement(TableElement):
    """A markdown table whose long values (GUIDs, addresses) wrap instead of ending in an ellipsis."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for renderable in super().__rich_console__(console, options):
            if isinstance(renderable, Table):
                for column in renderable.columns:
                    column.overflow = "fold"
            yield renderable


class TerminalMarkdown(Markdown):
    """Markdown as the War Room shows it: every character of a table cell stays visible."""

    elements: ClassVar[dict[str, type[MarkdownElement]]] = {
        **Markdown.elements,
        "table_open": _WrappingTableElement,
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
        for level, text in result.logs:
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
    if entry_type in _FILE_ENTRY_TYPES:
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
