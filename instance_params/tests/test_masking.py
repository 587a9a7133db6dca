"""Secrets are masked where they stand as a whole, in every form they may be printed in, and nowhere else."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote, quote_plus

import pytest

from instance_params import MASK, Masker, masked_params

SHORT_PASSWORDS = ["e", "ion", "p", "example"]
# Characters that URL-encoding, JSON and repr escape, and an `@` that splits URL credentials.
SPECIAL_PASSWORD = 'p@ss w/rd%+&="é\\'


@pytest.mark.parametrize("password", SHORT_PASSWORDS)
def test_a_short_password_leaves_keys_and_words_alone(password: str) -> None:
    masker = Masker([password])
    entry = {
        "Type": 1,
        "ContentsFormat": "json",
        "Contents": [{"Recipients": "patricia43@research.sample.com", "Quarantine_Folder": "Quarantine"}],
        "HumanReadable": "Connection test passed: | Type | Sender |",
        "EntryContext": {
            "Proofpoint.SmartSearch(val.GUID && val.GUID == obj.GUID)": [{"GUID": "w4HRpeeion"}]
        },
    }

    assert masker.entry(entry) == entry
    assert masker.text("Connection refused, see example.org") == (
        "Connection refused, see <XX_REPLACED>.org"
        if password == "example"
        else "Connection refused, see example.org"
    )


@pytest.mark.parametrize("password", SHORT_PASSWORDS)
def test_a_short_password_standing_alone_is_masked(password: str) -> None:
    masker = Masker([password])
    value = {
        "Contents": password,
        "note": f"the password is {password}",
        "url": f"https://admin:{password}@pps.example.net:10000",
        "json": json.dumps({"password": password}),
        "list": [password, 3, True, None],
    }

    assert masker.value(value) == {
        "Contents": MASK,
        "note": f"the password is {MASK}",
        "url": f"https://admin:{MASK}@pps.{'<XX_REPLACED>' if password == 'example' else 'example'}.net:10000",
        "json": json.dumps({"password": MASK}),
        "list": [MASK, 3, True, None],
    }


@pytest.mark.parametrize(
    "form",
    [
        SPECIAL_PASSWORD,
        quote(SPECIAL_PASSWORD, safe=""),
        quote(SPECIAL_PASSWORD),
        quote_plus(SPECIAL_PASSWORD),
        quote(SPECIAL_PASSWORD, safe="").lower(),
        json.dumps(SPECIAL_PASSWORD)[1:-1],
        json.dumps(SPECIAL_PASSWORD, ensure_ascii=False)[1:-1],
        repr(SPECIAL_PASSWORD)[1:-1],
    ],
    ids=["typed", "url", "url-path", "url-plus", "url-lower-hex", "json", "json-unicode", "repr"],
)
def test_the_password_is_masked_in_each_form_it_may_be_printed_in(form: str) -> None:
    masker = Masker.for_params({"credentials": {"identifier": "admin", "password": SPECIAL_PASSWORD}})

    assert masker.text(f"https://admin:{form}@host/x") == f"https://admin:{MASK}@host/x"
    assert masker.value({"form": form}) == {"form": MASK}


def test_a_url_encoded_short_password_is_masked_as_a_whole_only() -> None:
    masker = Masker(["p@"])

    assert masker.text("https://admin:p%40@host") == f"https://admin:{MASK}@host"
    assert masker.text("https://admin:xp%40@host") == "https://admin:xp%40@host"


def test_the_basic_auth_header_is_masked() -> None:
    token = base64.b64encode(b"admin:ion").decode()
    masker = Masker.for_params({"credentials": {"identifier": "admin", "password": "ion"}})

    assert (
        masker.text(f"send: b'Authorization: Basic {token}\\r\\n'")
        == f"send: b'Authorization: Basic {MASK}\\r\\n'"
    )


def test_a_secret_after_an_escape_sequence_is_masked() -> None:
    """In repr- or JSON-escaped text, `\\n` ends in a letter but still separates."""
    masker = Masker(["Secret9"])

    assert masker.text("b'line\\nSecret9\\r\\n'") == f"b'line\\n{MASK}\\r\\n'"
    assert masker.text('"\\u00e9Secret9"') == f'"\\u00e9{MASK}"'


def test_the_mask_itself_is_never_masked_again() -> None:
    masker = Masker(["XX", "REPLACED", "pw"])

    assert masker.text("pw and pw") == f"{MASK} and {MASK}"


def test_a_longer_secret_holding_a_shorter_one_is_masked_whole() -> None:
    masker = Masker(["pw", "pw-and-more"])

    assert masker.text("x pw-and-more y") == f"x {MASK} y"


def test_an_entry_keeps_its_structure_fields() -> None:
    masker = Masker(["text", "1"])
    entry = {"Type": 1, "ContentsFormat": "text", "Contents": "text", "HumanReadable": None}

    assert masker.entry(entry) == {
        "Type": 1,
        "ContentsFormat": "text",
        "Contents": MASK,
        "HumanReadable": None,
    }


def test_masked_params_hide_passwords_and_secret_named_values() -> None:
    params = {
        "url": "https://pps.example.com",
        "credentials": {"identifier": "admin", "password": "e"},
        "api_token": "t0k3n",
        "timeout": "60",
    }

    assert masked_params(params) == {
        "url": "https://pps.example.com",
        "credentials": {"identifier": "admin", "password": MASK},
        "api_token": MASK,
        "timeout": "60",
    }


def test_nothing_to_mask_leaves_text_as_it_is() -> None:
    masker = Masker(["", None])

    assert masker.text("Type e ion p") == "Type e ion p"
