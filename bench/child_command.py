"""The command process: what the XSOAR server runs for one command, in a fresh Python process.

`python bench/child_command.py SPEC.json`. It imports demistomock, execs CommonServerPython's source
and the integration's source (its import lines already stripped) in a fresh namespace, and main()
runs from the integration's entry idiom (namespace `builtins`), exactly as on the server. With
"mode": "measured", the code file comes without its entry idiom (removed by the runner's
`without_entry_idiom`, as its executor does for an `around_main` hook), and this script calls main()
itself after the exec, taking memory readings around it ("entry" adds nothing). Prints one JSON line:
phase times, entries, memory.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import json  # noqa: E402  (the clock starts before any import)
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402


def main() -> None:
    spec = json.loads(open(sys.argv[1], encoding="utf-8").read())
    del sys.path[0]  # bench/ is no part of the server's path
    measured = spec.get("mode") == "measured"
    memory: dict[str, Any] = {}
    phases: dict[str, float] = {}
    if measured:
        sys.path.insert(0, spec["root"])
        from bench.process_memory import current_rss_kib, peak_rss_kib, reset_peak_rss
    sys.path.insert(0, spec["runtime_dir"])
    mark = time.perf_counter()

    import demistomock as demisto

    phases["import demistomock"] = time.perf_counter() - mark
    demisto.reset(command=spec["command"], args=spec["args"], params=spec["params"])
    namespace: dict[str, Any] = {"__name__": "builtins", "demisto": demisto}

    def measure_main(main: Callable[[], None]) -> None:
        """After the exec: the RSS before, the high-water mark reset, main() timed."""
        memory["rss_before_kib"] = current_rss_kib()
        memory["peak_reset"] = reset_peak_rss()
        mark = time.perf_counter()
        try:
            main()
        finally:
            phases["main()"] = time.perf_counter() - mark
            memory["peak_after_kib"] = peak_rss_kib()

    try:
        for name, key in (("CommonServerPython", "csp_file"), ("integration", "code_file")):
            mark = time.perf_counter()
            with open(spec[key], encoding="utf-8") as source:
                code = compile(source.read(), spec[key], "exec")
            phases[f"compile {name}"] = time.perf_counter() - mark
            mark = time.perf_counter()
            exec(code, namespace)
            main_too = name == "integration" and not measured  # main() from the entry idiom
            phases[f"exec {name}" + (" + main()" if main_too else "")] = time.perf_counter() - mark
        if measured:
            measure_main(namespace["main"])
    except SystemExit:  # return_error ends with sys.exit(0)
        pass
    entries = [
        {
            "Type": entry.get("Type"),
            "File": entry.get("File"),
            "FileID": entry.get("FileID"),
            "text": str(
                entry.get("Contents") if entry.get("Type") == 4 else entry.get("HumanReadable") or ""
            )[:300],
        }
        for entry in demisto.captured_entries
        if isinstance(entry, dict)
    ]
    phases["total in process"] = time.perf_counter() - STARTED
    print(json.dumps({"phases_ms": {k: v * 1000 for k, v in phases.items()}, "entries": entries, **memory}))


main()
