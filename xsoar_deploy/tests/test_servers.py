"""The deploy command against XSOAR 6, XSOAR 8 and XSIAM as the stand-in answers for each: keys and key
IDs, the build each marketplace takes, paged instance searches, and integrations already on the server."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from xsoar_deploy.server import SEARCH_PAGE_SIZE, ServerAbout, ServerSettings, XsoarServer

from .conftest import API_KEY, INTEGRATION_ID, PPS_PASSWORD, make_unified_yaml, run_deploy
from .fake_xsoar import OFFICIAL_PROOFPOINT_CONFIGURATION, FakeXsoar

KEY_ID = "42"
INSTANCE = "pps-lab"
# The server kinds, the marketplace each takes, and how the deploy command reaches it.
SERVERS = [
    ("xsoar6", "xsoar", "XSOAR 6 (6.14.0)"),
    ("xsoar8", "xsoar_saas", "XSOAR 8 (8.9.0)"),
    ("xsiam", "marketplacev2", "XSIAM (8.9.0)"),
]


def server_env(server: FakeXsoar, *, advanced: bool = False) -> dict[str, str]:
    environ = {"DEMISTO_BASE_URL": server.url}
    environ["DEMISTO_ADVANCED_API_KEY" if advanced else "DEMISTO_API_KEY"] = API_KEY
    if server.auth_id:
        environ["DEMISTO_API_KEY_ID"] = server.auth_id
    return environ


def fake_server(kind: str, *, advanced: bool = False) -> FakeXsoar:
    auth_id = KEY_ID if kind != "xsoar6" or advanced else None
    return FakeXsoar(API_KEY, kind=kind, auth_id=auth_id, advanced=advanced)


@pytest.fixture(scope="module")
def built_for_each_marketplace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build per marketplace, each marked so that a test can tell which one was uploaded."""
    folder = tmp_path_factory.mktemp("unified")
    document = yaml.safe_load(make_unified_yaml(folder).read_text(encoding="utf-8"))
    for path in folder.iterdir():
        path.unlink()
    for marketplace in ("xsoar", "xsoar_saas", "marketplacev2"):
        (folder / marketplace).mkdir()
        document["description"] = f"built for {marketplace}"
        text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
        (folder / marketplace / "integration-ProofpointProtectionServerV2.yml").write_text(
            text, encoding="utf-8"
        )
    return folder


@pytest.fixture
def build_dir(built_for_each_marketplace: Path, tmp_path: Path) -> Path:
    """The builds, in a copy a test may change."""
    folder = tmp_path / "unified"
    shutil.copytree(built_for_each_marketplace, folder)
    return folder


def uploaded_marketplace(server: FakeXsoar) -> str:
    [upload] = [request for request in server.requests if request.path.endswith("/integration-conf/upload")]
    return str(yaml.safe_load(upload.files["file"][1])["description"]).removeprefix("built for ")


@pytest.mark.parametrize(("kind", "marketplace", "shown"), SERVERS)
def test_each_server_gets_the_build_for_its_marketplace(
    kind: str, marketplace: str, shown: str, build_dir: Path, tmp_path: Path
) -> None:
    config = tmp_path / "instance.yml"
    config.write_text(
        yaml.safe_dump(
            {"url": "https://pps.example.com", "credentials": {"identifier": "a", "password": PPS_PASSWORD}}
        )
    )
    with fake_server(kind) as server:
        run = run_deploy(
            ["--build-dir", str(build_dir), "--instance", INSTANCE, "--config", str(config)],
            server_env(server),
        )

    assert run.exit_code == 0, run.err
    assert uploaded_marketplace(server) == marketplace
    assert f"{shown} at {server.url}{server.prefix} takes the build for {marketplace}" in run.out
    # The version is read before anything else.
    assert server.requests[0].path == f"{server.prefix}/about"
    assert [instance["name"] for instance in server.instances] == [INSTANCE]
    assert API_KEY not in run.out + run.err and PPS_PASSWORD not in run.out + run.err


@pytest.mark.parametrize("kind", ["xsoar8", "xsiam"])
def test_an_advanced_key_with_its_id_signs_every_request(kind: str, build_dir: Path) -> None:
    with fake_server(kind, advanced=True) as server:
        run = run_deploy(["--build-dir", str(build_dir)], server_env(server, advanced=True))

    assert run.exit_code == 0, run.err
    assert server.requests_to("POST", f"{server.prefix}/settings/integration-conf/upload")
    for request in server.requests:
        # The key itself never leaves: a hash of it with a nonce and a timestamp does.
        assert request.headers["Authorization"] != API_KEY
        assert request.headers["X-Xdr-Nonce"] and request.headers["X-Xdr-Timestamp"]
        assert request.headers["X-Xdr-Auth-Id"] == KEY_ID
    assert API_KEY not in run.out + run.err


@pytest.mark.parametrize("kind", ["xsoar8", "xsiam"])
def test_an_advanced_key_without_its_id_is_refused_before_any_request(
    kind: str, build_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # demisto-py would fall back to a username/password login; give it one to try.
    monkeypatch.setenv("DEMISTO_USERNAME", "admin")
    monkeypatch.setenv("DEMISTO_PASSWORD", "pw")
    with fake_server(kind, advanced=True) as server:
        environ = server_env(server, advanced=True)
        del environ["DEMISTO_API_KEY_ID"]
        run = run_deploy(["--build-dir", str(build_dir)], environ)

    assert run.exit_code == 2
    assert server.requests == []
    assert run.err.startswith("error: DEMISTO_ADVANCED_API_KEY holds an advanced API key")
    assert "set DEMISTO_API_KEY_ID" in run.err and "--auth-id" in run.err
    assert "Traceback" not in run.err and len(run.err.strip().splitlines()) == 1
    assert API_KEY not in run.out + run.err


def test_building_the_client_makes_no_request() -> None:
    with fake_server("xsiam", advanced=True) as server:
        settings = ServerSettings.from_environment(server_env(server, advanced=True))
        client = XsoarServer(settings)

        assert client.api_url == f"{server.url}/xsoar"
        assert server.requests == []


def test_xsoar_8_with_a_standard_key_but_no_id_is_told_to_set_it(build_dir: Path) -> None:
    with fake_server("xsoar8") as server:
        environ = server_env(server)
        del environ["DEMISTO_API_KEY_ID"]
        run = run_deploy(["--build-dir", str(build_dir)], environ)

    assert run.exit_code == 1
    assert "XSOAR refused to read the server's version: HTTP 401" in run.err
    assert "XSOAR 8 also needs its key id in DEMISTO_API_KEY_ID" in run.err
    assert server.requests_to("POST", "/xsoar/settings/integration-conf/upload") == []


def test_a_missing_build_for_the_servers_marketplace_is_refused_with_the_command_to_make_it(
    build_dir: Path,
) -> None:
    for path in (build_dir / "marketplacev2").iterdir():
        path.unlink()
    (build_dir / "marketplacev2").rmdir()

    with fake_server("xsiam") as server:
        run = run_deploy(["--build-dir", str(build_dir)], server_env(server))

    assert run.exit_code == 2
    assert "XSIAM (8.9.0) takes the integration built for the marketplace marketplacev2" in run.err
    assert "has builds for: xsoar, xsoar_saas" in run.err
    assert "prepare-content" in run.err and "-mp marketplacev2" in run.err
    assert [request.path for request in server.requests] == ["/xsoar/about"]


def test_a_flat_build_directory_is_the_xsoar_build(tmp_path: Path) -> None:
    folder = tmp_path / "flat"
    folder.mkdir()
    make_unified_yaml(folder)

    with fake_server("xsoar6") as server:
        run = run_deploy(["--build-dir", str(folder)], server_env(server))
    with fake_server("xsoar8") as server8:
        run8 = run_deploy(["--build-dir", str(folder)], server_env(server8))

    assert run.exit_code == 0, run.err
    assert run8.exit_code == 2 and "marketplace xsoar_saas" in run8.err


def test_a_path_per_marketplace(build_dir: Path) -> None:
    paths = [
        f"{marketplace}={next((build_dir / marketplace).iterdir())}"
        for marketplace in ("xsoar", "marketplacev2")
    ]
    argv = [item for path in paths for item in ("--integration", path)]

    with fake_server("xsiam") as server:
        run = run_deploy(argv, server_env(server))

    assert run.exit_code == 0, run.err
    assert uploaded_marketplace(server) == "marketplacev2"


def test_an_unknown_marketplace_is_refused(build_dir: Path) -> None:
    with fake_server("xsoar6") as server:
        run = run_deploy(["--integration", "xsoar9=x.yml"], server_env(server))

    assert run.exit_code == 2
    assert "'xsoar9' is not a marketplace" in run.err
    assert server.requests == []


@pytest.fixture
def crowded_xsoar() -> Iterator[FakeXsoar]:
    """A server with more instances than one search page holds; ours is on the third page."""
    with fake_server("xsoar6") as server:
        for number in range(2 * SEARCH_PAGE_SIZE + 30):
            server.add_instance({"name": f"other-{number}", "brand": "Other Mail Gateway", "data": []})
        yield server


def test_instance_searches_are_paged(crowded_xsoar: FakeXsoar, build_dir: Path) -> None:
    run_deploy(["--build-dir", str(build_dir), "--instance", INSTANCE, "--param", "url=https://a",
                "--param", "credentials.password=x", "--no-test"], server_env(crowded_xsoar))  # fmt: skip
    existing = next(item for item in crowded_xsoar.instances if item["name"] == INSTANCE)
    crowded_xsoar.instances.remove(existing)
    crowded_xsoar.instances.insert(2 * SEARCH_PAGE_SIZE + 10, existing)
    crowded_xsoar.requests.clear()

    run = run_deploy(
        [
            "--build-dir",
            str(build_dir),
            "--skip-upload",
            "--instance",
            INSTANCE,
            "--param",
            "url=https://b",
            "--no-test",
        ],
        server_env(crowded_xsoar),
    )

    assert run.exit_code == 0, run.err
    assert "Updated the instance 'pps-lab'" in run.out
    searches = [request.json for request in crowded_xsoar.requests_to("POST", "/settings/integration/search")]
    assert all(search["size"] <= SEARCH_PAGE_SIZE for search in searches)
    assert [search["page"] for search in searches[-3:]] == [0, 1, 2]
    assert [instance["name"] for instance in crowded_xsoar.instances].count(INSTANCE) == 1


def test_a_search_that_ignores_paging_ends(build_dir: Path) -> None:
    with fake_server("xsoar6") as server:
        for number in range(SEARCH_PAGE_SIZE):
            server.add_instance({"name": f"other-{number}", "brand": "Other Mail Gateway", "data": []})
        server.ignore_paging = True
        run = run_deploy(
            ["--build-dir", str(build_dir), "--instance", INSTANCE, "--param", "url=https://a",
             "--param", "credentials.password=x", "--no-test"],
            server_env(server),
        )  # fmt: skip

    assert run.exit_code == 0, run.err
    assert "Created the instance 'pps-lab'" in run.out
    assert len(server.requests_to("POST", "/settings/integration/search")) <= 4


@pytest.mark.parametrize("kind", ["xsoar6", "xsoar8", "xsiam"])
def test_an_integration_of_another_pack_holding_the_id_stops_the_upload(kind: str, build_dir: Path) -> None:
    with fake_server(kind) as server:
        server.configurations.append(
            {**OFFICIAL_PROOFPOINT_CONFIGURATION, "id": INTEGRATION_ID, "name": INTEGRATION_ID}
        )
        run = run_deploy(["--build-dir", str(build_dir)], server_env(server))

    assert run.exit_code == 1
    assert (
        f"XSOAR already has 'Proofpoint Protection Server v2' (ID '{INTEGRATION_ID}', pack ProofpointProtectionServer)"
        in run.err
    )
    assert "Nothing was uploaded" in run.err and "commonfields.id" in run.err
    assert server.requests_to("POST", f"{server.prefix}/settings/integration-conf/upload") == []


def test_an_earlier_upload_of_this_integration_is_no_clash(build_dir: Path) -> None:
    with fake_server("xsoar6") as server:
        first = run_deploy(["--build-dir", str(build_dir)], server_env(server))
        second = run_deploy(["--build-dir", str(build_dir)], server_env(server))

    assert (first.exit_code, second.exit_code) == (0, 0), second.err
    assert len(server.requests_to("POST", "/settings/integration-conf/upload")) == 2
    assert server.configuration(INTEGRATION_ID)["version"] == 2


@pytest.mark.parametrize("kind", ["xsoar6", "xsoar8", "xsiam"])
def test_the_official_integration_sharing_command_names_is_said_before_the_upload(
    kind: str, build_dir: Path
) -> None:
    with fake_server(kind) as server:
        server.configurations.append(dict(OFFICIAL_PROOFPOINT_CONFIGURATION))
        run = run_deploy(["--build-dir", str(build_dir)], server_env(server))

    assert run.exit_code == 0, run.err
    assert (
        "warning: the integration 'Proofpoint Protection Server v2' on this server also has the command(s) "
        "proofpoint-pps-list-quarantined-messages, proofpoint-pps-release-message, proofpoint-pps-smart-search"
    ) in run.err
    assert f'using-brand="{INTEGRATION_ID}"' in run.err
    assert uploaded_marketplace(server)


@pytest.mark.parametrize(
    ("about", "marketplace"),
    [
        ({"version": "6.14.0"}, "xsoar"),
        ({"version": "6.14.0", "product_mode": "xsoar", "deployment_mode": "opp"}, "xsoar"),
        ({"version": "8.9.0", "product_mode": "xsoar", "deployment_mode": "saas"}, "xsoar_saas"),
        # demisto-sdk's client for XSOAR 8 takes any server of version 8 or later.
        ({"version": "8.7.0", "product_mode": "xsoar", "deployment_mode": "opp"}, "xsoar_saas"),
        ({"version": "8.9.0", "product_mode": "xsiam", "deployment_mode": "saas"}, "marketplacev2"),
        ({"version": "8.10.0", "product_mode": "platform"}, "platform"),
    ],
)
def test_the_marketplace_of_each_server(about: dict[str, str], marketplace: str) -> None:
    assert ServerAbout(**about).marketplace == marketplace
