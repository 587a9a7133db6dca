"""The unified integration YAML (code inside `script.script`) that is uploaded to the server."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from xsoar_deploy.errors import UsageRefused

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Where `demisto-sdk prepare-content` writes the unified integration in this project.
DEFAULT_UNIFIED_DIR = PROJECT_ROOT / "build" / "unified"
# A split (non-unified) YAML keeps its code in a .py beside it and holds this placeholder.
SPLIT_SCRIPT_PLACEHOLDER = "-"
# The marketplaces `demisto-sdk prepare-content -mp` builds for; a build directory holds one folder each.
MARKETPLACES = ("xsoar", "xsoar_saas", "xsoar_on_prem", "marketplacev2", "platform", "xpanse")
# prepare-content's marketplace when none is given: a build directory's own YAML is built for it.
DEFAULT_MARKETPLACE = "xsoar"


@dataclass(frozen=True)
class UnifiedIntegration:
    path: Path
    id: str
    name: str
    display: str
    params: dict[str, dict[str, Any]]
    commands: tuple[str, ...] = ()

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
            commands=tuple(
                str(command["name"])
                for command in document["script"].get("commands") or []
                if isinstance(command, Mapping) and command.get("name")
            ),
        )


@dataclass(frozen=True)
class IntegrationBuilds:
    """The unified integration YAML built for each marketplace, and one given for any server."""

    by_marketplace: dict[str, Path] = field(default_factory=dict)
    any_server: Path | None = None
    build_dir: Path | None = None

    @classmethod
    def from_arguments(cls, integrations: list[str], build_dir: Path | None) -> IntegrationBuilds:
        """`--integration [MARKETPLACE=]PATH` (repeatable) and `--build-dir DIR` (default build/unified/)."""
        by_marketplace: dict[str, Path] = {}
        any_server: Path | None = None
        for given in integrations:
            marketplace, separator, path = given.partition("=")
            if separator and re.fullmatch(r"[A-Za-z0-9_]+", marketplace):
                if marketplace not in MARKETPLACES:
                    raise UsageRefused(
                        f"--integration {marketplace}=PATH: {marketplace!r} is not a marketplace; "
                        f"use one of {', '.join(MARKETPLACES)}"
                    )
                by_marketplace[marketplace] = Path(path)
            elif any_server is not None:
                raise UsageRefused(
                    "--integration PATH is given twice; name each one's marketplace: xsoar=PATH"
                )
            else:
                any_server = Path(given)
        if by_marketplace or any_server:
            if build_dir is not None:
                raise UsageRefused("--build-dir and --integration exclude each other")
            return cls(by_marketplace, any_server)
        folder = build_dir or DEFAULT_UNIFIED_DIR
        return cls(builds_in(folder), None, folder)

    def any(self) -> UnifiedIntegration:
        """One of the builds: every build has the same parameters, so any one checks them."""
        path = self.any_server or next(iter(self.by_marketplace.values()), None)
        if path is None:
            folder = self.build_dir or DEFAULT_UNIFIED_DIR
            raise UsageRefused(
                f"No unified integration YAML in {_shown(folder)}; {_build_hint(DEFAULT_MARKETPLACE, folder)}"
            )
        return UnifiedIntegration.load(path)

    def for_marketplace(self, marketplace: str, server: str) -> UnifiedIntegration:
        """The build for the server's marketplace; refused, saying how to make it, when there is none."""
        path = self.by_marketplace.get(marketplace) or self.any_server
        if path is None:
            folder = self.build_dir or DEFAULT_UNIFIED_DIR
            have = ", ".join(sorted(self.by_marketplace)) or "none"
            raise UsageRefused(
                f"{server} takes the integration built for the marketplace {marketplace}, and "
                f"{_shown(folder)} has builds for: {have}. {_build_hint(marketplace, folder)}"
            )
        return UnifiedIntegration.load(path)


def builds_in(folder: Path) -> dict[str, Path]:
    """The builds of a build directory: `<folder>/<marketplace>/*.yml`, and a YAML in `folder` itself as the
    default marketplace's (prepare-content without -mp). A folder that does not exist holds none."""
    builds: dict[str, Path] = {}
    if not folder.is_dir():
        return builds
    if _unified_yamls(folder, recursive=False):
        builds[DEFAULT_MARKETPLACE] = find_unified_yaml(folder, recursive=False)
    for marketplace in MARKETPLACES:
        if (folder / marketplace).is_dir():
            builds[marketplace] = find_unified_yaml(folder / marketplace)
    return builds


def _build_hint(marketplace: str, folder: Path) -> str:
    return (
        f"Build it with `demisto-sdk prepare-content -i <the pack's integration folder> -mp {marketplace} "
        f"-o {_shown(folder / marketplace)}`, or pass --integration {marketplace}=PATH"
    )


def _unified_yamls(folder: Path, recursive: bool = True) -> list[Path]:
    candidates = []
    for path in sorted(folder.rglob("*.yml") if recursive else folder.glob("*.yml")):
        try:
            document = yaml.safe_load(path.read_bytes())
        except (OSError, yaml.YAMLError):
            continue
        if _why_not_unified_integration(document) is None:
            candidates.append(path)
    return candidates


def find_unified_yaml(folder: Path = DEFAULT_UNIFIED_DIR, recursive: bool = True) -> Path:
    """The one unified integration YAML under `folder` (the build output), or a refusal saying what to do."""
    hint = (
        "build it with `demisto-sdk prepare-content -i Integrations/ProofpointProtectionServerV2 "
        f"-o {_shown(DEFAULT_UNIFIED_DIR)}` or pass --integration PATH"
    )
    if not folder.is_dir():
        raise UsageRefused(f"No unified integration: {_shown(folder)} does not exist; {hint}")
    candidates = _unified_yamls(folder, recursive)
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
