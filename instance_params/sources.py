"""Where an instance's parameters come from: a JSON or YAML file, the PPS_* variables, checkbox words."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

_TRUE_WORDS = {"true", "yes", "1", "on"}
_FALSE_WORDS = {"false", "no", "0", "off"}
# The variables an instance's parameters may come from, for the runner and the deploy command alike.
PPS_VARIABLES = ("PPS_URL", "PPS_USERNAME", "PPS_PASSWORD", "PPS_UNSECURE", "PPS_PROXY", "PPS_TIMEOUT")


class InvalidParams(ValueError):
    """The instance parameters cannot be used as given; the message names the file or parameter and the fix."""


def load_config_file(path: Path) -> dict[str, Any]:
    """Read instance parameters from a JSON or YAML mapping of parameter names to values."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidParams(f"Cannot read the config file {path}: {exc.strerror or exc}") from None
    if path.suffix.lower() == ".json":
        try:
            loaded = json.loads(text)
        except ValueError as exc:
            # json's message gives the position only, never the text around it.
            raise InvalidParams(f"The config file {path} is not valid JSON: {exc}") from None
    else:
        import yaml  # not at import: `import warroom` stays light

        try:
            loaded = yaml.safe_load(text)
        except yaml.MarkedYAMLError as exc:
            # PyYAML's own message quotes the offending line, which may hold a password.
            where = f" at line {exc.problem_mark.line + 1}" if exc.problem_mark else ""
            raise InvalidParams(f"The config file {path} is not valid YAML: {exc.problem}{where}") from None
        except yaml.YAMLError:
            raise InvalidParams(f"The config file {path} is not valid YAML") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise InvalidParams(f"The config file {path} must hold a mapping of parameter names to values")
    return loaded


def params_from_environment(environ: Mapping[str, str], known: Collection[str] = ()) -> dict[str, Any]:
    """The PPS_* variables as instance parameters, values as given (checkboxes not parsed).

    A credential holds only the keys whose variable is set, so the rest may come from elsewhere.
    `known` is the integration's parameter names, to tell `unsecure` from `insecure`.
    """
    params: dict[str, Any] = {}
    if "PPS_URL" in environ:
        params["url"] = environ["PPS_URL"]
    credential = {
        key: environ[variable]
        for key, variable in (("identifier", "PPS_USERNAME"), ("password", "PPS_PASSWORD"))
        if variable in environ
    }
    if credential:
        params["credentials"] = credential
    if "PPS_UNSECURE" in environ:
        params[insecure_param_name(known)] = environ["PPS_UNSECURE"]
    if "PPS_PROXY" in environ:
        params["proxy"] = environ["PPS_PROXY"]
    if "PPS_TIMEOUT" in environ:
        params["timeout"] = environ["PPS_TIMEOUT"]
    return params


def insecure_param_name(known: Collection[str]) -> str:
    """The name of the "trust any certificate" checkbox: `unsecure` unless the YAML calls it `insecure`."""
    # Older instances of the integration name the checkbox `insecure`.
    return "insecure" if "insecure" in known and "unsecure" not in known else "unsecure"


def merge_params(*layers: Mapping[str, Any]) -> dict[str, Any]:
    """Later layers win; a credential is merged key by key, so a password may come from elsewhere than its user."""
    merged: dict[str, Any] = {}
    for layer in layers:
        for name, value in layer.items():
            if isinstance(value, Mapping) and isinstance(merged.get(name), Mapping):
                merged[name] = {**merged[name], **value}
            else:
                merged[name] = dict(value) if isinstance(value, Mapping) else value
    return merged


def parse_flag(name: str, value: Any, *, empty_is_false: bool = False) -> bool:
    """A checkbox value: a bool, or true/yes/1/on, false/no/0/off (and "" with `empty_is_false`)."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS or (empty_is_false and word == ""):
        return False
    raise InvalidParams(f"{name} must be true or false, got {value!r}")
