"""CSP loaded the server's way: its source exec'd into a fresh namespace, then the integration exec'd there."""

import ast
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import demistomock as demisto
import pytest
from requests_mock import Mocker

RuntimeLoader = Callable[..., dict[str, Any]]
RUNTIME_DIR = Path(__file__).resolve().parent.parent
CSP_PATH = RUNTIME_DIR / "CommonServerPython.py"

# A tiny integration, as `demisto-sdk unify` leaves it: the two canonical import lines removed.
INTEGRATION = textwrap.dedent(
    """
    class Client(BaseClient):
        def list_folders(self) -> dict:
            url = self._base_url + "/quarantine/folders"
            reply = self._session.request("GET", url, verify=self._verify, timeout=self.timeout)
            if not reply.ok:
                raise DemistoException(f"PPS answered {reply.status_code} {reply.reason}: {reply.text}", res=reply)
            return reply.json()


    def test_module(client: Client) -> str:
        client.list_folders()
        return "ok"


    def list_folders_command(client: Client, args: dict) -> CommandResults:
        reply = client.list_folders()
        return CommandResults(
            outputs_prefix="Proofpoint.QuarantineFolder",
            outputs_key_field="name",
            outputs=reply["folders"],
            readable_output=tableToMarkdown("Folders", reply["folders"]),
        )


    def main() -> None:
        params = demisto.params()
        client = Client(base_url=params["url"], verify=not params.get("insecure", False))
        command = demisto.command()
        try:
            if command == "test-module":
                return_results(test_module(client))
            elif command == "proofpoint-pps-list-folders":
                return_results(list_folders_command(client, demisto.args()))
            else:
                raise NotImplementedError(f"Command {command} is not implemented")
        except Exception as error:
            return_error(f"Failed to execute {command} command.\\nError:\\n{error}")


    if __name__ in ("__main__", "__builtin__", "builtins"):
        main()
    """
)
PARAMS = {
    "url": "https://pps.example.com:10000/rest/v1",
    "credentials": {"identifier": "admin", "password": "pw"},
}


def run_integration(runtime: dict[str, Any]) -> None:
    exec(compile(INTEGRATION, "ProofpointProtectionServerV2.py", "exec"), runtime)


def test_source_starts_with_the_canonical_demisto_import() -> None:
    assert CSP_PATH.read_text(encoding="utf-8").startswith("import demistomock as demisto\n")


def test_exec_gives_the_namespace_the_runtime_names(load_runtime: RuntimeLoader) -> None:
    runtime = load_runtime()
    assert runtime["demisto"] is demisto
    assert runtime["__name__"] == "builtins"
    for name in ("CommandResults", "return_results", "return_error", "BaseClient", "tableToMarkdown", "LOG"):
        assert name in runtime


def test_integration_returns_ok_for_test_module(load_runtime: RuntimeLoader, requests_mock: Mocker) -> None:
    requests_mock.get(f"{PARAMS['url']}/quarantine/folders", json={"folders": []})
    runtime = load_runtime(command="test-module", params=PARAMS)

    run_integration(runtime)

    assert demisto.captured_entries == [{"Type": 1, "Contents": "ok", "ContentsFormat": "text"}]


def test_integration_writes_context_and_table(load_runtime: RuntimeLoader, requests_mock: Mocker) -> None:
    folders = [{"name": "Quarantine", "is_quarantine": True}]
    requests_mock.get(f"{PARAMS['url']}/quarantine/folders", json={"folders": folders})
    runtime = load_runtime(command="proofpoint-pps-list-folders", params=PARAMS)

    run_integration(runtime)

    (entry,) = demisto.captured_entries
    assert entry["EntryContext"] == {"Proofpoint.QuarantineFolder(val.name && val.name == obj.name)": folders}
    assert entry["HumanReadable"] == "### Folders\n|is_quarantine|name|\n|---|---|\n| true | Quarantine |\n"


def test_integration_error_becomes_one_error_entry_and_exit_zero(
    load_runtime: RuntimeLoader, requests_mock: Mocker
) -> None:
    requests_mock.get(
        f"{PARAMS['url']}/quarantine/folders", status_code=401, reason="Unauthorized", text="pw bad"
    )
    runtime = load_runtime(command="test-module", params=PARAMS)

    with pytest.raises(SystemExit) as exited:
        run_integration(runtime)

    assert exited.value.code == 0
    assert demisto.captured_entries == [
        {
            "Type": 4,
            "ContentsFormat": "text",
            "Contents": "Failed to execute test-module command.\nError:\n"
            "PPS answered 401 Unauthorized: <XX_REPLACED> bad",
            "EntryContext": None,
        }
    ]


def test_unknown_command_error(load_runtime: RuntimeLoader) -> None:
    runtime = load_runtime(command="nope", params=PARAMS)
    with pytest.raises(SystemExit):
        run_integration(runtime)
    assert demisto.captured_entries[0]["Contents"] == (
        "Failed to execute nope command.\nError:\nCommand nope is not implemented"
    )


def test_each_exec_starts_a_new_log(load_runtime: RuntimeLoader) -> None:
    first = load_runtime(params={"password": "one"})
    first["LOG"]("buffered")
    second = load_runtime(params={"password": "two"})
    assert second["LOG"].messages == []
    assert second["LOG"]("one two") == "one <XX_REPLACED>"


def test_imports_only_the_standard_library_requests_and_urllib3() -> None:
    allowed = set(sys.stdlib_module_names) | {"requests", "urllib3", "demistomock"}
    tree = ast.parse(CSP_PATH.read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported and imported <= allowed, imported - allowed


def test_import_loads_no_module_beyond_what_requests_loads() -> None:
    probe = (
        "import sys, requests, demistomock\n"
        "before = set(sys.modules)\n"
        "import CommonServerPython\n"
        "print(sorted(set(sys.modules) - before))\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", probe], cwd=RUNTIME_DIR, capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "['CommonServerPython']"


def test_unified_code_line_registration_runs(load_runtime: RuntimeLoader) -> None:
    runtime = load_runtime()
    unified = "register_module_line('ProofpointProtectionServerV2', 'start', __line__())\nline = __line__()\n"
    exec(compile(unified, "unified.py", "exec"), runtime)
    assert runtime["line"] == 2


def test_the_empty_companion_modules_import_cleanly() -> None:
    import CommonServerUserPython
    import DemistoClassApiModule

    assert [name for name in vars(CommonServerUserPython) if not name.startswith("__")] == []
    assert [name for name in vars(DemistoClassApiModule) if not name.startswith("__")] == []
