"""`python -m xsoar_deploy`."""

from xsoar_deploy.cli import main

raise SystemExit(main())
