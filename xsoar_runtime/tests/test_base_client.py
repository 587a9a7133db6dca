"""BaseClient: the request it sends, the environment it changes, and the errors users see."""

import os
import re
import socket
import ssl
from collections.abc import Callable
from typing import Any

import demistomock as demisto
import pytest
import requests
from CommonServerPython import (
    HTTPS_ADAPTER_VARIABLE,
    BaseClient,
    DemistoException,
    LegacyCipherAdapter,
    SSLAdapter,
)
from requests_mock import Mocker
from urllib3.exceptions import MaxRetryError, ResponseError

BASE_URL = "https://pps.example.com:10000/rest/v1"
CONNECTION_ERROR_TEXT = (
    "Verify that the server URL parameter is correct and that you have access to the server from your host.\n"
    "Error Type: <requests.exceptions.ConnectionError>\nError Number: [None]\nMessage: None\n"
)
Serve = Callable[..., Any]


def sent_request(mock: Mocker) -> Any:
    """The last request the mock received (mypy: never None after a call)."""
    assert mock.last_request is not None
    return mock.last_request


def make_client(**kwargs: Any) -> BaseClient:
    return BaseClient(BASE_URL, **kwargs)


# ----- the request sent -----


def test_request_url_params_verify_and_timeout(requests_mock: Mocker) -> None:
    requests_mock.get(f"{BASE_URL}/pss/filter", json={"records": []})
    client = make_client(headers={"Accept": "application/json"}, auth=("admin", "pw"))

    reply = client._http_request("GET", "/pss/filter", params={"a": 1, "b": None, "c": [1, 2]})

    sent = sent_request(requests_mock)
    assert reply == {"records": []}
    assert sent.url == f"{BASE_URL}/pss/filter?a=1&c=1&c=2"
    assert sent.verify is True
    assert sent.timeout == 60.0
    assert sent.headers["Accept"] == "application/json"
    assert sent.headers["Authorization"].startswith("Basic ")


def test_full_url_replaces_base_url(requests_mock: Mocker) -> None:
    requests_mock.get("https://other.example.com/x", text="ok")
    assert (
        make_client()._http_request(
            "GET", "ignored", full_url="https://other.example.com/x", resp_type="text"
        )
        == "ok"
    )


def test_per_call_headers_and_auth_replace_the_clients(requests_mock: Mocker) -> None:
    requests_mock.post(f"{BASE_URL}/q", json={})
    client = make_client(headers={"X-Client": "1"}, auth=("admin", "pw"))

    client._http_request("POST", "q", headers={"X-Call": "2"}, auth=("other", "pw2"))

    sent = sent_request(requests_mock)
    assert "X-Client" not in sent.headers
    assert sent.headers["X-Call"] == "2"
    assert sent.headers["Authorization"] == requests.auth._basic_auth_str("other", "pw2")


def test_json_body_keeps_null_and_form_data_drops_none(requests_mock: Mocker) -> None:
    requests_mock.post(f"{BASE_URL}/q", json={})
    client = make_client()

    client._http_request("POST", "q", json_data={"a": 1, "b": None})
    assert sent_request(requests_mock).json() == {"a": 1, "b": None}

    client._http_request("POST", "q", data={"a": 1, "b": None})
    assert sent_request(requests_mock).text == "a=1"


def test_each_client_has_its_own_session(serve: Serve) -> None:
    server = serve([(200, "{}", {"Set-Cookie": "sid=abc; Path=/"}), (200, "{}")])
    first, second = BaseClient(server.url), BaseClient(server.url)

    first._http_request("GET", "login")
    first._http_request("GET", "next")
    second._http_request("GET", "next")

    assert [headers.get("Cookie") for headers in server.request_headers] == [None, "sid=abc", None]


def test_extra_kwargs_reach_the_session(requests_mock: Mocker) -> None:
    requests_mock.get(f"{BASE_URL}/old", status_code=302, headers={"Location": f"{BASE_URL}/new"})
    reply = make_client(ok_codes=(302,))._http_request(
        "GET", "old", allow_redirects=False, resp_type="response"
    )
    assert reply.status_code == 302


# ----- the timeout -----


def test_timeout_from_brand_variable_then_general_variable_then_argument(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert make_client(timeout=30).timeout == 30.0
    monkeypatch.setenv("REQUESTS_TIMEOUT", "5")
    assert make_client(timeout=30).timeout == 5.0
    monkeypatch.setenv("REQUESTS_TIMEOUT.Proofpoint PPS REST", "7")
    assert make_client(timeout=30).timeout == 7.0


def test_call_timeout_overrides_the_clients(requests_mock: Mocker) -> None:
    requests_mock.get(f"{BASE_URL}/q", json={})
    client = make_client(timeout=30)
    client._http_request("GET", "q", timeout=3)
    assert sent_request(requests_mock).timeout == 3
    client._http_request("GET", "q", timeout=0)
    assert sent_request(requests_mock).timeout == 30.0


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
    ("behaviour", "adapter_class"), [("2022", LegacyCipherAdapter), ("newer", SSLAdapter), ("", SSLAdapter)]
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


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (
            {"status_code": 404, "reason": "Not Found", "json": {"error": "not here"}},
            'Error in API call [404] - Not Found\n{"error": "not here"}',
        ),
        (
            {"status_code": 500, "reason": "Internal Server Error", "text": "internal oops"},
            "Error in API call [500] - Internal Server Error\ninternal oops",
        ),
    ],
)
def test_status_errors(requests_mock: Mocker, reply: dict[str, Any], message: str) -> None:
    requests_mock.get(f"{BASE_URL}/q", **reply)
    with pytest.raises(DemistoException) as raised:
        make_client()._http_request("GET", "q")
    assert str(raised.value) == message
    assert raised.value.res is not None and raised.value.res.status_code == reply["status_code"]


def test_empty_body_error_and_ok_codes(requests_mock: Mocker) -> None:
    requests_mock.delete(f"{BASE_URL}/q", status_code=204, reason="No Content")
    with pytest.raises(DemistoException) as raised:
        make_client()._http_request("DELETE", "q", ok_codes=(200,))
    assert str(raised.value) == "Error in API call [204] - No Content\n"


def test_client_ok_codes_apply_when_the_call_gives_none(requests_mock: Mocker) -> None:
    requests_mock.get(f"{BASE_URL}/q", status_code=200, json={})
    with pytest.raises(DemistoException, match=r"^Error in API call \[200\]"):
        make_client(ok_codes=(201,))._http_request("GET", "q")
    assert make_client(ok_codes=(201,))._http_request("GET", "q", ok_codes=(200,)) == {}


def test_error_handler_replaces_the_error_and_may_let_processing_continue(requests_mock: Mocker) -> None:
    requests_mock.get(f"{BASE_URL}/q", status_code=409, json={"state": "exists"})
    seen: list[int] = []

    reply = make_client()._http_request("GET", "q", error_handler=lambda res: seen.append(res.status_code))

    assert seen == [409]
    assert reply == {"state": "exists"}


# ----- reply types -----


def test_empty_response_returned_when_asked(requests_mock: Mocker) -> None:
    requests_mock.post(f"{BASE_URL}/q", status_code=204)
    reply = make_client()._http_request("POST", "q", return_empty_response=True)
    assert isinstance(reply, requests.Response) and reply.status_code == 204

    requests_mock.post(f"{BASE_URL}/q", status_code=200, text="")
    reply = make_client()._http_request("POST", "q", return_empty_response=True, empty_valid_codes=[200])
    assert isinstance(reply, requests.Response)


@pytest.mark.parametrize(
    ("reply", "shown"),
    [({"text": "not json"}, "b'not json'"), ({"status_code": 204}, "b''")],
)
def test_json_parse_failure(requests_mock: Mocker, reply: dict[str, Any], shown: str) -> None:
    requests_mock.get(f"{BASE_URL}/q", **reply)
    with pytest.raises(DemistoException) as raised:
        make_client()._http_request("GET", "q")
    assert str(raised.value) == f"Failed to parse json object from response: {shown}"
    assert isinstance(raised.value.exception, ValueError)
    assert raised.value.res is not None


def test_resp_types(requests_mock: Mocker) -> None:
    requests_mock.get(f"{BASE_URL}/q", content=b"<a>\xc3\xa9</a>")
    client = make_client()
    assert client._http_request("GET", "q", resp_type="text") == "<a>é</a>"
    assert client._http_request("GET", "q", resp_type="content") == b"<a>\xc3\xa9</a>"
    for resp_type in ("response", "xml", "anything"):
        reply = client._http_request("GET", "q", resp_type=resp_type)
        assert isinstance(reply, requests.Response)


# ----- transport errors -----

SSL_TEXT = (
    "SSL Certificate Verification Failed - try selecting 'Trust any certificate' checkbox in the "
    "integration configuration."
)


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (
            requests.exceptions.ConnectTimeout,
            "Connection Timeout Error - potential reasons might be that the Server URL parameter is incorrect "
            "or that the Server is not accessible from your host.",
        ),
        (requests.exceptions.SSLError, SSL_TEXT),
        (
            requests.exceptions.ProxyError,
            "Proxy Error - if the 'Use system proxy' checkbox in the integration configuration is selected, "
            "try clearing the checkbox.",
        ),
        (requests.exceptions.ConnectionError, CONNECTION_ERROR_TEXT),
        (
            requests.exceptions.RetryError(
                MaxRetryError(None, "/q", ResponseError("too many 500 error responses"))  # type: ignore[arg-type]
            ),
            "Max Retries Error- Request attempts with 0 retries failed. \nReason: too many 500 error responses",
        ),
    ],
)
def test_transport_errors_are_explained(requests_mock: Mocker, error: Any, message: str) -> None:
    requests_mock.get(f"{BASE_URL}/q", exc=error)
    with pytest.raises(DemistoException) as raised:
        make_client()._http_request("GET", "q")
    assert str(raised.value) == message
    assert isinstance(raised.value.exception, requests.exceptions.RequestException)


def test_ssl_error_with_verify_off_is_raised_unchanged(requests_mock: Mocker) -> None:
    requests_mock.get(f"{BASE_URL}/q", exc=requests.exceptions.SSLError("handshake"))
    with pytest.raises(requests.exceptions.SSLError, match="handshake"):
        make_client(verify=False)._http_request("GET", "q")


def test_read_timeout_is_not_wrapped(requests_mock: Mocker) -> None:
    requests_mock.get(f"{BASE_URL}/q", exc=requests.exceptions.ReadTimeout("slow"))
    with pytest.raises(requests.exceptions.ReadTimeout):
        make_client()._http_request("GET", "q")


def test_refused_connection_gives_the_connection_error_text() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = BaseClient(f"http://127.0.0.1:{port}")
    with pytest.raises(DemistoException) as raised:
        client._http_request("GET", "q")
    assert str(raised.value) == CONNECTION_ERROR_TEXT


# ----- against real local servers: TLS and retries -----


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_untrusted_certificate_with_verify_on_and_off(
    serve: Serve, tls_material: tuple[ssl.SSLContext, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(HTTPS_ADAPTER_VARIABLE, "newer")
    context, ca_file = tls_material
    server = serve([(200, '{"ok": true}')], context)

    with pytest.raises(DemistoException) as raised:
        BaseClient(server.url)._http_request("GET", "q")
    assert str(raised.value) == SSL_TEXT

    assert BaseClient(server.url, verify=False)._http_request("GET", "q") == {"ok": True}
    assert BaseClient(server.url, verify=ca_file)._http_request("GET", "q") == {"ok": True}


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_the_2022_adapter_fails_verify_off_before_sending_as_the_server_does(
    serve: Serve, tls_material: tuple[ssl.SSLContext, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(HTTPS_ADAPTER_VARIABLE, "2022")
    context, _ = tls_material
    server = serve([(200, '{"ok": true}')], context)

    refusal = r"^Cannot set verify_mode to CERT_NONE when check_hostname is enabled\.$"
    with pytest.raises(ValueError, match=refusal):
        BaseClient(server.url, verify=False)._http_request("GET", "q")
    assert server.paths == []
    assert requests.get(server.url + "/q", verify=False, timeout=5).json() == {"ok": True}


def test_plain_http_is_never_retried(serve: Serve) -> None:
    server = serve([(500, "oops")])
    with pytest.raises(DemistoException, match=r"^Error in API call \[500\]"):
        BaseClient(server.url)._http_request(
            "GET", "q", retries=3, status_list_to_retry=[500], backoff_factor=0
        )
    assert len(server.paths) == 1


def test_https_retries_until_success(serve: Serve, tls_material: tuple[ssl.SSLContext, str]) -> None:
    context, ca_file = tls_material
    server = serve([(503, "busy"), (503, "busy"), (200, '{"ok": true}')], context)
    client = BaseClient(server.url, verify=ca_file)

    reply = client._http_request("GET", "q", retries=3, status_list_to_retry=[503], backoff_factor=0)

    assert reply == {"ok": True}
    assert len(server.paths) == 3


def test_https_exhausted_retries_return_the_last_reply_or_raise(
    serve: Serve, tls_material: tuple[ssl.SSLContext, str]
) -> None:
    context, ca_file = tls_material
    server = serve([(500, "still broken")], context)
    client = BaseClient(server.url, verify=ca_file)

    with pytest.raises(DemistoException) as last_reply:
        client._http_request("POST", "q", retries=2, status_list_to_retry=[500], backoff_factor=0)
    assert str(last_reply.value) == "Error in API call [500] - Internal Server Error\nstill broken"
    assert len(server.paths) == 3

    with pytest.raises(DemistoException) as retry_error:
        client._http_request(
            "GET", "q", retries=2, status_list_to_retry=[500], backoff_factor=0, raise_on_status=True
        )
    assert str(retry_error.value) == (
        "Max Retries Error- Request attempts with 2 retries failed. \nReason: too many 500 error responses"
    )
    assert len(server.paths) == 6


def test_delete_is_not_retried(serve: Serve, tls_material: tuple[ssl.SSLContext, str]) -> None:
    context, ca_file = tls_material
    server = serve([(503, "busy")], context)
    client = BaseClient(server.url, verify=ca_file)
    with pytest.raises(DemistoException):
        client._http_request("DELETE", "q", retries=2, status_list_to_retry=[503], backoff_factor=0)
    assert len(server.paths) == 1


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

    client._http_request("GET", "quarantine")

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
    runtime["BaseClient"](server.url)._http_request("GET", "q")

    assert demisto.is_debug is True
    assert http_debug_lines(demisto.captured_logs)[0].startswith("send: b'GET /q HTTP/1.1")


def test_debug_mode_sends_root_logger_records_to_demisto_once(
    serve: Serve, load_runtime: Callable[..., dict[str, Any]]
) -> None:
    server = serve([(200, "{}")])
    runtime = load_runtime(is_debug=True)
    runtime["BaseClient"](server.url)._http_request("GET", "q")
    demisto.info("from the integration")

    assert any(
        level == "debug" and "Starting new HTTP connection" in text for level, text in demisto.captured_logs
    )
    assert demisto.captured_logs.count(("info", "from the integration")) == 1


def test_the_debug_line_buffer_is_shared_by_threads_and_not_locked(
    load_runtime: Callable[..., dict[str, Any]],
) -> None:
    """Two threads printing at once garble each other's lines, as on the server."""
    import threading

    runtime = load_runtime(is_debug=True)
    printer = runtime["HTTPDebugPrinter"](runtime["LOG"])
    start = threading.Barrier(2)

    def print_lines(name: str) -> None:
        start.wait()
        for number in range(50):
            printer.print("header:", f"{name}-{number}:", "value")

    threads = [threading.Thread(target=print_lines, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    lines = [text for level, text in demisto.captured_logs if level == "info"]
    whole = [line for line in lines if re.fullmatch(r"header: [ab]-\d+: value", line)]
    assert len(whole) < 100
