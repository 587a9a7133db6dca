"""Validation runs with the content repository's own lists and config, never with stand-ins.

The equality and layout tests need only git; the validate test needs demisto-sdk (the tox `sdk`
environment, where run_sdk_checks.py runs this folder).
"""

from __future__ import annotations

import filecmp
import json
import shutil
import sys
from pathlib import Path

import pytest
import yaml

SDK_DIR = Path(__file__).resolve().parents[1]
if str(SDK_DIR) not in sys.path:
    sys.path.insert(0, str(SDK_DIR))

import make_content_repo as mcr  # noqa: E402
import run_sdk_checks  # noqa: E402
from sdk_tools import INTEGRATION, ROOT, base_env  # noqa: E402

CONTENT_CONFIG_FILES = [*mcr.CONFIG_LISTS, mcr.VALIDATION_CONFIG_NAME, "README.md"]


def test_the_vendored_copy_is_the_shared_content_config_verbatim() -> None:
    if not mcr.SHARED_CONTENT_CONFIG.is_dir():
        pytest.skip(f"{mcr.SHARED_CONTENT_CONFIG} is not beside this checkout (a fresh clone)")
    shared = sorted(path.name for path in mcr.SHARED_CONTENT_CONFIG.iterdir())
    vendored = sorted(path.name for path in mcr.VENDORED_CONTENT_CONFIG.iterdir())
    assert vendored == shared, "sdk/content-config/ must hold exactly the files of ../shared/content-config"
    _, mismatch, errors = filecmp.cmpfiles(
        mcr.SHARED_CONTENT_CONFIG, mcr.VENDORED_CONTENT_CONFIG, shared, shallow=False
    )
    assert (mismatch, errors) == ([], []), (
        f"copy ../shared/content-config/{mismatch} into sdk/content-config/"
    )


def test_the_vendored_copy_holds_everything_validation_reads() -> None:
    for name in CONTENT_CONFIG_FILES:
        assert (mcr.VENDORED_CONTENT_CONFIG / name).is_file(), name


def test_the_layout_config_folder_holds_the_content_repository_lists(tmp_path: Path) -> None:
    mcr.make_content_repo(ROOT, tmp_path / "content")
    for name in mcr.CONFIG_LISTS:
        copied = tmp_path / "content" / "Config" / name
        assert copied.read_bytes() == (mcr.content_config_dir() / name).read_bytes(), name
    tags = json.loads((tmp_path / "content" / "Config" / "approved_tags.json").read_text())
    assert tags["approved_list"]["common"], "the approved tags must be the real, non-empty list"


def test_validate_uses_the_content_repository_config() -> None:
    assert run_sdk_checks.full_validation_config() == mcr.content_config_dir() / mcr.VALIDATION_CONFIG_NAME


def test_only_graph_and_network_validations_are_left_out() -> None:
    pytest.importorskip("demisto_sdk")
    graph = run_sdk_checks.graph_validations()
    assert set(graph.values()) == {"needs the content graph (Neo4j)"}
    assert set(run_sdk_checks.NEEDS_NETWORK) == {"DO103", "DO104", "DO105", "DO106"}
    assert set(run_sdk_checks.offline_exclusions()) == set(graph) | set(run_sdk_checks.NEEDS_NETWORK)
    for code in ("PA119", "PA120", "BA112", "BA129"):  # the list-based ones run
        assert code not in run_sdk_checks.offline_exclusions(), code


def pack_source_with(tmp_path: Path, tag: str, drop_compliant_policies: bool) -> Path:
    """A copy of the pack's files with one more tag and, if asked, smart search's policies dropped."""
    source = tmp_path / "source"
    source.mkdir()
    for name in mcr.PACK_FILES:
        if (ROOT / name).is_file():
            shutil.copy2(ROOT / name, source / name)
    for name in ("Integrations", "ReleaseNotes"):
        shutil.copytree(ROOT / name, source / name, ignore=mcr.IGNORED)
    metadata = json.loads((source / "pack_metadata.json").read_text())
    metadata["tags"] = [*metadata.get("tags", []), tag]
    (source / "pack_metadata.json").write_text(json.dumps(metadata, indent=4) + "\n")
    if drop_compliant_policies:
        yml_path = source / "Integrations" / INTEGRATION / f"{INTEGRATION}.yml"
        integration = yaml.safe_load(yml_path.read_text())
        for command in integration["script"]["commands"]:
            command.pop("compliantpolicies", None)
            for argument in command.get("arguments", []):
                argument.pop("compliantpolicies", None)
        yml_path.write_text(yaml.safe_dump(integration, sort_keys=False, allow_unicode=True))
    return source


def test_validate_reports_an_unapproved_tag_and_missing_compliance_policies(tmp_path: Path) -> None:
    """What the empty stand-in lists hid: PA120 and BA129 are found with the real lists."""
    pytest.importorskip("demisto_sdk")
    source = pack_source_with(tmp_path, tag="Not An Approved Tag", drop_compliant_policies=True)
    build = tmp_path / "build"
    mcr.make_content_repo(source, build / "content")
    code, results = run_sdk_checks.run_validate(build / "content", "-g", base_env(build), build)
    assert results is not None, (build / "validate-g.log").read_text()[-3000:]
    found = {item["error code"]: item["message"] for item in results["validations"]}
    assert code != 0
    assert "Not An Approved Tag" in found.get("PA120", ""), found
    assert "BA129" in found, found
