"""`python -m pps_simulator`: serve the simulated PPS REST API until interrupted."""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any

from pps_simulator.model import FLAVOURS, ON_PREMISE
from pps_simulator.server import PPSSimulator, is_loopback


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m pps_simulator",
        description="A simulated Proofpoint Protection Server REST API on a loopback address.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="loopback address to listen on (default 127.0.0.1)"
    )
    parser.add_argument("--port", type=int, default=10000, help="port (default 10000, 0 for any free one)")
    parser.add_argument(
        "--db",
        default=":memory:",
        help="SQLite file holding the state, reused when it exists (default :memory:, lost on exit)",
    )
    parser.add_argument(
        "--messages", type=int, default=300, help="quarantined messages to seed (default 300)"
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated data (default 1)")
    parser.add_argument(
        "--flavour",
        choices=FLAVOURS,
        default=ON_PREMISE,
        help="reply shapes: onprem (strings, folder:table:id localguids) or cloud (PoD: integers, "
        "localguid = guid, host_ip 'host [ip]'); default onprem",
    )
    parser.add_argument("--http", action="store_true", help="plain HTTP instead of HTTPS")
    parser.add_argument(
        "--ca-out", metavar="PATH", help="write the PEM of the CA that signed the server certificate"
    )
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    args = parser.parse_args(argv)
    if not is_loopback(args.host):
        parser.error(f"--host must be a loopback address, not {args.host!r}")
    if args.http and args.ca_out:
        parser.error("--ca-out needs HTTPS: leave out --http")
    if args.messages < 0:
        parser.error("--messages must be >= 0")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    sim = PPSSimulator(
        db=args.db,
        messages=args.messages,
        seed=args.seed,
        tls=not args.http,
        port=args.port,
        host=args.host,
        verbose=not args.quiet,
        flavour=args.flavour,
    )
    try:
        sim.start()
    except OSError as error:
        sim.close()
        print(f"pps_simulator: {error}", file=sys.stderr)
        return 1
    if args.ca_out and sim.ca_file:
        shutil.copyfile(sim.ca_file, args.ca_out)
    state = "seeded" if sim.backend.seeded else "reused"
    lines = [
        f"PPS simulator listening on {sim.url}  (REST base {sim.url}/rest/v1)",
        f"  state: {args.db} ({state}; {len(sim.backend.messages())} quarantined messages,"
        f" {len(sim.backend.endusers())} end users; {sim.flavour} replies)",
    ]
    if sim.ca_file:
        lines.append(f"  CA certificate: {args.ca_out or sim.ca_file}")
    lines += [
        f"  user {name} / {user.password}  modules: {', '.join(sorted(user.modules))}"
        for name, user in sim.users.items()
    ]
    lines.append(
        f'  faults: POST/DELETE {sim.url}/_simulator/faults  (JSON, e.g. {{"path": "/quarantine", "status": 503}})'
    )
    lines.append("Press Ctrl-C to stop.")
    print("\n".join(lines), flush=True)

    stop = threading.Event()

    def request_stop(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        sim.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
