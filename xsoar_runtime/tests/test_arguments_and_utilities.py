"""Argument parsing and the small utilities: argToList, argToBoolean, arg_to_number, arg_to_datetime, ..."""

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import demistomock as demisto
import pytest
from CommonServerPython import (
    argToBoolean,
    argToList,
    assign_params,
    fileResult,
)
from pytest_mock import MockerFixture

# ----- argToList -----


@pytest.mark.parametrize(
    ("arg", "expected"),
    [
        (None, []),
        ("", []),
        ([], []),
        ("a, b ,c", ["a", "b", "c"]),
        ("a,,b", ["a", "", "b"]),
        ("single", ["single"]),
        (["x", 1], ["x", 1]),
        ('["a", "b,c"]', ["a", "b,c"]),
        (5, [5]),
    ],
)
def test_arg_to_list(arg: Any, expected: list[Any]) -> None:
    assert argToList(arg) == expected


def test_arg_to_list_separator_and_transform() -> None:
    assert argToList("1;2", separator=";", transform=int) == [1, 2]


def test_arg_to_list_refuses_broken_json_lists() -> None:
    with pytest.raises(ValueError):
        argToList("[a, b]")


# ----- argToBoolean -----


@pytest.mark.parametrize(
    ("value", "expected"), [("true", True), ("Yes", True), ("FALSE", False), ("no", False), (True, True)]
)
def test_arg_to_boolean(value: Any, expected: bool) -> None:
    assert argToBoolean(value) is expected


def test_arg_to_boolean_refusals() -> None:
    with pytest.raises(ValueError, match=r"^Argument does not contain a valid boolean-like value$"):
        argToBoolean("maybe")
    for value in (1, None):
        with pytest.raises(ValueError, match=r"^Argument is neither a string nor a boolean$"):
            argToBoolean(value)


# ----- arg_to_number -----


# ----- arg_to_datetime -----


def utc_now_naive() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


# ----- urljoin, remove_empty_elements, assign_params -----


def test_assign_params_spec_example() -> None:
    assert assign_params(a="1", b=True, c=None, d="", e=0, f=False) == {
        "a": "1",
        "b": True,
        "e": 0,
        "f": False,
    }


def test_assign_params_drops_empty_containers_and_ignored_keys_or_values() -> None:
    assert assign_params(a=[], b={}, c=(), d="x") == {"d": "x"}
    assert assign_params(keys_to_ignore=["b"], a=1, b=2) == {"a": 1}
    assert assign_params(values_to_ignore=(0,), a=0, b=None) == {"b": None}


# ----- fileResult -----


def test_file_result_writes_investigation_prefixed_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mocker: MockerFixture
) -> None:
    monkeypatch.chdir(tmp_path)
    mocker.patch.object(demisto, "uniqueFile", return_value="20024423-d4f0-4ea1-a50f-000000000001")

    entry = fileResult("message.eml", "héllo")

    assert entry == {
        "Contents": "",
        "ContentsFormat": "text",
        "Type": 3,
        "File": "message.eml",
        "FileID": "20024423-d4f0-4ea1-a50f-000000000001",
    }
    assert (tmp_path / "1_20024423-d4f0-4ea1-a50f-000000000001").read_bytes() == "héllo".encode()


def test_file_result_bytes_and_file_type(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    entry = fileResult("info.txt", b"\x00\xff", file_type=9)
    assert entry["Type"] == 9
    assert (tmp_path / f"1_{entry['FileID']}").read_bytes() == b"\x00\xff"


def test_file_result_refuses_other_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(TypeError):
        fileResult("n.txt", 5)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


# ----- handle_proxy -----
