"""CommandResults.to_context() and return_results(): the entries the War Room and the context receive."""

from typing import Any

import demistomock as demisto
import pytest
from CommonServerPython import (
    CommandResults,
    fileResult,
    return_results,
)
from pytest_mock import MockerFixture

SMART_SEARCH_KEY = "Proofpoint.SmartSearch(val.GUID && val.GUID == obj.GUID)"


def test_spec_example_with_prefix_and_key_field() -> None:
    result = CommandResults(
        outputs_prefix="Proofpoint.SmartSearch",
        outputs_key_field="GUID",
        outputs=[{"GUID": "a1", "Sender": "x@y.com"}],
    )

    assert result.to_context() == {
        "Type": 1,
        "ContentsFormat": "json",
        "Contents": [{"GUID": "a1", "Sender": "x@y.com"}],
        "HumanReadable": "### Results\n|GUID|Sender|\n|---|---|\n| a1 | x@y.com |\n",
        "EntryContext": {SMART_SEARCH_KEY: [{"GUID": "a1", "Sender": "x@y.com"}]},
        "IndicatorTimeline": [],
        "IgnoreAutoExtract": False,
        "Note": False,
        "Relationships": [],
    }


def test_entry_keys_come_in_the_servers_order() -> None:
    entry = CommandResults(outputs_prefix="A", outputs={"x": 1}).to_context()
    assert list(entry) == [
        "Type",
        "ContentsFormat",
        "Contents",
        "HumanReadable",
        "EntryContext",
        "IndicatorTimeline",
        "IgnoreAutoExtract",
        "Note",
        "Relationships",
    ]


def test_several_key_fields_are_joined_with_and() -> None:
    entry = CommandResults(
        outputs_prefix="Foo.Bar", outputs_key_field=["id", "type"], outputs=[{}]
    ).to_context()
    assert list(entry["EntryContext"]) == [
        "Foo.Bar(val.id && val.id == obj.id && val.type && val.type == obj.type)"
    ]


def test_prefix_without_key_field_is_the_context_key() -> None:
    entry = CommandResults(
        outputs_prefix="Proofpoint.QuarantineAction", outputs={"Status": "ok"}
    ).to_context()
    assert entry["EntryContext"] == {"Proofpoint.QuarantineAction": {"Status": "ok"}}


def test_dict_outputs_without_prefix_are_merged_as_is() -> None:
    entry = CommandResults(outputs={"A.B": 1, "C": [2]}).to_context()
    assert entry["EntryContext"] == {"A.B": 1, "C": [2]}


def test_readable_output_only() -> None:
    entry = CommandResults(readable_output="just text").to_context()
    assert entry["Contents"] is None
    assert entry["ContentsFormat"] == "json"
    assert entry["EntryContext"] == {}
    assert entry["HumanReadable"] == "just text"


def test_string_raw_response_is_text() -> None:
    entry = CommandResults(readable_output="txt", raw_response="raw string").to_context()
    assert entry["ContentsFormat"] == "text"
    assert entry["Contents"] == "raw string"


@pytest.mark.parametrize("raw", [{}, [], 0, ""])
def test_falsy_raw_response_becomes_none(raw: Any) -> None:
    entry = CommandResults(readable_output="r", raw_response=raw).to_context()
    assert entry["Contents"] is None
    assert entry["ContentsFormat"] == "json"


def test_raw_response_defaults_to_outputs_and_may_differ() -> None:
    default = CommandResults(outputs_prefix="A", outputs=[{"x": 1}]).to_context()
    explicit = CommandResults(
        outputs_prefix="A", outputs=[{"x": 1}], raw_response={"full": True}
    ).to_context()
    assert default["Contents"] == [{"x": 1}]
    assert explicit["Contents"] == {"full": True}


def test_int_contents_is_text_unless_format_given() -> None:
    assert CommandResults(readable_output="r", raw_response=5).to_context()["ContentsFormat"] == "text"
    entry = CommandResults(readable_output="r", raw_response="<b>x</b>", content_format="html").to_context()
    assert entry["ContentsFormat"] == "html"


def test_empty_list_outputs_give_no_table_and_no_context() -> None:
    entry = CommandResults(outputs_prefix="A", outputs_key_field="id", outputs=[]).to_context()
    assert entry["HumanReadable"] is None
    assert entry["EntryContext"] == {}
    assert entry["Contents"] is None


def test_empty_dict_outputs_still_write_a_table_and_context() -> None:
    entry = CommandResults(outputs_prefix="A", outputs={}).to_context()
    assert entry["HumanReadable"] == "### Results\n**No entries.**\n"
    assert entry["EntryContext"] == {"A": {}}


def test_readable_output_wins_over_the_generated_table() -> None:
    entry = CommandResults(outputs_prefix="A", outputs=[{"x": 1}], readable_output="mine").to_context()
    assert entry["HumanReadable"] == "mine"


def test_flags_entry_type_and_timeline() -> None:
    timeline = [{"Value": "1.2.3.4", "Message": "seen"}]
    entry = CommandResults(
        readable_output="r",
        ignore_auto_extract=True,
        mark_as_note=True,
        entry_type=11,
        indicators_timeline=timeline,
    ).to_context()
    assert (entry["Type"], entry["IgnoreAutoExtract"], entry["Note"]) == (11, True, True)
    assert entry["IndicatorTimeline"] == timeline


def test_relationships_keep_non_empty_entries() -> None:
    class Relationship:
        def __init__(self, entry: dict[str, Any]) -> None:
            self.entry = entry

        def to_entry(self) -> dict[str, Any]:
            return self.entry

    entry = CommandResults(
        readable_output="r", relationships=[Relationship({"name": "related-to"}), Relationship({})]
    ).to_context()
    assert entry["Relationships"] == [{"name": "related-to"}]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"outputs": [{"a": 1}]}, ValueError, "outputs_prefix is missing"),
        ({"outputs": "text"}, ValueError, "outputs_prefix is missing"),
        ({"outputs_prefix": "A", "outputs_key_field": 5, "outputs": {}}, TypeError, None),
        ({"readable_output": "r", "content_format": "xml"}, TypeError, None),
    ],
)
def test_constructor_checks(kwargs: dict[str, Any], error: type[Exception], message: str | None) -> None:
    with pytest.raises(error) as raised:
        CommandResults(**kwargs)
    expected = {
        ValueError: message,
        TypeError: "outputs_key_field must be of type str or list"
        if "outputs_key_field" in kwargs
        else "content_format xml is invalid, see CommonServerPython.EntryFormat",
    }[error]
    assert str(raised.value) == expected


def test_execution_metrics_make_a_metrics_entry() -> None:
    metrics = [{"Type": "Successful", "APICallsCount": 3}]
    entry = CommandResults(execution_metrics=metrics).to_context()
    assert entry["Type"] == 19
    assert entry["Contents"] == "Metrics reported successfully."
    assert entry["ContentsFormat"] == "text"
    assert entry["APIExecutionMetrics"] == metrics
    assert list(entry)[-1] == "APIExecutionMetrics"


# ----- return_results -----


def test_return_results_command_results_sends_its_context() -> None:
    result = CommandResults(outputs_prefix="A", outputs_key_field="id", outputs=[{"id": 1}])
    return_results(result)
    assert demisto.captured_entries == [result.to_context()]


def test_return_results_ok_for_test_module() -> None:
    return_results("ok")
    assert demisto.captured_entries == [{"Type": 1, "Contents": "ok", "ContentsFormat": "text"}]


def test_return_results_none() -> None:
    return_results(None)
    assert demisto.captured_entries == [{"Type": 1, "Contents": "None", "ContentsFormat": "text"}]


def test_return_results_passes_entry_dicts_unchanged(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    entry = fileResult("message.eml", b"raw")
    return_results(entry)
    assert demisto.captured_entries == [entry]


def test_return_results_list_sends_objects_first_then_plain_entries_together(mocker: MockerFixture) -> None:
    sent = mocker.patch.object(demisto, "results")
    result = CommandResults(readable_output="first")
    plain = {"Type": 1, "Contents": "c", "ContentsFormat": "text"}

    return_results([result, "a", plain])

    assert [call.args[0] for call in sent.call_args_list] == [result.to_context(), ["a", plain]]


def test_return_results_list_of_only_objects_sends_no_empty_list(mocker: MockerFixture) -> None:
    sent = mocker.patch.object(demisto, "results")
    return_results([CommandResults(readable_output="one"), CommandResults(readable_output="two")])
    assert [call.args[0]["HumanReadable"] for call in sent.call_args_list] == ["one", "two"]


def test_return_results_empty_list_goes_to_results_unchanged(mocker: MockerFixture) -> None:
    sent = mocker.patch.object(demisto, "results")
    return_results([])
    sent.assert_called_once_with([])


def test_return_results_uses_to_display_and_to_entry() -> None:
    class Widget:
        def to_display(self) -> str:
            return "widget"

    class Mirror:
        def to_entry(self) -> dict[str, Any]:
            return {"Type": 1, "Contents": "mirrored", "ContentsFormat": "text"}

    return_results([Widget(), Mirror()])
    assert [entry["Contents"] for entry in demisto.captured_entries] == ["widget", "mirrored"]


def test_indicator_and_indicators_together_are_refused() -> None:
    with pytest.raises(ValueError, match=r"^indicators is DEPRECATED, use only indicator$"):
        CommandResults(indicators=[object()], indicator=object())
