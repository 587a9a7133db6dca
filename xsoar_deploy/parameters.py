"""Instance parameters from PPS_* variables, a JSON/YAML config file and --param flags, in that order.

The config file, the PPS_* variables, checkbox words and secret values are read by the shared
`instance_params` module, as the War Room runner reads them; its InvalidParams exits with status 2.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from instance_params import MASK, InvalidParams, parse_flag, secrets_in
from xsoar_deploy.errors import UsageRefused

PARAM_TYPE_ENCRYPTED = 4
PARAM_TYPE_CHECKBOX = 8
PARAM_TYPE_CREDENTIALS = 9
PARAM_TYPE_MULTI_SELECT = 16
CREDENTIAL_KEYS = ("identifier", "password")


def parse_param_flags(flags: Iterable[str]) -> dict[str, Any]:
    """`--param NAME=VALUE` flags; `credentials.identifier=...` and `credentials.password=...` set a credential."""
    params: dict[str, Any] = {}
    for flag in flags:
        name, separator, value = flag.partition("=")
        name = name.strip()
        if not separator or not name:
            raise UsageRefused(f"--param takes NAME=VALUE, got {flag.split('=')[0]!r}")
        if "." in name:
            name, key = name.split(".", 1)
            if key not in CREDENTIAL_KEYS:
                raise UsageRefused(f"--param {name}.{key}: a credential has only identifier and password")
            credential = params.setdefault(name, {})
            if not isinstance(credential, dict):
                raise UsageRefused(f"--param {name} is given both as a value and as {name}.{key}")
            credential[key] = value
        else:
            params[name] = value
    return params


def check_param_names(
    params: Mapping[str, Any], known: Mapping[str, Mapping[str, Any]], integration: str
) -> None:
    """Refuse parameter names the integration does not have, before anything is uploaded."""
    unknown = sorted(name for name in params if name not in known)
    if unknown:
        raise UsageRefused(
            f"Unknown instance parameter(s) {', '.join(unknown)}. "
            f"Parameters of {integration}: {', '.join(sorted(known))}"
        )


def instance_value(field: Mapping[str, Any], raw: Any) -> Any:
    """A parameter value as the server stores it in an instance's `data`, by the parameter's type."""
    name = field.get("name")
    param_type = int(field.get("type") or 0)
    if param_type == PARAM_TYPE_CHECKBOX:
        try:
            return parse_flag(f"Parameter {name}", raw)
        except InvalidParams as exc:
            raise UsageRefused(str(exc)) from None
    if param_type == PARAM_TYPE_CREDENTIALS:
        if not isinstance(raw, Mapping):
            raise UsageRefused(f"Parameter {name} must be a mapping with identifier and password")
        extra = sorted(set(raw) - set(CREDENTIAL_KEYS))
        if extra:
            raise UsageRefused(f"Parameter {name} has only identifier and password, not {', '.join(extra)}")
        if not raw.get("password"):
            raise UsageRefused(f"Parameter {name} needs a password")
        return {
            "credential": "",
            "identifier": str(raw.get("identifier") or ""),
            "password": str(raw["password"]),
            # We always send a password the user gave, so the server must store it.
            "passwordChanged": True,
        }
    if param_type == PARAM_TYPE_MULTI_SELECT and isinstance(raw, list):
        return [str(item) for item in raw]
    if isinstance(raw, (Mapping, list)):
        raise UsageRefused(f"Parameter {name} takes a single value, got {type(raw).__name__}")
    if isinstance(raw, bool):
        return "true" if raw else "false"
    return "" if raw is None else str(raw)


def secret_values(params: Mapping[str, Any], known: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The values never to print: credential passwords and values of encrypted (type 4) parameters."""
    return secrets_in(params, lambda name: _is_encrypted(known.get(name)))


def shown_value(field: Mapping[str, Any], value: Any) -> str:
    """A stored parameter value as a person reads it, with passwords and encrypted values masked."""
    if _is_encrypted(field):
        return MASK if value else ""
    if isinstance(value, Mapping):
        identifier = value.get("identifier") or ""
        return f"{identifier} / {MASK}" if value.get("password") else str(identifier)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _is_encrypted(field: Mapping[str, Any] | None) -> bool:
    return field is not None and int(field.get("type") or 0) == PARAM_TYPE_ENCRYPTED
