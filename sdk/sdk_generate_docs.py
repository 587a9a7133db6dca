"""`demisto-sdk generate-docs -e FILE` offline: the example outputs come from a JSON file, not a live XSOAR.

    python sdk/sdk_generate_docs.py EXAMPLES.json generate-docs -i X.yml -o DIR -e command_examples ...

generate-docs runs each line of the examples file on an XSOAR server (`common.execute_command`,
through demisto-py) and writes what came back under the command. This script replaces that one
function, the only place where generate-docs talks to a server, with a look-up in EXAMPLES.json
({line: {"command", "markdown", "context"}}, written by generate_readme.py from War Room runner
runs against the PPS simulator); everything else, the README's layout and text included, is the
SDK's own code. Run it in the content layout, with the Python where demisto-sdk is installed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def main(argv: list[str]) -> None:
    if len(argv) < 2:
        sys.exit(__doc__)
    examples: dict[str, dict[str, Any]] = json.loads(Path(argv[0]).read_text(encoding="utf-8"))

    from demisto_sdk.commands.generate_docs import common

    def execute_command(command_example: str, insecure: bool) -> tuple[str, str, dict[str, Any], list[str]]:
        """What `common.execute_command` returns: (command name, markdown, context, errors)."""
        example = examples.get(command_example)
        if example is None:
            return "", "", {}, [f"No recorded output for the example {command_example!r}"]
        return example["command"], example["markdown"], example["context"], []

    common.execute_command = execute_command
    # demisto_sdk.__main__ registers only the command named in sys.argv when it is imported.
    sys.argv = ["demisto-sdk", *argv[1:]]
    from demisto_sdk.__main__ import app

    app()


if __name__ == "__main__":
    main(sys.argv[1:])
