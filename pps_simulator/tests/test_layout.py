"""The house rules of the simulator's code that a reader relies on (issue 11, house 4 and 5)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
HTTP_LAYER = ("app.py", "responses.py", "control.py", "urls.py", "requestlog.py", "paths.py")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_the_http_layer_does_not_import_seed_data() -> None:
    for name in HTTP_LAYER:
        assert "pps_simulator.seed" not in imported_modules(PACKAGE / name), name


def test_url_helpers_and_the_request_log_are_not_in_faults_or_the_http_layer() -> None:
    faults = (PACKAGE / "faults.py").read_text(encoding="utf-8")
    assert "def api_path" not in faults and "def path_matches" not in faults
    app = (PACKAGE / "app.py").read_text(encoding="utf-8")
    assert "class RequestLog" not in app and "class RecordedRequest" not in app and "def api_path" not in app


def test_the_backend_reads_rows_by_name() -> None:
    for name in ("backend.py", "model.py"):
        source = (PACKAGE / name).read_text(encoding="utf-8")
        assert not re.search(r"\b(row|found|rows\[0\])\[\d+\]", source), name
        assert "fetchone()[0]" not in source, name


def test_every_api_path_is_routed_through_the_table() -> None:
    app = (PACKAGE / "app.py").read_text(encoding="utf-8")
    assert "Rule(prefix + route.path" in app
    assert app.count("Rule(") == 1  # no rule written outside the table
