"""The throwaway content repository holds the whole pack, where the content repository keeps each part.

Needs git only; the secrets-scanner test also needs demisto-sdk (the tox `sdk` environment).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SDK_DIR = Path(__file__).resolve().parents[1]
if str(SDK_DIR) not in sys.path:
    sys.path.insert(0, str(SDK_DIR))

import make_content_repo as mcr  # noqa: E402
import run_sdk_checks  # noqa: E402
from sdk_tools import INTEGRATION, base_env  # noqa: E402

# The content items the pack gains beside the integration, one made-up file each.
CONTENT_ITEM_DIRS = (
    "IncidentTypes",
    "IncidentFields",
    "Classifiers",
    "Layouts",
    "Playbooks",
    "TestPlaybooks",
)


def minimal_source(root: Path) -> Path:
    """A project root with a pack_metadata.json, an integration, test data and one file per content folder."""
    (root / "Integrations" / INTEGRATION).mkdir(parents=True)
    (root / "Integrations" / INTEGRATION / f"{INTEGRATION}.yml").write_text("name: x\n")
    (root / "Integrations" / INTEGRATION / "conftest.py").write_text("# the project's own\n")
    (root / "pack_metadata.json").write_text(json.dumps({"name": "x"}))
    (root / "TestData").mkdir()
    (root / "TestData" / "reply.json").write_text('{"records": []}\n')
    (root / "tests").mkdir()
    (root / "tests" / "test_cross.py").write_text("")
    for name in CONTENT_ITEM_DIRS:
        (root / name).mkdir()
        (root / name / f"{name.lower()}-item.json").write_text("{}\n")
    return root


def test_test_data_is_laid_beside_the_unit_tests(tmp_path: Path) -> None:
    source = minimal_source(tmp_path / "source")
    pack = mcr.make_content_repo(source, tmp_path / "content")
    laid = pack / "Integrations" / INTEGRATION / "test_data" / "reply.json"
    assert laid.read_bytes() == (source / "TestData" / "reply.json").read_bytes()
    assert not (pack / "TestData").exists(), "a TestData/ folder in a pack fails validation (BA102)"
    assert not (pack / "tests").exists()
    assert not (pack / "Integrations" / INTEGRATION / "conftest.py").exists()


def test_a_test_data_folder_already_beside_the_tests_is_kept(tmp_path: Path) -> None:
    source = minimal_source(tmp_path / "source")
    (source / "Integrations" / INTEGRATION / "test_data").mkdir()
    (source / "Integrations" / INTEGRATION / "test_data" / "own.json").write_text("{}\n")
    pack = mcr.make_content_repo(source, tmp_path / "content")
    assert sorted(p.name for p in (pack / "Integrations" / INTEGRATION / "test_data").iterdir()) == [
        "own.json"
    ]


def test_every_content_item_folder_is_copied_and_committed_as_new(tmp_path: Path) -> None:
    source = minimal_source(tmp_path / "source")
    repo = tmp_path / "content"
    pack = mcr.make_content_repo(source, repo)
    added = subprocess.run(
        ["git", "diff", "--name-only", "--diff-filter=A", "origin/master...HEAD"],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    for name in CONTENT_ITEM_DIRS:
        item = pack / name / f"{name.lower()}-item.json"
        assert item.is_file(), name
        assert str(item.relative_to(repo)) in added, f"{name} must be new on the branch validate -g checks"


def test_the_secrets_scanner_lists_what_makes_demisto_sdk_secrets_crash(tmp_path: Path) -> None:
    """A Message-ID in angle brackets is read as a colour tag by the SDK's logger, which then crashes;
    the step still names every finding."""
    pytest.importorskip("demisto_sdk")
    source = minimal_source(tmp_path / "source")
    shutil.rmtree(source / "TestData")
    (source / "README.md").write_text("Message-ID: <4F2A9C1D7E3B8A6F0D5C.123456789@mail.contoso-bank.net>\n")
    build = tmp_path / "build"
    mcr.make_content_repo(source, build / "content")
    env = base_env(build)
    report = run_sdk_checks.Report()
    run_sdk_checks.secrets(build, build / "content" / "Packs" / mcr.PACK_NAME, env, report)
    assert "Traceback" in (build / "secrets.log").read_text()
    assert any("crashed" in failure for failure in report.failures), report.failures
    findings = run_sdk_checks.secrets_scan(build, env).findings
    assert (
        f"Packs/{mcr.PACK_NAME}/README.md:1: 4F2A9C1D7E3B8A6F0D5C.123456789@mail.contoso-bank.net" in findings
    )


def test_a_secrets_ignore_line_that_nothing_needs_fails_the_step(tmp_path: Path) -> None:
    pytest.importorskip("demisto_sdk")
    source = minimal_source(tmp_path / "source")
    shutil.rmtree(source / "TestData")
    (source / "README.md").write_text("Write to soc@example.com.\n")
    (source / ".secrets-ignore").write_text("example.com\nnot-in-any-file.example\n")
    build = tmp_path / "build"
    mcr.make_content_repo(source, build / "content")
    report = run_sdk_checks.Report()
    run_sdk_checks.secrets(build, build / "content" / "Packs" / mcr.PACK_NAME, base_env(build), report)
    assert report.failures == [
        f"secrets: Packs/{mcr.PACK_NAME}/.secrets-ignore lists 'not-in-any-file.example', which nothing needs: remove the line"
    ]
