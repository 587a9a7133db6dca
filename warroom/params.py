"""Instance parameters (from a config file or PPS_* variables) and masking their secrets in output.

The deploy command (xsoar_deploy) reads its instance parameters with the same functions: they raise
CommandRefused, which it turns into its own UsageRefused.
"""

from __future__ import annotations

import base64
import json
import urllib.parse
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any

from warroom.errors import CommandRefused
from warroom.manifest import PARAM_TYPE_CHECKBOX, PARAM_TYPE_CREDENTIALS, IntegrationManifest

MASK = "<XX_REPLACED>"
# Parameter names whose values are secrets, as CommonServerPython's LOG decides.
_SECRET_NAME_PARTS = ("key", "private", "password", "secret", "token", "credentials", "service_account")
_TRUE_WORDS = {"true", "yes", "1", "on"}
_FALSE_WORDS = {"false", "no", "0", "off"}
# The variables an instance's parameters may come from, for the runner and the deploy command alike.
PPS_VARIABLES = ("PPS_URL", "PPS_USERNAME", "PPS_PASSWORD", "PPS_UNSECURE", "PPS_PROXY", "PPS_TIMEOUT")


def load_config_file(path: Path) -> dict[str, Any]:
    """Read instance parameters from a JSON or YAML mapping of parameter names to values."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CommandRefused(f"Cannot read the config file {path}: {exc.strerror or exc}") from exc
    if path.suffix.lower() == ".json":
        try:
            loaded = json.loads(text)
        except ValueError as exc:
            raise CommandRefused(f"The config file {path} is not valid JSON: {exc}") from exc
    else:
        import yaml  # not at import: `import warroom` stays light

        try:
            loaded = yaml.safe_load(text)
        except yaml.MarkedYAMLError as exc:
            # PyYAML's own message quotes the offending line, which may hold a password.
            where = f" at line {exc.problem_mark.line + 1}" if exc.problem_mark else ""
            raise CommandRefused(f"The config file {path} is not valid YAML: {exc.problem}{where}") from None
        except yaml.YAMLError as exc:
            raise CommandRefused(f"The config file {path} is not valid YAML: {exc}") from exc
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise CommandRefused(f"The config file {path} must hold a mapping of parameter names to values")
    return loaded


def raw_params_from_environment(environ: Mapping[str, str], known: Collection[str] = ()) -> dict[str, Any]:
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
        params[_insecure_name(known)] = environ["PPS_UNSECURE"]
    if "PPS_PROXY" in environ:
        params["proxy"] = environ["PPS_PROXY"]
    if "PPS_TIMEOUT" in environ:
        params["timeout"] = environ["PPS_TIMEOUT"]
    return params


def params_from_environment(
    environ: Mapping[str, str], manifest: IntegrationManifest | None = None
) -> dict[str, Any]:
    """Instance parameters from PPS_URL, PPS_USERNAME, PPS_PASSWORD, PPS_UNSECURE, PPS_PROXY, PPS_TIMEOUT.

    Checkboxes are parsed, and a credential always has both its identifier and its password.
    """
    params = raw_params_from_environment(environ, manifest.params if manifest else ())
    if "credentials" in params:
        params["credentials"] = {"identifier": "", "password": "", **params["credentials"]}
    for name, variable in ((insecure_param_name(manifest), "PPS_UNSECURE"), ("proxy", "PPS_PROXY")):
        if name in params:
            params[name] = parse_flag(variable, params[name], empty_is_false=True)
    return params


def insecure_param_name(manifest: IntegrationManifest | None) -> str:
    """The name of the "trust any certificate" checkbox: `unsecure` unless the YAML calls it `insecure`."""
    return _insecure_name(manifest.params if manifest else ())


def _insecure_name(known: Collection[str]) -> str:
    # Older instances of the integration name the checkbox `insecure`.
    return "insecure" if "insecure" in known and "unsecure" not in known else "unsecure"


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
            value = False if value is None else parse_flag(spec.name, value, empty_is_false=True)
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


def parse_flag(name: str, value: Any, *, empty_is_false: bool = False) -> bool:
    """A checkbox value: a bool, or true/yes/1/on, false/no/0/off (and "" with `empty_is_false`)."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS or (empty_is_false and word == ""):
        return False
    raise CommandRefused(f"{name} must be true or false, got {value!r}")


def is_secret_name(name: str) -> bool:
    lowered = name.lower()
    return any(part in lowered for part in _SECRET_NAME_PARTS)


def secrets_in(params: Mapping[str, Any], is_secret: Callable[[str], bool] = is_secret_name) -> list[str]:
    """The secret values among the params: passwords of credentials (with their basic-auth header form)
    and the values of the params `is_secret` names (by default: secret-named params)."""
    found: list[str] = []
    for name, value in params.items():
        if isinstance(value, Mapping):
            password = value.get("password")
            if password:
                found.append(str(password))
                identifier = value.get("identifier")
                if isinstance(identifier, str):
                    basic = base64.b64encode(f"{identifier}:{password}".encode()).decode()
                    found.append(basic)
        elif (
            isinstance(value, (str, int, float)) and not isinstance(value, bool) and value and is_secret(name)
        ):
            found.append(str(value))
    return found


def encoded_forms(secret: str) -> set[str]:
    """A secret as it may be printed: as is, JSON- and repr-escaped, URL-quoted."""
    forms = {
        secret,
        json.dumps(secret)[1:-1],
        urllib.parse.quote(secret, safe=""),
        urllib.parse.quote_plus(secret),
        repr(secret)[1:-1],
    }
    forms.discard("")
    return forms


class Masker:
    """Replaces every secret, in the encodings it may be printed in, by `<XX_REPLACED>`."""

    def __init__(self, secrets: list[str]) -> None:
        forms: set[str] = set()
        for secret in secrets:
            if secret:
                forms.update(encoded_forms(secret))
        # Longest first, so a secret's encoded form is not left half-replaced by a shorter form.
        self._forms = sorted(forms, key=len, reverse=True)

    @classmethod
    def for_params(cls, params: Mapping[str, Any]) -> Masker:
        return cls(secrets_in(params))

    def text(self, text: str) -> str:
        for form in self._forms:
            text = text.replace(form, MASK)
        return text

    def value(self, value: Any) -> Any:
        """Mask a JSON-like value: strings inside dicts and lists, keys included."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {self.value(key): self.value(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.value(item) for item in value]
        return value


def masked_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """The params as they may be printed: passwords and secret-named values replaced by the mask."""
    shown: dict[str, Any] = {}
    for name, value in params.items():
        if isinstance(value, Mapping):
            shown[name] = {
                key: MASK if (key == "password" or is_secret_name(key)) and item else item
                for key, item in value.items()
            }
        elif is_secret_name(name) and value not in (None, ""):
            shown[name] = MASK
        else:
            shown[name] = value
    return Masker.for_params(params).value(shown)
