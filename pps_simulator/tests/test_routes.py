"""The route table and the users: every route answers, and only to a role that manages its module."""

from __future__ import annotations

import re
from typing import Any

import pytest

from pps_simulator import ADMIN_USER, DEFAULT_USERS, PSS_ONLY_USER, PPSSimulator, User, credentials
from pps_simulator.tests.conftest import Api
from pps_simulator.urls import API_ROUTES, CONTROL_ROUTES, Route

SAMPLE_VALUES = {"ident": "alice@example.com", "fault_id": "1"}


def concrete(route: Route) -> str:
    """The route's path with a sample value in each variable."""
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda match: SAMPLE_VALUES[match.group(1)], route.path)


@pytest.mark.parametrize("route", API_ROUTES, ids=lambda route: f"{route.method} {route.path}")
def test_every_api_route_is_served_and_guarded_by_its_module(sim: PPSSimulator, route: Route) -> None:
    assert route.module is not None
    without = {name: user for name, user in DEFAULT_USERS.items() if route.module not in user.modules}
    with_module = {name: user for name, user in DEFAULT_USERS.items() if route.module in user.modules}
    assert ADMIN_USER in with_module
    for name in with_module:
        reply = Api(sim, credentials(name)).request(route.method, concrete(route), json={})
        assert reply.status_code not in (401, 403, 404, 405), (name, reply.status_code, reply.text)
    for name in without:
        reply = Api(sim, credentials(name)).request(route.method, concrete(route), json={})
        assert reply.status_code == 403 and route.module in reply.text


@pytest.mark.parametrize("route", CONTROL_ROUTES, ids=lambda route: f"{route.method} {route.path}")
def test_every_control_route_is_served_without_auth_and_not_recorded(sim: PPSSimulator, route: Route) -> None:
    api = Api(sim, None)
    api.base = sim.url + "/_simulator"
    reply = api.request(
        route.method, concrete(route), json={"status": 500} if route.path == "/faults" else {}
    )
    assert reply.status_code not in (401, 403, 405), reply.text
    assert len(sim.requests) == 0


def test_a_method_outside_the_table_is_405_with_the_allowed_ones(api: Any) -> None:
    reply = api.request("PATCH", "/enduser/alice@example.com")
    assert reply.status_code == 405
    assert set(reply.headers["Allow"].split(", ")) >= {"GET", "POST", "PUT", "DELETE"}


def test_the_users_come_from_one_place(make_api: Any) -> None:
    assert credentials() == ("admin", "Simulat0r!admin")
    assert credentials(PSS_ONLY_USER) == ("pss-only", "Simulat0r!pss")
    assert DEFAULT_USERS[ADMIN_USER].modules == {"pss", "Quarantine", "enduser"}
    assert DEFAULT_USERS[PSS_ONLY_USER].modules == {"pss"}
    for name in DEFAULT_USERS:
        assert make_api(credentials(name)).get("/pss/health").status_code == 200


def test_other_users_can_be_given(admin: tuple[str, str]) -> None:
    users = {"ops": User("another secret", frozenset({"Quarantine"}))}
    with PPSSimulator(messages=5, users=users) as sim:
        assert Api(sim, ("ops", "another secret")).get("/quarantine", params={"from": "*"}).status_code == 200
        assert Api(sim, ("ops", "another secret")).get("/pss/health").status_code == 403
        assert Api(sim, admin).get("/pss/health").status_code == 401
