"""A stateful double of the Proofpoint Protection Server REST API, as pps_simulator/README.md describes it.

In tests: `with PPSSimulator(db=":memory:", messages=300, seed=1) as sim:`, then talk to
`sim.url + "/rest/v1"` as `admin` / `Simulat0r!admin`, verifying against `sim.ca_file`.
As a server: `python -m pps_simulator --help`.
"""

from pps_simulator.arrivals import ArrivalPlan, Arrivals
from pps_simulator.backend import InvalidArgument, NotFound, PPSBackend, PPSError, UserExists
from pps_simulator.faults import Fault, FaultRegistry
from pps_simulator.model import CLOUD, FLAVOURS, ON_PREMISE
from pps_simulator.requestlog import RecordedRequest, RequestLog
from pps_simulator.server import PPSSimulator
from pps_simulator.users import ADMIN_USER, DEFAULT_USERS, PSS_ONLY_USER, User, credentials

__all__ = [
    "ADMIN_USER",
    "CLOUD",
    "DEFAULT_USERS",
    "FLAVOURS",
    "ON_PREMISE",
    "PSS_ONLY_USER",
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
    "credentials",
]
