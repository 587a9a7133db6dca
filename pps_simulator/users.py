"""The simulator's API users: one place for their names, passwords and managed modules.

The runner, the benchmarks and the tests take them from here: `credentials()` is the admin's
`(username, password)`, `DEFAULT_USERS[name].modules` what each role manages.
"""

from __future__ import annotations

from dataclasses import dataclass

ADMIN_USER = "admin"
PSS_ONLY_USER = "pss-only"
# Managed modules (the API role's list): `pss` for smart search and health, `Quarantine` for the
# quarantine, `enduser` for /enduser (that name is assumed: no public document gives it).
PSS_MODULE = "pss"
QUARANTINE_MODULE = "Quarantine"
ENDUSER_MODULE = "enduser"


@dataclass(frozen=True)
class User:
    password: str
    modules: frozenset[str]


DEFAULT_USERS: dict[str, User] = {
    ADMIN_USER: User("Simulat0r!admin", frozenset({PSS_MODULE, QUARANTINE_MODULE, ENDUSER_MODULE})),
    PSS_ONLY_USER: User("Simulat0r!pss", frozenset({PSS_MODULE})),
}


def credentials(username: str = ADMIN_USER) -> tuple[str, str]:
    """`(username, password)` of a default user, e.g. for HTTP Basic auth or an instance's credentials."""
    return username, DEFAULT_USERS[username].password
