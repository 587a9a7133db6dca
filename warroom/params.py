"""The runner's side of instance parameters: checked against the integration's YAML, refusals as CommandRefused.

Reading them (config file, PPS_* variables, checkbox words) and masking their secrets live in the
shared `instance_params` module, which the deploy command uses too.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import instance_params
from instance_params import PPS_VARIABLES, InvalidParams
from warroom.errors import CommandRefused
from warroom.manifest import PARAM_TYPE_CHECKBOX, PARAM_TYPE_CREDENTIALS, IntegrationManifest

__all__ = [
    "PPS_VARIABLES",
    "check_params",
    "insecure_param_name",
    "load_config_file",
    "params_from_environment",
]


@contextmanager
def _refused() -> Iterator[None]:
    """The shared module's InvalidParams as the runner's CommandRefused (exit status 2)."""
    try:
        yield
    except InvalidParams as exc:
        raise CommandRefused(str(exc)) from None


def load_config_file(path: Path) -> dict[str, Any]:
    """Read instance parameters from a JSON or YAML mapping of parameter names to values."""
    with _refused():
        return instance_params.load_config_file(path)


def params_from_environment(
    environ: Mapping[str, str], manifest: IntegrationManifest | None = None
) -> dict[str, Any]:
    """Instance parameters from PPS_URL, PPS_USERNAME, PPS_PASSWORD, PPS_UNSECURE, PPS_PROXY, PPS_TIMEOUT.

    Checkboxes are parsed, and a credential always has both its identifier and its password.
    """
    params = instance_params.params_from_environment(environ, manifest.params if manifest else ())
    if "credentials" in params:
        params["credentials"] = {"identifier": "", "password": "", **params["credentials"]}
    with _refused():
        for name, variable in ((insecure_param_name(manifest), "PPS_UNSECURE"), ("proxy", "PPS_PROXY")):
            if name in params:
                params[name] = instance_params.parse_flag(variable, params[name], empty_is_false=True)
    return params


def insecure_param_name(manifest: IntegrationManifest | None) -> str:
    """The name of the "trust any certificate" checkbox: `unsecure` unless the YAML calls it `insecure`."""
    return instance_params.insecure_param_name(manifest.params if manifest else ())


def check_params(manifest: IntegrationManifest, params: Mapping[str, Any]) -> dict[str, Any]:
    """Return the params as a configured instance holds them: YAML defaults applied, checkboxes as bools.

    Refuses names the integration does not have and required params left empty, as the server
    refuses to save such an instance.
    """
    unknown = sorted(name for name in params if name not in manifest.params)
    if unknown:
        raise CommandRefused(
            f"Unknown instance parameter(s) {', '.join(unknown)}. "
            f"Parameters of {manifest.name or 'this integration'}: {', '.join(sorted(manifest.params))}"
        )
    checked: dict[str, Any] = {}
    for spec in manifest.params.values():
        value = params.get(spec.name)
        if value is None:
            value = spec.default
        if spec.type == PARAM_TYPE_CHECKBOX:
            with _refused():
                value = (
                    False
                    if value is None
                    else instance_params.parse_flag(spec.name, value, empty_is_false=True)
                )
        elif spec.type == PARAM_TYPE_CREDENTIALS:
            if isinstance(value, Mapping):
                value = dict(value)
            elif value is not None:
                raise CommandRefused(f"Parameter {spec.name} must be a mapping with identifier and password")
        elif isinstance(value, (int, float)):
            value = str(value)
        if value is None:
            if spec.required:
                raise CommandRefused(_missing_param_message(spec.name))
            continue
        if spec.required and spec.type != PARAM_TYPE_CHECKBOX and _is_empty(value):
            raise CommandRefused(_missing_param_message(spec.name))
        checked[spec.name] = value
    return checked


def _missing_param_message(name: str) -> str:
    hint = {"url": " (or PPS_URL)", "credentials": " (or PPS_USERNAME and PPS_PASSWORD)"}.get(name, "")
    return f"Instance parameter {name} is required: set it in the --config file{hint}, or use --simulator"


def _is_empty(value: Any) -> bool:
    if isinstance(value, Mapping):
        return not value.get("identifier") and not value.get("password")
    return value == "" or value == [] or value == {}
