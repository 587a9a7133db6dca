"""The `demisto` object: what the integration reads from the server and what the server receives."""

import datetime
import json
import re
from pathlib import Path

import demistomock as demisto
import pytest


def test_calling_context_is_shaped_like_the_servers() -> None:
    assert demisto.callingContext == {
        "params": {},
        "args": {},
        "command": "",
        "integration": True,
        "context": {
            "IntegrationBrand": "Proofpoint PPS REST",
            "IntegrationInstance": "local",
            "Inv": {"id": "1"},
        },
    }


def test_reset_gives_the_run_its_command_args_params_and_debug_flag() -> None:
    demisto.reset(
        command="proofpoint-pps-smart-search", args={"limit": "5"}, params={"url": "u"}, is_debug=True
    )

    assert demisto.command() == "proofpoint-pps-smart-search"
    assert demisto.args() == {"limit": "5"}
    assert demisto.params() == {"url": "u"}
    assert demisto.is_debug is True
    assert demisto.investigation() == {"id": "1"}


def test_debug_mode_argument_turns_debug_mode_on() -> None:
    demisto.reset(args={"debug-mode": "true"})
    assert demisto.is_debug is True
    demisto.reset(args={"debug-mode": "false"})
    assert demisto.is_debug is False


def test_logging_calls_are_captured_with_their_level() -> None:
    demisto.info("info %s", "text")
    demisto.debug("debug text")
    assert demisto.captured_logs == [("info", "info text"), ("debug", "debug text")]


def test_args_is_a_copy_the_integration_may_change() -> None:
    demisto.reset(args={"a": "1"})
    demisto.args()["a"] = "changed"
    assert demisto.args() == {"a": "1"}


def test_reset_clears_entries_logs_and_stored_state_in_place() -> None:
    entries, logs = demisto.captured_entries, demisto.captured_logs
    demisto.results("x")
    demisto.info("y")
    demisto.setIntegrationContext({"token": "t"})
    demisto.setLastRun({"last_fetch": 1})

    demisto.reset()

    assert entries is demisto.captured_entries and entries == []
    assert logs is demisto.captured_logs and logs == []
    assert demisto.getIntegrationContext() == {}
    assert demisto.getLastRun() == {}
    assert demisto.is_debug is False


@pytest.mark.parametrize(
    ("value", "entries"),
    [
        ("ok", [{"Type": 1, "Contents": "ok", "ContentsFormat": "text"}]),
        (None, [{"Type": 1, "Contents": "None", "ContentsFormat": "text"}]),
        (42, [{"Type": 1, "Contents": "42", "ContentsFormat": "text"}]),
        (b"raw bytes", [{"Type": 1, "Contents": "raw bytes", "ContentsFormat": "text"}]),
        ({"a": 1}, [{"Type": 1, "Contents": '{"a": 1}', "ContentsFormat": "json"}]),
        (
            {"Type": 4, "Contents": "boom", "ContentsFormat": "text", "EntryContext": None},
            [{"Type": 4, "Contents": "boom", "ContentsFormat": "text", "EntryContext": None}],
        ),
        (
            ["a", {"b": 2}],
            [
                {"Type": 1, "Contents": "a", "ContentsFormat": "text"},
                {"Type": 1, "Contents": '{"b": 2}', "ContentsFormat": "json"},
            ],
        ),
        ([], []),
    ],
)
def test_results_converts_like_the_real_server(value: object, entries: list[dict[str, object]]) -> None:
    demisto.results(value)
    assert demisto.captured_entries == entries


def test_results_keeps_a_dict_with_contents_but_no_format_as_json_text() -> None:
    demisto.results({"Contents": "x"})
    assert demisto.captured_entries == [
        {"Type": 1, "Contents": '{"Contents": "x"}', "ContentsFormat": "json"}
    ]


def test_results_captures_what_the_server_would_receive_not_later_changes() -> None:
    entry = {"Type": 1, "Contents": {"n": (1, 2)}, "ContentsFormat": "json"}
    demisto.results(entry)
    entry["Contents"]["n"] = "changed"  # type: ignore[index]
    assert demisto.captured_entries == [{"Type": 1, "Contents": {"n": [1, 2]}, "ContentsFormat": "json"}]


@pytest.mark.parametrize(
    "value",
    [
        {"when": datetime.datetime(2022, 8, 12)},
        {"Type": 1, "Contents": {1, 2}, "ContentsFormat": "json"},
        [{"ok": 1}, {"bad": object()}],
    ],
)
def test_results_refuses_values_that_are_not_json(value: object) -> None:
    with pytest.raises(TypeError):
        demisto.results(value)
    assert demisto.captured_entries == []


def test_incidents_sends_the_list_as_one_json_entry() -> None:
    incidents = [{"name": "a", "occurred": "2022-08-12T10:00:00Z", "rawJSON": "{}", "severity": 1}]
    demisto.incidents(incidents)
    assert demisto.captured_entries == [
        {"Type": 1, "Contents": json.dumps(incidents), "ContentsFormat": "json"}
    ]
    assert demisto.captured_incidents == incidents


def test_incidents_of_several_calls_are_all_captured_and_cleared_by_reset() -> None:
    demisto.incidents([{"name": "a"}])
    demisto.incidents([])
    demisto.incidents([{"name": "b"}])
    assert [incident["name"] for incident in demisto.captured_incidents] == ["a", "b"]

    demisto.reset()
    assert demisto.captured_incidents == []


def test_integration_context_is_replaced_whole_and_read_as_a_copy() -> None:
    demisto.setIntegrationContext({"a": 1, "b": [1]})
    read = demisto.getIntegrationContext()
    read["b"].append(2)
    demisto.setIntegrationContext({"c": 3})

    assert demisto.getIntegrationContext() == {"c": 3}


def test_last_run_is_empty_until_set_then_persists() -> None:
    assert demisto.getLastRun() == {}
    demisto.setLastRun({"last_fetch": "2022-08-12T10:00:00Z", "ids": ["a"]})
    assert demisto.getLastRun() == {"last_fetch": "2022-08-12T10:00:00Z", "ids": ["a"]}


def test_a_state_file_keeps_last_run_and_integration_context_for_the_next_run(tmp_path: Path) -> None:
    state = tmp_path / "instance.json"
    demisto.reset(command="fetch-incidents", state_file=state)
    assert demisto.getLastRun() == {} and demisto.getIntegrationContext() == {}
    demisto.setLastRun({"last_fetch": "2022-08-12T10:00:00Z"})
    demisto.setIntegrationContext({"token": "t"})
    demisto.end_run(succeeded=True)

    demisto.reset(command="fetch-incidents", state_file=state)

    assert demisto.getLastRun() == {"last_fetch": "2022-08-12T10:00:00Z"}
    assert demisto.getIntegrationContext() == {"token": "t"}
    assert json.loads(state.read_text()) == {
        "integration_context": {"token": "t"},
        "last_run": {"last_fetch": "2022-08-12T10:00:00Z"},
    }


def test_a_failed_run_keeps_no_last_run_but_its_integration_context(tmp_path: Path) -> None:
    state = tmp_path / "instance.json"
    demisto.reset(command="fetch-incidents", state_file=state)
    demisto.setLastRun({"last_fetch": 1})
    demisto.end_run(succeeded=True)

    demisto.reset(command="fetch-incidents", state_file=state)
    demisto.setLastRun({"last_fetch": 2})
    demisto.setIntegrationContext({"token": "new"})
    demisto.end_run(succeeded=False)

    demisto.reset(command="fetch-incidents", state_file=state)
    assert demisto.getLastRun() == {"last_fetch": 1}
    assert demisto.getIntegrationContext() == {"token": "new"}


def test_without_a_state_file_nothing_is_kept_between_runs(tmp_path: Path) -> None:
    demisto.reset(command="fetch-incidents")
    demisto.setLastRun({"last_fetch": 1})
    demisto.end_run(succeeded=True)
    demisto.reset(command="fetch-incidents")
    assert demisto.getLastRun() == {}
    assert list(tmp_path.iterdir()) == []


def test_a_state_file_that_is_not_an_object_is_refused_with_the_fix(tmp_path: Path) -> None:
    state = tmp_path / "instance.json"
    state.write_text("[]")
    with pytest.raises(
        ValueError, match=r"instance\.json does not hold a JSON object: delete it to start over"
    ):
        demisto.reset(state_file=state)


def test_stored_state_must_be_json() -> None:
    with pytest.raises(TypeError):
        demisto.setLastRun({"when": datetime.datetime(2022, 8, 12)})


def test_unique_file_is_a_new_uuid_each_time() -> None:
    first, second = demisto.uniqueFile(), demisto.uniqueFile()
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", first)
    assert first != second
