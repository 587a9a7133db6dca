"""Fixtures: an in-process simulator over HTTPS, and a client that trusts only the simulator's CA."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from pps_simulator import PPSSimulator

ADMIN = ("admin", "Simulat0r!admin")
PSS_ONLY = ("pss-only", "Simulat0r!pss")


class Api:
    """`requests` against one simulator: paths are relative to /rest/v1, the CA file is the only trust."""

    def __init__(self, sim: PPSSimulator, auth: tuple[str, str] | None = ADMIN) -> None:
        self.sim = sim
        self.session = requests.Session()
        self.session.trust_env = False  # no proxy or CA bundle from the environment
        self.session.verify = sim.ca_file if sim.ca_file else True
        self.session.auth = auth
        self.base = sim.url + "/rest/v1"

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        return self.session.get(self.base + path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        return self.session.post(self.base + path, **kwargs)

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        return self.session.request(method, self.base + path, **kwargs)

    def search(self, **params: str) -> list[dict[str, Any]]:
        reply = self.get("/pss/filter", params=params)
        assert reply.status_code == 200, reply.text
        records: list[dict[str, Any]] = reply.json()["result"]
        return records

    def quarantine(self, **params: str) -> list[dict[str, Any]]:
        reply = self.get("/quarantine", params=params)
        assert reply.status_code == 200, reply.text
        body = reply.json()
        assert body["count"] == len(body["records"])
        records: list[dict[str, Any]] = body["records"]
        return records

    def act(self, **body: str) -> requests.Response:
        return self.post("/quarantine", json=body)


@pytest.fixture
def sim() -> Iterator[PPSSimulator]:
    with PPSSimulator(db=":memory:", messages=300, seed=1, tls=True, port=0) as simulator:
        yield simulator


@pytest.fixture
def api(sim: PPSSimulator) -> Api:
    return Api(sim)


@pytest.fixture
def make_api(sim: PPSSimulator) -> Any:
    """`make_api(auth)` for another user (or None for no credentials)."""

    def make(auth: tuple[str, str] | None) -> Api:
        return Api(sim, auth)

    return make


@pytest.fixture
def admin() -> tuple[str, str]:
    return ADMIN


@pytest.fixture
def pss_only() -> tuple[str, str]:
    return PSS_ONLY
