"""`python -m warroom`."""

from warroom.cli import main

raise SystemExit(main())
