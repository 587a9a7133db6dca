"""Tables that fit the terminal: id columns whole on one line, the other columns give way.

An id (GUID, localguid, QID, message id) is copied out of the table, so it never wraps. The other
columns wrap at words, never narrower than their longest header word, so headers stay whole. When
even that does not fit, the columns an analyst needs least in a terminal are left out, and the caller
says which (the entry's JSON and context keep them all).
"""

from __future__ import annotations

import re

from rich.cells import cell_len
from rich.table import Column, Table
from rich.text import Text

# Header names (lower case, letters and digits only) of columns holding an id.
ID_COLUMNS = frozenset({"guid", "localguid", "qid", "messageid"})
# Left out first when a table is too wide, in this order; then other columns from the right.
LEFT_OUT_FIRST = (
    "processingserver",
    "hostip",
    "messageid",
    "size",
    "virusnames",
    "spamscore",
    "quarantinefolder",
    "folder",
    "rcpts",
    "recipients",
    "finalaction",
)
# Kept to the last: what tells messages apart.
KEPT_LAST = ("guid", "localguid", "date", "from", "sender", "subject", "email", "uid")
# A wrapping column gets at least this many cells (or its longest value, if shorter)...
MIN_TEXT_WIDTH = 8
# ... and room for its longest word up to this length, so dates, times and folder names stay whole.
WHOLE_WORD_LIMIT = 12


def header_key(header: str) -> str:
    """'Spam_Score' -> 'spamscore', 'Message ID' -> 'messageid'."""
    return re.sub(r"[^a-z0-9]", "", header.lower())


def fit_table(table: Table, max_width: int) -> list[Column]:
    """Lay `table` out within `max_width` cells; returns the columns left out."""
    for column in table.columns:
        if header_key(_plain(column.header)) in ID_COLUMNS:
            column.no_wrap, column.overflow = True, "ellipsis"
        else:
            column.no_wrap, column.overflow = False, "fold"
    left_out: list[Column] = []
    while len(table.columns) > 1 and _minimum_table_width(table) > max_width:
        column = _least_needed(table.columns)
        table.columns.remove(column)
        left_out.append(column)
    for index, column in enumerate(table.columns):
        column._index = index  # rich pads and styles columns by their index
    _share_out_width(table, max_width)
    return left_out


def _plain(value: object) -> str:
    return value.plain if isinstance(value, Text) else str(value)


def _cells(column: Column) -> list[str]:
    return [_plain(cell) for cell in column._cells]


def _longest(texts: list[str]) -> int:
    return max((cell_len(line) for text in texts for line in text.splitlines()), default=0)


def _natural_width(column: Column) -> int:
    return max(_longest(_cells(column)), _longest([_plain(column.header)]), 1)


def _minimum_width(column: Column) -> int:
    if column.no_wrap:
        return _natural_width(column)
    longest_header_word = _longest_word([_plain(column.header)])
    longest_short_word = max(
        (length for length in _word_lengths(_cells(column)) if length <= WHOLE_WORD_LIMIT), default=0
    )
    return max(longest_header_word, longest_short_word, min(_natural_width(column), MIN_TEXT_WIDTH), 1)


def _word_lengths(texts: list[str]) -> list[int]:
    return [cell_len(word) for text in texts for word in text.split()]


def _longest_word(texts: list[str]) -> int:
    return max(_word_lengths(texts), default=0)


def _overhead(table: Table) -> int:
    """Cells a table spends beside its content: borders and padding."""
    padding = sum(table._get_padding_width(index) for index in range(len(table.columns)))
    return table._extra_width + padding


def _minimum_table_width(table: Table) -> int:
    for index, column in enumerate(table.columns):
        column._index = index
    return sum(_minimum_width(column) for column in table.columns) + _overhead(table)


def _least_needed(columns: list[Column]) -> Column:
    keys = [header_key(_plain(column.header)) for column in columns]
    for key in LEFT_OUT_FIRST:
        if key in keys:
            return columns[keys.index(key)]
    for column, key in reversed(list(zip(columns, keys, strict=True))):
        if key not in KEPT_LAST:
            return column
    return columns[-1]


def _share_out_width(table: Table, max_width: int) -> None:
    """Fixed widths: every column its minimum, then the room left to the columns that want more."""
    widths = [_minimum_width(column) for column in table.columns]
    wanted = [_natural_width(column) for column in table.columns]
    room = max_width - sum(widths) - _overhead(table)
    while room > 0:
        short = [index for index, width in enumerate(widths) if width < wanted[index]]
        if not short:
            break
        share = max(1, room // len(short))
        for index in short:
            grant = min(share, wanted[index] - widths[index], room)
            widths[index] += grant
            room -= grant
            if room <= 0:
                break
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
