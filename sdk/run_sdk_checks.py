"""Run demisto-sdk's validate, prepare-content and generate-docs on this pack, offline.

Run it with the Python of a virtualenv where demisto-sdk is installed (`pip install demisto-sdk`):
    python sdk/run_sdk_checks.py [--only validate,prepare,docs] [--explain-config]
It lays the pack into a throwaway content repository (make_content_repo.py), then
  1. `validate -g` (the PR gate: the pack is new against origin/master) and `validate -a`, with
     the SDK's full validation config (the content repo's kind), leaving out only the validations
     that cannot run offline (listed by --explain-config);
  2. `prepare-content` of the integration to <build>/unified/ (the unified YAML the server gets);
  3. `generate-docs` into a temp dir, compared with the committed integration README.
Exits non-zero when any step fails.
"""

from __future__ import annotations

import argparse
import difflib
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_content_repo import PACK_NAME, make_content_repo

ROOT = Path(__file__).resolve().parent.parent
INTEGRATION = "ProofpointProtectionServerV2"
STEPS = ("validate", "prepare", "docs")

# Validations that reach the internet whatever the content: Docker Hub for image tags and
# existence, GitHub for the deprecated-images list. DO104 reaches Docker Hub only when the image
# is missing, to suggest one, and then crashes the whole run, so a local check stands in for it.
NEEDS_NETWORK = {
    "DO103": "asks Docker Hub whether the image exists",
    "DO104": "asks Docker Hub for the latest image when none is set (checked locally instead)",
    "DO105": "reads the deprecated-images list from GitHub",
    "DO106": "asks Docker Hub for the newest tag",
}
# Validations that compare against lists kept only in the real content repository (Config/).
NEEDS_CONTENT_REPO_DATA = {
    "PA119": "approved use cases (Config/approved_usecases.json)",
    "PA120": "approved tags (Config/approved_tags.json)",
    "BA112": "compliance policies (Config/compliant_policies.json)",
    "BA129": "compliance policies (Config/compliant_policies.json)",
}
# Environment for every SDK run. demisto-sdk has no global offline switch that validate accepts:
# DEMISTO_SDK_OFFLINE_ENV makes validate refuse to start, so it is set only for the other steps.
SDK_ENV = {
    "DEMISTO_SDK_IGNORE_CONTENT_WARNING": "true",
    "DEMISTO_SDK_LOG_NO_COLORS": "true",
}


@dataclass
class Report:
    failures: list[str] = field(default_factory=list)

    def fail(self, message: str) -> None:
        self.failures.append(message)
        print(f"FAIL: {message}")


def sdk_package_dir() -> Path:
    spec = importlib.util.find_spec("demisto_sdk")
    if spec is None or spec.origin is None:
        sys.exit("demisto-sdk is not installed in this Python (pip install demisto-sdk)")
    return Path(spec.origin).parent


def full_validation_config() -> Path:
    """The SDK's config that selects every validation, as the content repository does."""
    return sdk_package_dir() / "commands" / "validate" / "sdk_validation_config.toml"


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
    return {**graph_validations(), **NEEDS_NETWORK, **NEEDS_CONTENT_REPO_DATA}


def run_sdk(args: list[str], repo: Path, env: dict[str, str], log: Path) -> int:
    """Run one demisto-sdk command in the layout, its output going to `log`."""
    completed = subprocess.run(
        [sys.executable, "-m", "demisto_sdk", *args],
        cwd=repo,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    log.write_text(completed.stdout)
    return completed.returncode


def base_env(build: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DEMISTO_SDK_")}
    env.update(SDK_ENV)
    env["DEMISTO_SDK_CONTENT_PATH"] = str(build / "content")
    env["DEMISTO_SDK_LOG_FILE_PATH"] = str(build / "logs")
    return env


def check_docker_image(yml: Path, report: Report) -> None:
    """Stand-in for DO104, which needs Docker Hub to word its message."""
    if not re.search(r"^\s+dockerimage:\s*\S", yml.read_text(), re.MULTILINE):
        report.fail(f"[DO104] {yml.name}: script.dockerimage is missing (use a demisto/python3 image)")


def validate(build: Path, pack_dir: Path, env: dict[str, str], report: Report) -> None:
    excluded = offline_exclusions()
    ignore_args = [arg for code in sorted(excluded) for arg in ("--ignore", code)]
    repo = build / "content"
    for mode, what in (("-g", "as a PR adding the pack"), ("-a", "all files")):
        result = build / f"validate{mode}.json"
        result.unlink(missing_ok=True)
        log = build / f"validate{mode}.log"
        args = [
            "validate",
            mode,
            "--config-path",
            str(full_validation_config()),
            "-j",
            str(result),
            *ignore_args,
        ]
        code = run_sdk(args, repo, env, log)
        print(f"== demisto-sdk validate {mode} ({what}): exit {code}")
        if not result.exists():
            report.fail(f"validate {mode} crashed before writing results; see {log}")
            print("\n".join(log.read_text().splitlines()[-25:]))
            continue
        results = json.loads(result.read_text())
        errors = results.get("validations", [])
        for error in errors:
            print(f"  [{error['error code']}] {error['file path']}: {error['message']}")
        for crashed in results.get("Validations that caught exceptions", []):
            report.fail(f"validate {mode}: a validation raised: {crashed}")
        if errors:
            report.fail(
                f"validate {mode}: {len(errors)} error(s): {', '.join(sorted({e['error code'] for e in errors}))}"
            )
        elif code != 0:
            report.fail(f"validate {mode} exited {code} without listing errors; see {log}")
    check_docker_image(pack_dir / "Integrations" / INTEGRATION / f"{INTEGRATION}.yml", report)


def prepare(build: Path, pack_dir: Path, env: dict[str, str], report: Report) -> None:
    out = build / "unified"
    out.mkdir(parents=True, exist_ok=True)
    unified = out / f"integration-{INTEGRATION}.yml"
    unified.unlink(missing_ok=True)
    source = pack_dir / "Integrations" / INTEGRATION
    code = run_sdk(
        ["prepare-content", "-i", str(source), "-o", str(out), "-f"],
        build / "content",
        env,
        build / "prepare-content.log",
    )
    print(f"== demisto-sdk prepare-content: exit {code}, {unified if unified.exists() else 'no output'}")
    if code != 0 or not unified.exists():
        report.fail(f"prepare-content failed; see {build / 'prepare-content.log'}")


# The parts of an integration README that generate-docs derives from the YAML. The rest (prose,
# command examples, which need a live XSOAR server to run) is the authors'.
GENERATED_SUBSECTIONS = ("#### Base Command", "#### Input", "#### Context Output")


def readme_sections(text: str) -> dict[str, list[str]]:
    """Split a README into the YAML-derived sections: the parameter table and each command's
    description, base command, inputs and outputs. Blank lines and indentation are not compared."""
    sections: dict[str, list[str]] = {}
    chapter = ""
    current: str | None = None
    keep = False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("## "):
            chapter = line
            current = "configuration parameters" if line.startswith("## Configure") else None
            keep = current is not None
            continue
        if line.startswith("### ") and chapter == "## Commands":
            current, keep = f"command {line[4:].strip()}", True
            continue
        if line.startswith("#### ") and current is not None and current.startswith("command "):
            keep = line in GENERATED_SUBSECTIONS
        if current is None or not keep or not line:
            continue
        if current == "configuration parameters" and not line.startswith("|"):
            continue
        sections.setdefault(current, []).append(line.rstrip(" |") if line.startswith("|") else line)
    return sections


def docs(build: Path, pack_dir: Path, env: dict[str, str], report: Report) -> None:
    integration = pack_dir / "Integrations" / INTEGRATION
    committed = integration / "README.md"
    with tempfile.TemporaryDirectory(prefix="sdk-docs-") as tmp:
        args = [
            "generate-docs", "-i", str(integration / f"{INTEGRATION}.yml"), "-o", tmp,
            "--no-graph", "--force", "--skip-breaking-changes",
        ]  # fmt: skip
        code = run_sdk(
            args, build / "content", {**env, "DEMISTO_SDK_OFFLINE_ENV": "true"}, build / "generate-docs.log"
        )
        generated_file = Path(tmp) / "README.md"
        if code != 0 or not generated_file.exists():
            report.fail(f"generate-docs failed (exit {code}); see {build / 'generate-docs.log'}")
            return
        generated_text = generated_file.read_text()
    (build / "docs").mkdir(exist_ok=True)
    (build / "docs" / "README.generated.md").write_text(generated_text)
    print(f"== demisto-sdk generate-docs: exit {code}, written to {build / 'docs' / 'README.generated.md'}")
    if not committed.exists():
        report.fail(f"{committed.relative_to(pack_dir)} is missing")
        return
    generated, current = readme_sections(generated_text), readme_sections(committed.read_text())
    for name in sorted(generated.keys() | current.keys()):
        if name not in current:
            report.fail(f"README: {name} is not documented")
        elif name not in generated:
            report.fail(f"README: documents {name}, which the YAML does not have")
        elif generated[name] != current[name]:
            diff = difflib.unified_diff(
                current[name], generated[name], "README.md", "generate-docs", lineterm="", n=1
            )
            print("\n".join(diff))
            report.fail(f"README: {name} differs from what generate-docs makes of the YAML")


def explain_config() -> None:
    try:
        import tomllib as toml_reader  # Python 3.11+
    except ModuleNotFoundError:  # Python 3.10: demisto-sdk brings `toml`
        import toml as toml_reader  # type: ignore[no-redef]
    config = toml_reader.loads(full_validation_config().read_text())
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
        {"validate": validate, "prepare": prepare, "docs": docs}[step](build, pack_dir, env, report)
    print(f"== {len(report.failures)} failure(s)" if report.failures else "== all demisto-sdk checks passed")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
