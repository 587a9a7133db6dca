"""Merging entries' EntryContext into the investigation context the way the XSOAR server does.

A key `Path.To.Items(val.ID && val.ID == obj.ID)` is a merge rule: each new object updates the
existing item at `Path.To.Items` that matches the condition (`val` the existing item, `obj` the new
one), or is appended when none matches. A key without a condition replaces the value at its path.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

_TRUTHY_CLAUSE = re.compile(r"^val\.([\w.]+)$")
_EQUALITY_CLAUSE = re.compile(r"^val\.([\w.]+)\s*===?\s*obj\.([\w.]+)$")


@dataclass(frozen=True)
class _Clause:
    """`val.F` (the existing item's field is truthy) or `val.F == obj.G`."""

    existing_field: str
    new_field: str | None = None
    never: bool = False

    def holds(self, existing: Any, new: Any) -> bool:
        if self.never:
            return False
        value = _lookup(existing, self.existing_field)
        if self.new_field is None:
            return _js_truthy(value)
        return _js_loose_equal(value, _lookup(new, self.new_field))


@dataclass(frozen=True)
class ContextKey:
    path: tuple[str, ...]
    # None: a plain key; an empty tuple: a condition that matches every item (`(true)`).
    clauses: tuple[_Clause, ...] | None

    @classmethod
    def parse(cls, key: str) -> ContextKey:
        key = key.strip()
        if key.endswith(")") and "(" in key:
            path, _, condition = key.partition("(")
            return cls(tuple(path.strip().split(".")), _parse_condition(condition[:-1]))
        return cls(tuple(key.split(".")), None)


def _parse_condition(condition: str) -> tuple[_Clause, ...]:
    condition = condition.strip()
    if condition == "true":
        return ()
    clauses = []
    for part in condition.split("&&"):
        part = part.strip()
        if match := _EQUALITY_CLAUSE.match(part):
            clauses.append(_Clause(match.group(1), match.group(2)))
        elif match := _TRUTHY_CLAUSE.match(part):
            clauses.append(_Clause(match.group(1)))
        else:
            # A condition in JavaScript we do not model (e.g. a function call): nothing matches it,
            # so the new objects are appended, the safe choice.
            return (_Clause("", never=True),)
    return tuple(clauses)


def merge_entry_context(context: dict[str, Any], entry_context: Mapping[str, Any] | None) -> dict[str, Any]:
    """Merge one entry's EntryContext into `context` (changed in place, also returned)."""
    for key, value in copy.deepcopy(dict(entry_context or {})).items():
        parsed = ContextKey.parse(key)
        parent = _parent_dict(context, parsed.path)
        leaf = parsed.path[-1]
        if not parsed.clauses or not isinstance(value, (list, dict)):
            parent[leaf] = value
            continue
        parent[leaf] = _merge_items(parent.get(leaf), value, parsed.clauses)
    return context


def merge_entries_context(entries: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The context after the server has merged every entry's EntryContext, in entry order."""
    context: dict[str, Any] = {}
    for entry in entries:
        entry_context = entry.get("EntryContext")
        if isinstance(entry_context, Mapping):
            merge_entry_context(context, entry_context)
    return context


def _merge_items(existing: Any, new: list[Any] | dict[str, Any], clauses: tuple[_Clause, ...]) -> Any:
    new_items = new if isinstance(new, list) else [new]
    if existing is None:
        items: list[Any] = []
    elif isinstance(existing, list):
        items = existing
    else:
        items = [existing]
    for obj in new_items:
        match = next((item for item in items if all(c.holds(item, obj) for c in clauses)), None)
        if isinstance(match, dict) and isinstance(obj, dict):
            match.update(obj)
        else:
            items.append(obj)
    # A single object stays a single object until a second one joins it.
    single_before = isinstance(existing, dict) or (existing is None and isinstance(new, dict))
    if single_before and len(items) == 1:
        return items[0]
    return items


def _parent_dict(context: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    node = context
    for part in path[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    return node


def _lookup(item: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(item, dict):
            return None
        item = item.get(part)
    return item


def _js_truthy(value: Any) -> bool:
    # JavaScript: empty arrays and objects are truthy; None, '', 0 and false are not.
    if isinstance(value, (list, dict)):
        return True
    return bool(value)


def _js_loose_equal(left: Any, right: Any) -> bool:
    if isinstance(left, (list, dict)) or isinstance(right, (list, dict)):
        return False  # JavaScript compares objects by identity, and these are never the same object
    if left is None or right is None:
        return left is None and right is None
    if isinstance(left, str) != isinstance(right, str):
        # JavaScript compares a string with a number as numbers: '1' == 1.
        try:
            return float(left) == float(right)
        except ValueError:
            return False
    return bool(left == right)
