"""/enduser/{email or uid}: get, create, modify, delete, and the error shape."""

from __future__ import annotations

from typing import Any

from pps_simulator import PPSSimulator

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
