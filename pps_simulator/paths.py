"""Where things live on the simulator's URL space, and how a caller names a path (with or without /rest/v1)."""

from __future__ import annotations

API_PREFIX = "/rest/v1"
CONTROL_PREFIX = "/_simulator"


def api_path(path: str) -> str:
    """The full request path for `path` given with or without the `/rest/v1` prefix."""
    if not path.startswith("/"):
        path = "/" + path
    if path.startswith((API_PREFIX + "/", CONTROL_PREFIX + "/")) or path in (API_PREFIX, CONTROL_PREFIX):
        return path
    return API_PREFIX + path


def path_matches(pattern: str | None, path: str) -> bool:
    """`pattern` (with or without `/rest/v1`) names this path or a folder of paths above it."""
    if pattern is None:
        return True
    full = api_path(pattern).rstrip("/")
    return path == full or path.startswith(full + "/")


def is_control_path(path: str) -> bool:
    """A path of the simulator's own control endpoints (no auth, never faulted or recorded)."""
    return path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/")
