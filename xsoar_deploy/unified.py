"""The unified integration YAML (code inside `script.script`) that is uploaded to the server."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from xsoar_deploy.errors import UsageRefused

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Where `demisto-sdk prepare-content` writes the unified integration in this project.
DEFAULT_UNIFIED_DIR = PROJECT_ROOT / "build" / "unified"
# A split (non-unified) YAML keeps its code in a .py beside it and holds this placeholder.
SPLIT_SCRIPT_PLACEHOLDER = "-"


@dataclass(frozen=True)
class UnifiedIntegration:
    path: Path
    id: str
    name: str
    display: str
    params: dict[str, dict[str, Any]]

    @classmethod
    def load(cls, path: Path) -> UnifiedIntegration:
        try:
            document = yaml.safe_load(path.read_bytes())
        except OSError as exc:
            raise UsageRefused(f"Cannot read the integration YAML {path}: {exc.strerror or exc}") from exc
        except yaml.YAMLError as exc:
            raise UsageRefused(f"{path} is not valid YAML: {exc}") from exc
        problem = _why_not_unified_integration(document)
        if problem:
            raise UsageRefused(f"{path} is not a unified integration YAML: {problem}")
        return cls(
            path=path,
            id=str(document["commonfields"]["id"]),
            name=str(document["name"]),
            display=str(document.get("display") or document["name"]),
            params={str(raw["name"]): dict(raw) for raw in document.get("configuration") or []},
        )


def find_unified_yaml(folder: Path = DEFAULT_UNIFIED_DIR) -> Path:
    """The one unified integration YAML under `folder` (the build output), or a refusal saying what to do."""
    hint = (
        "build it with `demisto-sdk prepare-content -i Integrations/ProofpointProtectionServerV2 "
        f"-o {_shown(DEFAULT_UNIFIED_DIR)}` or pass --integration PATH"
    )
    if not folder.is_dir():
        raise UsageRefused(f"No unified integration: {_shown(folder)} does not exist; {hint}")
    candidates = []
    for path in sorted(folder.rglob("*.yml")):
        try:
            document = yaml.safe_load(path.read_bytes())
        except (OSError, yaml.YAMLError):
            continue
        if _why_not_unified_integration(document) is None:
            candidates.append(path)
    if not candidates:
        raise UsageRefused(f"No unified integration YAML in {_shown(folder)}; {hint}")
    if len(candidates) > 1:
        listed = ", ".join(_shown(path) for path in candidates)
        raise UsageRefused(
            f"Several unified integration YAMLs in {_shown(folder)} ({listed}); pick one with --integration"
        )
    return candidates[0]


def _why_not_unified_integration(document: Any) -> str | None:
    if not isinstance(document, Mapping):
        return "it is not a mapping"
    commonfields = document.get("commonfields")
    if not isinstance(commonfields, Mapping) or not commonfields.get("id"):
        return "it has no commonfields.id"
    if not document.get("name"):
        return "it has no name"
    script = document.get("script")
    if not isinstance(script, Mapping) or "commands" not in script:
        return "it has no script section with commands (is it an integration?)"
    code = script.get("script")
    if not isinstance(code, str) or code.strip() in ("", SPLIT_SCRIPT_PLACEHOLDER):
        return "its script.script holds no code (a split YAML; unify it first)"
    configuration = document.get("configuration") or []
    if not isinstance(configuration, list) or not all(
        isinstance(raw, Mapping) and raw.get("name") for raw in configuration
    ):
        return "its configuration is not a list of named parameters"
    return None


def _shown(path: Path) -> str:
    """A path relative to the project when it is inside it: shorter in messages."""
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)
