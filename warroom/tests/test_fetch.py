"""fetch-incidents run as the server's scheduler runs it: last run kept between runs, incidents shown.

The integration is the small fake of fakes.py; the runtime is the project's stand-in, so what is kept
between runs is what demistomock keeps.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from warroom import run_fetch
from warroom.cli import main

from .fakes import FAKE_FETCH_INTEGRATION, FAKE_FETCH_YAML, FAKE_YAML

PARAMS = {"url": "https://pps.example.com"}
Writer = Callable[..., Path]


@pytest.fixture
def fetcher(make_integration: Writer) -> Path:
    return make_integration(FAKE_FETCH_INTEGRATION, FAKE_FETCH_YAML, name="FakeFetch")


def names(incidents: list[dict[str, object]]) -> list[str]:
    return [str(incident["name"]).rsplit(" ", 1)[1] for incident in incidents]


def test_each_fetch_starts_from_the_last_run_kept_in_the_state_file(fetcher: Path, tmp_path: Path) -> None:
    state = tmp_path / "instance.json"

    first = run_fetch(PARAMS, fetcher, tmp_path / "out", state_file=state)
    second = run_fetch(PARAMS, fetcher, tmp_path / "out", state_file=state)

    assert (first.exit_code, names(first.incidents)) == (0, ["0", "1"])
    assert (second.exit_code, names(second.incidents)) == (0, ["2", "3"])
    assert second.last_run == {"next": 4}
    assert json.loads(state.read_text()) == {"integration_context": {"runs": 2}, "last_run": {"next": 4}}


def test_a_failed_fetch_keeps_no_last_run_so_the_next_one_repeats_it(fetcher: Path, tmp_path: Path) -> None:
    state = tmp_path / "instance.json"
    run_fetch(PARAMS, fetcher, tmp_path / "out", state_file=state)

    failed = run_fetch({**PARAMS, "fail_fetch": True}, fetcher, tmp_path / "out", state_file=state)
    repeated = run_fetch(PARAMS, fetcher, tmp_path / "out", state_file=state)

    assert failed.exit_code == 1
    assert failed.incidents == [] and failed.last_run is None
    (error,) = [entry for entry in failed.entries if entry["Type"] == 4]
    assert "PPS could not be reached" in error["Contents"]  # return_error raises for fetch-incidents
    assert names(repeated.incidents) == ["2", "3"]
    assert json.loads(state.read_text())["integration_context"] == {"runs": 3}  # kept even by the failure


def test_without_a_state_file_every_fetch_is_the_first(fetcher: Path, tmp_path: Path) -> None:
    run_fetch(PARAMS, fetcher, tmp_path / "out")
    assert names(run_fetch(PARAMS, fetcher, tmp_path / "out").incidents) == ["0", "1"]


def test_attachments_of_fetched_incidents_are_saved(fetcher: Path, tmp_path: Path) -> None:
    result = run_fetch(PARAMS, fetcher, tmp_path / "out")

    assert result.files == [tmp_path / "out" / "message-0.eml"]
    assert result.files[0].read_bytes() == b"From: a@evil.example\r\n\r\nPrize"


def test_an_integration_that_does_not_fetch_is_refused(make_integration: Writer, tmp_path: Path) -> None:
    result = run_fetch(PARAMS, make_integration(yaml_text=FAKE_YAML), tmp_path / "out")
    assert result.exit_code == 2
    assert (
        "does not fetch incidents: its YAML does not set script.isfetch: true"
        in result.entries[0]["Contents"]
    )


# ----- python -m warroom --fetch -----


@pytest.fixture
def cli_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where --fetch keeps its state without --simulator (.warroom/instance.json), moved to tmp_path."""
    from warroom import simulator

    monkeypatch.setattr(simulator, "DEFAULT_STATE_FILE", tmp_path / ".warroom" / "simulator.sqlite")
    monkeypatch.setenv("COLUMNS", "100")
    return tmp_path / ".warroom" / "instance.json"


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def config_file(tmp_path: Path, **params: object) -> Path:
    path = tmp_path / "instance.json"
    path.write_text(json.dumps({**PARAMS, **params}))
    return path


def test_cli_fetch_shows_the_incidents_as_a_table_and_keeps_the_last_run(
    fetcher: Path, tmp_path: Path, cli_state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--integration", str(fetcher), "--config", str(config_file(tmp_path)), "--fetch"]
    code, out, err = run_cli(capsys, *argv, "--out", str(tmp_path / "files"))

    assert code == 0
    header = next(line for line in out.splitlines() if "Occurred" in line)
    assert [word for word in ("Occurred", "Severity", "Folder", "GUID", "Name") if word in header] == [
        "Occurred",
        "Severity",
        "Folder",
        "GUID",
        "Name",
    ]
    assert f"{0:032d}" in out  # whole on one line: an id never wraps
    assert "Medium" in out and "Quarantine" in out
    assert all(len(line) <= 100 for line in out.splitlines())
    assert f"Last run kept in {cli_state}" in err and '{"next": 2}' in err
    assert "Saved attachment:" in err

    code, out, _ = run_cli(capsys, *argv, "--out", str(tmp_path / "files"))
    assert "number 2" in out and "number 0" not in out


def test_cli_fetch_reset_starts_over(
    fetcher: Path, tmp_path: Path, cli_state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        "--integration",
        str(fetcher),
        "--config",
        str(config_file(tmp_path)),
        "--out",
        str(tmp_path / "f"),
    ]
    run_cli(capsys, *argv, "--fetch")

    code, out, _ = run_cli(capsys, *argv, "--fetch", "--reset")

    assert code == 0 and "number 0" in out


def test_cli_fetch_json_prints_the_full_incidents(
    fetcher: Path, tmp_path: Path, cli_state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        "--integration",
        str(fetcher),
        "--config",
        str(config_file(tmp_path)),
        "--out",
        str(tmp_path / "f"),
    ]
    code, out, _ = run_cli(capsys, *argv, "--fetch", "--json")

    incidents = json.loads(out)
    assert code == 0
    assert [incident["severity"] for incident in incidents] == [2, 2]
    assert json.loads(incidents[1]["rawJSON"])["guid"] == f"{1:032d}"


def test_cli_failed_fetch_shows_the_error_and_exit_1(
    fetcher: Path, tmp_path: Path, cli_state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--integration", str(fetcher), "--out", str(tmp_path / "f"), "--fetch"]
    code, out, err = run_cli(capsys, *argv, "--config", str(config_file(tmp_path, fail_fetch=True)))

    assert code == 1
    assert "PPS could not be reached" in out
    assert "no last run kept, the next fetch repeats this one" in err
    assert not cli_state.exists() or "last_run" not in json.loads(cli_state.read_text())


def test_cli_fetch_with_the_simulator_keeps_its_state_beside_the_simulators(
    fetcher: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    simulator_state = tmp_path / "sim" / "pps.sqlite"
    argv = ["--integration", str(fetcher), "--simulator", "--state", str(simulator_state), "--fetch"]
    code, _, err = run_cli(capsys, *argv, "--out", str(tmp_path / "f"))

    assert code == 0
    kept = tmp_path / "sim" / "pps.instance.json"
    assert json.loads(kept.read_text())["last_run"] == {"next": 2}
    assert str(kept) in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--fetch", "!test-module"], "give no War Room line with it"),
        (["--reset", "!test-module"], "--reset goes with --fetch"),
        ([], "give a War Room line"),
    ],
)
def test_cli_fetch_options_refused_together_with_the_wrong_ones(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    assert message in capsys.readouterr().err
