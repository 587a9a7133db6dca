"""`python -m warroom`: what a person sees in the terminal, the exit status, and that secrets never show."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from warroom import Runtime
from warroom.cli import main
from warroom.params import PPS_VARIABLES

from .fakes import FAKE_YAML

PASSWORD = "S3cret!pw"
Writer = Callable[..., Path]


@pytest.fixture(autouse=True)
def no_pps_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*PPS_VARIABLES, "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "120")


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "instance.yml"
    path.write_text(
        f"url: https://pps.example.com\ncredentials:\n  identifier: me\n  password: '{PASSWORD}'\n"
    )
    return path


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_readable_output_renders_the_markdown_table(
    fake_runtime: Runtime, make_integration: Writer, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(
        capsys, "--integration", str(make_integration()), "--config", str(config), "!fake-echo text=hello"
    )
    assert code == 0
    assert "Echo" in out and "hello" in out and "50" in out
    assert "|---|" not in out and "###" not in out  # rendered, not raw markdown
    header = next(line for line in out.splitlines() if "text" in line)
    assert "limit" in header


def test_line_split_across_words(
    fake_runtime: Runtime, make_integration: Writer, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--integration", str(make_integration()), "--config", str(config), "--json"]
    code, out, _ = run_cli(capsys, *argv, "!fake-echo", "text=two words", "limit=3")
    assert code == 0
    assert json.loads(out)[0]["Contents"] == {"text": "two words", "limit": "3", "exact": "true"}


def test_error_entry_is_red_with_exit_status_1(
    fake_runtime: Runtime,
    make_integration: Writer,
    config: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    code, out, _ = run_cli(
        capsys, "--integration", str(make_integration()), "--config", str(config), "!fake-fail"
    )
    assert code == 1
    assert "\x1b[1;31mit failed" in out


def test_warning_entry_is_yellow(
    fake_runtime: Runtime,
    make_integration: Writer,
    config: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    code_text = (
        "def main():\n"
        "    return_results({'Type': 11, 'ContentsFormat': 'text', 'Contents': 'careful'})\n\n"
        "main()\n"
    )
    code, out, _ = run_cli(
        capsys, "--integration", str(make_integration(code_text)), "--config", str(config), "!test-module"
    )
    assert code == 0
    assert "\x1b[33mcareful" in out


def test_uncaught_exception_is_shown_not_crashing_the_runner(
    fake_runtime: Runtime, make_integration: Writer, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--integration", str(make_integration()), "--config", str(config)]
    code, out, _ = run_cli(capsys, *argv, "!fake-echo text=x note=raise")
    assert code == 1
    assert "Script failed to run" in out and "ValueError: boom from the integration" in out


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('!fake-echo text="open', "The value of text has no closing double quote"),
        (
            "!fake-echo text=a colour=red",
            "!fake-echo has no argument colour. Accepted arguments: exact, limit",
        ),
        ("!fake-echo", "missing required argument(s): text"),
        ("!fake-nope", "Commands of Fake Integration: test-module, fake-echo"),
    ],
)
def test_refused_line_exit_status_2(
    fake_runtime: Runtime,
    make_integration: Writer,
    config: Path,
    capsys: pytest.CaptureFixture[str],
    line: str,
    message: str,
) -> None:
    code, out, err = run_cli(capsys, "--integration", str(make_integration()), "--config", str(config), line)
    assert code == 2
    assert out == ""
    assert message in err


def test_missing_config_file_and_bad_config(
    fake_runtime: Runtime, make_integration: Writer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--integration", str(make_integration())]
    code, _, err = run_cli(capsys, *argv, "--config", str(tmp_path / "nope.yml"), "!test-module")
    assert code == 2 and "Cannot read the config file" in err
    (tmp_path / "list.json").write_text("[1, 2]")
    code, _, err = run_cli(capsys, *argv, "--config", str(tmp_path / "list.json"), "!test-module")
    assert code == 2 and "must hold a mapping" in err
    code, _, err = run_cli(capsys, *argv, "!test-module")
    assert code == 2 and "url is required" in err


def test_json_and_context(
    fake_runtime: Runtime, make_integration: Writer, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--integration", str(make_integration()), "--config", str(config), "!fake-echo text=hi"]
    _, out, _ = run_cli(capsys, "--json", *argv)
    assert json.loads(out)[0]["EntryContext"] == {
        "Fake.Echo(val.text && val.text == obj.text)": [{"text": "hi", "limit": "50", "exact": "true"}]
    }
    _, out, _ = run_cli(capsys, "--json", "--context", *argv)
    assert json.loads(out)["context"] == {"Fake": {"Echo": [{"text": "hi", "limit": "50", "exact": "true"}]}}
    _, out, _ = run_cli(capsys, "--context", *argv)
    readable, _, context = out.partition("Context")
    assert "hi" in readable
    assert json.loads(context.strip().lstrip("─").strip()) == {
        "Fake": {"Echo": [{"text": "hi", "limit": "50", "exact": "true"}]}
    }


def test_saved_file_paths_are_printed(
    fake_runtime: Runtime,
    make_integration: Writer,
    config: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out_dir = tmp_path / "files"
    argv = ["--integration", str(make_integration()), "--config", str(config), "--out", str(out_dir)]
    code, out, _ = run_cli(capsys, *argv, '!fake-file name="my report.txt"')
    assert code == 0
    assert f"Saved file: {out_dir / 'my report.txt'}" in out
    assert (out_dir / "my report.txt").read_bytes() == b"file body"


def test_context_of_a_download_shows_its_file(
    fake_runtime: Runtime,
    make_integration: Writer,
    config: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = [
        "--integration",
        str(make_integration()),
        "--config",
        str(config),
        "--out",
        str(tmp_path / "files"),
    ]
    code, out, _ = run_cli(capsys, *argv, "--context", '!fake-file name="message.eml"')
    assert code == 0
    assert '"File"' in out.split("Context", 1)[1] and '"Name": "message.eml"' in out

    code, out, _ = run_cli(capsys, *argv, "--context", "--json", '!fake-file name="message.eml"')
    context = json.loads(out)["context"]
    assert context["File"][0]["Name"] == "message.eml"
    assert context["File"][0]["SHA256"] == hashlib.sha256(b"file body").hexdigest()


def test_password_never_printed(
    fake_runtime: Runtime, make_integration: Writer, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--integration", str(make_integration()), "--config", str(config), "--debug"]
    code, out, err = run_cli(capsys, *argv, "!fake-echo text=x note=password")
    assert code == 0
    assert PASSWORD not in out + err
    assert "the password is <XX_REPLACED>" in out
    params_line = next(line for line in err.splitlines() if line.startswith("Instance parameters:"))
    assert json.loads(params_line.partition(":")[2])["credentials"] == {
        "identifier": "me",
        "password": "<XX_REPLACED>",
    }
    _, out, err = run_cli(capsys, *argv, "--json", "--context", "!fake-echo text=x note=password")
    assert PASSWORD not in out + err and "<XX_REPLACED>" in out


def test_password_masked_in_refusals(
    fake_runtime: Runtime, make_integration: Writer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "instance.json"
    config.write_text(
        json.dumps({"url": "https://x", "credentials": {"identifier": "u", "password": "Sup3rSecret"}})
    )
    argv = ["--integration", str(make_integration()), "--config", str(config)]
    code, out, err = run_cli(capsys, *argv, "!fake-echo text=x Sup3rSecret=1")
    assert code == 2
    assert "Sup3rSecret" not in out + err
    assert "has no argument <XX_REPLACED>" in err


def test_parameters_from_the_environment(
    fake_runtime: Runtime,
    make_integration: Writer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PPS_URL", "https://from-env")
    monkeypatch.setenv("PPS_USERNAME", "envuser")
    monkeypatch.setenv("PPS_PASSWORD", PASSWORD)
    monkeypatch.setenv("PPS_UNSECURE", "true")
    monkeypatch.setenv("PPS_TIMEOUT", "5")
    code_text = "def main():\n    return_results(json.dumps(demisto.params(), sort_keys=True))\n\nimport json\nmain()\n"
    code, out, err = run_cli(
        capsys, "--integration", str(make_integration(code_text)), "--json", "!test-module"
    )
    assert code == 0, err
    shown = json.loads(json.loads(out)[0]["Contents"])
    assert shown == {
        "url": "https://from-env",
        "credentials": {"identifier": "envuser", "password": "<XX_REPLACED>"},
        "unsecure": True,
        "proxy": False,
        "timeout": "5",
    }


def test_config_file_overrides_the_environment_and_json_works(
    fake_runtime: Runtime,
    make_integration: Writer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PPS_URL", "https://from-env")
    config = tmp_path / "instance.json"
    config.write_text(
        json.dumps({"url": "https://from-file", "credentials": {"identifier": "u", "password": "p4ss"}})
    )
    code_text = "def main():\n    return_results(demisto.params()['url'])\n\nmain()\n"
    argv = ["--integration", str(make_integration(code_text)), "--config", str(config), "--json"]
    code, out, _ = run_cli(capsys, *argv, "!test-module")
    assert code == 0
    assert json.loads(out)[0]["Contents"] == "https://from-file"


def test_state_goes_with_simulator(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--state", "x.sqlite", "!test-module"])
    assert exited.value.code == 2


def test_importing_the_cli_does_not_import_rich_or_yaml() -> None:
    probe = "import sys, warroom, warroom.cli; print(sorted(m for m in ('rich', 'yaml') if m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[2],
        check=True,
    )
    assert result.stdout.strip() == "[]"


def test_help_runs_as_a_module() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "warroom", "--help"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    assert result.returncode == 0
    assert "--simulator" in result.stdout and "PPS_PASSWORD" in result.stdout


def test_fake_yaml_is_valid_for_the_cli(tmp_path: Path) -> None:
    # Guards the fixtures: the fake YAML must keep the params the CLI fills.
    assert "name: credentials" in FAKE_YAML and "name: unsecure" in FAKE_YAML


def test_basic_auth_header_masked_in_debug_logs(
    fake_runtime: Runtime, make_integration: Writer, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    token = base64.b64encode(f"me:{PASSWORD}".encode()).decode()
    code_text = (
        "def main():\n"
        f"    demisto.info('send: Authorization: Basic {token}')\n"
        f"    print('header: Basic {token}')\n"
        "    return_results('ok')\n\n"
        "main()\n"
    )
    argv = ["--integration", str(make_integration(code_text)), "--config", str(config), "--debug"]
    code, out, err = run_cli(capsys, *argv, "!test-module")
    assert code == 0
    assert token not in out + err
    assert "[info] send: Authorization: Basic <XX_REPLACED>" in err


RAISING_INTEGRATION = """\
import demistomock as demisto  # noqa: E402
from CommonServerPython import *  # noqa: F401,F403


def main():
    demisto.debug("Command being called is " + demisto.command())
    try:
        raise ValueError("the appliance said no")
    except Exception as error:
        return_error(f"Failed to execute {demisto.command()}. {error}")


if __name__ in ("__main__", "__builtin__", "builtins"):
    main()
"""


def test_debug_shows_a_failures_traceback_once(
    make_integration: Writer, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The real runtime logs the traceback, replays it in the full log and puts it in the entry."""
    argv = ["--integration", str(make_integration(RAISING_INTEGRATION)), "--config", str(config), "--debug"]
    code, out, err = run_cli(capsys, *argv, "!fake-fail")

    assert code == 1
    assert (out + err).count("Traceback (most recent call last)") == 1
    assert "ValueError: the appliance said no" in out
    assert "[debug] Command being called is fake-fail" in err  # other log lines are still shown
