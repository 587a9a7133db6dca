"""Fixtures for the runtime stand-in's tests: a fresh `demisto` per test, a clean environment, a local server."""

import http.client
import http.server
import logging
import ssl
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import CommonServerPython
import demistomock
import pytest

RUNTIME_DIR = Path(__file__).resolve().parent.parent
CSP_SOURCE = (RUNTIME_DIR / "CommonServerPython.py").read_text(encoding="utf-8")

ENV_VARS_TOUCHED_BY_CLIENTS = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "http_proxy",
    "https_proxy",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "REQUESTS_TIMEOUT",
    "REQUESTS_TIMEOUT.Proofpoint PPS REST",
    "COMMON_SERVER_NO_AUTO_PARAMS_REMOVE_NULLS",
)


@pytest.fixture(autouse=True)
def fresh_runtime(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """A new run for every test; the environment variables BaseClient deletes come back afterwards."""
    for name in ENV_VARS_TOUCHED_BY_CLIENTS:
        monkeypatch.delenv(name, raising=False)
    demistomock.reset()
    monkeypatch.setattr(CommonServerPython, "LOG", CommonServerPython.IntegrationLogger())
    debuglevel = http.client.HTTPConnection.debuglevel
    root_logger = logging.getLogger()
    root_level, root_handlers = root_logger.level, list(root_logger.handlers)
    yield demistomock
    http.client.HTTPConnection.debuglevel = debuglevel
    root_logger.setLevel(root_level)
    root_logger.handlers[:] = root_handlers
    if hasattr(http.client, "print"):
        del http.client.print
    demistomock.reset()


RuntimeLoader = Callable[..., dict[str, Any]]


@pytest.fixture
def load_runtime() -> RuntimeLoader:
    """Loads CSP as the server does: its source exec'd in a fresh namespace that already holds `demisto`."""

    def load(
        command: str = "",
        args: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        is_debug: bool = False,
    ) -> dict[str, Any]:
        demistomock.reset(command=command, args=args, params=params, is_debug=is_debug)
        namespace: dict[str, Any] = {"__name__": "builtins", "demisto": demistomock}
        exec(compile(CSP_SOURCE, "CommonServerPython.py", "exec"), namespace)
        return namespace

    return load


class ScriptedHandler(http.server.BaseHTTPRequestHandler):
    """Answers every request with the next (status, body[, headers]) of the server's script; repeats the last."""

    server: "LocalServer"

    def _answer(self) -> None:
        self.server.paths.append(self.path)
        self.server.request_headers.append(dict(self.headers))
        index = min(len(self.server.paths), len(self.server.script)) - 1
        status, body, *extra = self.server.script[index]
        payload = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        for name, value in (extra[0] if extra else {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


class LocalServer(http.server.ThreadingHTTPServer):
    def __init__(self, script: list[tuple[Any, ...]], tls_context: ssl.SSLContext | None = None) -> None:
        super().__init__(("127.0.0.1", 0), ScriptedHandler)
        self.script = script
        self.paths: list[str] = []
        self.request_headers: list[dict[str, str]] = []
        if tls_context:
            self.socket = tls_context.wrap_socket(self.socket, server_side=True)
        scheme = "https" if tls_context else "http"
        self.url = f"{scheme}://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def serve() -> Iterator[Callable[..., LocalServer]]:
    """Starts local HTTP(S) servers that follow a script of replies; stops them after the test."""
    servers: list[LocalServer] = []

    def start(script: list[tuple[Any, ...]], tls_context: ssl.SSLContext | None = None) -> LocalServer:
        server = LocalServer(script, tls_context)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def tls_material(tmp_path: Path) -> tuple[ssl.SSLContext, str]:
    """A server TLS context for 127.0.0.1 and the path of the CA file that verifies it."""
    trustme = pytest.importorskip("trustme")
    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    ca_file = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    return context, str(ca_file)
