"""The `demisto` object as a module: the local stand-in for what the XSOAR server answers.

Written from shared/spec/xsoar-runtime.md (§1). Entries and logs are captured in module lists
instead of being written to the server's stdin/stdout, so tests and the War Room runner can read them.
"""

import json
import logging
import time
from typing import Any

INTEGRATION_BRAND = "Proofpoint PPS REST"
INTEGRATION_INSTANCE = "local"
INVESTIGATION_ID = "1"

# Reported to CSP; at least 6.2.0 so that ScheduledCommand (polling) is allowed.
SERVER_VERSION = {"version": "6.10.0", "buildNumber": "12345"}

SAMPLE_INCIDENTS: list[dict[str, Any]] = [
    {"id": "1", "name": "Sample incident", "severity": 1, "rawJSON": "{}"},
]


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
# (level, text) for every info/debug/error/log call; level is the method name.
captured_logs: list[tuple[str, str]] = []

# What the server persists per instance: the integration context and fetch's last run.
_stored: dict[str, Any] = {"integration_context": {}, "last_run": {}}

_root_logger = logging.getLogger()
# Marks the root-logger records written here, so debug mode's handler (CSP) does not send them back.
_FROM_DEMISTO = {"demisto_call": True}


def reset(
    command: str = "",
    args: dict[str, Any] | None = None,
    params: dict[str, Any] | None = None,
    is_debug: bool = False,
) -> None:
    """Start a fresh run: new calling context, no captured entries or logs, empty stored state.

    Mutates the module's containers in place, so references taken earlier stay valid. A runner that
    persists state between runs restores it with setIntegrationContext/setLastRun after this call.
    """
    # The server turns debug mode on for a command run with debug-mode=true (spec §9).
    globals()["is_debug"] = is_debug or str((args or {}).get("debug-mode", "")).lower() == "true"
    callingContext.clear()
    callingContext.update(_fresh_calling_context(command, dict(args or {}), dict(params or {})))
    captured_entries.clear()
    captured_logs.clear()
    _stored.update(integration_context={}, last_run={})


# ----- what the server tells the integration -----


def params() -> dict[str, Any]:
    return callingContext.get("params") or {}


def args() -> dict[str, Any]:
    return dict(callingContext.get("args") or {})


def command() -> str:
    return callingContext.get("command") or ""


def getParam(name: str) -> Any:
    return params().get(name)


def investigation() -> dict[str, Any]:
    return callingContext["context"]["Inv"]


def demistoVersion() -> dict[str, str]:
    return dict(SERVER_VERSION)


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


def incidents(incident_list: list[dict[str, Any]] | None = None) -> Any:
    if incident_list is None:
        return [dict(incident) for incident in SAMPLE_INCIDENTS]
    return results({"Type": 1, "Contents": json.dumps(incident_list), "ContentsFormat": "json"})


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


def error(message: Any, *extra: Any) -> None:
    # The stock mock prints errors to stdout; kept so local output matches what developers expect.
    text = _message_text(message, extra)
    _write_log("error", text)
    print(text)


def log(message: Any) -> None:
    text = str(message)
    _write_log("log", text)
    _root_logger.info("%s", text, extra=_FROM_DEMISTO)


# ----- state the server keeps between runs (JSON round-tripped, as the server stores JSON) -----


def _json_copy(value: Any) -> Any:
    return json.loads(json.dumps(value))


def getIntegrationContext() -> dict[str, Any]:
    return _json_copy(_stored["integration_context"]) or {}


def setIntegrationContext(context: dict[str, Any]) -> None:
    _stored["integration_context"] = _json_copy(context)


def getLastRun() -> dict[str, Any]:
    return _json_copy(_stored["last_run"]) or {}


def setLastRun(last_run: Any) -> None:
    _stored["last_run"] = _json_copy(last_run)
