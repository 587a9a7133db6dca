"""`python -m pps_simulator`: serve the simulated PPS REST API until interrupted."""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any

from pps_simulator.arrivals import ArrivalPlan
from pps_simulator.model import DEFAULT_FOLDER, FLAVOURS, FOLDERS, ON_PREMISE
from pps_simulator.server import MAX_PORT, PPSSimulator, is_loopback

FOLDER_NAMES = tuple(name for _, name, _ in FOLDERS)


def port_number(text: str) -> int:
    """A TCP port for argparse: 0 (any free one) to 65535."""
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= MAX_PORT:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port: give 0 (any free port) to {MAX_PORT}")
    return port


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m pps_simulator",
        description="A simulated Proofpoint Protection Server REST API on a loopback address.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="loopback address to listen on (default 127.0.0.1)"
    )
    parser.add_argument(
        "--port", type=port_number, default=10000, help="port (default 10000, 0 for any free one)"
    )
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
    arrivals = parser.add_argument_group("arrivals", "quarantine new messages while serving")
    arrivals.add_argument(
        "--arrivals-rate",
        type=float,
        default=0.0,
        metavar="PER_MINUTE",
        help="new quarantined messages a minute (default 0: none)",
    )
    arrivals.add_argument(
        "--arrivals-burst",
        type=int,
        default=1,
        metavar="N",
        help="messages arriving in the same second (default 1)",
    )
    arrivals.add_argument(
        "--arrivals-folders",
        default=DEFAULT_FOLDER,
        metavar="A,B",
        help=f"folders they arrive in, in turn, comma-separated (default {DEFAULT_FOLDER}; case-sensitive)",
    )
    arrivals.add_argument(
        "--arrivals-late-every",
        type=int,
        default=0,
        metavar="N",
        help="every Nth burst also brings one message dated --arrivals-late-by seconds earlier (default 0: never)",
    )
    arrivals.add_argument(
        "--arrivals-late-by",
        type=int,
        default=120,
        metavar="SECONDS",
        help="how late a late message is (default 120)",
    )
    args = parser.parse_args(argv)
    if not is_loopback(args.host):
        parser.error(f"--host must be a loopback address, not {args.host!r}")
    if args.http and args.ca_out:
        parser.error("--ca-out needs HTTPS: leave out --http")
    if args.messages < 0:
        parser.error("--messages must be >= 0")
    args.arrivals = None
    if args.arrivals_rate:
        folders = tuple(name.strip() for name in args.arrivals_folders.split(",") if name.strip())
        unknown = [name for name in folders if name not in FOLDER_NAMES]
        if unknown:
            parser.error(
                f"--arrivals-folders: no folder {', '.join(map(repr, unknown))} "
                f"(folder names are case-sensitive: {', '.join(FOLDER_NAMES)})"
            )
        try:
            args.arrivals = ArrivalPlan(
                rate=args.arrivals_rate,
                burst=args.arrivals_burst,
                folders=folders,
                late_every=args.arrivals_late_every,
                late_by=args.arrivals_late_by,
            )
        except ValueError as error:
            parser.error(f"--arrivals-{str(error).split()[0].replace('_', '-')}: {error}")
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
        arrivals=args.arrivals,
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
        ca = args.ca_out or sim.ca_file
        lines.append(f"  CA certificate: {ca}  (trust it: REQUESTS_CA_BUNDLE={ca}, or curl --cacert {ca})")
    lines += [
        f"  user {name} / {user.password}  modules: {', '.join(sorted(user.modules))}"
        for name, user in sim.users.items()
    ]
    lines.append(
        f'  faults: POST/DELETE {sim.url}/_simulator/faults  (JSON, e.g. {{"path": "/quarantine", "status": 503}})'
    )
    if args.arrivals is not None:
        plan = args.arrivals
        lines.append(
            f"  arrivals: {plan.rate:g} a minute, {plan.burst} per second-burst, into {', '.join(plan.folders)}"
            + (f"; every {plan.late_every}th burst one {plan.late_by} s late" if plan.late_every else "")
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
