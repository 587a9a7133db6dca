"""The `demisto` object as a module: the local stand-in for what the XSOAR server answers.

Written from the XSOAR runtime specification (§1). Entries and logs are captured in module lists
instead of being written to the server's stdin/stdout, so tests and the War Room runner can read them.
"""

import json
import logging
import os
import time
from typing import Any

INTEGRATION_BRAND = "Proofpoint PPS REST"
INTEGRATION_INSTANCE = "local"
INVESTIGATION_ID = "1"


def _fresh_calling_context(command: str, args: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    return {
        "params": params,
        "args": args,
        "command": command,
        "integration": True,
        "context": {
            "IntegrationBrand": INTEGRATION_BRAND,
            "IntegrationInstance": INTEGRATION_INSTANCE,
            "Inv": {"id": INVESTIGATION_ID},
        },
    }


callingContext: dict[str, Any] = _fresh_calling_context("", {}, {})
is_debug: bool = False

# Every entry results() produced, as the server would have received it (after a JSON round trip).
captured_entries: list[Any] = []
# (level, text) for every info/debug call; level is the method name.
captured_logs: list[tuple[str, str]] = []

# What incidents() emitted in this run, each list as the server would have received it.
captured_incidents: list[dict[str, Any]] = []

# What the server keeps per instance between runs: the integration context and fetch's last run.
_stored: dict[str, Any] = {"integration_context": {}, "last_run": {}}
# The JSON file that keeps it between runs (None: kept for this run only), and what it holds now.
_state: dict[str, Any] = {"file": None, "kept": {"integration_context": {}, "last_run": {}}}

_root_logger = logging.getLogger()
# Marks the root-logger records written here, so debug mode's handler (CSP) does not send them back.
_FROM_DEMISTO = {"demisto_call": True}


def reset(
    command: str = "",
    args: dict[str, Any] | None = None,
    params: dict[str, Any] | None = None,
    is_debug: bool = False,
    state_file: str | os.PathLike[str] | None = None,
) -> None:
    """Start a fresh run: new calling context, no captured entries, logs or incidents.

    Mutates the module's containers in place, so references taken earlier stay valid. With
    `state_file`, the last run and the integration context are read from that JSON file (empty when
    it does not exist yet) and kept there as the server keeps them: the integration context when it
    is set, the last run when the run ends well (end_run). Without it they start empty.
    """
    # The server turns debug mode on for a command run with debug-mode=true (spec §9).
    globals()["is_debug"] = is_debug or str((args or {}).get("debug-mode", "")).lower() == "true"
    callingContext.clear()
    callingContext.update(_fresh_calling_context(command, dict(args or {}), dict(params or {})))
    captured_entries.clear()
    captured_logs.clear()
    captured_incidents.clear()
    kept = _read_state_file(state_file) if state_file is not None else {}
    _state.update(file=state_file, kept=kept)
    _stored.update(
        integration_context=_json_copy(kept.get("integration_context") or {}),
        last_run=_json_copy(kept.get("last_run") or {}),
    )


def end_run(succeeded: bool) -> None:
    """The run is over: the server keeps its last run only when it succeeded (spec §10.5)."""
    if succeeded:
        _keep("last_run", _stored["last_run"])


def _read_state_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as handle:
            kept = json.load(handle)
    except FileNotFoundError:
        return {}
    if not isinstance(kept, dict):
        raise ValueError(
            f"The runtime state file {path} does not hold a JSON object: delete it to start over"
        )
    return kept


def _keep(name: str, value: Any) -> None:
    """Record `value` as what the server keeps for the instance, in the state file if there is one."""
    _state["kept"] = {**_state["kept"], name: _json_copy(value)}
    path = _state["file"]
    if path is None:
        return
    temporary = f"{os.fspath(path)}.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(_state["kept"], handle, indent=2, sort_keys=True)
    os.replace(temporary, path)  # a reader never sees half a file


# ----- what the server tells the integration -----


def params() -> dict[str, Any]:
    return callingContext.get("params") or {}


def args() -> dict[str, Any]:
    return dict(callingContext.get("args") or {})


def command() -> str:
    return callingContext.get("command") or ""


def investigation() -> dict[str, Any]:
    return callingContext["context"]["Inv"]


def uniqueFile() -> str:
    import uuid  # costs a few ms, and most runs never write a file

    return str(uuid.uuid4())


# ----- results: converted exactly as the real server converts them -----


def _to_entry(value: Any) -> Any:
    if isinstance(value, dict):
        if "Contents" in value and "ContentsFormat" in value:
            return value
        return {"Type": 1, "Contents": json.dumps(value), "ContentsFormat": "json"}
    if isinstance(value, bytes):
        return {"Type": 1, "Contents": value.decode("utf-8"), "ContentsFormat": "text"}
    return {"Type": 1, "Contents": str(value), "ContentsFormat": "text"}


def _to_entries(value: Any) -> list[Any]:
    if isinstance(value, list):
        entries: list[Any] = []
        for item in value:
            entries.extend(_to_entries(item))
        return entries
    return [_to_entry(value)]


def results(value: Any) -> None:
    """Record `value` as the server would: converted to entries, serialised to JSON (TypeError if it can't be)."""
    serialised = json.dumps(_to_entries(value))
    if _root_logger.isEnabledFor(logging.INFO):
        _root_logger.info("%s", serialised, extra=_FROM_DEMISTO)
    captured_entries.extend(json.loads(serialised))


def incidents(incident_list: list[dict[str, Any]]) -> None:
    """Send the incidents a fetch created; they are also kept in captured_incidents."""
    contents = json.dumps(incident_list)
    results({"Type": 1, "Contents": contents, "ContentsFormat": "json"})
    captured_incidents.extend(json.loads(contents))


# ----- logging: the server log, not the War Room -----


def _message_text(message: Any, extra: tuple[Any, ...]) -> str:
    if not extra:
        return str(message)
    try:
        return str(message) % extra
    except (TypeError, ValueError):
        return " ".join(str(part) for part in (message, *extra))


def _write_log(level: str, text: str) -> None:
    """One log call as the server's transport makes it: written unlocked, then a wait for the reply.

    The real `demisto` writes the line to its protocol stream and blocks until the server answers,
    so other threads run in between; time.sleep(0) gives them that chance here too.
    """
    captured_logs.append((level, text))
    time.sleep(0)


def info(message: Any, *extra: Any) -> None:
    text = _message_text(message, extra)
    _write_log("info", text)
    _root_logger.info("%s", text, extra=_FROM_DEMISTO)


def debug(message: Any, *extra: Any) -> None:
    text = _message_text(message, extra)
    _write_log("debug", text)
    _root_logger.debug("%s", text, extra=_FROM_DEMISTO)


# ----- state the server keeps between runs (JSON round-tripped, as the server stores JSON) -----


def _json_copy(value: Any) -> Any:
    return json.loads(json.dumps(value))


def getIntegrationContext() -> dict[str, Any]:
    return _json_copy(_stored["integration_context"]) or {}


def setIntegrationContext(context: dict[str, Any]) -> None:
    _stored["integration_context"] = _json_copy(context)
    _keep("integration_context", context)  # the server stores it at once, whatever the run's outcome


def getLastRun() -> dict[str, Any]:
    return _json_copy(_stored["last_run"]) or {}


def setLastRun(last_run: Any) -> None:
    """Kept for the next run only if this one succeeds (end_run)."""
    _stored["last_run"] = _json_copy(last_run)
