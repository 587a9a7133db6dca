"""BaseClient: the request it sends, the environment it changes, and the errors users see."""

import os
import ssl
from collections.abc import Callable
from typing import Any

import demistomock as demisto
import pytest
import requests
from CommonServerPython import (
    HTTPS_ADAPTER_VARIABLE,
    BaseClient,
    LegacyCipherAdapter,
    SSLAdapter,
)
from requests_mock import Mocker

BASE_URL = "https://pps.example.com:10000/rest/v1"
Serve = Callable[..., Any]


def sent_request(mock: Mocker) -> Any:
    """The last request the mock received (mypy: never None after a call)."""
    assert mock.last_request is not None
    return mock.last_request


def get(client: BaseClient, path: str) -> Any:
    """A GET through the client's session, made the way the integration makes its requests."""
    url = client._base_url.rstrip("/") + "/" + path
    response = client._session.request(
        "GET", url, auth=client._auth, verify=client._verify, timeout=client.timeout
    )
    return response.json()


def make_client(**kwargs: Any) -> BaseClient:
    return BaseClient(BASE_URL, **kwargs)


# ----- the request sent -----


def test_each_client_has_its_own_session(serve: Serve) -> None:
    server = serve([(200, "{}", {"Set-Cookie": "sid=abc; Path=/"}), (200, "{}")])
    first, second = BaseClient(server.url), BaseClient(server.url)

    get(first, "login")
    get(first, "next")
    get(second, "next")

    assert [headers.get("Cookie") for headers in server.request_headers] == [None, "sid=abc", None]


# ----- the timeout -----


def test_timeout_from_brand_variable_then_general_variable_then_argument(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert make_client(timeout=30).timeout == 30.0
    monkeypatch.setenv("REQUESTS_TIMEOUT", "5")
    assert make_client(timeout=30).timeout == 5.0
    monkeypatch.setenv("REQUESTS_TIMEOUT.Proofpoint PPS REST", "7")
    assert make_client(timeout=30).timeout == 7.0


def test_client_needs_the_calling_context() -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.delattr(demisto, "callingContext")
        with pytest.raises(AttributeError):
            make_client()


# ----- proxy and certificate environment -----


def test_proxy_on_prefixes_scheme_less_proxy_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "proxy.local:3128")
    monkeypatch.setenv("http_proxy", "http://already.local:80")
    make_client(proxy=True)
    assert os.environ["HTTPS_PROXY"] == "http://proxy.local:3128"
    assert os.environ["http_proxy"] == "http://already.local:80"


def test_proxy_off_deletes_proxy_variables_process_wide(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, "proxy.local:3128")
    make_client(proxy=False)
    assert not {"HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"} & set(os.environ)


@pytest.mark.parametrize(
    ("behaviour", "adapter_class"),
    [("2022", LegacyCipherAdapter), ("newer", SSLAdapter), ("", LegacyCipherAdapter)],
)
def test_verify_off_deletes_ca_bundles_and_mounts_the_chosen_runtimes_adapter(
    monkeypatch: pytest.MonkeyPatch, behaviour: str, adapter_class: type
) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/ca.pem")
    monkeypatch.setenv("CURL_CA_BUNDLE", "/ca.pem")
    monkeypatch.setenv(HTTPS_ADAPTER_VARIABLE, behaviour)
    client = make_client(verify=False)
    assert "REQUESTS_CA_BUNDLE" not in os.environ and "CURL_CA_BUNDLE" not in os.environ
    assert type(client._session.get_adapter("https://pps.example.com")) is adapter_class


def test_the_2022_adapter_keeps_hostname_checking_and_the_newer_one_allows_legacy_renegotiation() -> None:
    legacy_context = LegacyCipherAdapter().poolmanager.connection_pool_kw["ssl_context"]
    newer_context = SSLAdapter(verify=False).poolmanager.connection_pool_kw["ssl_context"]

    assert legacy_context.check_hostname is True
    assert newer_context.check_hostname is False
    assert newer_context.options & 0x4  # ssl.OP_LEGACY_SERVER_CONNECT from Python 3.12
    assert SSLAdapter(verify=True).poolmanager.connection_pool_kw["ssl_context"].check_hostname is True


def test_an_unknown_adapter_behaviour_is_refused_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(HTTPS_ADAPTER_VARIABLE, "2019")
    with pytest.raises(ValueError, match=r"XSOAR_RUNTIME_HTTPS_ADAPTER='2019' .* use '2022' or 'newer'"):
        make_client(verify=False)


def test_verify_on_keeps_ca_bundles(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/ca.pem")
    make_client(verify=True)
    assert os.environ["REQUESTS_CA_BUNDLE"] == "/ca.pem"


# ----- status check -----


# ----- reply types -----


# ----- transport errors -----


# ----- against real local servers: TLS and retries -----


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_untrusted_certificate_with_verify_on_and_off(
    serve: Serve, tls_material: tuple[ssl.SSLContext, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(HTTPS_ADAPTER_VARIABLE, "newer")
    context, ca_file = tls_material
    server = serve([(200, '{"ok": true}')], context)

    with pytest.raises(requests.exceptions.SSLError, match="CERTIFICATE_VERIFY_FAILED"):
        get(BaseClient(server.url), "q")

    assert get(BaseClient(server.url, verify=False), "q") == {"ok": True}
    assert get(BaseClient(server.url, verify=ca_file), "q") == {"ok": True}


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_the_2022_adapter_fails_verify_off_before_sending_as_the_server_does(
    serve: Serve, tls_material: tuple[ssl.SSLContext, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(HTTPS_ADAPTER_VARIABLE, "2022")
    context, _ = tls_material
    server = serve([(200, '{"ok": true}')], context)

    refusal = r"^Cannot set verify_mode to CERT_NONE when check_hostname is enabled\.$"
    with pytest.raises(ValueError, match=refusal):
        get(BaseClient(server.url, verify=False), "q")
    assert server.paths == []
    assert requests.get(server.url + "/q", verify=False, timeout=5).json() == {"ok": True}


def http_debug_lines(captured_logs: list[tuple[str, str]]) -> list[str]:
    return [
        text
        for level, text in captured_logs
        if level == "info" and text.startswith(("send:", "reply:", "header:"))
    ]


def test_debug_mode_logs_http_traffic_through_demisto_info_without_the_authorization_header(
    serve: Serve, load_runtime: Callable[..., dict[str, Any]]
) -> None:
    server = serve([(200, "{}")])
    runtime = load_runtime(is_debug=True)
    client = runtime["BaseClient"](server.url, auth=("admin", "s3cret"))

    get(client, "quarantine")

    traffic = http_debug_lines(demisto.captured_logs)
    assert traffic[0].startswith("send: b'GET /quarantine HTTP/1.1")
    assert "Authorization: Basic <XX_REPLACED>" in traffic[0]
    assert requests.auth._basic_auth_str("admin", "s3cret").split()[1] not in "\n".join(traffic)
    assert "reply: 'HTTP/1.0 200 OK\\r\\n'" in traffic
    assert "header: Content-Type: application/json" in traffic


def test_debug_mode_is_turned_on_by_the_debug_mode_argument(
    serve: Serve, load_runtime: Callable[..., dict[str, Any]]
) -> None:
    server = serve([(200, "{}")])
    runtime = load_runtime(args={"debug-mode": "true"})
    get(runtime["BaseClient"](server.url), "q")

    assert demisto.is_debug is True
    assert http_debug_lines(demisto.captured_logs)[0].startswith("send: b'GET /q HTTP/1.1")


def test_debug_mode_sends_root_logger_records_to_demisto_once(
    serve: Serve, load_runtime: Callable[..., dict[str, Any]]
) -> None:
    server = serve([(200, "{}")])
    runtime = load_runtime(is_debug=True)
    get(runtime["BaseClient"](server.url), "q")
    demisto.info("from the integration")

    assert any(
        level == "debug" and "Starting new HTTP connection" in text for level, text in demisto.captured_logs
    )
    assert demisto.captured_logs.count(("info", "from the integration")) == 1


def test_the_debug_line_buffer_is_shared_by_threads_and_not_locked(
    load_runtime: Callable[..., dict[str, Any]],
) -> None:
    """A line one thread has begun and another thread's line end up in one log line, as on the server.
    The threads run one after the other, so the outcome does not depend on scheduling."""
    import threading

    runtime = load_runtime(is_debug=True)
    printer = runtime["HTTPDebugPrinter"](runtime["LOG"])

    def run_in_thread(action: Callable[[], Any]) -> None:
        thread = threading.Thread(target=action)
        thread.start()
        thread.join()

    run_in_thread(lambda: printer.print("send:", "b'GET /a", end=""))  # a line begun, not ended
    run_in_thread(lambda: printer.print("header:", "b-1:", "value"))

    lines = [text for level, text in demisto.captured_logs if level == "info"]
    assert lines == ["send: b'GET /aheader: b-1: value"]
