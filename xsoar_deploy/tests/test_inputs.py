"""The inputs refused or accepted before the server is asked: the YAML, the parameters, their types."""

from __future__ import annotations

from pathlib import Path

import pytest

from instance_params import merge_params
from xsoar_deploy.errors import DeployFailed, UsageRefused
from xsoar_deploy.instance import build_instance
from xsoar_deploy.parameters import parse_param_flags
from xsoar_deploy.unified import UnifiedIntegration, find_unified_yaml

from .conftest import INTEGRATION_DIR, INTEGRATION_ID, make_unified_yaml

CONFIGURATION = {
    "id": INTEGRATION_ID,
    "name": INTEGRATION_ID,
    "category": "Email",
    "configuration": [
        {"name": "url", "type": 0, "required": True, "defaultValue": ""},
        {"name": "credentials", "type": 9, "required": True, "defaultValue": ""},
        {"name": "unsecure", "type": 8, "required": False, "defaultValue": ""},
        {"name": "api_token", "type": 4, "required": False, "defaultValue": ""},
        {"name": "timeout", "type": 0, "required": False, "defaultValue": "60"},
    ],
}
CREDENTIALS = {"identifier": "admin", "password": "secret"}


def test_the_one_unified_yaml_in_the_build_folder_is_found(tmp_path: Path):
    unified = make_unified_yaml(tmp_path)
    (tmp_path / "notes.yml").write_text("just: notes\n", encoding="utf-8")

    assert find_unified_yaml(tmp_path) == unified
    integration = UnifiedIntegration.load(unified)
    assert integration.id == INTEGRATION_ID
    assert set(integration.params) >= {"url", "credentials", "unsecure", "proxy", "timeout"}


def test_an_empty_or_missing_build_folder_says_how_to_build_it(tmp_path: Path):
    for folder in (tmp_path, tmp_path / "missing"):
        with pytest.raises(UsageRefused, match="demisto-sdk prepare-content"):
            find_unified_yaml(folder)


def test_two_unified_yamls_need_a_choice(tmp_path: Path):
    make_unified_yaml(tmp_path)
    (tmp_path / "copy").mkdir()
    make_unified_yaml(tmp_path / "copy")

    with pytest.raises(UsageRefused, match="pick one with --integration"):
        find_unified_yaml(tmp_path)


def test_the_split_manifest_is_not_taken_for_a_unified_yaml():
    with pytest.raises(UsageRefused, match="split YAML"):
        UnifiedIntegration.load(INTEGRATION_DIR / "ProofpointProtectionServerV2.yml")


def test_param_flags_set_values_and_credential_parts():
    params = parse_param_flags(
        ["url=https://a.example.com/x?y=1", "credentials.identifier=admin", "credentials.password=p=w"]
    )

    assert params == {
        "url": "https://a.example.com/x?y=1",
        "credentials": {"identifier": "admin", "password": "p=w"},
    }


@pytest.mark.parametrize("flag", ["url", "=x", "credentials.token=x"])
def test_malformed_param_flags_are_refused(flag: str):
    with pytest.raises(UsageRefused):
        parse_param_flags([flag])


def test_a_credential_is_merged_key_by_key():
    merged = merge_params(
        {"credentials": {"password": "from-env"}}, {"credentials": {"identifier": "from-file"}}
    )

    assert merged == {"credentials": {"password": "from-env", "identifier": "from-file"}}


@pytest.mark.parametrize(("given", "stored"), [("yes", True), ("False", False), (True, True), ("0", False)])
def test_checkboxes_are_stored_as_booleans(given: object, stored: bool):
    body = build_instance(CONFIGURATION, "i", {"url": "u", "credentials": CREDENTIALS, "unsecure": given})

    assert next(entry for entry in body["data"] if entry["name"] == "unsecure")["value"] is stored


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"url": "u", "credentials": CREDENTIALS, "unsecure": "maybe"}, "must be true or false"),
        ({"url": "u", "credentials": {"identifier": "admin"}}, "needs a password"),
        ({"url": "u", "credentials": "admin:secret"}, "must be a mapping"),
        ({"url": ["a", "b"], "credentials": CREDENTIALS}, "takes a single value"),
        ({"url": "u"}, "needs the parameter\\(s\\) credentials"),
        ({"url": "u", "credentials": CREDENTIALS, "urll": "x"}, "Unknown instance parameter"),
    ],
)
def test_values_the_server_could_not_use_are_refused(params: dict[str, object], message: str):
    with pytest.raises(UsageRefused, match=message):
        build_instance(CONFIGURATION, "i", params)


def test_numbers_and_defaults_are_stored_as_text():
    body = build_instance(CONFIGURATION, "i", {"url": "u", "credentials": CREDENTIALS, "api_token": 1234})
    values = {entry["name"]: entry.get("value") for entry in body["data"]}

    assert values["api_token"] == "1234"
    assert values["timeout"] == "60"


def test_an_update_keeps_the_instance_settings_not_given():
    existing = {
        "id": "abc",
        "version": 7,
        "brand": INTEGRATION_ID,
        "propagationLabels": ["lab"],
        "data": [
            {"name": "url", "value": "old", "hasvalue": True},
            {"name": "credentials", "value": CREDENTIALS},
        ],
    }

    body = build_instance(CONFIGURATION, "i", {"timeout": "5"}, existing)

    assert (body["id"], body["version"], body["propagationLabels"]) == ("abc", 7, ["lab"])
    values = {entry["name"]: entry["value"] for entry in body["data"] if "value" in entry}
    assert values == {"url": "old", "credentials": CREDENTIALS, "timeout": "5"}


def test_an_instance_of_another_integration_is_not_taken_over():
    with pytest.raises(DeployFailed, match="already exists"):
        build_instance(CONFIGURATION, "i", {}, {"id": "x", "brand": "Another", "data": []})
