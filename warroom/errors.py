"""The one error the runner raises for input it refuses before running the integration."""


class CommandRefused(ValueError):
    """The War Room line, its arguments or the instance parameters are refused (exit status 2)."""
