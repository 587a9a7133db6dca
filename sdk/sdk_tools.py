"""What the sdk/ scripts share: where things are, and how demisto-sdk is run offline in the layout."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INTEGRATION = "ProofpointProtectionServerV2"
INTEGRATION_DIR = ROOT / "Integrations" / INTEGRATION
# Where prepare-content writes the unified YAML; xsoar_deploy looks there (build/unified/).
UNIFIED_DIR = ROOT / "build" / "unified"
UNIFIED_FILE_NAME = f"integration-{INTEGRATION}.yml"
# Environment for every SDK run. demisto-sdk has no global offline switch that validate accepts:
# DEMISTO_SDK_OFFLINE_ENV makes validate refuse to start, so it is set only for the other steps.
SDK_ENV = {
    "DEMISTO_SDK_IGNORE_CONTENT_WARNING": "true",
    "DEMISTO_SDK_LOG_NO_COLORS": "true",
}
OFFLINE_ENV = {"DEMISTO_SDK_OFFLINE_ENV": "true"}


def sdk_package_dir() -> Path:
    spec = importlib.util.find_spec("demisto_sdk")
    if spec is None or spec.origin is None:
        sys.exit("demisto-sdk is not installed in this Python (pip install demisto-sdk==1.39.13)")
    return Path(spec.origin).parent


def base_env(build: Path) -> dict[str, str]:
    """The caller's environment without its DEMISTO_SDK_* settings, pointed at the layout in `build`."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DEMISTO_SDK_")}
    env.update(SDK_ENV)
    env["DEMISTO_SDK_CONTENT_PATH"] = str(build / "content")
    env["DEMISTO_SDK_LOG_FILE_PATH"] = str(build / "logs")
    return env


def run_sdk(
    args: list[str], repo: Path, env: dict[str, str], log: Path, *, script: Path | None = None
) -> int:
    """Run one demisto-sdk command in the layout `repo`, its output going to `log`.

    `script` runs instead of `python -m demisto_sdk`, with the same arguments (sdk_generate_docs.py).
    """
    program = [str(script)] if script else ["-m", "demisto_sdk"]
    completed = subprocess.run(
        [sys.executable, *program, *args],
        cwd=repo,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(completed.stdout)
    return completed.returncode
