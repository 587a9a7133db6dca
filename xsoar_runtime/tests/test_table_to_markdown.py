"""tableToMarkdown and the string helpers: the exact text the War Room shows."""

from typing import Any

import pytest
from CommonServerPython import (
    tableToMarkdown,
)


def test_spec_example_escapes_pipes_newlines_lists_and_dicts() -> None:
    table = tableToMarkdown(
        "Test",
        [
            {"b": 1, "a": "x|y", "c": "line1\nline2"},
            {"a": None, "b": [1, 2], "c": {"k": "v", "n": {"z": 1}}},
        ],
    )
    assert table == (
        "### Test\n|a|b|c|\n|---|---|---|\n| x\\|y | 1 | line1<br>line2 |\n"
        '|  | 1,<br>2 | k: v<br>n: {"z": 1} |\n'
    )


def test_no_name_and_json_booleans() -> None:
    assert (
        tableToMarkdown("", {"x": 1, "y": True, "z": False})
        == "|x|y|z|\n|---|---|---|\n| 1 | true | false |\n"
    )


@pytest.mark.parametrize("empty", [[], None, {}])
def test_empty_input(empty: Any) -> None:
    assert tableToMarkdown("Empty", empty) == "### Empty\n**No entries.**\n"


def test_strings_need_a_header() -> None:
    assert tableToMarkdown("Strs", ["a", "b"], headers="Name") == "### Strs\n|Name|\n|---|\n| a |\n| b |\n"


def test_strings_without_headers_are_refused() -> None:
    with pytest.raises(Exception) as raised:
        tableToMarkdown("Strs", ["a", "b"])
    assert str(raised.value) == "Missing headers param for tableToMarkdown. Example: headers=['Some Header']"


def test_explicit_headers_keep_their_order_and_missing_keys_are_empty() -> None:
    table = tableToMarkdown("H", [{"a": 1, "b": 2}], headers=["b", "a", "zz"])
    assert table == "### H\n|b|a|zz|\n|---|---|---|\n| 2 | 1 |  |\n"


def test_default_headers_sort_uppercase_then_underscore_then_lowercase() -> None:
    table = tableToMarkdown("order", [{"b": 1, "a": 2, "C": 3, "_x": 4}])
    assert table.splitlines()[1] == "|C|_x|a|b|"


def test_default_headers_come_from_the_first_row_only() -> None:
    table = tableToMarkdown("T", [{"a": 1}, {"a": 2, "b": 3}])
    assert table == "### T\n|a|\n|---|\n| 1 |\n| 2 |\n"


def test_metadata_follows_the_title() -> None:
    assert (
        tableToMarkdown("Meta", [{"a": 1}], metadata="some meta")
        == "### Meta\nsome meta\n|a|\n|---|\n| 1 |\n"
    )


def test_single_key_dict_is_one_column() -> None:
    assert tableToMarkdown("Ids", {"ids": [1, 2, 3]}) == "### Ids\n|ids|\n|---|\n| 1 |\n| 2 |\n| 3 |\n"


def test_single_key_dict_holding_a_dict_gives_one_empty_cell() -> None:
    assert tableToMarkdown("Q", {"only": {"k": "v"}}) == "### Q\n|only|\n|---|\n|  |\n"


def test_dict_is_one_row() -> None:
    assert tableToMarkdown("D", {"b": 2, "a": 1}) == "### D\n|a|b|\n|---|---|\n| 1 | 2 |\n"


def test_remove_null_drops_columns_empty_in_every_row() -> None:
    rows = [{"a": 1, "b": None, "c": "", "d": [], "e": {}, "f": 0}, {"a": 2, "b": "", "f": False}]
    table = tableToMarkdown("N", rows, removeNull=True)
    assert table == "### N\n|a|f|\n|---|---|\n| 1 | 0 |\n| 2 | false |\n"


def test_remove_null_with_nothing_left() -> None:
    assert tableToMarkdown("N", [{"a": None}], removeNull=True) == "### N\n**No entries.**\n"


def test_headers_and_cells_escape_backticks_and_every_newline_kind() -> None:
    table = tableToMarkdown("T", [{"a`b": "1\r\n2\r3`"}])
    assert table == "### T\n|a\\`b|\n|---|\n| 1<br>2<br>3\\` |\n"


def test_other_markdown_characters_are_not_escaped() -> None:
    assert tableToMarkdown("T", [{"a": "*bold* _x_ #h"}]).endswith("| *bold* _x_ #h |\n")


def test_numbers_floats_and_nested_values() -> None:
    table = tableToMarkdown(
        "T", [{"f": 1.5, "l": [{"k": 1}, "s"], "d": {"l": ["a", "b"], "n": 2, "b": True}}]
    )
    assert table == (
        "### T\n|d|f|l|\n|---|---|---|\n| l: a,<br>b<br>n: 2<br>b: true | 1.5 | {'k': 1},<br>s |\n"
    )


# ----- string helpers -----


def test_header_transform_changes_only_the_header_line() -> None:
    assert tableToMarkdown("T", [{"a_b": 1}], headerTransform=str.upper) == "### T\n|A_B|\n|---|\n| 1 |\n"


def test_options_nothing_here_uses_are_refused_rather_than_ignored() -> None:
    with pytest.raises(TypeError):
        tableToMarkdown("T", [{"u": "https://x.com"}], url_keys=["u"])  # type: ignore[call-arg]
