"""`python -m bench`: every benchmark (see bench/README.md)."""

import sys

from bench.run_all import main

sys.exit(main())
