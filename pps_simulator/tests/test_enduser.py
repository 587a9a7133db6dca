"""/enduser/{email or uid}: get, create, modify, delete, and the error shape."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from pps_simulator import PPSBackend, PPSSimulator

USER_FIELDS = {
    "uid", "email", "firstname", "lastname", "created", "lastmodified", "lastsignon", "lastpasswordchange",
    "creationsource", "suborg", "type", "alias", "groups", "safelist", "blocklist", "attributes",
}  # fmt: skip


def test_get_by_email_or_uid(sim: PPSSimulator, api: Any) -> None:
    user = sim.backend.endusers()[0]
    by_email = api.get(f"/enduser/{user['email']}")
    assert by_email.status_code == 200
    assert by_email.json() == user and set(user) == USER_FIELDS
    assert api.get(f"/enduser/{user['uid']}").json() == user
    assert api.get(f"/enduser/{user['email'].upper()}").json() == user


def test_unknown_user_is_404_with_the_error_shape(api: Any) -> None:
    reply = api.get("/enduser/nobody@example.com")
    assert reply.status_code == 404
    assert reply.json() == {"status": 404, "errors": {"invalidarguments": [{"error": "User not found"}]}}
    assert api.request("DELETE", "/enduser/nobody@example.com").status_code == 404
    assert api.request("PUT", "/enduser/nobody@example.com", json={"firstname": "X"}).status_code == 404


def test_create_modify_delete(api: Any) -> None:
    body = {
        "firstname": "Ada",
        "lastname": "Lovelace",
        "safelist": ["example.org"],
        "attributes": {"team": "R&D"},
    }
    created = api.post("/enduser/ada%2Blists@example.com", json=body)
    assert created.status_code == 200
    user = created.json()
    assert user["email"] == "ada+lists@example.com" and user["safelist"] == ["example.org"]
    again = api.post("/enduser/ada%2Blists@example.com", json=body)
    assert again.status_code == 400
    assert again.json()["errors"]["invalidarguments"] == [{"error": "User already exists"}]
    changed = api.request(
        "PUT", f"/enduser/{user['uid']}", json={"blocklist": ["spam.example"], "attributes": {"x": "1"}}
    )
    assert changed.status_code == 200
    assert changed.json()["blocklist"] == ["spam.example"]
    assert changed.json()["attributes"] == {"team": "R&D", "x": "1"}
    assert api.request("DELETE", "/enduser/ada%2Blists@example.com").status_code == 200
    assert api.get("/enduser/ada%2Blists@example.com").status_code == 404


def test_bad_bodies(api: Any) -> None:
    assert api.post("/enduser/new@example.com", data="{not json").status_code == 400
    reply = api.post("/enduser/new@example.com", json={"safelist": "a,b", "type": 7})
    assert reply.status_code == 400
    assert reply.json()["status"] == 400
    assert api.post("/enduser/not-an-address", json={}).status_code == 400


def test_the_path_segment_is_url_decoded(api: Any) -> None:
    for address, encoded in (
        ("ann+tag@example.com", "ann%2Btag@example.com"),
        ("a/b@example.com", "a%2Fb@example.com"),
        ("odd#?%@example.com", "odd%23%3F%25@example.com"),
    ):
        created = api.post(f"/enduser/{encoded}", json={"firstname": "Odd"})
        assert created.status_code == 200, created.text
        assert created.json()["email"] == address
        assert api.get(f"/enduser/{encoded}").json()["email"] == address
        assert api.request("DELETE", f"/enduser/{encoded}").status_code == 200
        assert api.get(f"/enduser/{encoded}").status_code == 404


def test_put_replaces_a_list_whole_and_leaves_what_it_does_not_name(api: Any) -> None:
    before = api.get("/enduser/alice@example.com").json()
    assert before["safelist"] and before["blocklist"]
    changed = api.request("PUT", "/enduser/alice@example.com", json={"blocklist": ["new@spam.test"]})
    assert changed.status_code == 200
    after = api.get("/enduser/alice@example.com").json()
    assert after["blocklist"] == ["new@spam.test"]  # replaced, not added to
    assert after["safelist"] == before["safelist"]  # not sent, so not touched
    assert after["attributes"] == before["attributes"]
    emptied = api.request("PUT", "/enduser/alice@example.com", json={"blocklist": []}).json()
    assert emptied["blocklist"] == []


def test_error_bodies_name_the_problem(api: Any) -> None:
    reply = api.request("PUT", "/enduser/alice@example.com", json={"safelist": [1, 2]})
    assert reply.status_code == 400
    assert reply.json() == {
        "status": 400,
        "errors": {"invalidarguments": [{"error": "Invalid argument: safelist"}]},
    }
    missing = api.request("PUT", "/enduser/9999999", json={"firstname": "X"})
    assert missing.json() == {"status": 404, "errors": {"invalidarguments": [{"error": "User not found"}]}}


def test_new_users_get_the_next_uid(api: Any, sim: PPSSimulator) -> None:
    highest = max(int(user["uid"]) for user in sim.backend.endusers())
    created = api.post("/enduser/newcomer@example.com", json={}).json()
    assert created["uid"] == str(highest + 1)
    assert api.get(f"/enduser/{highest + 1}").json()["email"] == "newcomer@example.com"


def test_the_seeded_users_are_the_recipients_of_quarantined_mail(sim: PPSSimulator) -> None:
    users = {user["email"]: user for user in sim.backend.endusers()}
    assert {"alice@example.com", "bob@example.com"} <= set(users)
    assert set(users) == {user["email"].lower() for user in users.values()}
    assert all(set(user) == USER_FIELDS for user in users.values())
    assert len({user["uid"] for user in users.values()}) == len(users)
    internal = {
        rcpt
        for message in sim.backend.messages()
        for rcpt in message["rcpts"]
        if rcpt.split("@")[1].endswith("example.com")
    }
    assert internal and internal <= set(users)
    with_lists = [user for user in users.values() if user["safelist"] or user["blocklist"]]
    assert len(with_lists) >= 10
    # Some already block a sender whose mail reached them (so "block for every recipient" meets it).
    senders_of: dict[str, set[str]] = {}
    for message in sim.backend.messages():
        for rcpt in message["rcpts"]:
            senders_of.setdefault(rcpt, set()).add(message["from"])
    assert any(set(user["blocklist"]) & senders_of.get(email, set()) for email, user in users.items())


def test_a_sender_s_recipients_are_all_found(sim: PPSSimulator, api: Any) -> None:
    phish = sim.backend.messages("Phish")[0]
    records = api.quarantine(folder="Phish", **{"from": phish["from"]})
    recipients = {rcpt for record in records for rcpt in record["rcpts"]}
    for rcpt in recipients:
        assert api.get(f"/enduser/{rcpt}").status_code == 200


def test_the_seeded_users_are_deterministic() -> None:
    now = datetime(2024, 3, 1, tzinfo=timezone.utc)
    first, again = PPSBackend(messages=60, seed=4, now=now), PPSBackend(messages=60, seed=4, now=now)
    assert first.endusers() == again.endusers()
    assert first.endusers() != PPSBackend(messages=60, seed=5, now=now).endusers()


def test_a_user_without_the_enduser_module_is_refused(make_api: Any, pss_only: tuple[str, str]) -> None:
    for method in ("GET", "POST", "PUT", "DELETE"):
        reply = make_api(pss_only).request(method, "/enduser/alice@example.com", json={})
        assert reply.status_code == 403
        assert "enduser" in reply.text
