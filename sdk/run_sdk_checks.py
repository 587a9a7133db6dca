"""Run demisto-sdk on this pack as the content repository's CI would, offline.

Run it with the Python of a virtualenv where demisto-sdk 1.39.13 and requirements-test.txt are
installed (the tox `sdk` environment):
    python sdk/run_sdk_checks.py [--only validate,secrets,unittests,prepare,unified,docs] [--explain-config]
It lays the pack into a throwaway content repository (make_content_repo.py): the pack under
Packs/ProofpointPPSREST/ (integration, its test data in test_data/, incident types and fields,
classifiers, layouts, playbooks, test playbooks, release notes), Config/ holding the content
repository's own lists (sdk/content-config/, a verbatim copy of ../shared/content-config). Then
  1. `validate -g` (the PR gate: the pack is new against origin/master) and `validate -a`, with the
     content repository's content_validation_config.toml, leaving out only the validations that need
     the content graph (Neo4j), Docker Hub, or GitHub (listed with the reason by --explain-config);
     what the config makes a warning is printed and fails nothing;
  2. `demisto-sdk secrets` on every file the pack adds, with the pack's .secrets-ignore;
  3. the integration's unit tests in Packs/<pack>/, their data beside them, run from the content
     root, from their own folder and from a folder outside the content repository;
  4. `prepare-content` of the integration to build/unified/ (the xsoar build, tested by the next
     steps) and to build/unified/<marketplace>/ for xsoar, xsoar_saas, marketplacev2 and platform
     (what `python -m xsoar_deploy` uploads, the build for the server's marketplace);
  5. sdk/tests/ with pytest, SDK_UNIFIED_YML pointing at that file: its code is the integration's,
     and commands run from it through the War Room runner against the PPS simulator; every example
     of the integration README runs as printed on a fresh `--simulator`;
  6. the README check: generate_readme.py --check (generate-docs from the YAML, the examples run on
     the simulator, the hand-written chapters kept) against the committed integration README.
Exits non-zero when any step fails.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate_readme
from make_content_repo import PACK_NAME, VALIDATION_CONFIG_NAME, content_config_dir, make_content_repo
from sdk_tools import INTEGRATION, ROOT, UNIFIED_DIR, UNIFIED_FILE_NAME, base_env, run_sdk, sdk_package_dir

STEPS = ("validate", "secrets", "unittests", "prepare", "unified", "docs")
# The variable that points sdk/tests/ at the unified YAML; without it those tests skip.
UNIFIED_ENV_VAR = "SDK_UNIFIED_YML"

# Validations that ask a Docker registry or GitHub whatever the content. DO104 reaches Docker Hub
# only when the image is missing, to suggest one, and then crashes the whole run, so a local check
# stands in for it. DO105 is not a Docker Hub call but reads demisto/dockerfiles' deprecated-images
# list from GitHub, which this machine cannot reach.
NEEDS_NETWORK = {
    "DO103": "asks Docker Hub whether the image exists",
    "DO104": "asks Docker Hub for the latest image when none is set (checked locally instead)",
    "DO105": "reads the deprecated-images list of demisto/dockerfiles from GitHub",
    "DO106": "asks Docker Hub for the newest tag",
}
# The config's section for each validate mode: its `warning` list holds the codes reported as warnings.
CONFIG_SECTIONS = {"-g": "use_git", "-a": "path_based_validations"}


@dataclass
class Report:
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def fail(self, message: str) -> None:
        self.failures.append(message)
        print(f"FAIL: {message}")

    def warn(self, message: str) -> None:
        self.warnings.append(message)
        print(f"WARNING: {message}")


def full_validation_config() -> Path:
    """The content repository's own validation config: what it selects, warns on and lets be ignored."""
    return content_config_dir() / VALIDATION_CONFIG_NAME


def graph_validations() -> dict[str, str]:
    """Codes whose validator needs the content graph (a Neo4j server the SDK downloads).

    Found in the installed SDK's source, so a new graph validation is left out by itself: a
    validator uses the graph if its module, or a validator module it imports, uses `self.graph`.
    """
    validators = sdk_package_dir() / "commands" / "validate" / "validators"
    uses_graph: dict[str, bool] = {}
    imports: dict[str, set[str]] = {}
    codes: dict[str, str] = {}
    for path in validators.glob("*_validators/*.py"):
        source = path.read_text()
        uses_graph[path.stem] = bool(re.search(r"self\.graph\b|ensure_graph_initialized", source))
        imports[path.stem] = set(re.findall(r"validators\.\w+_validators\.(\w+) import", source))
        if match := re.search(r'^\s+error_code = "([A-Z]{2}\d{3})"', source, re.MULTILINE):
            codes[path.stem] = match.group(1)

    def needs_graph(module: str, seen: frozenset[str] = frozenset()) -> bool:
        return uses_graph.get(module, False) or any(
            needs_graph(other, seen | {module}) for other in imports.get(module, ()) if other not in seen
        )

    return {code: "needs the content graph (Neo4j)" for module, code in codes.items() if needs_graph(module)}


def offline_exclusions() -> dict[str, str]:
    return {**graph_validations(), **NEEDS_NETWORK}


def check_docker_image(yml: Path, report: Report) -> None:
    """Stand-in for DO104, which needs Docker Hub to word its message."""
    if not re.search(r"^\s+dockerimage:\s*\S", yml.read_text(), re.MULTILINE):
        report.fail(f"[DO104] {yml.name}: script.dockerimage is missing (use a demisto/python3 image)")


def validation_config() -> dict[str, Any]:
    try:
        import tomllib as toml_reader  # Python 3.11+
    except ModuleNotFoundError:  # Python 3.10: demisto-sdk brings `toml`
        import toml as toml_reader  # type: ignore[no-redef]
    config: dict[str, Any] = toml_reader.loads(full_validation_config().read_text())
    return config


def warning_codes(mode: str) -> set[str]:
    """The codes the config reports as warnings in this validate mode (the SDK exits 0 on them)."""
    return set(validation_config().get(CONFIG_SECTIONS[mode], {}).get("warning", []))


def run_validate(repo: Path, mode: str, env: dict[str, str], out: Path) -> tuple[int, dict[str, Any] | None]:
    """`demisto-sdk validate <mode>` in the layout `repo` with the content repository's config.

    Returns the exit code and the JSON results (None when the SDK crashed before writing them); the
    SDK's output goes to out/validate<mode>.log.
    """
    result = out / f"validate{mode}.json"
    result.unlink(missing_ok=True)
    ignore_args = [arg for code in sorted(offline_exclusions()) for arg in ("--ignore", code)]
    args = ["validate", mode, "--config-path", str(full_validation_config()), "-j", str(result), *ignore_args]
    code = run_sdk(args, repo, env, out / f"validate{mode}.log")
    return code, json.loads(result.read_text()) if result.exists() else None


def validate(build: Path, pack_dir: Path, env: dict[str, str], report: Report) -> None:
    print(f"== validation config and Config/ lists from {content_config_dir()}")
    for mode, what in (("-g", "as a PR adding the pack"), ("-a", "all files")):
        code, results = run_validate(build / "content", mode, env, build)
        log = build / f"validate{mode}.log"
        print(f"== demisto-sdk validate {mode} ({what}): exit {code}")
        if results is None:
            report.fail(f"validate {mode} crashed before writing results; see {log}")
            print("\n".join(log.read_text().splitlines()[-25:]))
            continue
        warnings = warning_codes(mode)
        errors = []
        for found in results.get("validations", []):
            line = f"[{found['error code']}] {found['file path']}: {found['message']}"
            if found["error code"] in warnings:
                report.warn(f"validate {mode}: {line}")
            else:
                errors.append(found)
                print(f"  {line}")
        for crashed in results.get("Validations that caught exceptions", []):
            report.fail(f"validate {mode}: a validation raised: {crashed}")
        if errors:
            report.fail(
                f"validate {mode}: {len(errors)} error(s): {', '.join(sorted({e['error code'] for e in errors}))}"
            )
        elif code != 0:
            report.fail(f"validate {mode} exited {code} without listing errors; see {log}")
    check_docker_image(pack_dir / "Integrations" / INTEGRATION / f"{INTEGRATION}.yml", report)


SECRETS_FINDINGS = Path(__file__).resolve().parent / "sdk_secrets_findings.py"
# The branch the secrets check compares with: the layout's origin/master (make_content_repo.py).
SECRETS_PREV_VER = "master"


@dataclass
class SecretsScan:
    findings: list[str]  # `path:line: finding`
    unneeded: list[str]  # `pack: line` of a .secrets-ignore line whose absence finds nothing more


def secrets_scan(build: Path, env: dict[str, str]) -> SecretsScan:
    """What the SDK's secrets scanner finds in the layout, and which .secrets-ignore lines nothing needs."""
    log = build / "secrets-findings.log"
    code = run_sdk([SECRETS_PREV_VER, "--unneeded"], build / "content", env, log, script=SECRETS_FINDINGS)
    lines = log.read_text().splitlines()
    if code != 0:
        raise RuntimeError(f"the secrets scanner failed (exit {code}): {' / '.join(lines[-3:])}")
    return SecretsScan(
        findings=[line.removeprefix("FINDING ") for line in lines if line.startswith("FINDING ")],
        unneeded=[line.removeprefix("UNNEEDED ") for line in lines if line.startswith("UNNEEDED ")],
    )


def secrets(build: Path, pack_dir: Path, env: dict[str, str], report: Report) -> None:
    """`demisto-sdk secrets` as the content repository runs it on a pull request: every text file the
    pack adds, the pack's .secrets-ignore applied, no generic whitelist (stricter than the content
    repository's, which also ignores some common example values). The .secrets-ignore must list
    only what it must: a line whose absence finds nothing more fails the step too."""
    log = build / "secrets.log"
    args = ["secrets", "--post-commit", "--prev-ver", SECRETS_PREV_VER]
    # With colours on, as a contributor's terminal and the content repository's CI run it: only then
    # does its logger read a finding like `<id@host>` as a colour tag and crash.
    code = run_sdk(args, build / "content", {**env, "DEMISTO_SDK_LOG_NO_COLORS": "false"}, log)
    crashed = "Traceback (most recent call last)" in log.read_text()
    print(f"== demisto-sdk secrets: exit {code}{' (crashed)' if crashed else ''}")
    try:
        scan = secrets_scan(build, env)
    except RuntimeError as exc:
        report.fail(f"secrets: {exc}; see {log}")
        return
    if code != 0 or crashed:
        for finding in scan.findings:
            print(f"  {finding}")
        if crashed:
            report.fail(
                f"secrets crashed printing its findings (see {log}); {len(scan.findings)} finding(s) above"
            )
        else:
            report.fail(f"secrets: {len(scan.findings)} finding(s); see {log}")
    for entry in scan.unneeded:
        pack, _, line = entry.partition(": ")
        report.fail(
            f"secrets: Packs/{pack}/.secrets-ignore lists {line!r}, which nothing needs: remove the line"
        )


# The pytest config of the unit-test run: empty, so that neither this project's pyproject.toml nor its
# conftest.py (which put the project's own integration folder on sys.path) take part.
UNIT_TEST_INI = "[pytest]\n"


def unit_test_dirs(build: Path, pack_dir: Path) -> dict[str, Path]:
    """The working directories the unit tests must pass from: the content root, the test's own
    folder, and one outside the content repository."""
    elsewhere = build / "elsewhere"
    elsewhere.mkdir(parents=True, exist_ok=True)
    return {
        "the content repository's root": build / "content",
        "the integration's folder": pack_dir / "Integrations" / INTEGRATION,
        "a folder outside the content repository": elsewhere,
    }


def unit_tests(build: Path, pack_dir: Path, env: dict[str, str], report: Report) -> None:
    """The integration's unit tests where the content repository runs them: in Packs/<pack>/, their
    data in test_data/ beside them, the runtime's two modules (here the stand-in) on the path."""
    integration_dir = pack_dir / "Integrations" / INTEGRATION
    ini = build / "unit-tests.ini"
    ini.write_text(UNIT_TEST_INI)
    test_env = {**os.environ, "PYTHONPATH": str(ROOT / "xsoar_runtime")}
    for where, cwd in unit_test_dirs(build, pack_dir).items():
        command = [
            sys.executable, "-m", "pytest", str(integration_dir), "-q", "-c", str(ini),
            "--rootdir", str(build / "content"), "--confcutdir", str(build / "content"),
            "-p", "no:cacheprovider", "-p", "no:freezegun",
        ]  # fmt: skip
        log = build / f"unit-tests-{cwd.name}.log"
        completed = subprocess.run(
            command, cwd=cwd, env=test_env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        log.write_text(completed.stdout)
        summary = completed.stdout.strip().splitlines()[-1:] or ["no output"]
        print(
            f"== unit tests in Packs/{pack_dir.name}/, run from {where}: exit {completed.returncode}, {summary[0]}"
        )
        if completed.returncode != 0:
            if not any("the unit tests failed" in failure for failure in report.failures):
                print("\n".join(completed.stdout.splitlines()[-30:]))  # once: the runs differ only in where
            report.fail(f"the unit tests failed in the content layout, run from {where}; see {log}")


# One build per marketplace the deploy tool may meet (xsoar_deploy maps XSOAR 6 to xsoar, XSOAR 8 to
# xsoar_saas, XSIAM to marketplacev2); prepare-content writes what differs between them.
DEPLOY_MARKETPLACES = ("xsoar", "xsoar_saas", "marketplacev2", "platform")


def prepare(build: Path, pack_dir: Path, env: dict[str, str], report: Report) -> None:
    """Build the unified YAML into build/unified/ (the xsoar build, which the later steps test) and one
    per marketplace into build/unified/<marketplace>/ (what xsoar_deploy uploads), replacing what was there."""
    source = pack_dir / "Integrations" / INTEGRATION
    targets = [(UNIFIED_DIR, None), *((UNIFIED_DIR / name, name) for name in DEPLOY_MARKETPLACES)]
    for out, marketplace in targets:
        out.mkdir(parents=True, exist_ok=True)
        for stale in out.glob("*.yml"):
            stale.unlink()
        command = ["prepare-content", "-i", str(source), "-o", str(out), "-f"]
        if marketplace:
            command += ["-mp", marketplace]
        log = build / f"prepare-content{'-' + marketplace if marketplace else ''}.log"
        code = run_sdk(command, build / "content", env, log)
        unified = out / UNIFIED_FILE_NAME
        print(
            f"== demisto-sdk prepare-content {marketplace or ''}: exit {code}, {unified if unified.exists() else 'no output'}"
        )
        if code != 0 or not unified.exists():
            report.fail(f"prepare-content{' for ' + marketplace if marketplace else ''} failed; see {log}")


def unified(build: Path, pack_dir: Path, env: dict[str, str], report: Report) -> None:
    """sdk/tests/ on the unified YAML that prepare built: what is uploaded is what is tested."""
    path = UNIFIED_DIR / UNIFIED_FILE_NAME
    if not path.exists():
        report.fail(f"no unified YAML to test at {path}: run the prepare step first")
        return
    test_env = {**os.environ, UNIFIED_ENV_VAR: str(path)}
    # pytest-freezegun comes with demisto-sdk, is not used here, and warns on every test.
    command = [sys.executable, "-m", "pytest", str(ROOT / "sdk" / "tests"), "-q", "-p", "no:freezegun"]
    code = subprocess.run(command, cwd=ROOT, env=test_env, stdin=subprocess.DEVNULL).returncode
    print(f"== sdk/tests on {path.relative_to(ROOT)}: exit {code}")
    if code != 0:
        report.fail(f"sdk/tests failed on the unified YAML (exit {code})")


def docs(build: Path, pack_dir: Path, env: dict[str, str], report: Report) -> None:
    """generate_readme.py --check, in this layout."""
    committed = pack_dir / "Integrations" / INTEGRATION / "README.md"
    try:
        problems = generate_readme.check(build, pack_dir, committed, env)
    except generate_readme.ReadmeError as exc:
        report.fail(f"README: {exc}")
        return
    print(f"== README check: {len(problems)} problem(s); generated: {build / 'docs' / 'README.generated.md'}")
    for problem in problems:
        report.fail(f"README: {problem}")
    if problems:
        print("The README is generated: run `python sdk/generate_readme.py --write` and commit the result.")


def explain_config() -> None:
    config = validation_config()
    print(f"Config: {full_validation_config()}")
    print(
        "ignorable_errors (may be silenced per file in .pack-ignore):",
        " ".join(config.get("ignorable_errors", [])),
    )
    for mode in ("use_git", "path_based_validations"):
        section = config.get(mode, {})
        print(
            f"[{mode}] {len(section.get('select', []))} selected; warnings only:",
            " ".join(section.get("warning", [])),
        )
    for level, section in config.get("support_level", {}).items():
        print(f"not run for {level}-supported content:", " ".join(section.get("ignore", [])))
    print("left out offline:")
    for code, why in sorted(offline_exclusions().items()):
        print(f"  {code}: {why}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=Path, default=ROOT / "build" / "sdk-checks", help="work dir")
    parser.add_argument(
        "--only", default=",".join(STEPS), help=f"comma-separated steps among {', '.join(STEPS)}"
    )
    parser.add_argument("--explain-config", action="store_true", help="list what the config skips, then exit")
    args = parser.parse_args(argv)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(line_buffering=True)  # our lines in order with the SDK's and pytest's
    if args.explain_config:
        explain_config()
        return 0
    steps = [step for step in args.only.split(",") if step]
    if unknown := set(steps) - set(STEPS):
        parser.error(f"unknown steps: {', '.join(sorted(unknown))}")
    build: Path = args.build.resolve()
    build.mkdir(parents=True, exist_ok=True)
    pack_dir = make_content_repo(ROOT, build / "content", PACK_NAME)
    env = base_env(build)
    report = Report()
    for step in steps:
        {
            "validate": validate,
            "secrets": secrets,
            "unittests": unit_tests,
            "prepare": prepare,
            "unified": unified,
            "docs": docs,
        }[step](build, pack_dir, env, report)
    warned = f", {len(report.warnings)} warning(s)" if report.warnings else ""
    print(
        f"== {len(report.failures)} failure(s){warned}"
        if report.failures
        else f"== all demisto-sdk checks passed{warned}"
    )
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
