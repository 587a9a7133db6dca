"""return_error, return_warning, DemistoException, the integration log (LOG) and its secret masking."""

import warnings
from collections.abc import Callable
from typing import Any

import CommonServerPython as csp
import demistomock as demisto
import pytest
from pytest_mock import MockerFixture

RuntimeLoader = Callable[..., dict[str, Any]]


def record_calls(mocker: MockerFixture) -> list[tuple[str, Any]]:
    """Records demisto.info/debug/results calls in the order they happen."""
    calls: list[tuple[str, Any]] = []
    for name in ("info", "debug", "results"):
        mocker.patch.object(demisto, name, side_effect=lambda value, name=name: calls.append((name, value)))
    return calls


def test_return_error_spec_sequence(mocker: MockerFixture) -> None:
    calls = record_calls(mocker)

    with pytest.raises(SystemExit) as exited:
        csp.return_error("boom", error=ValueError("raw"), outputs={"A": 1})

    assert exited.value.code == 0
    assert calls == [
        ("info", "Full Integration Log:\nboom\nraw"),
        ("results", {"Type": 4, "ContentsFormat": "text", "Contents": "boom", "EntryContext": {"A": 1}}),
    ]


def test_return_error_writes_one_error_entry() -> None:
    with pytest.raises(SystemExit):
        csp.return_error("Failed to execute proofpoint-pps-smart-search. Error: 403 Forbidden")

    assert demisto.captured_entries == [
        {
            "Type": 4,
            "ContentsFormat": "text",
            "Contents": "Failed to execute proofpoint-pps-smart-search. Error: 403 Forbidden",
            "EntryContext": None,
        }
    ]
    assert demisto.captured_logs == [
        ("info", "Full Integration Log:\nFailed to execute proofpoint-pps-smart-search. Error: 403 Forbidden")
    ]


def test_return_error_logs_the_traceback_but_shows_it_only_in_debug_mode() -> None:
    with pytest.raises(SystemExit):
        try:
            raise KeyError("missing")
        except KeyError:
            csp.return_error("boom")

    assert demisto.captured_entries[0]["Contents"] == "boom"
    full_log = demisto.captured_logs[0][1]
    assert full_log.startswith("Full Integration Log:\nboom\n\nTraceback (most recent call last):")
    assert "KeyError: 'missing'" in full_log


def test_return_error_in_debug_mode_appends_the_traceback_to_the_message() -> None:
    demisto.reset(is_debug=True)
    with pytest.raises(SystemExit):
        try:
            raise KeyError("missing")
        except KeyError:
            csp.return_error("boom")

    contents = demisto.captured_entries[0]["Contents"]
    assert contents.startswith("boom\n\nTraceback (most recent call last):")
    assert contents.rstrip().endswith("KeyError: 'missing'")
    # In debug mode every LOG line also reaches demisto.debug as it is written.
    assert demisto.captured_logs[0] == ("debug", "boom")


@pytest.mark.parametrize(
    "command", ["fetch-incidents", "fetch-credentials", "long-running-execution", "fetch-indicators"]
)
def test_return_error_raises_for_commands_the_server_records(command: str) -> None:
    demisto.reset(command=command)
    with pytest.raises(Exception) as raised:
        csp.return_error("fetch failed")
    assert type(raised.value) is Exception
    assert str(raised.value) == "fetch failed"
    assert demisto.captured_entries == []
    assert demisto.captured_logs == [("info", "Full Integration Log:\nfetch failed")]


def test_return_error_for_get_modified_remote_data() -> None:
    demisto.reset(command="get-modified-remote-data")
    with pytest.raises(SystemExit):
        csp.return_error("no access")
    with pytest.raises(SystemExit):
        csp.return_error("not here", error=NotImplementedError("x"))
    assert [entry["Contents"] for entry in demisto.captured_entries] == [
        "skip update. error: no access",
        "not here",
    ]


def test_return_error_masks_secrets_from_params(load_runtime: RuntimeLoader) -> None:
    runtime = load_runtime(
        command="proofpoint-pps-smart-search",
        params={
            "url": "https://pps",
            "api_key": "k3y-value",
            "credentials": {"identifier": "admin", "password": "p@ss"},
        },
    )

    with pytest.raises(SystemExit):
        runtime["return_error"]("auth failed with key k3y-value", error="admin:p@ss rejected")

    assert demisto.captured_entries[0]["Contents"] == "auth failed with key <XX_REPLACED>"
    assert demisto.captured_logs == [
        ("info", "Full Integration Log:\nauth failed with key <XX_REPLACED>\nadmin:<XX_REPLACED> rejected")
    ]


def test_log_masks_url_encoded_json_escaped_and_basic_auth_forms(load_runtime: RuntimeLoader) -> None:
    runtime = load_runtime(
        params={"token": 'to"k/en', "credentials": {"identifier": "admin", "password": "p@ss w/rd"}}
    )
    log = runtime["LOG"]

    assert (
        log("url ?password=p%40ss%20w%2Frd&x=p%40ss+w%2Frd") == "url ?password=<XX_REPLACED>&x=<XX_REPLACED>"
    )
    assert log('json {"token": "to\\"k/en"}') == 'json {"token": "<XX_REPLACED>"}'
    assert (
        log("header Authorization: Basic YWRtaW46cEBzcyB3L3Jk") == "header Authorization: Basic <XX_REPLACED>"
    )
    assert log("user admin") == "user admin"


def test_only_secret_looking_params_are_collected(load_runtime: RuntimeLoader) -> None:
    runtime = load_runtime(
        params={
            "url": "https://pps.example.com",
            "privateKey": "pk",
            "client_secret": "cs",
            "service_account_json": "sa",
            "Password": "pw",
            "insecure": True,
        }
    )
    log = runtime["LOG"]
    assert log("https://pps.example.com pk cs sa pw") == (
        "https://pps.example.com <XX_REPLACED> <XX_REPLACED> <XX_REPLACED> <XX_REPLACED>"
    )


def test_params_become_null_tolerant_at_import(load_runtime: RuntimeLoader) -> None:
    runtime = load_runtime(params={"proxy": None, "url": "u"})
    assert isinstance(demisto.callingContext["params"], runtime["SmartGetDict"])
    assert demisto.params().get("proxy", False) is False
    assert demisto.params().get("url") == "u"


def test_params_stay_plain_when_disabled(
    load_runtime: RuntimeLoader, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMMON_SERVER_NO_AUTO_PARAMS_REMOVE_NULLS", "1")
    load_runtime(params={"proxy": None})
    assert type(demisto.callingContext["params"]) is dict
    assert demisto.params().get("proxy", False) is None


def test_python_warnings_go_to_demisto_info(load_runtime: RuntimeLoader) -> None:
    load_runtime()
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn("old API", DeprecationWarning, stacklevel=1)
    (level, text), *_ = demisto.captured_logs
    assert level == "info"
    assert text.startswith("python warning: ")
    assert "DeprecationWarning: old API" in text


def test_print_log_sends_the_buffer_once() -> None:
    csp.LOG("first")
    csp.LOG("second")
    csp.LOG.print_log()
    csp.LOG.print_log()
    assert demisto.captured_logs == [("info", "Full Integration Log:\nfirst\nsecond")]


# ----- return_warning and DemistoException -----


def test_demisto_exception_attributes() -> None:
    cause = ValueError("inner")
    error = csp.DemistoException("outer", cause, None, "type-x", "extra")
    assert str(error) == "outer"
    assert error.args == ("outer", cause, "type-x", "extra")
    assert (error.message, error.exception, error.res, error.error_type) == ("outer", cause, None, "type-x")
    assert isinstance(error, Exception)
    assert str(csp.DemistoException(404)) == "404"
