"""The War Room runner: run an integration command locally the way the XSOAR server runs it.

`python -m warroom '!command name=value'` from a shell; `run_command(...)` from Python.
"""

from instance_params import Masker, masked_params
from warroom.command_line import parse_argv_words, parse_command_line
from warroom.context import merge_entries_context, merge_entry_context
from warroom.errors import CommandRefused
from warroom.execution import RunResult, Runtime, load_runtime, run_command, run_fetch, run_parsed
from warroom.integration import Integration, load_integration, strip_runtime_imports
from warroom.manifest import IntegrationManifest
from warroom.params import check_params

__all__ = [
    "CommandRefused",
    "Integration",
    "IntegrationManifest",
    "Masker",
    "RunResult",
    "Runtime",
    "check_params",
    "load_integration",
    "load_runtime",
    "masked_params",
    "merge_entries_context",
    "merge_entry_context",
    "parse_argv_words",
    "parse_command_line",
    "run_command",
    "run_fetch",
    "run_parsed",
    "strip_runtime_imports",
]
