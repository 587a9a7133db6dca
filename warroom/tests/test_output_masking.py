"""What `python -m warroom` prints when the instance password is short: masked where it stands as a
whole, never inside words, JSON keys or the entry's structure (issue 11, "masking garbles output")."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from instance_params import MASK, PPS_VARIABLES
from pps_simulator import PPSSimulator, User
from warroom.cli import main

SHORT_PASSWORDS = ["e", "ion", "p", "example"]
# A second user whose password appears nowhere in the data: its output is what unmasked output looks like.
CONTROL_PASSWORD = "Unrelated-Contr0l-pw"
SEARCH = '!proofpoint-pps-smart-search start_time="30 days" limit=3'


@pytest.fixture(autouse=True)
def no_pps_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*PPS_VARIABLES, "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "250")


@pytest.fixture(scope="module")
def simulator() -> Iterator[PPSSimulator]:
    modules = frozenset({"pss", "Quarantine"})
    users = {f"user-{password}": User(password, modules) for password in SHORT_PASSWORDS}
    users["control"] = User(CONTROL_PASSWORD, modules)
    with PPSSimulator(db=":memory:", messages=20, seed=3, tls=False, port=0, users=users) as sim:
        yield sim


def run(
    capsys: pytest.CaptureFixture[str],
    sim: PPSSimulator,
    tmp_path: Path,
    user: str,
    password: str,
    *argv: str,
) -> tuple[int, str, str]:
    config = tmp_path / f"{user}.json"
    config.write_text(json.dumps({"url": sim.url, "credentials": {"identifier": user, "password": password}}))
    code = main(["--config", str(config), "--out", str(tmp_path / "files"), *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def masked_as_a_whole(value: Any, password: str) -> Any:
    """The expected output: string values with the password, where it stands alone, masked."""
    if isinstance(value, str):
        return re.sub(rf"(?<!\w){re.escape(password)}(?!\w)", MASK, value)
    if isinstance(value, dict):
        return {key: masked_as_a_whole(item, password) for key, item in value.items()}
    if isinstance(value, list):
        return [masked_as_a_whole(item, password) for item in value]
    return value


@pytest.mark.parametrize("password", SHORT_PASSWORDS)
def test_json_output_keeps_its_keys_and_words(
    password: str, simulator: PPSSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, control_out, _ = run(
        capsys, simulator, tmp_path, "control", CONTROL_PASSWORD, "--json", "--context", SEARCH
    )
    code, out, err = run(
        capsys, simulator, tmp_path, f"user-{password}", password, "--json", "--context", SEARCH
    )

    assert code == 0, err
    shown = json.loads(out)
    control = json.loads(control_out)
    assert shown["entries"][0]["Type"] == 1
    assert "Proofpoint.SmartSearch(val.GUID && val.GUID == obj.GUID)" in shown["entries"][0]["EntryContext"]
    assert shown == masked_as_a_whole(control, password)
    if password == "example":
        # The one place it stands alone in this data: a domain. Shown there, it would give the password away.
        assert f".{MASK}.com" in out


@pytest.mark.parametrize("password", SHORT_PASSWORDS)
def test_the_table_is_shown_not_null(
    password: str, simulator: PPSSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, simulator, tmp_path, f"user-{password}", password, SEARCH)

    assert code == 0, err
    assert out.strip() != "null"
    assert "Smart Search" in out and "GUID" in out
    assert f"Typ{MASK}" not in out and f"Connect{MASK}" not in out


@pytest.mark.parametrize("password", SHORT_PASSWORDS)
def test_test_module_prints_ok(
    password: str, simulator: PPSSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, simulator, tmp_path, f"user-{password}", password, "!test-module")

    assert (code, out.strip()) == (0, "ok"), err
