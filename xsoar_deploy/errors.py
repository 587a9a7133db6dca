"""The two ways a deployment stops: refused input (exit 2) and a refusing or unreachable server (exit 1)."""


class UsageRefused(ValueError):
    """The arguments, the unified YAML or the instance parameters are refused (exit status 2)."""


class DeployFailed(RuntimeError):
    """XSOAR refused a step, could not be reached, or the instance's test-module failed (exit status 1)."""
