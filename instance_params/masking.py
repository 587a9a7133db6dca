"""Keeping secrets (instance passwords, API keys) out of what is printed, without garbling the rest.

A secret is masked where it stands as a whole: as a string value, or as a token of a text, never
inside a longer word and never in the keys or fields that give the output its structure. A short
password such as `e` or `ion` then leaves `Type` and `Connection` as they are, while `e` alone,
`user:ion@host` or `"password": "ion"` are masked.
"""

from __future__ import annotations

import base64
import json
import re
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from typing import Any

MASK = "<XX_REPLACED>"
# Parameter names whose values are secrets, as CommonServerPython's LOG decides.
SECRET_NAME_PARTS = ("key", "private", "password", "secret", "token", "credentials", "service_account")
# War Room entry fields that hold the entry's structure (its type and formats), not its content.
ENTRY_STRUCTURE_FIELDS = frozenset(
    {"Type", "ContentsFormat", "ReadableContentsFormat", "Note", "IgnoreAutoExtract", "FileID"}
)
# A secret that starts (or ends) with a word character is whole only where no word character
# touches it. An escape sequence (`\n`, `\x41`, `\u00e9`) in repr- or JSON-escaped text ends in a
# letter or digit but still separates: the secret after it is masked.
_WHOLE_START = r"(?:(?<!\w)|(?<=\\[nrtfvb0])|(?<=\\x[0-9a-fA-F]{2})|(?<=\\u[0-9a-fA-F]{4}))"
_WHOLE_END = r"(?!\w)"


def is_secret_name(name: str) -> bool:
    lowered = name.lower()
    return any(part in lowered for part in SECRET_NAME_PARTS)


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
                    found.append(base64.b64encode(f"{identifier}:{password}".encode()).decode())
        elif (
            isinstance(value, (str, int, float)) and not isinstance(value, bool) and value and is_secret(name)
        ):
            found.append(str(value))
    return found


def encoded_forms(secret: str) -> set[str]:
    """A secret as it may be printed: as is, JSON- and repr-escaped, URL-encoded (both hex cases)."""
    url_encoded = {
        urllib.parse.quote(secret, safe=""),
        urllib.parse.quote(secret),  # `/` kept, as in a URL's path
        urllib.parse.quote_plus(secret),
    }
    lower_hex = {re.sub(r"%[0-9A-F]{2}", lambda match: match.group().lower(), form) for form in url_encoded}
    forms = {
        secret,
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        repr(secret)[1:-1],
        *url_encoded,
        *lower_hex,
    }
    forms.discard("")
    return forms


class Masker:
    """Replaces every whole occurrence of a secret, in the encodings it may be printed in, by `<XX_REPLACED>`."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._forms: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        for secret in secrets:
            self.add(secret)

    @classmethod
    def for_params(cls, params: Mapping[str, Any]) -> Masker:
        return cls(secrets_in(params))

    def add(self, secret: str | None) -> None:
        if not secret:
            return
        self._forms |= encoded_forms(secret)
        # Longest first, so that a form holding a shorter one is masked whole; one pass, so the mask
        # itself is never masked again.
        alternatives = [_whole(form) for form in sorted(self._forms, key=len, reverse=True)]
        self._pattern = re.compile("|".join(alternatives))

    def text(self, text: str) -> str:
        """A text with each secret standing as a whole replaced; a secret inside a longer word stays."""
        if self._pattern is None:
            return text
        return self._pattern.sub(MASK, text)

    __call__ = text

    def value(self, value: Any) -> Any:
        """A JSON-like value with its string values masked; keys, numbers and booleans as they are."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {key: self.value(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.value(item) for item in value]
        return value

    def entry(self, entry: Mapping[str, Any]) -> dict[str, Any]:
        """A War Room entry with its content masked and its structure (type, formats) untouched."""
        return {
            name: item if name in ENTRY_STRUCTURE_FIELDS else self.value(item) for name, item in entry.items()
        }

    def entries(self, entries: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        return [self.entry(entry) for entry in entries]


def _whole(form: str) -> str:
    start = _WHOLE_START if re.match(r"\w", form[0]) else ""
    end = _WHOLE_END if re.match(r"\w", form[-1]) else ""
    return f"{start}{re.escape(form)}{end}"


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
