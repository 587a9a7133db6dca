"""Instance parameters (from a config file or PPS_* variables) and masking their secrets in output."""

from __future__ import annotations

import base64
import json
import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from warroom.errors import CommandRefused
from warroom.manifest import PARAM_TYPE_CHECKBOX, PARAM_TYPE_CREDENTIALS, IntegrationManifest

MASK = "<XX_REPLACED>"
# Parameter names whose values are secrets, as CommonServerPython's LOG decides.
_SECRET_NAME_PARTS = ("key", "private", "password", "secret", "token", "credentials", "service_account")
_TRUE_WORDS = {"true", "yes", "1", "on"}
_FALSE_WORDS = {"false", "no", "0", "off", ""}


def load_config_file(path: Path) -> dict[str, Any]:
    """Read instance parameters from a JSON or YAML mapping."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CommandRefused(f"Cannot read the config file {path}: {exc.strerror or exc}") from exc
    if Path(path).suffix.lower() == ".json":
        try:
            loaded = json.loads(text)
        except ValueError as exc:
            raise CommandRefused(f"The config file {path} is not valid JSON: {exc}") from exc
    else:
        import yaml

        try:
            loaded = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise CommandRefused(f"The config file {path} is not valid YAML or JSON: {exc}") from exc
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise CommandRefused(f"The config file {path} must hold a mapping of parameter names to values")
    return loaded


def params_from_environment(
    environ: Mapping[str, str], manifest: IntegrationManifest | None = None
) -> dict[str, Any]:
    """Instance parameters from PPS_URL, PPS_USERNAME, PPS_PASSWORD, PPS_UNSECURE, PPS_PROXY, PPS_TIMEOUT."""
    params: dict[str, Any] = {}
    if "PPS_URL" in environ:
        params["url"] = environ["PPS_URL"]
    if "PPS_USERNAME" in environ or "PPS_PASSWORD" in environ:
        params["credentials"] = {
            "identifier": environ.get("PPS_USERNAME", ""),
            "password": environ.get("PPS_PASSWORD", ""),
        }
    if "PPS_UNSECURE" in environ:
        params[insecure_param_name(manifest)] = _parse_flag("PPS_UNSECURE", environ["PPS_UNSECURE"])
    if "PPS_PROXY" in environ:
        params["proxy"] = _parse_flag("PPS_PROXY", environ["PPS_PROXY"])
    if "PPS_TIMEOUT" in environ:
        params["timeout"] = environ["PPS_TIMEOUT"]
    return params


def insecure_param_name(manifest: IntegrationManifest | None) -> str:
    """The name of the "trust any certificate" checkbox: `unsecure` unless the YAML calls it `insecure`."""
    known = manifest.params if manifest else {}
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
            value = False if value is None else _parse_flag(spec.name, value)
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


def _parse_flag(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    raise CommandRefused(f"{name} must be true or false, got {value!r}")


def is_secret_name(name: str) -> bool:
    lowered = name.lower()
    return any(part in lowered for part in _SECRET_NAME_PARTS)


def secrets_in(params: Mapping[str, Any]) -> list[str]:
    """The secret values among the params: passwords of credentials and values of secret-named params."""
    found: list[str] = []
    for name, value in params.items():
        if isinstance(value, Mapping):
            password = value.get("password")
            if isinstance(password, str) and password:
                found.append(password)
                identifier = value.get("identifier")
                if isinstance(identifier, str):
                    basic = base64.b64encode(f"{identifier}:{password}".encode()).decode()
                    found.append(basic)
        elif isinstance(value, str) and value and is_secret_name(name):
            found.append(value)
    return found


class Masker:
    """Replaces every secret, in the encodings it may be printed in, by `<XX_REPLACED>`."""

    def __init__(self, secrets: list[str]) -> None:
        forms: set[str] = set()
        for secret in secrets:
            if not secret:
                continue
            forms.update(
                {
                    secret,
                    json.dumps(secret)[1:-1],
                    urllib.parse.quote(secret, safe=""),
                    urllib.parse.quote_plus(secret),
                    repr(secret)[1:-1],
                }
            )
        forms.discard("")
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
