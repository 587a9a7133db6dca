"""Reading War Room lines: quoting, `=` in values, escapes, and the errors a user sees."""

from __future__ import annotations

import pytest

from warroom import CommandRefused, parse_argv_words, parse_command_line


def test_command_and_plain_arguments() -> None:
    assert parse_command_line("!proofpoint-pps-smart-search sender=*@example.com limit=5") == (
        "proofpoint-pps-smart-search",
        {"sender": "*@example.com", "limit": "5"},
    )


def test_command_without_arguments() -> None:
    assert parse_command_line("  !test-module  ") == ("test-module", {})


def test_double_quotes_keep_spaces() -> None:
    command, args = parse_command_line(
        '!proofpoint-pps-list-quarantined-messages from=*@example.com start_time="7 days"'
    )
    assert command == "proofpoint-pps-list-quarantined-messages"
    assert args == {"from": "*@example.com", "start_time": "7 days"}


def test_values_may_contain_equals_signs() -> None:
    assert parse_command_line('!c query=a=b other="x = y"')[1] == {"query": "a=b", "other": "x = y"}


def test_backslash_escapes_inside_quotes() -> None:
    line = r'!c subject="say \"hi\" to C:\\temp" raw="a\nb"'
    assert parse_command_line(line)[1] == {"subject": 'say "hi" to C:\\temp', "raw": "a\\nb"}


def test_empty_and_unicode_values() -> None:
    assert parse_command_line('!c a="" b=ünïcödé')[1] == {"a": "", "b": "ünïcödé"}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("test-module", "starts with '!'"),
        ("!", "Invalid command name"),
        ("!bad$name a=1", "Invalid command name"),
        ('!c a="unterminated', "no closing double quote"),
        ('!c a="x"y', "after the closing quote"),
        ("!c loose", "Expected name=value, got 'loose'"),
        ("!c =value", "Expected name=value"),
        ("!c a=1 a=2", "given twice"),
    ],
)
def test_refused_lines_say_why(line: str, message: str) -> None:
    with pytest.raises(CommandRefused, match=message.replace("$", r"\$")):
        parse_command_line(line)


def test_line_split_by_the_shell() -> None:
    # What `python -m warroom !c from=x start_time="7 days"` hands over: the shell removed the quotes.
    assert parse_argv_words(["!c", "from=x", "start_time=7 days", 'subject=say "hi"']) == (
        "c",
        {"from": "x", "start_time": "7 days", "subject": 'say "hi"'},
    )


def test_further_words_in_war_room_syntax() -> None:
    assert parse_argv_words(["!c a=1", 'b="x y" c=2', "d=3 e=4"]) == (
        "c",
        {"a": "1", "b": "x y", "c": "2", "d": "3", "e": "4"},
    )


def test_split_line_errors() -> None:
    with pytest.raises(CommandRefused, match="No command"):
        parse_argv_words([])
    with pytest.raises(CommandRefused, match="Expected name=value"):
        parse_argv_words(["!c", "loose word"])
    with pytest.raises(CommandRefused, match="given twice"):
        parse_argv_words(["!c a=1", "a=2"])
