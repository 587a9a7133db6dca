"""PPSSimulator: the backend and the HTTP layer served over HTTPS (or HTTP) on a loopback port."""

from __future__ import annotations

import ipaddress
import os
import shutil
import ssl
import tempfile
import threading
import weakref
from types import TracebackType
from typing import Any

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

from pps_simulator.app import PPSApplication
from pps_simulator.arrivals import ArrivalClock, ArrivalPlan, Arrivals
from pps_simulator.backend import PPSBackend
from pps_simulator.faults import FaultRegistry
from pps_simulator.model import ON_PREMISE
from pps_simulator.requestlog import RecordedRequest, RequestLog
from pps_simulator.users import DEFAULT_USERS, User

LOOPBACK_NAMES = ("localhost",)
MAX_PORT = 65535


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class SimulatorRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler, with the TLS handshake done in the request's own thread and quiet logs."""

    protocol_version = "HTTP/1.1"
    timeout = 60  # seconds a stalled client may hold its thread

    def handle(self) -> None:
        connection = self.connection
        if isinstance(connection, ssl.SSLSocket):
            try:
                connection.do_handshake()
            except (ssl.SSLError, OSError):
                return  # e.g. a client that does not trust our CA: nothing to answer
        super().handle()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if getattr(self.server, "verbose", False):
            super().log_request(code, size)


class SimulatorServer(ThreadedWSGIServer):
    """A thread per connection; the listening socket does no TLS handshake, so one slow client blocks none."""

    def __init__(
        self, host: str, port: int, app: PPSApplication, ssl_context: ssl.SSLContext | None, verbose: bool
    ) -> None:
        super().__init__(host, port, app, handler=SimulatorRequestHandler)
        self.verbose = verbose
        if ssl_context is not None:
            self.socket = ssl_context.wrap_socket(
                self.socket, server_side=True, do_handshake_on_connect=False
            )
            self.ssl_context = ssl_context


class PPSSimulator:
    """A simulated Proofpoint Protection Server.

    `with PPSSimulator(db=':memory:', messages=300, seed=1, tls=True, port=0) as sim:` serves
    `sim.url` (no `/rest/v1`) until the block ends. `sim.ca_file` is the PEM of the CA that signed the
    server certificate (None with `tls=False`), `sim.backend` the state, `sim.requests` every API
    request received, `sim.faults` the faults in force. `flavour='cloud'` answers in the PoD shapes.
    `arrivals=ArrivalPlan(rate=6, burst=3, folders=("Quarantine", "Spam"))` quarantines new messages on
    the real clock while serving (`sim.arrivals` is that schedule once started).
    """

    def __init__(
        self,
        db: str | os.PathLike[str] = ":memory:",
        messages: int = 300,
        seed: int = 1,
        tls: bool = True,
        port: int = 0,
        host: str = "127.0.0.1",
        *,
        users: dict[str, User] | None = None,
        verbose: bool = False,
        now: Any = None,
        flavour: str = ON_PREMISE,
        arrivals: ArrivalPlan | None = None,
    ) -> None:
        if not is_loopback(host):
            raise ValueError(f"the simulator listens on loopback addresses only, not {host!r}")
        if not isinstance(port, int) or isinstance(port, bool) or not 0 <= port <= MAX_PORT:
            raise ValueError(f"port must be 0 (any free port) to {MAX_PORT}, not {port!r}")
        self.host = host
        self.tls = tls
        self.verbose = verbose
        self.users = dict(users if users is not None else DEFAULT_USERS)
        self.backend = PPSBackend(db, messages=messages, seed=seed, now=now, flavour=flavour)
        self.faults = FaultRegistry()
        self.requests = RequestLog()
        self._stopping = threading.Event()
        self.app = PPSApplication(self.backend, self.faults, self.requests, self.users, self._stopping)
        self.arrival_plan = arrivals
        self.arrivals: Arrivals | None = None  # made at the first start(), then kept across restarts
        self._arrival_clock: ArrivalClock | None = None
        self._requested_port = port
        self._server: SimulatorServer | None = None
        self._thread: threading.Thread | None = None
        self._workdir: str | None = None
        self._ssl_context: ssl.SSLContext | None = None
        self.ca_file: str | None = None

    # ---- lifecycle ------------------------------------------------------------------------------------
    def start(self) -> PPSSimulator:
        if self._server is not None:
            return self
        if self.tls and self._ssl_context is None:
            self._make_certificates()
        self._stopping.clear()
        try:
            server = SimulatorServer(
                self.host, self._requested_port, self.app, self._ssl_context, self.verbose
            )
        except SystemExit:  # werkzeug exits when the port is taken; in a process of tests, raise instead
            raise OSError(f"cannot listen on {self.host}:{self._requested_port}") from None
        self._server = server
        if self.arrival_plan is not None:
            if self.arrivals is None:
                self.arrivals = Arrivals(self.backend, self.arrival_plan)
            self._arrival_clock = ArrivalClock(self.arrivals).start()
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="pps-simulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; the backend stays open, so `start()` may serve it again."""
        server, thread = self._server, self._thread
        if server is None:
            return
        if self._arrival_clock is not None:
            self._arrival_clock.stop()
            self._arrival_clock = None
        self._stopping.set()  # cuts short the latency of faults in flight
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=10)
        self._server = self._thread = None

    def close(self) -> None:
        """Stop serving, close the database and remove the certificate files."""
        self.stop()
        self.backend.close()
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None
            self.ca_file = None
            self._ssl_context = None

    def __enter__(self) -> PPSSimulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _make_certificates(self) -> None:
        import trustme

        ca = trustme.CA(organization_name="PPS Simulator", organization_unit_name="Test CA")
        names = ["127.0.0.1", "localhost", "::1"]
        if self.host not in names:
            names.append(self.host)
        server_cert = ca.issue_cert(*names)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        server_cert.configure_cert(context)
        self._workdir = tempfile.mkdtemp(prefix="pps-simulator-")
        weakref.finalize(self, shutil.rmtree, self._workdir, True)  # also when close() is never called
        self.ca_file = os.path.join(self._workdir, "ca.pem")
        ca.cert_pem.write_to_path(self.ca_file)
        self._ssl_context = context

    # ---- what callers read ----------------------------------------------------------------------------
    @property
    def flavour(self) -> str:
        """`onprem` or `cloud`: the shapes the quarantine replies take."""
        return self.backend.flavour

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the simulator is not running: call start() first")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """`https://127.0.0.1:<port>` (or http), without `/rest/v1`."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}"

    def count(self, method: str | None = None, path: str | None = None) -> int:
        """How many requests with this method (None: any) reached this path, given with or without /rest/v1."""
        return self.requests.count(method, path)

    def last_request(self, method: str | None = None, path: str | None = None) -> RecordedRequest | None:
        found = self.requests.filter(method, path)
        return found[-1] if found else None
