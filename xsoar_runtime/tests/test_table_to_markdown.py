"""tableToMarkdown and the string helpers: the exact text the War Room shows."""

from datetime import datetime
from typing import Any

import pytest
from CommonServerPython import (
    camel_case_to_underscore,
    pascalToSpace,
    string_to_context_key,
    string_to_table_header,
    tableToMarkdown,
    underscoreToCamelCase,
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


def test_url_keys_become_links() -> None:
    table = tableToMarkdown("URL", [{"u": "https://x.com"}], url_keys=["u"])
    assert table == "### URL\n|u|\n|---|\n| [https://x.com](https://x.com) |\n"


def test_url_keys_are_found_at_any_depth_and_in_lists() -> None:
    table = tableToMarkdown("URL", [{"d": {"u": ["https://a", "https://b"]}}], url_keys=["u"])
    assert table.endswith("| u: [https://a](https://a),<br>[https://b](https://b) |\n")


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


def test_header_transform_changes_only_the_header_line() -> None:
    table = tableToMarkdown("T", [{"final_action": "discard"}], headerTransform=string_to_table_header)
    assert table == "### T\n|Final Action|\n|---|\n| discard |\n"


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


def test_date_fields_render_epoch_milliseconds_as_local_time() -> None:
    millis = 1660298400000
    expected = datetime.fromtimestamp(millis / 1000).strftime("%Y-%m-%d %H:%M:%S")
    table = tableToMarkdown("T", [{"when": millis, "bad": "x"}], date_fields=["when", "bad"])
    assert table == f"### T\n|bad|when|\n|---|---|\n| x | {expected} |\n"


def test_json_transformers_are_not_supported_locally() -> None:
    with pytest.raises(NotImplementedError):
        tableToMarkdown("T", [{"a": {"b": 1}}], is_auto_json_transform=True)


# ----- string helpers -----


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ThreatScore", "Threat Score"),
        ("thisIsIPAddressName", "This Is IP Address Name"),
        ("IPAddress", "IP Address"),
        ("SHA256", "SHA256"),
        ("ip_address", "Ip _ Address"),
    ],
)
def test_pascal_to_space(text: str, expected: str) -> None:
    assert pascalToSpace(text) == expected


def test_underscore_to_camel_case() -> None:
    assert underscoreToCamelCase("hello_world") == "HelloWorld"
    assert underscoreToCamelCase("hello_world", upper_camel=False) == "helloWorld"
    assert underscoreToCamelCase("HELLO_world") == "HelloWorld"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("incident_id", "Incident Id"), ("IP_address", "Ip Address"), ("mixedCase_word", "Mixedcase Word")],
)
def test_string_to_table_header(text: str, expected: str) -> None:
    assert string_to_table_header(text) == expected


def test_string_to_context_key() -> None:
    assert string_to_context_key("one_two") == "OneTwo"


def test_camel_case_to_underscore() -> None:
    assert camel_case_to_underscore("HTTPResponseCode") == "http_response_code"


def test_non_strings_pass_through_or_are_refused() -> None:
    assert pascalToSpace(5) == 5
    assert underscoreToCamelCase(None) is None
    assert camel_case_to_underscore(["A"]) == ["A"]
    with pytest.raises(Exception, match=r"^The key is not a string: 5$"):
        string_to_table_header(5)
    with pytest.raises(Exception, match=r"^The key is not a string: None$"):
        string_to_context_key(None)
