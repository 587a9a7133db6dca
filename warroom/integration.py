"""Finding an integration's code and YAML, and its code as the server runs it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from warroom.errors import CommandRefused
from warroom.manifest import IntegrationManifest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INTEGRATION = (
    PROJECT_ROOT / "Integrations" / "ProofpointProtectionServerV2" / "ProofpointProtectionServerV2.py"
)

# The lines demisto-sdk's unify deletes (spec §11); an optional trailing comment goes with them.
_RUNTIME_IMPORT_LINE = re.compile(
    r"^(?:import demistomock as demisto|from CommonServerPython import \*"
    r"|from CommonServerUserPython import \*|from __future__ import print_function)[ \t]*(?:#[^\r\n]*)?$",
    re.MULTILINE,
)
_NOT_INTEGRATION_CODE = (
    "conftest.py",
    "demistomock.py",
    "CommonServerPython.py",
    "CommonServerUserPython.py",
)


@dataclass(frozen=True)
class Integration:
    manifest: IntegrationManifest
    code: str  # as the server runs it: the runtime import lines removed
    code_path: Path  # the file the code came from (a .py, or the unified .yml)
    yaml_path: Path


def strip_runtime_imports(code: str) -> str:
    """Remove the canonical runtime import lines, leaving blank lines so line numbers stay true."""
    return _RUNTIME_IMPORT_LINE.sub("", code)


def load_integration(path: Path | None = None) -> Integration:
    """Load an integration from its .py (YAML beside it), its package folder or a unified .yml."""
    path = Path(path) if path is not None else DEFAULT_INTEGRATION
    if path.is_dir():
        yaml_path = _first(sorted(path.glob("*.yml")), f"an integration YAML in {path}")
        code_path = _code_file(path)
    elif path.suffix.lower() in (".yml", ".yaml"):
        yaml_path, code_path = path, None
    else:
        yaml_path, code_path = path.with_suffix(".yml"), path
    if not yaml_path.is_file():
        raise CommandRefused(f"Integration YAML not found: {yaml_path}")
    manifest = IntegrationManifest.load(yaml_path)
    if code_path is None:
        if manifest.script.strip():
            return Integration(manifest, strip_runtime_imports(manifest.script), yaml_path, yaml_path)
        code_path = _code_file(yaml_path.parent)
    if not code_path.is_file():
        raise CommandRefused(f"Integration code not found: {code_path}")
    code = strip_runtime_imports(code_path.read_text(encoding="utf-8"))
    return Integration(manifest, code, code_path, yaml_path)


def _code_file(folder: Path) -> Path:
    """The package's code file as demisto-sdk picks it: the first sorted .py that is not a test or runtime."""
    candidates = [
        p
        for p in sorted(folder.glob("*.py"))
        if not p.name.endswith("_test.py")
        and not p.name.startswith("test_")
        and p.name not in _NOT_INTEGRATION_CODE
        and not p.name.endswith("ApiModule.py")
    ]
    return _first(candidates[:1], f"the integration code (.py) in {folder}")


def _first(paths: list[Path], what: str) -> Path:
    if not paths:
        raise CommandRefused(f"Cannot find {what}")
    return paths[0]
