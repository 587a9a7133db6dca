"""The context the server builds from entries' EntryContext: DT keys merge, plain keys set."""

from __future__ import annotations

import copy
from typing import Any

from warroom import merge_entries_context, merge_entry_context

SMART_SEARCH = "Proofpoint.SmartSearch(val.GUID && val.GUID == obj.GUID)"


def test_dt_key_creates_the_nested_path() -> None:
    context = merge_entry_context({}, {SMART_SEARCH: [{"GUID": "a1", "Sender": "x@y.com"}]})
    assert context == {"Proofpoint": {"SmartSearch": [{"GUID": "a1", "Sender": "x@y.com"}]}}


def test_dt_key_updates_the_matching_item_and_appends_the_rest() -> None:
    context: dict[str, Any] = {}
    merge_entry_context(context, {SMART_SEARCH: [{"GUID": "a1", "Status": "held"}, {"GUID": "b2"}]})
    merge_entry_context(context, {SMART_SEARCH: [{"GUID": "a1", "Status": "released"}, {"GUID": "c3"}]})
    assert context["Proofpoint"]["SmartSearch"] == [
        {"GUID": "a1", "Status": "released"},
        {"GUID": "b2"},
        {"GUID": "c3"},
    ]


def test_update_keeps_fields_the_new_object_lacks() -> None:
    context = merge_entry_context({}, {SMART_SEARCH: [{"GUID": "a1", "Sender": "x@y.com"}]})
    merge_entry_context(context, {SMART_SEARCH: {"GUID": "a1", "Status": "released"}})
    assert context["Proofpoint"]["SmartSearch"] == [{"GUID": "a1", "Sender": "x@y.com", "Status": "released"}]


def test_all_key_fields_must_match() -> None:
    key = "Foo.Bar(val.id && val.id == obj.id && val.type && val.type == obj.type)"
    context = merge_entry_context({}, {key: [{"id": 1, "type": "a", "n": 1}]})
    merge_entry_context(context, {key: [{"id": 1, "type": "b", "n": 2}, {"id": 1, "type": "a", "n": 3}]})
    assert context["Foo"]["Bar"] == [{"id": 1, "type": "a", "n": 3}, {"id": 1, "type": "b", "n": 2}]


def test_items_without_the_key_field_never_match() -> None:
    context = merge_entry_context({}, {SMART_SEARCH: [{"GUID": "", "n": 1}]})
    merge_entry_context(context, {SMART_SEARCH: [{"GUID": "", "n": 2}]})
    assert context["Proofpoint"]["SmartSearch"] == [{"GUID": "", "n": 1}, {"GUID": "", "n": 2}]


def test_a_single_object_stays_an_object_until_a_second_joins() -> None:
    key = "Proofpoint.Quarantine.Message(val.ID && val.ID == obj.ID)"
    context = merge_entry_context({}, {key: {"ID": "1", "a": 1}})
    assert context == {"Proofpoint": {"Quarantine": {"Message": {"ID": "1", "a": 1}}}}
    merge_entry_context(context, {key: {"ID": "1", "a": 2}})
    assert context["Proofpoint"]["Quarantine"]["Message"] == {"ID": "1", "a": 2}
    merge_entry_context(context, {key: {"ID": "2"}})
    assert context["Proofpoint"]["Quarantine"]["Message"] == [{"ID": "1", "a": 2}, {"ID": "2"}]


def test_plain_keys_are_set_and_replace() -> None:
    context = merge_entry_context({}, {"Proofpoint.Quarantine.Release": {"Status": "ok"}, "Count": 2})
    merge_entry_context(context, {"Proofpoint.Quarantine.Release": {"Other": 1}, "Count": 3})
    assert context == {"Proofpoint": {"Quarantine": {"Release": {"Other": 1}}}, "Count": 3}


def test_dotted_paths_share_their_parents() -> None:
    context = merge_entry_context({}, {"Proofpoint.A": 1, "Proofpoint.B.C": [1]})
    assert context == {"Proofpoint": {"A": 1, "B": {"C": [1]}}}


def test_string_and_number_compare_as_javascript_does() -> None:
    key = "X(val.id && val.id == obj.id)"
    context = merge_entry_context({}, {key: [{"id": 1, "v": "old"}]})
    merge_entry_context(context, {key: [{"id": "1", "v": "new"}]})
    assert context["X"] == [{"id": "1", "v": "new"}]


def test_condition_true_replaces_and_unknown_conditions_append() -> None:
    context = merge_entry_context({}, {"A(true)": {"last": 1}, "B(val.x.indexOf('a') > -1)": [{"x": "a"}]})
    merge_entry_context(context, {"A(true)": {"last": 2}, "B(val.x.indexOf('a') > -1)": [{"x": "a"}]})
    assert context == {"A": {"last": 2}, "B": [{"x": "a"}, {"x": "a"}]}


def test_entries_merge_in_order_and_stay_unchanged() -> None:
    entries = [
        {"Type": 1, "EntryContext": {SMART_SEARCH: [{"GUID": "a1", "n": 1}]}},
        {"Type": 1, "Contents": "no context", "EntryContext": None},
        {"Type": 4, "Contents": "failed", "EntryContext": {SMART_SEARCH: [{"GUID": "a1", "n": 2}]}},
    ]
    before = copy.deepcopy(entries)
    assert merge_entries_context(entries) == {"Proofpoint": {"SmartSearch": [{"GUID": "a1", "n": 2}]}}
    assert entries == before
