"""Keeps secrets (the XSOAR API key, instance passwords) out of everything the deploy command prints."""

from __future__ import annotations

from collections.abc import Iterable

from warroom.params import encoded_forms

MASK = "********"


class Redactor:
    """Replaces each secret, in the encodings it may be printed in, by `********`."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._forms: list[str] = []
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        if not secret:
            return
        forms = set(self._forms) | encoded_forms(secret)
        # Longest first, so an encoded form is not left half-replaced by a shorter one.
        self._forms = sorted(forms, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for form in self._forms:
            text = text.replace(form, MASK)
        return text
