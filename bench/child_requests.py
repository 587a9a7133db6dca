"""The baseline process: only requests, making the same HTTP request as the command process.

`python bench/child_requests.py SPEC.json`. "mode": "get" fetches the reply and parses its JSON;
"mode": "download" streams the reply to a file with iter_content, between memory readings.
Prints one JSON line.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import json  # noqa: E402  (the clock starts before any import)
import sys  # noqa: E402
from typing import Any  # noqa: E402


def main() -> None:
    spec = json.loads(open(sys.argv[1], encoding="utf-8").read())
    del sys.path[0]
    phases: dict[str, float] = {}
    mark = time.perf_counter()

    import requests

    phases["import requests"] = time.perf_counter() - mark
    request: dict[str, Any] = {
        "params": spec["params"],
        "auth": tuple(spec["auth"]),
        "headers": spec.get("headers"),
        "timeout": spec.get("timeout", 60),
    }
    report: dict[str, Any] = {}
    if spec["mode"] == "get":
        mark = time.perf_counter()
        reply = requests.get(spec["url"], **request)
        reply.raise_for_status()
        report["records"] = len(reply.json().get("result") or [])
        phases["GET + JSON"] = time.perf_counter() - mark
    else:
        sys.path.insert(0, spec["root"])
        from bench.process_memory import current_rss_kib, peak_rss_kib, reset_peak_rss

        report["rss_before_kib"] = current_rss_kib()
        report["peak_reset"] = reset_peak_rss()
        mark = time.perf_counter()
        written = 0
        with requests.get(spec["url"], stream=True, **request) as reply:
            reply.raise_for_status()
            with open(spec["destination"], "wb") as file:
                for chunk in reply.iter_content(spec["chunk_bytes"]):
                    written += len(chunk)
                    file.write(chunk)
        phases["download"] = time.perf_counter() - mark
        report["peak_after_kib"] = peak_rss_kib()
        report["written"] = written
    phases["total in process"] = time.perf_counter() - STARTED
    print(json.dumps({"phases_ms": {k: v * 1000 for k, v in phases.items()}, **report}))


main()
