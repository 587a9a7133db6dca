"""List what `demisto-sdk secrets` finds, one finding a line, with the SDK's own scanner.

    python sdk/sdk_secrets_findings.py PREV_VER    # in the content layout, with demisto-sdk installed

`demisto-sdk secrets` prints its findings through its logger, which reads `<...>` as a colour tag:
a finding such as a Message-ID in angle brackets (`<id@host>`) makes it crash with a traceback
instead of listing them. This script runs the same scanner on the same files (every text file the
branch changes against origin/PREV_VER, as `secrets --post-commit --prev-ver PREV_VER` does) and
prints `path:line: finding` lines itself, so run_sdk_checks.py can say exactly what was found.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.exit(__doc__)
    from demisto_sdk.commands.secrets.secrets import SecretsValidator

    validator = SecretsValidator(
        is_circle=True, white_list_path="./Tests/secrets_white_list.json", prev_ver=argv[0]
    )
    files = validator.get_all_diff_text_files(validator.get_current_commit(), is_circle=True)
    found = validator.search_potential_secrets(sorted(files), ignore_entropy=False)
    for path in sorted(found):
        for line in sorted(found[path]):
            for finding in found[path][line]:
                print(f"FINDING {path}:{line}: {finding}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
