"""The PPS simulator as a server in its own process, for the benchmarks.

`python -m bench.simulator_process --messages N [--large-message-bytes B] [--http]` seeds N quarantined
messages (plus half as many trace-only records), optionally quarantines one message of B bytes, listens
on a free loopback port, prints one JSON line (url, ca_file, large_guid, folder sizes, the end users'
addresses) and serves until its standard input closes, so it never outlives the benchmark that started it.
"""

from __future__ import annotations

import argparse
import base64
import collections
import json
import random
import sys

from pps_simulator import PPSSimulator

LARGE_MESSAGE_FOLDER = "Quarantine"


def large_message(size: int, seed: int = 7) -> bytes:
    """An RFC 822 message of exactly `size` bytes: a base64 attachment of pseudo-random bytes."""
    head = (
        b"From: Sender <sender@example.com>\r\n"
        b"To: Recipient <recipient@example.org>\r\n"
        b"Subject: Large quarantined message (benchmark)\r\n"
        b"Date: Mon, 02 Jan 2023 10:00:00 +0000\r\n"
        b"Message-ID: <large-benchmark-message@example.com>\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: application/octet-stream; name="payload.bin"\r\n'
        b"Content-Transfer-Encoding: base64\r\n"
        b'Content-Disposition: attachment; filename="payload.bin"\r\n'
        b"\r\n"
    )
    body_size = max(0, size - len(head))
    payload = random.Random(seed).randbytes(body_size * 3 // 4 + 3)
    encoded = base64.encodebytes(payload).replace(b"\n", b"\r\n")[:body_size]
    return (head + encoded).ljust(size, b"A")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.simulator_process")
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--large-message-bytes", type=int, default=0)
    parser.add_argument("--http", action="store_true")
    args = parser.parse_args()

    sim = PPSSimulator(db=":memory:", messages=args.messages, seed=args.seed, tls=not args.http, port=0)
    large_guid = None
    if args.large_message_bytes:
        large_guid = sim.backend.add_message(LARGE_MESSAGE_FOLDER, large_message(args.large_message_bytes))[
            "guid"
        ]
    sim.start()
    try:
        folders = collections.Counter(message["folder"] for message in sim.backend.messages())
        info = {
            "url": sim.url,
            "ca_file": sim.ca_file,
            "large_guid": large_guid,
            "large_folder": LARGE_MESSAGE_FOLDER,
            "folders": dict(folders),
            "trace_records": len(sim.backend.trace()),
            "endusers": [user["email"] for user in sim.backend.endusers()],
        }
        print(json.dumps(info), flush=True)
        sys.stdin.read()  # serve until the benchmark closes our stdin (or exits)
    finally:
        sim.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
