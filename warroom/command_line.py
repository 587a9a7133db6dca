"""Parsing a War Room command line: `!command name=value name="a value"`."""

from __future__ import annotations

import re
from collections.abc import Sequence

from warroom.errors import CommandRefused

_COMMAND_NAME = re.compile(r"[A-Za-z0-9][\w.-]*")
_ARGUMENT_NAME = re.compile(r"[A-Za-z_][\w-]*")


def parse_command_line(line: str) -> tuple[str, dict[str, str]]:
    """Split `!command a=1 b="x y"` into the command name and its arguments, all values strings.

    Values run to the next whitespace and may contain `=`; a value starting with a double quote runs
    to the closing quote, where `\\"` is a quote and `\\\\` a backslash.
    """
    text = line.strip()
    if not text.startswith("!"):
        raise CommandRefused(f"A War Room command starts with '!', e.g. '!test-module'; got {line!r}")
    match = _COMMAND_NAME.match(text, 1)
    end = match.end() if match else 1
    if not match or (end < len(text) and not text[end].isspace()):
        raise CommandRefused(f"Invalid command name in {line!r}: expected '!' followed by a command name")
    return match.group(), _parse_arguments(text, end)


def parse_argv_words(words: Sequence[str]) -> tuple[str, dict[str, str]]:
    """Parse a command line the shell may have split into several words.

    The first word is parsed as a War Room line. Each further word is parsed as War Room text
    (`a=1 b="x y"`) when it can be; otherwise it is one argument whose value the shell has already
    unquoted, as in `start_time="7 days"` typed unquoted at a shell prompt.
    """
    if not words:
        raise CommandRefused("No command given: expected a line like '!test-module'")
    command, args = parse_command_line(words[0])
    for word in words[1:]:
        try:
            extra = _parse_arguments(word, 0)
        except CommandRefused:
            name, sep, value = word.partition("=")
            if not sep or not _ARGUMENT_NAME.fullmatch(name):
                raise
            extra = {name: value}
        for name, value in extra.items():
            _add_argument(args, name, value)
    return command, args


def _parse_arguments(text: str, pos: int) -> dict[str, str]:
    args: dict[str, str] = {}
    length = len(text)
    while True:
        while pos < length and text[pos].isspace():
            pos += 1
        if pos == length:
            return args
        match = _ARGUMENT_NAME.match(text, pos)
        if not match or match.end() == length or text[match.end()] != "=":
            token = text[pos:].split(None, 1)[0]
            raise CommandRefused(f"Expected name=value, got {token!r} (quote values that contain spaces)")
        name = match.group()
        pos = match.end() + 1
        if pos < length and text[pos] == '"':
            value, pos = _read_quoted(text, pos, name)
        else:
            start = pos
            while pos < length and not text[pos].isspace():
                pos += 1
            value = text[start:pos]
        _add_argument(args, name, value)


def _read_quoted(text: str, pos: int, name: str) -> tuple[str, int]:
    """Read the double-quoted value starting at `text[pos]`; return it and the position after it."""
    chars: list[str] = []
    pos += 1
    while pos < len(text):
        char = text[pos]
        if char == "\\" and pos + 1 < len(text) and text[pos + 1] in '"\\':
            chars.append(text[pos + 1])
            pos += 2
        elif char == '"':
            pos += 1
            if pos < len(text) and not text[pos].isspace():
                raise CommandRefused(
                    f"Unexpected text after the closing quote of {name}: {text[pos:].split(None, 1)[0]!r}"
                )
            return "".join(chars), pos
        else:
            chars.append(char)
            pos += 1
    raise CommandRefused(f"The value of {name} has no closing double quote")


def _add_argument(args: dict[str, str], name: str, value: str) -> None:
    if name in args:
        raise CommandRefused(f"Argument {name} is given twice")
    args[name] = value
