"""Every example of the integration README runs as printed on a fresh `--simulator` and gives what is shown.

Each `!line` under a `#### Command example` is run exactly as a reader runs it,
`python -m warroom --simulator --state FRESH --json --context '<line>'`, and its War Room output and
context must be the README's. The simulator dates its messages from the day it first starts, so the
run's dates (and, with the Date headers of a downloaded message, its hashes) are first moved to the
README's reference start (generate_readme.REFERENCE_START); nothing else is adjusted. Needs neither
demisto-sdk nor a network: the runner and the simulator of this checkout.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

SDK_DIR = Path(__file__).resolve().parents[1]
if str(SDK_DIR) not in sys.path:
    sys.path.insert(0, str(SDK_DIR))

import generate_readme as gr  # noqa: E402


@dataclass(frozen=True)
class ShownExample:
    line: str
    context: dict[str, Any] | None
    readable: list[str]


def shown_examples(readme: str) -> list[ShownExample]:
    """The examples as the README prints them: the line, the context JSON, the War Room output."""
    examples = []
    pattern = re.compile(
        r"^#### Command example\n```(?P<line>![^\n]*)```\n"
        r"(?:#### Context Example\n```json\n(?P<context>.*?)\n```\n)?"
        r"\n?#### Human Readable Output\n\n(?P<readable>(?:>[^\n]*\n?)*)",
        re.MULTILINE | re.DOTALL,
    )
    for match in pattern.finditer(readme):
        context = json.loads(match["context"]) if match["context"] else None
        readable = [line[1:] for line in match["readable"].rstrip("\n").split("\n")]
        examples.append(ShownExample(match["line"], context, readable))
    return examples


README_TEXT = gr.README.read_text(encoding="utf-8")
SHOWN = shown_examples(README_TEXT)


def test_every_example_of_the_readme_is_found() -> None:
    assert len(SHOWN) == README_TEXT.count("#### Command example"), "an example is not in the expected layout"
    # Under its command, in command_examples' order per command (another spelling's under the first name).
    assert sorted(example.line for example in SHOWN) == sorted(gr.example_lines()), (
        "the README shows command_examples"
    )


def assert_gives_what_is_shown(shown: ShownExample, run: gr.SimulatorRun, workdir: Path) -> None:
    assert run.exit_code == 0, run.output[-2000:]
    example = gr.reference_example(shown.line, run, workdir)
    assert example.markdown.split("\n") == shown.readable
    assert example.context == (shown.context or {})


@pytest.mark.parametrize("shown", SHOWN, ids=[example.line.split(" ")[0] for example in SHOWN])
def test_each_example_on_a_fresh_simulator_gives_what_is_shown(shown: ShownExample, tmp_path: Path) -> None:
    run = gr.run_on_fresh_simulator(shown.line, tmp_path)
    assert_gives_what_is_shown(shown, run, tmp_path)


def test_the_examples_in_order_on_one_simulator_give_what_is_shown(tmp_path: Path) -> None:
    """A reader going down the README against one `--simulator` state: no action changes a later example."""
    for index, shown in enumerate(SHOWN):
        run = gr.run_on_fresh_simulator(shown.line, tmp_path, fresh=index == 0)
        assert_gives_what_is_shown(shown, run, tmp_path / f"step-{index}")


def test_dates_move_keeping_their_format() -> None:
    delta = timedelta(days=-1, seconds=30)
    value = {"a": ["2026-12-01 02:29:16 [UTC+0000]", "2026-12-01T23:59:59Z"], "n": 3, "id": "2026-12-01 1"}
    assert gr.shift_dates(value, delta) == {
        "a": ["2026-11-30 02:29:46 [UTC+0000]", "2026-12-01T00:00:29Z"],
        "n": 3,
        "id": "2026-12-01 1",
    }
    mail = (
        b"Received: from x; Tue, 01 Dec 2026 17:49:22\r\n +0000\r\nDate: Tue, 01 Dec 2026 17:49:22 +0000\r\n"
    )
    moved = gr.shift_mail_dates(mail, timedelta(days=1))
    assert moved == mail.replace(b"Tue, 01 Dec 2026", b"Wed, 02 Dec 2026")
