"""Argument parsing and the small utilities: argToList, argToBoolean, arg_to_number, arg_to_datetime, ..."""

import os
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import demistomock as demisto
import pytest
from CommonServerPython import (
    arg_to_datetime,
    arg_to_number,
    argToBoolean,
    argToList,
    assign_params,
    fileResult,
    handle_proxy,
    remove_empty_elements,
    urljoin,
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


@pytest.mark.parametrize(("arg", "expected"), [("10", 10), ("1.7", 1), (" 3", 3), ("-4", -4), (7, 7)])
def test_arg_to_number(arg: Any, expected: int) -> None:
    assert arg_to_number(arg) == expected


@pytest.mark.parametrize("arg", [None, ""])
def test_arg_to_number_missing(arg: Any) -> None:
    assert arg_to_number(arg) is None
    with pytest.raises(ValueError, match=r'^Missing "limit"$'):
        arg_to_number(arg, arg_name="limit", required=True)
    with pytest.raises(ValueError, match=r"^Missing required argument$"):
        arg_to_number(arg, required=True)


def test_arg_to_number_invalid_values() -> None:
    with pytest.raises(ValueError) as named:
        arg_to_number("abc", arg_name="limit")
    assert str(named.value) == 'Invalid number: "limit"="abc"'
    with pytest.raises(ValueError) as unnamed:
        arg_to_number("abc")
    assert str(unnamed.value) == '"abc" is not a valid number'
    with pytest.raises(ValueError, match=r'^"1.5" is not a valid number$'):
        arg_to_number(1.5)


# ----- arg_to_datetime -----


def utc_now_naive() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


@pytest.mark.parametrize("arg", [1660298400, "1660298400", 1660298400000, "1660298400000", 1660298400.0])
def test_arg_to_datetime_epoch_seconds_and_milliseconds(arg: Any) -> None:
    assert arg_to_datetime(arg) == datetime(2022, 8, 12, 10, 0, tzinfo=timezone.utc)


def test_arg_to_datetime_epoch_local_time() -> None:
    assert arg_to_datetime(1660298400, is_utc=False) == datetime.fromtimestamp(1660298400)


@pytest.mark.parametrize(
    ("arg", "expected"),
    [
        ("2019-10-23", datetime(2019, 10, 23)),
        ("2022-08-12T10:00:00", datetime(2022, 8, 12, 10)),
        ("2022-08-12T10:00:00.123", datetime(2022, 8, 12, 10, 0, 0, 123000)),
        ("2022-08-12T10:00:00Z", datetime(2022, 8, 12, 10, tzinfo=timezone.utc)),
        ("2022-08-12T10:00:00.000Z", datetime(2022, 8, 12, 10, tzinfo=timezone.utc)),
        ("2022-08-12T12:00:00+02:00", datetime(2022, 8, 12, 10, tzinfo=timezone.utc)),
        ("2022-08-12T05:00:00-0500", datetime(2022, 8, 12, 10, tzinfo=timezone.utc)),
        ("2022/08/12 10:00:00", datetime(2022, 8, 12, 10)),
        ("12 Aug 2022", datetime(2022, 8, 12)),
        ("Fri, 12 Aug 2022 10:00:00 +0000", datetime(2022, 8, 12, 10, tzinfo=timezone.utc)),
    ],
)
def test_arg_to_datetime_absolute_times(arg: str, expected: datetime) -> None:
    parsed = arg_to_datetime(arg)
    assert parsed == expected
    assert parsed is not None and parsed.tzinfo == expected.tzinfo


@pytest.mark.parametrize(
    ("phrase", "ago"),
    [
        ("3 days", timedelta(days=3)),
        ("3 days ago", timedelta(days=3)),
        ("24 hours", timedelta(hours=24)),
        ("1 hour ago", timedelta(hours=1)),
        ("an hour ago", timedelta(hours=1)),
        ("30 minutes", timedelta(minutes=30)),
        ("2 weeks ago", timedelta(weeks=2)),
        ("1 day and 2 hours ago", timedelta(days=1, hours=2)),
        ("now", timedelta(0)),
        ("yesterday", timedelta(days=1)),
    ],
)
def test_arg_to_datetime_relative_phrases_count_back_from_now_naive(phrase: str, ago: timedelta) -> None:
    before = utc_now_naive()
    parsed = arg_to_datetime(phrase)
    after = utc_now_naive()
    assert parsed is not None and parsed.tzinfo is None
    assert before - ago <= parsed <= after - ago


def test_arg_to_datetime_future_phrase() -> None:
    parsed = arg_to_datetime("in 2 hours")
    assert parsed is not None
    assert abs(parsed - (utc_now_naive() + timedelta(hours=2))) < timedelta(seconds=5)


def test_arg_to_datetime_months_and_years_are_calendar_months() -> None:
    parsed = arg_to_datetime("1 month ago")
    now = utc_now_naive()
    assert parsed is not None
    assert (parsed.year * 12 + parsed.month) == (now.year * 12 + now.month - 1)
    year_ago = arg_to_datetime("1 year ago")
    assert year_ago is not None and year_ago.year == now.year - 1


def test_arg_to_datetime_missing_and_invalid() -> None:
    assert arg_to_datetime(None) is None
    with pytest.raises(ValueError, match=r'^Missing "first_fetch"$'):
        arg_to_datetime(None, arg_name="first_fetch", required=True)
    with pytest.raises(ValueError) as named:
        arg_to_datetime("garbage", arg_name="first_fetch")
    assert str(named.value) == 'Invalid date: "first_fetch"="garbage"'
    with pytest.raises(ValueError) as unnamed:
        arg_to_datetime("garbage")
    assert str(unnamed.value) == '"garbage" is not a valid date'
    with pytest.raises(ValueError, match=r'^"" is not a valid date$'):
        arg_to_datetime("")
    with pytest.raises(ValueError, match=r'^"in 3 days ago" is not a valid date$'):
        arg_to_datetime("in 3 days ago")


# ----- urljoin, remove_empty_elements, assign_params -----


@pytest.mark.parametrize(
    ("url", "suffix", "expected"),
    [
        ("https://a.com", "api", "https://a.com/api"),
        ("https://a.com/", "/api", "https://a.com/api"),
        ("https://a.com/v1", "", "https://a.com/v1/"),
        ("https://a.com/", "//api", "https://a.com//api"),
    ],
)
def test_urljoin(url: str, suffix: str, expected: str) -> None:
    assert urljoin(url, suffix) == expected


def test_urljoin_default_suffix() -> None:
    assert urljoin("https://a.com/v1") == "https://a.com/v1/"


def test_remove_empty_elements_spec_example() -> None:
    data: dict[str, Any] = {
        "a": None,
        "b": {},
        "d": "",
        "e": 0,
        "f": False,
        "g": {"h": None, "i": [None, {}, 1]},
        "j": {"k": {}},
    }
    assert remove_empty_elements(data) == {"d": "", "e": 0, "f": False, "g": {"i": [1]}}


def test_remove_empty_elements_lists_and_scalars() -> None:
    assert remove_empty_elements([None, [], [{}], {"a": [None]}, 0]) == [0]
    assert remove_empty_elements("x") == "x"


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


def test_handle_proxy_on_prefixes_scheme_and_returns_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", "proxy.local:3128")
    monkeypatch.setenv("https_proxy", "https://secure.local:3129")
    demisto.reset(params={"proxy": True})

    assert handle_proxy() == {"http": "http://proxy.local:3128", "https": "https://secure.local:3129"}
    assert os.environ["HTTP_PROXY"] == "http://proxy.local:3128"


def test_handle_proxy_off_deletes_proxy_and_insecure_deletes_ca_bundles(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, "proxy.local:3128")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/ca.pem")
    monkeypatch.setenv("CURL_CA_BUNDLE", "/ca.pem")
    demisto.reset(params={"proxy": False, "unsecure": True})

    assert handle_proxy() == {}
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "http_proxy",
        "https_proxy",
        "REQUESTS_CA_BUNDLE",
        "CURL_CA_BUNDLE",
    ):
        assert name not in os.environ


def test_handle_proxy_keeps_ca_bundles_when_verifying(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/ca.pem")
    demisto.reset(params={"insecure": False})
    handle_proxy()
    assert os.environ["REQUESTS_CA_BUNDLE"] == "/ca.pem"
