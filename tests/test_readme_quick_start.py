"""The pack README's two set-up commands: the first runs as printed against a fresh simulator, the second
is the test command `.ci/run` runs."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
CI_RUN = (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def quick_start_commands() -> list[str]:
    """The lines of the bash block under the README's 'Quick start' heading."""
    section = README.split("## Quick start", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.DOTALL)
    assert block, "the Quick start section has no bash block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_the_readme_gives_exactly_two_set_up_commands() -> None:
    install_and_run, install_and_test = quick_start_commands()
    assert install_and_run.startswith(
        "python3 -m pip install -r requirements.txt && python3 -m warroom --simulator "
    )
    assert install_and_test == "python3 -m pip install tox && python3 -m tox"


def test_ci_runs_the_readme_test_command() -> None:
    _, install_and_test = quick_start_commands()
    install, test = install_and_test.split(" && ")
    assert re.search(
        rf"^{re.escape(install.replace('pip install', 'pip install --quiet --disable-pip-version-check'))}$",
        CI_RUN,
        re.M,
    )
    assert re.search(rf"^{re.escape(test)}$", CI_RUN, re.M)


def test_the_first_command_runs_as_printed_on_a_fresh_simulator(tmp_path: Path) -> None:
    install_and_run, _ = quick_start_commands()
    runner_words = shlex.split(install_and_run.split(" && ", 1)[1])
    assert runner_words[:3] == ["python3", "-m", "warroom"]
    # Only where the simulator keeps its state differs from the printed line: a fresh one, not the reader's.
    words = [
        sys.executable,
        "-m",
        "warroom",
        "--state",
        str(tmp_path / "simulator.sqlite"),
        *runner_words[3:],
    ]
    completed = subprocess.run(
        words, cwd=ROOT, capture_output=True, text=True, timeout=120, env={"COLUMNS": "120", "PATH": ""}
    )
    assert completed.returncode == 0, completed.stderr
    assert "Proofpoint Protection Server Smart Search Results" in completed.stdout
    assert re.search(r"simguid[0-9]{25}", completed.stdout), "no message GUID in the table"
