"""Debug mode (`debug-mode=true`): every HTTP exchange of a batch action reaches the log whole.

The runtime stand-in models the server's debug mode (the XSOAR runtime specification §9): http.client's
print goes through one line buffer shared by every thread and not locked, into `demisto.info`, which
lets other threads run while it writes. Requests made from several threads at once garble each
other's lines there, so the integration has to keep its requests apart in debug mode.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from pps_simulator import PPSSimulator

from .helpers import WarRoom, requests_since

BATCH_SIZE = 20
# One print() of http.client each; a line holding two of them, or only part of one, is garbled.
WHOLE_HTTP_LINE = re.compile(
    r"send: b(['\"]).*\1|reply: (['\"])HTTP/1\.[01] \d{3} .*\\r\\n\2|header: [\w-]+: .*"
)
HTTP_LINE_START = re.compile(r"(?:send|reply|header): ")


def quarantined_local_guids(sim: PPSSimulator, count: int) -> list[str]:
    """Quarantine `count` messages of our own and return their localguids."""
    local_guids = []
    for number in range(count):
        raw = (
            "From: Sender <sender@evil.example>\r\nTo: victim@example.com\r\n"
            f"Subject: Debug batch {number}\r\nMessage-ID: <debug.{number}@evil.example>\r\n\r\nBody.\r\n"
        ).encode()
        record = sim.backend.add_message(
            "Quarantine", raw, date=datetime.now(timezone.utc), rcpts=["victim@example.com"]
        )
        local_guids.append(str(record["localguid"]))
    return local_guids


def http_debug_lines(logs: list[tuple[str, str]]) -> list[str]:
    """The log lines that hold http.client's debug output (whole or not)."""
    return [text for _, text in logs if HTTP_LINE_START.search(text)]


def test_batch_release_in_debug_mode_logs_every_http_exchange_whole(
    war_room: WarRoom, sim: PPSSimulator
) -> None:
    local_guids = quarantined_local_guids(sim, BATCH_SIZE)
    start = len(sim.requests)

    result = war_room.run(
        f"!proofpoint-pps-release-message folder_name=Quarantine local_guid={','.join(local_guids)} "
        "debug-mode=true"
    )

    assert result.exit_code == 0, result.entries
    posted = [request.json["localguid"] for request in requests_since(sim, start, "POST")]
    assert sorted(posted) == sorted(local_guids)
    lines = http_debug_lines(result.logs)
    garbled = [line for line in lines if not WHOLE_HTTP_LINE.fullmatch(line)]
    assert garbled == [], f"{len(garbled)} of {len(lines)} HTTP debug lines are not whole, e.g. {garbled[:3]}"
    sends = [line for line in lines if line.startswith("send: ")]
    for local_guid in local_guids:  # each request logged once, with its body
        assert sum(local_guid in line for line in sends) == 1, local_guid
    assert sum(line.startswith("reply: ") for line in lines) == len(sim.requests) - start


def test_debug_mode_logs_nothing_garbled_for_a_single_request(war_room: WarRoom, sim: PPSSimulator) -> None:
    """The check above really reads the debug log: one request gives its send, reply and header lines."""
    result = war_room.run("!test-module debug-mode=true")

    lines = http_debug_lines(result.logs)
    assert any(line.startswith("send: b'GET /rest/v1/") for line in lines)
    assert any(line.startswith("reply: 'HTTP/1.") for line in lines)
    assert any(line.startswith("header: ") for line in lines)
    assert all(WHOLE_HTTP_LINE.fullmatch(line) for line in lines), lines
