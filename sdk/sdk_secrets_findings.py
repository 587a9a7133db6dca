"""List what `demisto-sdk secrets` finds, one finding a line, with the SDK's own scanner.

    python sdk/sdk_secrets_findings.py PREV_VER              # in the content layout, with demisto-sdk
    python sdk/sdk_secrets_findings.py PREV_VER --unneeded   # also: the .secrets-ignore lines nothing needs

`demisto-sdk secrets` prints its findings through its logger, which reads `<...>` as a colour tag:
a finding such as a Message-ID in angle brackets (`<id@host>`) makes it crash with a traceback
instead of listing them. This script runs the same scanner on the same files (every text file the
branch changes against origin/PREV_VER, as `secrets --post-commit --prev-ver PREV_VER` does) and
prints `FINDING path:line: finding` lines itself, so run_sdk_checks.py can say exactly what was
found. With --unneeded it scans again without each line of the packs' .secrets-ignore files and
prints `UNNEEDED pack: line` for each line whose absence finds nothing more.
"""

from __future__ import annotations

import sys
from typing import Any


def main(argv: list[str]) -> int:
    if len(argv) not in (1, 2) or (len(argv) == 2 and argv[1] != "--unneeded"):
        sys.exit(__doc__)
    from demisto_sdk.commands.secrets.secrets import SecretsValidator

    validator = SecretsValidator(
        is_circle=True, white_list_path="./Tests/secrets_white_list.json", prev_ver=argv[0]
    )
    files = sorted(validator.get_all_diff_text_files(validator.get_current_commit(), is_circle=True))

    def scan() -> set[str]:
        found = validator.search_potential_secrets(files, ignore_entropy=False)
        return {
            f"{path}:{line}: {item}" for path in found for line in found[path] for item in found[path][line]
        }

    findings = scan()
    for finding in sorted(findings):
        print(f"FINDING {finding}")
    if len(argv) == 2:
        read_pack_list = SecretsValidator.get_packs_white_list
        packs = sorted({path.split("/")[1] for path in files if path.startswith("Packs/")})
        for pack in packs:
            entries, _, _ = read_pack_list(f"Packs/{pack}/.secrets-ignore", pack)
            for left_out in [entry for entry in entries if entry]:

                def without(path: str, pack_name: Any = None, _left_out: str = left_out) -> Any:
                    white, iocs, listed_files = read_pack_list(path, pack_name)
                    return [entry for entry in white if entry != _left_out], iocs, listed_files

                SecretsValidator.get_packs_white_list = staticmethod(without)  # type: ignore[method-assign]
                try:
                    if scan() <= findings:
                        print(f"UNNEEDED {pack}: {left_out}")
                finally:
                    SecretsValidator.get_packs_white_list = staticmethod(read_pack_list)  # type: ignore[method-assign]
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
