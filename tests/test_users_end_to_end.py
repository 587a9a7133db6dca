"""The end-user and sender-list commands end to end: War Room runner + integration + PPS simulator over HTTPS.

Each test checks what the analyst sees (the entry, the context) and, through the simulator's state, that
the appliance holds what the command says it does.
"""

from __future__ import annotations

from typing import Any

from pps_simulator import PPSSimulator
from warroom import RunResult

from .helpers import (
    ENTRY_NOTE,
    ENTRY_WARNING,
    WarRoom,
    entries_of_type,
    error_text,
    readable,
    requests_since,
    war_room_line,
)

USER_KEY = "Proofpoint.User(val.email && val.email == obj.email)"
CHANGE_KEY = (
    "Proofpoint.SenderListChange(val.User && val.User == obj.User && val.List && val.List == obj.List "
    "&& val.Entry && val.Entry == obj.Entry)"
)
ALICE = "alice@example.com"
BOB = "bob@example.com"


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def users_in_context(result: RunResult) -> list[dict[str, Any]]:
    return as_list(result.context["Proofpoint"]["User"]) if result.context else []


def changes_in_context(result: RunResult) -> list[tuple[str, str, str, str]]:
    changes = as_list(result.context["Proofpoint"]["SenderListChange"])
    return [(change["User"], change["List"], change["Entry"], change["Outcome"]) for change in changes]


# ---- end users --------------------------------------------------------------------------------------


def test_get_user_shows_the_user_as_the_appliance_holds_it(war_room: WarRoom, sim: PPSSimulator) -> None:
    result = war_room.run(f"!proofpoint-pps-get-user email={ALICE}")

    shown = readable(result)
    assert shown.startswith(f"### Proofpoint Protection Server end user {ALICE}\n")
    (user,) = users_in_context(result)
    assert user == sim.backend.get_enduser(ALICE)
    assert user["safelist"] == ["partner.example.net", "@example.org"]
    assert user["attributes"] == {"department": "Finance"}


def test_get_user_by_uid(war_room: WarRoom, sim: PPSSimulator) -> None:
    uid = sim.backend.get_enduser(BOB)["uid"]

    (user,) = users_in_context(war_room.run(f"!proofpoint-pps-get-user uid={uid}"))

    assert user["email"] == BOB


def test_get_user_that_does_not_exist_says_so_without_an_error(war_room: WarRoom) -> None:
    result = war_room.run("!proofpoint-pps-get-user email=nobody@example.com")

    assert readable(result) == "No end user nobody@example.com in PPS."
    assert users_in_context(result) == []


def test_create_user_sends_only_the_given_fields(war_room: WarRoom, sim: PPSSimulator) -> None:
    start = len(sim.requests)
    result = war_room.run(
        war_room_line(
            "proofpoint-pps-create-user",
            {
                "email": "carol@example.com",
                "fields": '{"firstname": "Carol", "groups": ["legal"]}',
                "attributes": '{"department": "Legal"}',
            },
        )
    )

    (user,) = users_in_context(result)
    stored = sim.backend.get_enduser("carol@example.com")
    assert user == stored
    assert (stored["firstname"], stored["groups"], stored["attributes"]) == (
        "Carol",
        ["legal"],
        {"department": "Legal"},
    )
    (sent,) = requests_since(sim, start)
    assert (sent.method, sent.json) == (
        "POST",
        {"firstname": "Carol", "groups": ["legal"], "attributes": {"department": "Legal"}},
    )


def test_create_user_that_exists_is_an_error_naming_the_user(war_room: WarRoom) -> None:
    message = error_text(war_room.run(f"!proofpoint-pps-create-user email={ALICE}"))

    assert f"User {ALICE} already exists in PPS, so it was not created." in message


def test_an_address_with_reserved_characters_reaches_the_right_user(
    war_room: WarRoom, sim: PPSSimulator
) -> None:
    address = "o'brien+soc/x#1?@example.com"
    war_room.run(f'!proofpoint-pps-create-user email="{address}"')
    assert sim.backend.get_enduser(address)["email"] == address

    (user,) = users_in_context(war_room.run(f'!proofpoint-pps-get-user email="{address}"'))

    assert user["email"] == address


def test_modify_user_changes_only_the_given_fields(war_room: WarRoom, sim: PPSSimulator) -> None:
    before = sim.backend.get_enduser(ALICE)
    start = len(sim.requests)

    result = war_room.run(
        war_room_line("proofpoint-pps-modify-user", {"email": ALICE, "fields": '{"lastname": "Example-Ng"}'})
    )

    (sent,) = requests_since(sim, start)
    assert (sent.method, sent.json) == ("PUT", {"lastname": "Example-Ng"})  # no empty attributes
    after = sim.backend.get_enduser(ALICE)
    assert after["lastname"] == "Example-Ng"
    assert after["attributes"] == before["attributes"]
    assert users_in_context(result)[0]["lastname"] == "Example-Ng"


def test_modify_user_takes_the_official_uid_spelling(war_room: WarRoom, sim: PPSSimulator) -> None:
    uid = sim.backend.get_enduser(BOB)["uid"]

    war_room.run(
        war_room_line("proofpoint-pps-modify-user", {"UID": uid, "attributes": '{"department": "Platform"}'})
    )

    assert sim.backend.get_enduser(BOB)["attributes"] == {"department": "Platform"}


def test_modify_user_that_does_not_exist_is_an_error(war_room: WarRoom) -> None:
    message = error_text(
        war_room.run(
            war_room_line(
                "proofpoint-pps-modify-user", {"email": "nobody@example.com", "fields": '{"lastname": "X"}'}
            )
        )
    )

    assert "User nobody@example.com was not found in PPS, so nothing was changed." in message


def test_malformed_json_is_refused_before_any_request(war_room: WarRoom, sim: PPSSimulator) -> None:
    start = len(sim.requests)

    message = error_text(
        war_room.run(war_room_line("proofpoint-pps-modify-user", {"email": ALICE, "fields": "{lastname: X}"}))
    )

    assert message.startswith('Invalid value for fields: "{lastname: X}". It is not valid JSON')
    assert requests_since(sim, start) == []


def test_delete_user_then_deleting_again_says_there_is_none(war_room: WarRoom, sim: PPSSimulator) -> None:
    assert readable(war_room.run(f"!proofpoint-pps-delete-user email={BOB}")) == f"Deleted end user {BOB}."
    assert BOB not in {user["email"] for user in sim.backend.endusers()}

    again = war_room.run(f"!proofpoint-pps-delete-user email={BOB}")

    assert readable(again) == f"No end user {BOB} in PPS: nothing was deleted."


def test_a_role_without_the_enduser_module_is_told_which_module(pss_only_war_room: WarRoom) -> None:
    message = error_text(pss_only_war_room.run(f"!proofpoint-pps-get-user email={ALICE}"))

    assert "lacks the managed module 'enduser'" in message


# ---- sender lists -----------------------------------------------------------------------------------


def test_sender_list_add_blocks_a_sender_for_several_users(war_room: WarRoom, sim: PPSSimulator) -> None:
    result = war_room.run(
        f"!proofpoint-pps-sender-list-add email={ALICE},{BOB} list=blocklist entries=evil.example,DEALS-4U.test"
    )

    assert readable(result).startswith("### Proofpoint Protection Server blocklist changes\n")
    assert changes_in_context(result) == [
        (ALICE, "blocklist", "evil.example", "added"),
        (ALICE, "blocklist", "DEALS-4U.test", "already present"),
        (BOB, "blocklist", "evil.example", "added"),
        (BOB, "blocklist", "DEALS-4U.test", "added"),
    ]
    assert sim.backend.get_enduser(ALICE)["blocklist"] == [
        "deals-4u.test",
        "offers@cheap-offers.example",
        "evil.example",
    ]
    assert sim.backend.get_enduser(BOB)["blocklist"] == ["evil.example", "DEALS-4U.test"]
    assert {user["email"]: user["blocklist"] for user in users_in_context(result)} == {
        ALICE: sim.backend.get_enduser(ALICE)["blocklist"],
        BOB: sim.backend.get_enduser(BOB)["blocklist"],
    }
    assert entries_of_type(result, ENTRY_WARNING) == []


def test_sender_list_add_warns_about_an_entry_in_the_other_list(war_room: WarRoom) -> None:
    result = war_room.run(
        f"!proofpoint-pps-sender-list-add email={ALICE} list=blocklist entries=partner.example.net"
    )

    (warning,) = entries_of_type(result, ENTRY_WARNING)
    assert "Now in both the blocklist and the safelist" in warning["Contents"]
    assert f"{ALICE}: partner.example.net" in warning["Contents"]


def test_sender_list_remove_takes_out_whole_entries_only(war_room: WarRoom, sim: PPSSimulator) -> None:
    result = war_room.run(
        f"!proofpoint-pps-sender-list-remove email={ALICE} list=safelist entries=EXAMPLE.org,example.net"
    )

    assert changes_in_context(result) == [
        (ALICE, "safelist", "EXAMPLE.org", "not present"),  # "@example.org" is another entry
        (ALICE, "safelist", "example.net", "not present"),  # only a part of "partner.example.net"
    ]
    assert sim.backend.get_enduser(ALICE)["safelist"] == ["partner.example.net", "@example.org"]

    result = war_room.run(
        f"!proofpoint-pps-sender-list-remove email={ALICE} list=safelist entries=@EXAMPLE.org"
    )

    assert changes_in_context(result) == [(ALICE, "safelist", "@EXAMPLE.org", "removed")]
    assert sim.backend.get_enduser(ALICE)["safelist"] == ["partner.example.net"]


def test_sender_list_for_an_unknown_user_warns_while_the_others_change(
    war_room: WarRoom, sim: PPSSimulator
) -> None:
    result = war_room.run(
        f"!proofpoint-pps-sender-list-add email={BOB},nobody@example.com list=safelist entries=partner.example"
    )

    assert result.exit_code == 0
    assert entries_of_type(result, ENTRY_NOTE)
    (warning,) = entries_of_type(result, ENTRY_WARNING)
    assert (
        warning["Contents"]
        == "1 of 2 safelist changes were not made: nobody@example.com partner.example (failed)"
    )
    assert sim.backend.get_enduser(BOB)["safelist"] == ["partner.example"]


def test_sender_list_where_every_user_is_unknown_is_an_error(war_room: WarRoom, sim: PPSSimulator) -> None:
    start = len(sim.requests)

    message = error_text(
        war_room.run(
            "!proofpoint-pps-sender-list-add email=nobody@example.com list=safelist entries=a.example"
        )
    )

    assert "User nobody@example.com was not found in PPS." in message
    assert [request.method for request in requests_since(sim, start)] == ["GET"]


def test_sender_list_refuses_a_bad_entry_before_any_request(war_room: WarRoom, sim: PPSSimulator) -> None:
    start = len(sim.requests)

    message = error_text(
        war_room.run(f"!proofpoint-pps-sender-list-add email={ALICE} list=safelist entries=*.example")
    )

    assert message.startswith('Invalid value for entries: "*.example".')
    assert requests_since(sim, start) == []
