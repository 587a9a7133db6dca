"""Makes the runtime stand-in and the integration importable the way demisto-sdk's test runner does."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
for folder in (ROOT / "xsoar_runtime", ROOT / "Integrations" / "ProofpointProtectionServerV2"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
