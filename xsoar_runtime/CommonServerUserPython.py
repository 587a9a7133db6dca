# CommonServerUserPython: the server's place for a tenant's own additions to CommonServerPython.
# Empty on a stock server, and so here; it exists so `from CommonServerUserPython import *` works locally.
