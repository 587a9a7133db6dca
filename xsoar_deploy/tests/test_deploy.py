"""The deploy command against the XSOAR stand-in: what it sends, what it prints, how it exits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from .conftest import API_KEY, INTEGRATION_DIR, INTEGRATION_ID, PPS_PASSWORD, run_deploy
from .fake_xsoar import FakeXsoar

INSTANCE = "pps-lab"


def write_config(folder: Path, **params: Any) -> Path:
    path = folder / "instance.yml"
    path.write_text(yaml.safe_dump(params), encoding="utf-8")
    return path


def lab_config(folder: Path) -> Path:
    return write_config(
        folder,
        url="https://pps.example.com:10000",
        credentials={"identifier": "pps-admin", "password": PPS_PASSWORD},
        unsecure=True,
    )


def data_by_name(instance: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["name"]: entry for entry in instance["data"]}


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        assert API_KEY not in text
        assert PPS_PASSWORD not in text


def test_upload_sends_the_unified_yaml_byte_for_byte(
    xsoar: FakeXsoar, xsoar_env: dict[str, str], unified_yaml: Path
):
    run = run_deploy(["--integration", str(unified_yaml)], xsoar_env)

    assert run.exit_code == 0, run.err
    [upload] = xsoar.requests_to("POST", "/settings/integration-conf/upload")
    filename, content = upload.files["file"]
    assert filename == unified_yaml.name
    assert content == unified_yaml.read_bytes()
    code = yaml.safe_load(content)["script"]["script"]
    assert code == (INTEGRATION_DIR / "ProofpointProtectionServerV2.py").read_text(encoding="utf-8")
    assert "def main()" in code
    assert upload.headers["Authorization"] == API_KEY
    # Without --instance nothing else is asked of the server than its version and what it has installed.
    assert [(request.method, request.path) for request in xsoar.requests] == [
        ("GET", "/about"),
        ("POST", "/settings/integration/search"),
        ("POST", "/settings/integration-conf/upload"),
    ]
    assert "Uploaded the integration 'Proofpoint PPS REST'" in run.out
    assert_no_secret(run.out, run.err)


def test_creates_an_instance_with_the_parameters_and_runs_test_module(
    xsoar: FakeXsoar, xsoar_env: dict[str, str], unified_yaml: Path, tmp_path: Path
):
    run = run_deploy(
        ["--integration", str(unified_yaml), "--instance", INSTANCE, "--config", str(lab_config(tmp_path))],
        xsoar_env,
    )

    assert run.exit_code == 0, run.err
    assert [(request.method, request.path) for request in xsoar.requests] == [
        ("GET", "/about"),
        ("POST", "/settings/integration/search"),
        ("POST", "/settings/integration-conf/upload"),
        ("POST", "/settings/integration/search"),
        ("POST", "/settings/integration/search"),
        ("PUT", "/settings/integration"),
        ("POST", "/settings/integration/test"),
    ]
    assert all(request.headers["Authorization"] == API_KEY for request in xsoar.requests)
    [saved] = xsoar.requests_to("PUT", "/settings/integration")
    body = saved.json
    assert body["name"] == INSTANCE
    assert body["brand"] == INTEGRATION_ID
    assert body["id"] == ""
    # As demisto-sdk creates an instance.
    assert body["version"] == 0
    assert body["enabled"] == "true"
    assert body["configuration"]["id"] == INTEGRATION_ID
    data = data_by_name(body)
    # Every parameter of the YAML, in its order (the connection ones first, then fetching's).
    manifest = yaml.safe_load(
        (INTEGRATION_DIR / "ProofpointProtectionServerV2.yml").read_text(encoding="utf-8")
    )
    assert list(data) == [param["name"] for param in manifest["configuration"]]
    assert list(data)[:7] == [
        "url",
        "credentials",
        "unsecure",
        "insecure",
        "proxy",
        "timeout",
        "max_download_size",
    ]
    assert data["url"]["value"] == "https://pps.example.com:10000"
    assert data["url"]["hasvalue"] is True
    assert data["credentials"]["type"] == 9
    assert data["credentials"]["value"] == {
        "credential": "",
        "identifier": "pps-admin",
        "password": PPS_PASSWORD,
        "passwordChanged": True,
    }
    assert data["credentials"]["hasvalue"] is True
    assert data["unsecure"]["value"] is True
    # Not given: the YAML's defaults, or no value at all.
    assert data["timeout"]["value"] == "60"
    assert data["max_download_size"]["value"] == "150"
    assert "value" not in data["proxy"] and data["proxy"]["hasvalue"] is False
    assert data["url"]["display"].startswith("Server URL")

    [tested] = xsoar.requests_to("POST", "/settings/integration/test")
    [stored] = xsoar.instances
    assert tested.json["id"] == stored["id"]
    assert data_by_name(tested.json)["credentials"]["value"]["password"] == PPS_PASSWORD
    assert f"Created the instance '{INSTANCE}' (id {stored['id']})" in run.out
    assert "credentials = pps-admin / <XX_REPLACED>" in run.out
    assert "unsecure = true" in run.out
    assert f"test-module succeeded for the instance '{INSTANCE}'" in run.out
    assert_no_secret(run.out, run.err)


def test_updates_an_existing_instance_keeping_the_values_not_given(
    xsoar: FakeXsoar, xsoar_env: dict[str, str], unified_yaml: Path
):
    assert run_deploy(["--integration", str(unified_yaml)], xsoar_env).exit_code == 0
    fields = xsoar.configuration(INTEGRATION_ID)["configuration"]
    current = {
        "url": "https://old-pps.example.com:10000",
        "credentials": {
            "credential": "",
            "identifier": "old-admin",
            "password": "stored",
            "passwordChanged": False,
        },
        "proxy": True,
        "timeout": "30",
    }
    existing = xsoar.add_instance(
        {
            "name": INSTANCE,
            "brand": INTEGRATION_ID,
            "version": 4,
            "engine": "engine-7",
            "data": [
                {**field, "value": current[field["name"]], "hasvalue": True}
                for field in fields
                if field["name"] in current
            ],
        }
    )

    run = run_deploy(
        [
            "--integration", str(unified_yaml), "--skip-upload", "--instance", INSTANCE,
            "--param", "url=https://new-pps.example.com:10000",
        ],
        xsoar_env,
    )  # fmt: skip

    assert run.exit_code == 0, run.err
    assert len(xsoar.requests_to("POST", "/settings/integration-conf/upload")) == 1
    [saved] = xsoar.requests_to("PUT", "/settings/integration")
    body = saved.json
    assert (body["id"], body["version"]) == (existing["id"], 4)
    assert body["engine"] == "engine-7"
    data = data_by_name(body)
    assert data["url"]["value"] == "https://new-pps.example.com:10000"
    assert data["credentials"]["value"] == current["credentials"]
    assert data["proxy"]["value"] is True
    assert data["timeout"]["value"] == "30"
    assert len(xsoar.instances) == 1
    assert xsoar.instances[0]["version"] == 5
    assert f"Updated the instance '{INSTANCE}' (id {existing['id']})" in run.out


def test_a_second_deploy_updates_the_instance_the_first_created(
    xsoar: FakeXsoar, xsoar_env: dict[str, str], unified_yaml: Path, tmp_path: Path
):
    argv = ["--integration", str(unified_yaml), "--instance", INSTANCE, "--config", str(lab_config(tmp_path))]

    first = run_deploy(argv, xsoar_env)
    second = run_deploy([*argv, "--param", "timeout=90"], xsoar_env)

    assert (first.exit_code, second.exit_code) == (0, 0), second.err
    assert "Created the instance" in first.out
    assert "Updated the instance" in second.out
    [instance] = xsoar.instances
    assert instance["version"] == 2
    assert instance["configvalues"]["timeout"] == "90"
    assert instance["configvalues"]["credentials"]["password"] == PPS_PASSWORD


def test_a_failed_test_module_exits_non_zero_with_the_servers_message(
    xsoar: FakeXsoar, xsoar_env: dict[str, str], unified_yaml: Path, tmp_path: Path
):
    xsoar.test_module = lambda _instance: (
        False,
        "Authentication failed (401): check the username and password",
    )

    run = run_deploy(
        ["--integration", str(unified_yaml), "--instance", INSTANCE, "--config", str(lab_config(tmp_path))],
        xsoar_env,
    )

    assert run.exit_code == 1
    assert (
        f"test-module failed for the instance '{INSTANCE}': "
        "Authentication failed (401): check the username and password" in run.err
    )
    assert "test-module succeeded" not in run.out
    assert "Created the instance" in run.out
    assert_no_secret(run.out, run.err)


def test_no_test_skips_test_module(
    xsoar: FakeXsoar, xsoar_env: dict[str, str], unified_yaml: Path, tmp_path: Path
):
    run = run_deploy(
        [
            "--integration", str(unified_yaml), "--instance", INSTANCE,
            "--config", str(lab_config(tmp_path)), "--no-test",
        ],
        xsoar_env,
    )  # fmt: skip

    assert run.exit_code == 0, run.err
    assert xsoar.requests_to("POST", "/settings/integration/test") == []
    assert len(xsoar.instances) == 1


def test_unknown_parameter_is_refused_before_anything_is_sent(
    xsoar: FakeXsoar, xsoar_env: dict[str, str], unified_yaml: Path
):
    run = run_deploy(
        ["--integration", str(unified_yaml), "--instance", INSTANCE, "--param", "urll=x"], xsoar_env
    )

    assert run.exit_code == 2
    assert "Unknown instance parameter(s) urll" in run.err
    assert "credentials" in run.err
    assert xsoar.requests == []


def test_a_missing_required_parameter_is_refused_and_no_instance_saved(
    xsoar: FakeXsoar, xsoar_env: dict[str, str], unified_yaml: Path
):
    run = run_deploy(
        [
            "--integration",
            str(unified_yaml),
            "--instance",
            INSTANCE,
            "--param",
            "url=https://pps.example.com",
        ],
        xsoar_env,
    )

    assert run.exit_code == 2
    assert "needs the parameter(s) credentials" in run.err
    assert xsoar.requests_to("PUT", "/settings/integration") == []


def test_an_instance_name_taken_by_another_integration_is_not_overwritten(
    xsoar: FakeXsoar, xsoar_env: dict[str, str], unified_yaml: Path, tmp_path: Path
):
    xsoar.add_instance({"name": INSTANCE, "brand": "Other Mail Gateway", "data": []})

    run = run_deploy(
        ["--integration", str(unified_yaml), "--instance", INSTANCE, "--config", str(lab_config(tmp_path))],
        xsoar_env,
    )

    assert run.exit_code == 1
    assert "already exists for the integration 'Other Mail Gateway'" in run.err
    assert xsoar.requests_to("PUT", "/settings/integration") == []


def test_a_wrong_api_key_is_reported_without_printing_either_key(
    xsoar: FakeXsoar, xsoar_env: dict[str, str], unified_yaml: Path
):
    wrong_key = "Wr0ngK3y-5e6f7a8b9c0d"
    run = run_deploy(["--integration", str(unified_yaml)], {**xsoar_env, "DEMISTO_API_KEY": wrong_key})

    assert run.exit_code == 1
    assert "XSOAR refused to read the server's version: HTTP 401" in run.err
    assert "the API key is missing or wrong" in run.err
    assert wrong_key not in run.out + run.err
    assert xsoar.requests[0].headers["Authorization"] == wrong_key


def test_a_server_message_that_echoes_the_key_is_masked(
    xsoar: FakeXsoar, xsoar_env: dict[str, str], unified_yaml: Path
):
    xsoar.upload_failure = (400, f"cannot store the file for the key {API_KEY}")

    run = run_deploy(["--integration", str(unified_yaml), "--verbose"], xsoar_env)

    assert run.exit_code == 1
    assert "cannot store the file for the key <XX_REPLACED>" in run.err
    assert_no_secret(run.out, run.err)


def test_a_split_yaml_is_refused_before_anything_is_sent(xsoar: FakeXsoar, xsoar_env: dict[str, str]):
    run = run_deploy(["--integration", str(INTEGRATION_DIR / "ProofpointProtectionServerV2.yml")], xsoar_env)

    assert run.exit_code == 2
    assert "script.script holds no code" in run.err
    assert xsoar.requests == []


def test_without_url_or_key_nothing_is_sent(xsoar: FakeXsoar, unified_yaml: Path):
    no_key = run_deploy(["--integration", str(unified_yaml)], {"DEMISTO_BASE_URL": xsoar.url})
    no_url = run_deploy(["--integration", str(unified_yaml)], {"DEMISTO_API_KEY": API_KEY})

    assert (no_key.exit_code, no_url.exit_code) == (2, 2)
    assert "set DEMISTO_API_KEY" in no_key.err
    assert "set DEMISTO_BASE_URL or pass --url" in no_url.err
    assert xsoar.requests == []


def test_xsoar_8_requests_carry_the_key_id_under_the_xsoar_path(unified_yaml: Path, tmp_path: Path):
    with FakeXsoar(API_KEY, kind="xsoar8", auth_id="17") as xsoar8:
        run = run_deploy(
            [
                "--integration",
                f"xsoar_saas={unified_yaml}",
                "--instance",
                INSTANCE,
                "--config",
                str(lab_config(tmp_path)),
            ],
            {"DEMISTO_BASE_URL": xsoar8.url, "DEMISTO_API_KEY": API_KEY, "XSOAR_AUTH_ID": "17"},
        )

    assert run.exit_code == 0, run.err
    assert [request.path for request in xsoar8.requests] == [
        "/xsoar/about",
        "/xsoar/settings/integration/search",
        "/xsoar/settings/integration-conf/upload",
        "/xsoar/settings/integration/search",
        "/xsoar/settings/integration/search",
        "/xsoar/settings/integration",
        "/xsoar/settings/integration/test",
    ]
    assert all(request.headers["X-Xdr-Auth-Id"] == "17" for request in xsoar8.requests)
    assert all(request.headers["Authorization"] == API_KEY for request in xsoar8.requests)


def test_parameters_from_pps_variables_config_and_flags_in_that_order(
    xsoar: FakeXsoar, xsoar_env: dict[str, str], unified_yaml: Path, tmp_path: Path
):
    config = write_config(
        tmp_path, url="https://from-config.example.com", credentials={"identifier": "cfg-user"}
    )
    environ = {
        **xsoar_env,
        "PPS_URL": "https://from-env.example.com",
        "PPS_USERNAME": "env-user",
        "PPS_PASSWORD": PPS_PASSWORD,
        "PPS_PROXY": "true",
    }

    run = run_deploy(
        [
            "--integration", str(unified_yaml), "--instance", INSTANCE, "--config", str(config),
            "--param", "proxy=false", "--param", "max_download_size=20",
        ],
        environ,
    )  # fmt: skip

    assert run.exit_code == 0, run.err
    data = data_by_name(xsoar.requests_to("PUT", "/settings/integration")[0].json)
    assert data["url"]["value"] == "https://from-config.example.com"
    assert data["credentials"]["value"]["identifier"] == "cfg-user"
    assert data["credentials"]["value"]["password"] == PPS_PASSWORD
    assert data["proxy"]["value"] is False
    assert data["max_download_size"]["value"] == "20"
    assert_no_secret(run.out, run.err)


def test_verbose_shows_the_requests_but_no_secret(
    xsoar: FakeXsoar, xsoar_env: dict[str, str], unified_yaml: Path, tmp_path: Path
):
    config = tmp_path / "instance.json"
    config.write_text(
        json.dumps(
            {"url": "https://pps.example.com", "credentials": {"identifier": "a", "password": PPS_PASSWORD}}
        ),
        encoding="utf-8",
    )

    run = run_deploy(
        ["--integration", str(unified_yaml), "--instance", INSTANCE, "--config", str(config), "-v"], xsoar_env
    )

    assert run.exit_code == 0, run.err
    assert f"PUT {xsoar.url}/settings/integration" in run.err
    assert f"POST {xsoar.url}/settings/integration/test" in run.err
    assert_no_secret(run.out, run.err)


def test_an_error_inside_a_successful_reply_fails_the_upload(
    xsoar: FakeXsoar, xsoar_env: dict[str, str], unified_yaml: Path
):
    xsoar.upload_failure = (200, "the integration id is taken by a system integration")

    run = run_deploy(["--integration", str(unified_yaml), "--instance", INSTANCE], xsoar_env)

    assert run.exit_code == 1
    assert (
        "XSOAR could not upload the integration: the integration id is taken by a system integration"
        in run.err
    )
    assert xsoar.requests_to("PUT", "/settings/integration") == []


def test_a_broken_config_file_is_refused_without_quoting_its_password(
    xsoar: FakeXsoar, xsoar_env: dict[str, str], unified_yaml: Path, tmp_path: Path
):
    config = tmp_path / "instance.yml"
    config.write_text(f"url: x\ncredentials:\n  identifier: a\n password: {PPS_PASSWORD}\n", encoding="utf-8")

    run = run_deploy(
        ["--integration", str(unified_yaml), "--instance", INSTANCE, "--config", str(config)], xsoar_env
    )

    assert run.exit_code == 2
    assert "is not valid YAML" in run.err and "line 4" in run.err
    assert_no_secret(run.out, run.err)
    assert xsoar.requests == []
