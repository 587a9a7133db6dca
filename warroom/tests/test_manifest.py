"""Arguments and instance parameters checked against the integration YAML as the server checks them."""

from __future__ import annotations

import pytest

from warroom import CommandRefused, IntegrationManifest, check_params
from warroom.params import params_from_environment

from .fakes import FAKE_YAML


@pytest.fixture
def manifest() -> IntegrationManifest:
    return IntegrationManifest.from_yaml_text(FAKE_YAML)


def test_defaults_filled_in_as_strings(manifest: IntegrationManifest) -> None:
    assert manifest.check_args("fake-echo", {"text": "hi"}) == {"text": "hi", "limit": "50", "exact": "true"}


def test_given_values_win_over_defaults(manifest: IntegrationManifest) -> None:
    assert manifest.check_args("fake-echo", {"text": "hi", "limit": "5"})["limit"] == "5"


def test_unknown_argument_named_with_the_accepted_ones(manifest: IntegrationManifest) -> None:
    with pytest.raises(CommandRefused) as refused:
        manifest.check_args("fake-echo", {"text": "hi", "colour": "red"})
    assert (
        str(refused.value)
        == "!fake-echo has no argument colour. Accepted arguments: exact, limit, note, text"
    )


def test_debug_mode_is_accepted_on_every_command_as_the_server_does(manifest: IntegrationManifest) -> None:
    assert manifest.check_args("fake-fail", {"debug-mode": "true"}) == {"debug-mode": "true"}
    assert manifest.check_args("test-module", {"debug-mode": "true"}) == {"debug-mode": "true"}


def test_missing_required_argument(manifest: IntegrationManifest) -> None:
    with pytest.raises(CommandRefused, match=r"missing required argument.*text"):
        manifest.check_args("fake-echo", {})
    with pytest.raises(CommandRefused, match=r"missing required argument.*text"):
        manifest.check_args("fake-echo", {"text": ""})


def test_unknown_command_lists_the_commands(manifest: IntegrationManifest) -> None:
    with pytest.raises(CommandRefused) as refused:
        manifest.check_args("fake-nope", {})
    assert "Unknown command !fake-nope" in str(refused.value)
    assert "test-module, fake-echo, fake-fail, fake-file" in str(refused.value)


def test_test_module_needs_no_yaml_entry(manifest: IntegrationManifest) -> None:
    assert manifest.check_args("test-module", {}) == {}
    with pytest.raises(CommandRefused, match="no argument x"):
        manifest.check_args("test-module", {"x": "1"})


def test_fetch_incidents_only_when_the_integration_fetches(manifest: IntegrationManifest) -> None:
    with pytest.raises(CommandRefused, match="Unknown command"):
        manifest.check_args("fetch-incidents", {})
    fetching = IntegrationManifest.from_yaml_text(FAKE_YAML.replace("isfetch: false", "isfetch: true"))
    assert fetching.check_args("fetch-incidents", {}) == {}


def test_param_defaults_and_checkboxes(manifest: IntegrationManifest) -> None:
    params = check_params(
        manifest,
        {"url": "https://x", "credentials": {"identifier": "u", "password": "p"}, "unsecure": "true"},
    )
    assert params == {
        "url": "https://x",
        "credentials": {"identifier": "u", "password": "p"},
        "unsecure": True,
        "proxy": False,
        "timeout": "60",
    }


def test_numbers_become_the_strings_the_server_passes(manifest: IntegrationManifest) -> None:
    params = check_params(manifest, {"url": "https://x", "credentials": {"identifier": "u"}, "timeout": 30})
    assert params["timeout"] == "30"


def test_unknown_and_missing_params_refused(manifest: IntegrationManifest) -> None:
    with pytest.raises(CommandRefused, match=r"Unknown instance parameter.*insecure.*Parameters of Fake"):
        check_params(manifest, {"url": "https://x", "credentials": {"identifier": "u"}, "insecure": True})
    with pytest.raises(CommandRefused, match=r"url is required.*PPS_URL"):
        check_params(manifest, {"credentials": {"identifier": "u", "password": "p"}})
    with pytest.raises(CommandRefused, match="credentials is required"):
        check_params(manifest, {"url": "https://x", "credentials": {"identifier": "", "password": ""}})
    with pytest.raises(CommandRefused, match="unsecure must be true or false"):
        check_params(manifest, {"url": "u", "credentials": {"identifier": "u"}, "unsecure": "maybe"})


def test_params_from_the_environment(manifest: IntegrationManifest) -> None:
    environ = {
        "PPS_URL": "https://pps:10000",
        "PPS_USERNAME": "admin",
        "PPS_PASSWORD": "pw",
        "PPS_UNSECURE": "yes",
        "PPS_PROXY": "0",
        "PPS_TIMEOUT": "15",
        "HOME": "/root",
    }
    assert params_from_environment(environ, manifest) == {
        "url": "https://pps:10000",
        "credentials": {"identifier": "admin", "password": "pw"},
        "unsecure": True,
        "proxy": False,
        "timeout": "15",
    }
    assert params_from_environment({}, manifest) == {}
