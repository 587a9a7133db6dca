"""The route table: every path, method, handler and the managed module it needs, in one place.

As `moto`'s `urls.py` maps a service's URLs to its responses, this maps the PPS API (under /rest/v1)
to `PPSResponses` and the simulator's control endpoints (under /_simulator) to `ControlResponses`.
Paths are Werkzeug rules; `<path:ident>` keeps a `/` that the client encoded as `%2F`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from werkzeug.wrappers import Response

from pps_simulator.control import ControlResponses
from pps_simulator.responses import PPSResponses
from pps_simulator.users import ENDUSER_MODULE, PSS_MODULE, QUARANTINE_MODULE


@dataclass(frozen=True)
class Route:
    path: str  # below the prefix of its table
    method: str
    handler: Callable[..., Response]  # a method of the table's responses class
    module: str | None = None  # the managed module the user's role needs; None: no auth (control)


API_ROUTES: tuple[Route, ...] = (
    Route("/pss/health", "GET", PPSResponses.health, PSS_MODULE),
    Route("/pss/filter", "GET", PPSResponses.smart_search, PSS_MODULE),
    Route("/quarantine", "GET", PPSResponses.search_quarantine, QUARANTINE_MODULE),
    Route("/quarantine", "POST", PPSResponses.act_on_quarantine, QUARANTINE_MODULE),
    Route("/enduser/<path:ident>", "GET", PPSResponses.get_enduser, ENDUSER_MODULE),
    Route("/enduser/<path:ident>", "POST", PPSResponses.create_enduser, ENDUSER_MODULE),
    Route("/enduser/<path:ident>", "PUT", PPSResponses.modify_enduser, ENDUSER_MODULE),
    Route("/enduser/<path:ident>", "DELETE", PPSResponses.delete_enduser, ENDUSER_MODULE),
)

CONTROL_ROUTES: tuple[Route, ...] = (
    Route("/faults", "GET", ControlResponses.list_faults),
    Route("/faults", "POST", ControlResponses.add_faults),
    Route("/faults", "DELETE", ControlResponses.clear_faults),
    Route("/faults/<int:fault_id>", "DELETE", ControlResponses.remove_fault),
    Route("/actions", "GET", ControlResponses.list_actions),
    Route("/requests", "GET", ControlResponses.list_requests),
    Route("/requests", "DELETE", ControlResponses.clear_requests),
    Route("/arrivals", "GET", ControlResponses.count_arrivals),
    Route("/arrivals", "POST", ControlResponses.add_arrivals),
)
