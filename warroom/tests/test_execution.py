"""Running an integration the way the server does: one fresh namespace, imports stripped, entries collected."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from warroom import Runtime, run_command, strip_runtime_imports

from .fakes import FAKE_YAML

PARAMS = {"url": "https://pps.example.com", "credentials": {"identifier": "me", "password": "pw"}}
RUN_MAIN = '\nif __name__ in ("__main__", "__builtin__", "builtins"):\n    main()\n'

Writer = Callable[..., Path]


def test_runs_with_name_builtins(fake_runtime: Runtime, make_integration: Writer, tmp_path: Path) -> None:
    result = run_command("!fake-echo text=hi note=name", PARAMS, make_integration(), tmp_path / "out")
    assert [entry["Contents"] for entry in result.entries] == ["__name__=builtins"]
    assert result.exit_code == 0


def test_canonical_import_lines_are_not_executed(fake_runtime: Runtime, make_integration: Writer) -> None:
    # The fixture makes `import demistomock` and `from CommonServerPython import *` raise ImportError,
    # so this run succeeds only because both lines were removed, as demisto-sdk unify removes them.
    code = make_integration().read_text()
    assert "import demistomock as demisto  # noqa: E402" in code
    result = run_command("!test-module", PARAMS, make_integration())
    assert result.entries == [{"Type": 1, "Contents": "ok", "ContentsFormat": "text"}]


def test_other_spellings_of_the_import_stay_and_fail_as_on_the_server(
    fake_runtime: Runtime, make_integration: Writer
) -> None:
    code = "import demistomock\n\ndef main():\n    return_results('never')\n" + RUN_MAIN
    result = run_command("!test-module", PARAMS, make_integration(code))
    assert result.exit_code == 1
    assert (
        "ModuleNotFoundError" in result.entries[-1]["Contents"]
        or "ImportError" in result.entries[-1]["Contents"]
    )


def test_strip_runtime_imports_keeps_line_numbers() -> None:
    code = (
        "import demistomock as demisto  # noqa: E402\n"
        "from CommonServerPython import *\n"
        "from CommonServerUserPython import *  \n"
        "    import demistomock as demisto\n"
        "from CommonServerPython import BaseClient\n"
        "x = 1\n"
    )
    assert strip_runtime_imports(code) == (
        "\n\n\n    import demistomock as demisto\nfrom CommonServerPython import BaseClient\nx = 1\n"
    )


def test_every_run_gets_a_fresh_namespace(fake_runtime: Runtime, make_integration: Writer) -> None:
    code = (
        "RUNS = globals().get('RUNS', 0) + 1\n\n"
        "def main():\n    return_results(f'runs={RUNS} demisto={demisto.__name__}')\n" + RUN_MAIN
    )
    path = make_integration(code)
    first = run_command("!test-module", PARAMS, path)
    second = run_command("!test-module", PARAMS, path)
    assert first.entries[0]["Contents"] == second.entries[0]["Contents"] == "runs=1 demisto=fake_demistomock"


def test_args_and_params_reach_the_integration_as_the_server_passes_them(
    fake_runtime: Runtime, make_integration: Writer
) -> None:
    result = run_command('!fake-echo text="two words"', PARAMS, make_integration())
    # fake-echo writes the args it was given to the context
    assert result.context == {"Fake": {"Echo": [{"text": "two words", "limit": "50", "exact": "true"}]}}
    assert result.args == {"text": "two words", "limit": "50", "exact": "true"}
    assert result.entries[0]["HumanReadable"].startswith("### Echo")

    code = "import json\ndef main():\n    return_results(json.dumps(demisto.params()))\n" + RUN_MAIN
    given = run_command("!test-module", PARAMS, make_integration(code)).entries[0]["Contents"]
    assert json.loads(given) == {**PARAMS, "unsecure": False, "proxy": False, "timeout": "60"}


def test_return_error_gives_an_error_entry_and_exit_1(
    fake_runtime: Runtime, make_integration: Writer
) -> None:
    result = run_command("!fake-fail", PARAMS, make_integration())
    assert result.entries == [
        {"Type": 4, "ContentsFormat": "text", "Contents": "it failed", "EntryContext": {"Fake.Failed": True}}
    ]
    assert result.context == {"Fake": {"Failed": True}}
    assert result.exit_code == 1


def test_uncaught_exception_becomes_the_error_entry_the_server_shows(
    fake_runtime: Runtime, make_integration: Writer
) -> None:
    path = make_integration()
    result = run_command("!fake-echo text=x note=raise", PARAMS, path)
    assert result.exit_code == 1
    message = result.entries[-1]["Contents"]
    assert result.entries[-1]["Type"] == 4
    assert message.startswith("Script failed to run: Error: [Traceback (most recent call last):")
    assert f'File "{path}", line' in message
    assert "ValueError: boom from the integration" in message
    assert "warroom" not in message.replace(str(path), "")  # no frames of the runner itself


def test_sys_exit_with_a_status_is_an_error(fake_runtime: Runtime, make_integration: Writer) -> None:
    result = run_command("!test-module", PARAMS, make_integration("import sys\nsys.exit(3)\n"))
    assert result.entries == [
        {"Type": 4, "ContentsFormat": "text", "Contents": "Script exited with status 3"}
    ]
    assert result.exit_code == 1


def test_file_entries_are_saved_under_their_names(
    fake_runtime: Runtime, make_integration: Writer, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    path = make_integration()
    cwd = os.getcwd()
    first = run_command("!fake-file", PARAMS, path, out)
    second = run_command("!fake-file", PARAMS, path, out)
    assert first.files == [out / "report.txt"]
    assert second.files == [out / "report-1.txt"]
    assert (out / "report.txt").read_text() == "file body"
    assert first.entries[0]["File"] == "report.txt"
    assert os.getcwd() == cwd


def test_a_file_entry_writes_file_context_as_the_server_does(
    fake_runtime: Runtime, make_integration: Writer, tmp_path: Path
) -> None:
    result = run_command('!fake-file name="report.eml"', PARAMS, make_integration(), tmp_path / "out")

    (file_context,) = result.context["File"]
    assert file_context == {
        "Name": "report.eml",
        "EntryID": "1@7",
        "Size": len(b"file body"),
        "Type": "message/rfc822",
        "Info": "message/rfc822",
        "Extension": "eml",
        "MD5": hashlib.md5(b"file body").hexdigest(),
        "SHA1": hashlib.sha1(b"file body").hexdigest(),
        "SHA256": hashlib.sha256(b"file body").hexdigest(),
        "SHA512": hashlib.sha512(b"file body").hexdigest(),
    }


@pytest.mark.parametrize(
    ("name", "saved"),
    [
        ("../../evil.sh", "evil.sh"),
        ("a/b\\c.eml", "a_b_c.eml"),
        ("..", "file"),
        ("re..port.txt", "re.port.txt"),
        (".hidden\x01", "hidden_"),
    ],
)
def test_file_names_cannot_leave_the_out_folder(
    fake_runtime: Runtime, make_integration: Writer, tmp_path: Path, name: str, saved: str
) -> None:
    out = tmp_path / "out"
    result = run_command(f'!fake-file name="{name}"', PARAMS, make_integration(), out)
    assert result.files == [out / saved]
    assert sorted(p.name for p in out.iterdir()) == [saved]


def test_a_file_id_pointing_elsewhere_is_not_moved(
    fake_runtime: Runtime, make_integration: Writer, tmp_path: Path
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    code = (
        "def main():\n"
        f"    return_results({{'Type': 3, 'Contents': '', 'ContentsFormat': 'text', 'File': 'x',"
        f" 'FileID': '../../{victim}'}})\n" + RUN_MAIN
    )
    result = run_command("!test-module", PARAMS, make_integration(code), tmp_path / "out")
    assert result.files == []
    assert victim.read_text() == "keep me"
    assert any("no file" in text for _, text in result.logs)


def test_process_state_is_restored_after_the_run(
    fake_runtime: Runtime, make_integration: Writer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy:3128")
    code = (
        "import os\n\ndef main():\n"
        "    seen = os.environ.get('EXTRA_FOR_RUN')\n"
        "    os.environ.pop('HTTPS_PROXY')\n"
        "    os.environ['LEFT_BEHIND'] = '1'\n"
        "    return_results(f'{seen} {os.getcwd()}')\n" + RUN_MAIN
    )
    cwd = os.getcwd()
    result = run_command("!test-module", PARAMS, make_integration(code), env={"EXTRA_FOR_RUN": "yes"})
    seen, run_dir = result.entries[0]["Contents"].split(" ", 1)
    assert seen == "yes"
    assert run_dir != cwd and not Path(run_dir).exists()  # a per-run directory, removed afterwards
    assert os.environ["HTTPS_PROXY"] == "http://proxy:3128"
    assert "LEFT_BEHIND" not in os.environ and "EXTRA_FOR_RUN" not in os.environ
    assert os.getcwd() == cwd


def test_debug_and_logs(fake_runtime: Runtime, make_integration: Writer) -> None:
    code = (
        "def main():\n"
        "    demisto.info('info line')\n"
        "    demisto.error('error line')\n"
        "    print('printed line')\n"
        "    return_results(str(demisto.is_debug))\n" + RUN_MAIN
    )
    result = run_command("!test-module", PARAMS, make_integration(code), debug=True)
    assert result.entries[0]["Contents"] == "True"
    assert ("info", "info line") in result.logs
    assert ("error", "error line") in result.logs
    assert ("stdout", "error line\nprinted line\n") in result.logs
    assert fake_runtime.demisto.is_debug is False  # the next user of demisto is not left in debug mode
    assert fake_runtime.demisto.params() == {}


def test_debug_mode_argument_turns_debug_mode_on_in_the_real_runtime(make_integration: Writer) -> None:
    code = "def main():\n    return_results(str(demisto.is_debug))\n" + RUN_MAIN
    result = run_command("!fake-fail debug-mode=true", PARAMS, make_integration(code))
    assert result.entries[0]["Contents"] == "True"


def test_unified_yaml_runs_its_script(fake_runtime: Runtime, tmp_path: Path) -> None:
    script = "def main():\n    return_results('from the unified yml')\n" + RUN_MAIN
    unified = FAKE_YAML.replace(
        "  script: '-'", "  script: |\n" + "".join(f"    {line}\n" for line in script.split("\n"))
    )
    (tmp_path / "Unified.yml").write_text(unified)
    result = run_command("!test-module", PARAMS, tmp_path / "Unified.yml")
    assert result.entries[0]["Contents"] == "from the unified yml"


def test_a_package_folder_is_accepted(fake_runtime: Runtime, make_integration: Writer) -> None:
    folder = make_integration().parent
    (folder / "Fake_test.py").write_text("raise AssertionError('a test file is not the integration')\n")
    assert run_command("!test-module", PARAMS, folder).entries[0]["Contents"] == "ok"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("!fake-echo", "missing required argument(s): text"),
        ("!fake-echo text=a bogus=1", "has no argument bogus"),
        ("!fake-nope", "Unknown command !fake-nope"),
        ("fake-echo", "starts with '!'"),
    ],
)
def test_refused_lines_do_not_run(
    fake_runtime: Runtime, make_integration: Writer, line: str, message: str
) -> None:
    result = run_command(line, PARAMS, make_integration())
    assert result.exit_code == 2
    assert message in result.entries[0]["Contents"]
    assert fake_runtime.demisto.callingContext == {}  # reset() was never called: nothing ran


def test_refused_params_do_not_run(fake_runtime: Runtime, make_integration: Writer) -> None:
    result = run_command("!test-module", {"url": "https://x"}, make_integration())
    assert result.exit_code == 2
    assert "credentials is required" in result.entries[0]["Contents"]
