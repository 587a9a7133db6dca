"""Lay this pack into a throwaway content-repository layout that demisto-sdk accepts.

demisto-sdk only works inside a git repository shaped like the content repo:
`Packs/<Pack>/...`, a remote named `origin` whose URL contains "content" (that is how
`get_content_path()` recognises it), and an `origin/master` to diff against for `validate -g`.
The layout made here has two commits: `master` holds only the scaffolding, and the branch
`pack-under-test` adds the pack, so the whole pack shows up as new in a git-based validation.
Config/ holds the content repository's own lists (sdk/content-config/, a verbatim copy of
../shared/content-config); the rest of the scaffolding is written here.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sdk_tools import INTEGRATION

PACK_NAME = "ProofpointPPSREST"
BRANCH = "pack-under-test"
# The top-level files and folders of a pack that demisto-sdk knows. The project's tests/, simulator
# and runner are not pack content, and anything else under Packs/<Pack>/ fails validation (BA102).
# The project's TestData/ goes where the content repository keeps an integration's test data:
# beside its unit tests, in Integrations/<Integration>/test_data/ (TEST_DATA_SOURCE below).
PACK_FILES = ("pack_metadata.json", "README.md", ".pack-ignore", ".secrets-ignore", "Author_image.png")
PACK_DIRS = (
    "Integrations",
    "Scripts",
    "Playbooks",
    "TestPlaybooks",
    "ReleaseNotes",
    "Layouts",
    "IncidentFields",
    "IncidentTypes",
    "IndicatorFields",
    "IndicatorTypes",
    "Classifiers",
    "Dashboards",
    "Widgets",
    "doc_files",
    "doc_imgs",
)
TEST_DATA_SOURCE = "TestData"
TEST_DATA_DIR = "test_data"
# Left out of the copy: build droppings, and files the project keeps beside the integration for
# its own tooling only.
IGNORED = shutil.ignore_patterns(
    "__pycache__", "*.pyc", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis", "conftest.py"
)
# Just enough of Tests/conf.json for the SDK commands that read it (format, old validate).
CONF_JSON: dict[str, object] = {
    "testTimeout": 160,
    "testInterval": 20,
    "tests": [],
    "skipped_tests": {},
    "skipped_integrations": {},
    "unmockable_integrations": {},
    "nightly_packs": [],
    "parallel_integrations": [],
    "private_tests": [],
    "docker_thresholds": {"_comment": "", "images": {}},
    "test_marketplacev2": [],
    "reputation_tests": [],
}
# The content repository's own Config/ lists and validation config, copied as data (see
# content-config/README.md). The sibling ../shared/content-config is the source when this checkout
# has one; a fresh clone (CI) has only the verbatim copy in sdk/content-config/, and
# sdk/tests/test_content_config.py fails when the two differ.
SHARED_CONTENT_CONFIG = Path(__file__).resolve().parents[2] / "shared" / "content-config"
VENDORED_CONTENT_CONFIG = Path(__file__).resolve().parent / "content-config"
# The lists demisto-sdk reads from Config/ (it asks GitHub for them when they are missing).
CONFIG_LISTS = (
    "approved_categories.json",
    "approved_usecases.json",
    "approved_tags.json",
    "compliant_policies.json",
)
VALIDATION_CONFIG_NAME = "content_validation_config.toml"
# The core-pack lists are not among the content repository's lists we hold. They name the packs the
# platform installs by itself; this pack is not one and never will be, so an empty list says of it
# what the real one says (IN139 and SC105 apply their stricter rules to core packs only).
CORE_PACK_LISTS: dict[str, object] = {
    "core_packs_list.json": {"core_packs_list": [], "update_core_packs_list": []},
    "core_packs_mpv2_list.json": {"core_packs_list": [], "update_core_packs_list": []},
    "core_packs_xpanse_list.json": {"core_packs_list": [], "update_core_packs_list": []},
    "core_packs_platform_list.json": {"core_packs_list": [], "update_core_packs_list": []},
}


def content_config_dir() -> Path:
    """Where the content repository's lists are: the shared folder when present, else the copy."""
    return SHARED_CONTENT_CONFIG if SHARED_CONTENT_CONFIG.is_dir() else VENDORED_CONTENT_CONFIG


GITIGNORE = "__pycache__/\n*.pyc\n.pytest_cache/\n.mypy_cache/\n"
# A fixed identity and dates keep the throwaway commits independent of the caller's git setup.
GIT_ENV = {
    "GIT_AUTHOR_NAME": "sdk-checks",
    "GIT_AUTHOR_EMAIL": "sdk-checks@example.invalid",
    "GIT_COMMITTER_NAME": "sdk-checks",
    "GIT_COMMITTER_EMAIL": "sdk-checks@example.invalid",
    "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str) -> None:
    """Run one git command in `repo`, quietly, failing loudly."""
    subprocess.run(
        ["git", *args], cwd=repo, check=True, env={**os.environ, **GIT_ENV}, stdout=subprocess.DEVNULL
    )


def copy_pack(source: Path, pack_dir: Path) -> list[str]:
    """Copy the pack's own content from `source` into `pack_dir`; return what was copied."""
    pack_dir.mkdir(parents=True)
    copied = []
    for name in PACK_FILES:
        if (source / name).is_file():
            shutil.copy2(source / name, pack_dir / name)
            copied.append(name)
    for name in PACK_DIRS:
        if (source / name).is_dir():
            shutil.copytree(source / name, pack_dir / name, ignore=IGNORED)
            copied.append(f"{name}/")
    test_data = source / TEST_DATA_SOURCE
    integration_dir = pack_dir / "Integrations" / INTEGRATION
    if test_data.is_dir() and integration_dir.is_dir() and not (integration_dir / TEST_DATA_DIR).exists():
        shutil.copytree(test_data, integration_dir / TEST_DATA_DIR, ignore=IGNORED)
        copied.append(f"Integrations/{INTEGRATION}/{TEST_DATA_DIR}/")
    return copied


def write_scaffolding(repo: Path) -> None:
    """Write the content-repo files the SDK looks for outside Packs/."""
    (repo / "Tests").mkdir(parents=True)
    (repo / "Tests" / "conf.json").write_text(json.dumps(CONF_JSON, indent=4) + "\n")
    (repo / ".gitignore").write_text(GITIGNORE)
    (repo / "Config").mkdir()
    lists = content_config_dir()
    for name in CONFIG_LISTS:
        shutil.copyfile(lists / name, repo / "Config" / name)
    for name, content in CORE_PACK_LISTS.items():
        (repo / "Config" / name).write_text(json.dumps(content, indent=4) + "\n")
    (repo / "Packs").mkdir()
    (repo / "Packs" / ".gitkeep").write_text("")


def make_content_repo(source: Path, dest: Path, pack_name: str = PACK_NAME) -> Path:
    """Build the layout at `dest` (replacing it) and return the pack's folder in it."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    git(dest, "init", "-q", "-b", "master")
    write_scaffolding(dest)
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "content scaffolding")
    # A bare repo kept inside .git stands in for the upstream: its path contains "content", and
    # fetching from it gives origin/master without any network.
    origin = dest / ".git" / "content-origin.git"
    git(dest, "init", "-q", "--bare", "-b", "master", str(origin))
    git(dest, "remote", "add", "origin", str(origin))
    git(dest, "push", "-q", "origin", "master")
    git(dest, "fetch", "-q", "origin")
    git(dest, "checkout", "-q", "-b", BRANCH)
    pack_dir = dest / "Packs" / pack_name
    copy_pack(source, pack_dir)
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", f"Add pack {pack_name}")
    return pack_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    root = Path(__file__).resolve().parent.parent
    parser.add_argument(
        "--source", type=Path, default=root, help="the pack's root (default: the project root)"
    )
    parser.add_argument("--dest", type=Path, default=root / "build" / "content", help="where to lay it out")
    parser.add_argument(
        "--pack-name", default=PACK_NAME, help=f"folder name under Packs/ (default: {PACK_NAME})"
    )
    args = parser.parse_args(argv)
    source: Path = args.source.resolve()
    if not (source / "pack_metadata.json").is_file():
        print(f"warning: {source}/pack_metadata.json is missing", file=sys.stderr)
    pack_dir = make_content_repo(source, args.dest.resolve(), args.pack_name)
    print(pack_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
