"""Fixtures: the fake runtime and integration of fakes.py, written where a test wants them."""

from __future__ import annotations

import sys
import textwrap
import types
from collections.abc import Callable
from pathlib import Path

import pytest

from warroom import Runtime
from warroom import execution as execution_module

from .fakes import FAKE_COMMON_SERVER, FAKE_DEMISTOMOCK, FAKE_INTEGRATION, FAKE_YAML


def make_module(name: str, source: str) -> types.ModuleType:
    module = types.ModuleType(name)
    exec(compile(source, f"<{name}>", "exec"), module.__dict__)
    return module


@pytest.fixture
def fake_runtime(monkeypatch: pytest.MonkeyPatch) -> Runtime:
    """A runtime whose demistomock and CSP are the fakes above; also the default for run_command."""
    runtime = Runtime(
        demisto=make_module("fake_demistomock", FAKE_DEMISTOMOCK),
        common_server_code=FAKE_COMMON_SERVER,
        common_server_path=Path("<fake CommonServerPython>"),
    )
    monkeypatch.setattr(execution_module, "load_runtime", lambda: runtime)
    # The canonical imports must not run: if they did, they would fail.
    monkeypatch.setitem(sys.modules, "demistomock", None)
    monkeypatch.setitem(sys.modules, "CommonServerPython", None)
    return runtime


@pytest.fixture
def make_integration(tmp_path: Path) -> Callable[..., Path]:
    """Write an integration package (`Fake.py` + `Fake.yml`) and return the .py path."""

    def write(code: str = FAKE_INTEGRATION, yaml_text: str = FAKE_YAML, name: str = "Fake") -> Path:
        folder = tmp_path / "integration"
        folder.mkdir(exist_ok=True)
        (folder / f"{name}.yml").write_text(yaml_text)
        code_path = folder / f"{name}.py"
        code_path.write_text(textwrap.dedent(code))
        return code_path

    return write
