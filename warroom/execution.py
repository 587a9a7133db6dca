"""Running one integration command the way the XSOAR server runs it, and collecting what it produced."""

from __future__ import annotations

import ast
import contextlib
import copy
import functools
import importlib
import io
import os
import re
import shutil
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import CodeType, ModuleType, TracebackType
from typing import Any

from warroom.command_line import parse_command_line
from warroom.context import merge_entries_context, merge_entry_context
from warroom.errors import CommandRefused
from warroom.integration import PROJECT_ROOT, Integration, load_integration
from warroom.params import check_params

RUNTIME_DIR = PROJECT_ROOT / "xsoar_runtime"
DEFAULT_OUT_DIR = Path("warroom-files")

ENTRY_TYPE_FILE = 3
ENTRY_TYPE_IMAGE = 7
ENTRY_TYPE_ENTRY_INFO_FILE = 9
ENTRY_TYPE_ERROR = 4
FILE_ENTRY_TYPES = (ENTRY_TYPE_FILE, ENTRY_TYPE_IMAGE, ENTRY_TYPE_ENTRY_INFO_FILE)
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
# Where the server puts a file entry's file in the context, one item per entry.
FILE_CONTEXT_KEY = "File(val.EntryID && val.EntryID == obj.EntryID)"
# The instance parameter that turns fetching on (spec §10.7).
FETCH_SWITCH_PARAM = "isFetch"

# around_main(namespace, main): called after the integration's exec in place of its entry idiom; it
# calls main() itself (or not), and may read or change the integration's globals first.
MainHook = Callable[[dict[str, Any], Callable[[], None]], None]


@dataclass
class RunResult:
    entries: list[dict[str, Any]]
    context: dict[str, Any]
    files: list[Path]
    logs: list[tuple[str, str]]
    exit_code: int
    # What the integration was given, after the YAML checks (handy for tests; mask params before printing).
    args: dict[str, str] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    # fetch-incidents: what incidents() emitted, and the last run kept for the next fetch (None: none
    # kept, because the run failed or set none).
    incidents: list[dict[str, Any]] = field(default_factory=list)
    last_run: dict[str, Any] | None = None


@dataclass
class Execution:
    """What one exec of the integration produced, before files are saved."""

    entries: list[dict[str, Any]]
    logs: list[tuple[str, str]]
    investigation_id: str
    incidents: list[dict[str, Any]]
    last_run: dict[str, Any] | None


@dataclass(frozen=True)
class Runtime:
    """The runtime stand-in: the `demisto` module and the CommonServerPython source executed before the code."""

    demisto: ModuleType
    common_server_code: str
    common_server_path: Path


def load_runtime(folder: Path = RUNTIME_DIR) -> Runtime:
    """The project's runtime stand-in (xsoar_runtime/), importing `demistomock` from it."""
    csp_path = folder / "CommonServerPython.py"
    if not csp_path.is_file():
        raise CommandRefused(f"The XSOAR runtime stand-in is missing: {csp_path} not found")
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    demisto = importlib.import_module("demistomock")
    return Runtime(demisto, csp_path.read_text(encoding="utf-8"), csp_path)


def refused_result(message: str) -> RunResult:
    """What a refused line gives: one error entry, as the War Room shows it, and exit status 2."""
    entry = {"Type": ENTRY_TYPE_ERROR, "ContentsFormat": "text", "Contents": message}
    return RunResult(entries=[entry], context={}, files=[], logs=[], exit_code=2)


def run_command(
    line: str,
    params: Mapping[str, Any],
    integration: Path | Integration | None = None,
    workdir: Path | None = None,
    debug: bool = False,
    *,
    env: Mapping[str, str] | None = None,
    runtime: Runtime | None = None,
    around_main: MainHook | None = None,
) -> RunResult:
    """Run a War Room line such as `!proofpoint-pps-smart-search sender=a@b.c` with instance `params`.

    `integration` is the integration's .py, package folder or unified .yml (default: this project's);
    files the command returns are saved in `workdir` (default ./warroom-files); `env` holds extra
    environment variables for the run only; `around_main` as in `execute_integration`. A line refused
    before running gives exit_code 2.
    """
    try:
        command, args = parse_command_line(line)
    except CommandRefused as exc:
        return refused_result(str(exc))
    return run_parsed(
        command, args, params, integration, workdir, debug, env=env, runtime=runtime, around_main=around_main
    )


def run_parsed(
    command: str,
    args: Mapping[str, str],
    params: Mapping[str, Any],
    integration: Path | Integration | None = None,
    workdir: Path | None = None,
    debug: bool = False,
    *,
    env: Mapping[str, str] | None = None,
    runtime: Runtime | None = None,
    state_file: Path | None = None,
    around_main: MainHook | None = None,
) -> RunResult:
    """Like `run_command`, for a command already split into its name and arguments.

    `state_file` keeps what the server keeps for the instance between runs (last run, integration
    context), as JSON; without it each run starts with none. `around_main` as in `execute_integration`.
    """
    try:
        loaded = integration if isinstance(integration, Integration) else load_integration(integration)
        checked_args = loaded.manifest.check_args(command, args)
        instance = check_params(loaded.manifest, params)
        runtime = runtime or load_runtime()
    except CommandRefused as exc:
        return refused_result(str(exc))
    out_dir = Path(workdir) if workdir is not None else DEFAULT_OUT_DIR
    with tempfile.TemporaryDirectory(prefix="warroom-run-") as run_dir:
        run = execute_integration(
            runtime,
            loaded,
            command,
            checked_args,
            instance,
            Path(run_dir),
            debug=debug,
            env=env or {},
            state_file=state_file,
            around_main=around_main,
        )
        saved = _save_entry_files(run.entries, Path(run_dir), run.investigation_id, out_dir, run.logs)
        files = [path for _, path in saved]
        files += save_attachments(run.incidents, Path(run_dir), run.investigation_id, out_dir, run.logs)
    context = merge_entries_context(run.entries)
    if saved:
        # The server adds a File entry to the context for every file entry, as it adds the file.
        file_contexts = [
            file_context(
                str(run.entries[index].get("File") or path.name), path, f"{index + 1}@{run.investigation_id}"
            )
            for index, path in saved
        ]
        merge_entry_context(context, {FILE_CONTEXT_KEY: file_contexts})
    return RunResult(
        entries=run.entries,
        context=context,
        files=files,
        logs=run.logs,
        exit_code=1 if _has_error(run.entries) else 0,
        args=checked_args,
        params=instance,
        incidents=run.incidents,
        last_run=run.last_run,
    )


def run_fetch(
    params: Mapping[str, Any],
    integration: Path | Integration | None = None,
    workdir: Path | None = None,
    debug: bool = False,
    *,
    state_file: Path | None = None,
    env: Mapping[str, str] | None = None,
    runtime: Runtime | None = None,
    around_main: MainHook | None = None,
) -> RunResult:
    """Run fetch-incidents as the server's scheduler does, for an instance with fetching on.

    The last run and the integration context come from `state_file` and go back to it (the last run
    only when the fetch succeeds); attachments of the incidents are saved in `workdir`. `around_main`
    as in `execute_integration`.
    """
    try:
        loaded = integration if isinstance(integration, Integration) else load_integration(integration)
    except CommandRefused as exc:
        return refused_result(str(exc))
    if not loaded.manifest.is_fetch:
        return refused_result(
            f"{loaded.manifest.name or 'This integration'} does not fetch incidents: its YAML does not set "
            "script.isfetch: true"
        )
    instance = dict(params)
    if FETCH_SWITCH_PARAM in loaded.manifest.params:
        instance[FETCH_SWITCH_PARAM] = True  # the scheduler runs fetch only for instances that fetch
    return run_parsed(
        "fetch-incidents",
        {},
        instance,
        loaded,
        workdir,
        debug,
        env=env,
        runtime=runtime,
        state_file=state_file,
        around_main=around_main,
    )


def execute_integration(
    runtime: Runtime,
    integration: Integration,
    command: str,
    args: Mapping[str, str],
    params: Mapping[str, Any],
    run_dir: Path,
    *,
    debug: bool = False,
    env: Mapping[str, str] | None = None,
    state_file: Path | None = None,
    around_main: MainHook | None = None,
) -> Execution:
    """Exec CommonServerPython then the integration in one fresh namespace, as the server's loop does.

    With `around_main`, the integration is exec'd without its entry idiom (`if __name__ in (...):
    main()`), in the same namespace named `builtins`, and then `around_main(namespace, main)` runs, so
    the caller acts between the exec and main() (and calls main() itself). What main() raises or
    exits with is handled as when the entry idiom calls it, and process-wide state is restored alike.
    """
    demisto = runtime.demisto
    run_state = {"state_file": state_file} if state_file is not None else {}
    demisto.reset(
        command=command, args=dict(args), params=copy.deepcopy(dict(params)), is_debug=debug, **run_state
    )
    namespace: dict[str, Any] = {"__name__": "builtins", "demisto": demisto}
    failure: dict[str, Any] | None = None
    printed = io.StringIO()
    with _isolated_process_state(run_dir, env or {}), contextlib.redirect_stdout(printed):
        try:
            exec(_compiled(runtime.common_server_code, str(runtime.common_server_path)), namespace)
            code_path = str(integration.code_path)
            if around_main is None:
                exec(_compiled(integration.code, code_path), namespace)
            else:
                exec(_compiled(without_entry_idiom(integration.code), code_path), namespace)
                main = namespace.get("main")
                if not callable(main):
                    raise NameError(f"{code_path} defines no main() for around_main to run")
                around_main(namespace, main)
        except SystemExit as exc:
            # return_error ends with sys.exit(0); another status without an entry is a failure to show.
            if exc.code not in (None, 0) and not list(getattr(demisto, "captured_entries", [])):
                failure = _error_entry(f"Script exited with status {exc.code}")
        except Exception as exc:
            failure = _uncaught_exception_entry(exc)
        investigation_id = _investigation_id(demisto)
    entries = [dict(entry) for entry in getattr(demisto, "captured_entries", [])]
    if failure is not None:
        entries.append(failure)
    logs = [(str(level), str(text)) for level, text in getattr(demisto, "captured_logs", [])]
    incidents = [dict(incident) for incident in getattr(demisto, "captured_incidents", [])]
    last_run = None
    if hasattr(demisto, "end_run"):
        succeeded = not _has_error(entries)
        demisto.end_run(succeeded)  # a failed run keeps no last run: the next one repeats it
        if succeeded and command == "fetch-incidents":
            last_run = demisto.getLastRun()
    demisto.reset()  # nothing of this run (debug mode, params) is left for code that uses demisto next
    if printed.getvalue():
        logs.append(("stdout", printed.getvalue()))
    return Execution(entries, logs, investigation_id, incidents, last_run)


def save_files(
    entries: list[dict[str, Any]],
    run_dir: Path,
    investigation_id: str,
    out_dir: Path,
    logs: list[tuple[str, str]],
) -> list[Path]:
    """Move the files of file entries from the run directory to `out_dir`, under safe, unique names."""
    return [path for _, path in _save_entry_files(entries, run_dir, investigation_id, out_dir, logs)]


def _save_entry_files(
    entries: list[dict[str, Any]],
    run_dir: Path,
    investigation_id: str,
    out_dir: Path,
    logs: list[tuple[str, str]],
) -> list[tuple[int, Path]]:
    """(entry index, saved path) for every file entry whose file was written."""
    saved: list[tuple[int, Path]] = []
    for index, entry in enumerate(entries):
        if entry.get("Type") not in FILE_ENTRY_TYPES or not entry.get("FileID"):
            continue
        name = str(entry.get("File") or entry["FileID"])
        path = _move_written_file(run_dir, investigation_id, str(entry["FileID"]), name, out_dir, logs)
        saved += [(index, path)] if path else []
    return saved


def file_context(name: str, path: Path, entry_id: str) -> dict[str, Any]:
    """The File context the server writes for a file entry (no SSDeep: it needs a native library).

    Type and Info are the MIME type guessed from the name; the server reads them from the content.
    """
    import hashlib
    import mimetypes

    data = path.read_bytes()
    mime_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    context: dict[str, Any] = {"Name": name, "EntryID": entry_id, "Size": len(data)}
    context.update(Type=mime_type, Info=mime_type, Extension=Path(name).suffix.lstrip(".").lower())
    for algorithm in ("MD5", "SHA1", "SHA256", "SHA512"):
        context[algorithm] = hashlib.new(algorithm.lower(), data).hexdigest()
    return context


def save_attachments(
    incidents: list[dict[str, Any]],
    run_dir: Path,
    investigation_id: str,
    out_dir: Path,
    logs: list[tuple[str, str]],
) -> list[Path]:
    """Move the files attached to fetched incidents (`attachment: [{path: FileID, name}]`) to `out_dir`."""
    saved: list[Path] = []
    for incident in incidents:
        attachments = incident.get("attachment")
        for attachment in attachments if isinstance(attachments, list) else []:
            if not isinstance(attachment, dict) or not attachment.get("path"):
                continue
            file_id = str(attachment["path"])
            name = str(attachment.get("name") or file_id)
            path = _move_written_file(run_dir, investigation_id, file_id, name, out_dir, logs)
            saved += [path] if path else []
    return saved


def _move_written_file(
    run_dir: Path, investigation_id: str, file_id: str, name: str, out_dir: Path, logs: list[tuple[str, str]]
) -> Path | None:
    """Move the file fileResult wrote for `file_id` to `out_dir` as `name` (made safe and unique)."""
    source = run_dir / f"{investigation_id}_{file_id}"
    if source.resolve().parent != run_dir.resolve() or not source.is_file():
        logs.append(("warning", f"File {name!r}: no file {source.name} was written"))
        return None
    out_dir.mkdir(parents=True, exist_ok=True)
    target = unique_path(out_dir / safe_file_name(name))
    shutil.move(str(source), target)
    return target


def safe_file_name(name: str) -> str:
    """A file name that stays in its folder: path parts joined by `_`, no `..`, no control characters."""
    parts = [part for part in re.split(r"[\\/]", name) if part not in ("", ".", "..")]
    name = _CONTROL_CHARS.sub("_", "_".join(parts))
    while ".." in name:
        name = name.replace("..", ".")
    name = name.strip(" .")
    return name[:200] or "file"


def unique_path(path: Path) -> Path:
    """`path`, or `name-1.ext`, `name-2.ext`, ... if it exists."""
    candidate, number = path, 0
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return candidate


def _has_error(entries: list[dict[str, Any]]) -> bool:
    return any(entry.get("Type") == ENTRY_TYPE_ERROR for entry in entries)


def _error_entry(message: str) -> dict[str, Any]:
    return {"Type": ENTRY_TYPE_ERROR, "ContentsFormat": "text", "Contents": message}


def _uncaught_exception_entry(exc: BaseException) -> dict[str, Any]:
    """The error the server shows when the script raises: its traceback, minus the runner's own frame."""
    tb: TracebackType | None = exc.__traceback__.tb_next if exc.__traceback__ else None
    text = "".join(traceback.format_exception(type(exc), exc, tb))
    return _error_entry(f"Script failed to run: Error: [{text}] (2604) (2603)")


def _investigation_id(demisto: ModuleType) -> str:
    try:
        return str(demisto.investigation()["id"])
    except Exception:
        return "1"


@functools.lru_cache(maxsize=8)
def _compiled(code: str, filename: str) -> CodeType:
    return compile(code, filename, "exec")


@functools.lru_cache(maxsize=8)
def without_entry_idiom(code: str) -> str:
    """`code` with its module-level entry idiom (`if __name__ in (...):` or `if __name__ == ...:`, the
    block that calls main()) removed, leaving blank lines so line numbers stay true, as
    `strip_runtime_imports` does with the import lines."""
    lines = code.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for statement in ast.parse(code).body:
        if _is_entry_idiom(statement):
            lines[statement.lineno - 1 : statement.end_lineno] = [""] * (
                (statement.end_lineno or statement.lineno) - statement.lineno + 1
            )
    return "\n".join(lines)


def _is_entry_idiom(statement: ast.stmt) -> bool:
    test = statement.test if isinstance(statement, ast.If) else None
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.In | ast.Eq)
    )


@contextlib.contextmanager
def _isolated_process_state(run_dir: Path, env: Mapping[str, str]) -> Iterator[None]:
    """Run in `run_dir` with `env` added, then undo what the run changed process-wide.

    CommonServerPython deletes proxy and CA-bundle variables, routes Python warnings to demisto.info
    and, in debug mode, turns on http.client debugging and routes the root logger to demisto; none of
    that may leak into the next run in this process.
    """
    import http.client
    import logging
    import warnings

    saved_showwarning = warnings.showwarning
    saved_environ = dict(os.environ)
    saved_cwd = os.getcwd()
    saved_debuglevel = http.client.HTTPConnection.debuglevel
    saved_print = http.client.__dict__.get("print")
    root_logger = logging.getLogger()
    saved_root_level, saved_root_handlers = root_logger.level, list(root_logger.handlers)
    os.environ.update(env)
    os.chdir(run_dir)
    try:
        yield
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_environ)
        warnings.showwarning = saved_showwarning
        http.client.HTTPConnection.debuglevel = saved_debuglevel
        root_logger.setLevel(saved_root_level)
        root_logger.handlers[:] = saved_root_handlers
        if saved_print is None:
            http.client.__dict__.pop("print", None)
        else:
            http.client.__dict__["print"] = saved_print
