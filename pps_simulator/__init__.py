"""A stateful double of the Proofpoint Protection Server REST API (shared/spec/pps-rest-api.md).

In tests: `with PPSSimulator(db=":memory:", messages=300, seed=1) as sim:`, then talk to
`sim.url + "/rest/v1"` as `admin` / `Simulat0r!admin`, verifying against `sim.ca_file`.
As a server: `python -m pps_simulator --help`.
"""

from pps_simulator.app import DEFAULT_USERS, RecordedRequest, RequestLog, User
from pps_simulator.arrivals import ArrivalPlan, Arrivals
from pps_simulator.backend import InvalidArgument, NotFound, PPSBackend, PPSError, UserExists
from pps_simulator.faults import Fault, FaultRegistry
from pps_simulator.server import PPSSimulator

__all__ = [
    "DEFAULT_USERS",
    "ArrivalPlan",
    "Arrivals",
    "Fault",
    "FaultRegistry",
    "InvalidArgument",
    "NotFound",
    "PPSBackend",
    "PPSError",
    "PPSSimulator",
    "RecordedRequest",
    "RequestLog",
    "User",
    "UserExists",
]
