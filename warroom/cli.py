"""`python -m warroom '!command name=value'`: run an integration command as the XSOAR server does."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from instance_params import Masker, masked_params
from warroom.command_line import parse_argv_words
from warroom.errors import CommandRefused
from warroom.execution import DEFAULT_OUT_DIR, run_fetch, run_parsed
from warroom.integration import load_integration
from warroom.manifest import IntegrationManifest
from warroom.params import insecure_param_name, load_config_file, params_from_environment

EXAMPLES = """\
examples:
  python -m warroom --simulator '!proofpoint-pps-list-quarantined-messages from=*@example.com start_time="7 days"'
  python -m warroom --config instance.yml --context '!proofpoint-pps-smart-search sender=a@example.com'
  python -m warroom --simulator '!test-module'
  python -m warroom --simulator --fetch             (fetch-incidents, as the server's scheduler runs it)
  python -m warroom --simulator --fetch --reset     (forget the last run first: fetch from first_fetch)

The line may also come split into several words by the shell: each further word is read as War Room
text (a=1 b="x y") when it can be, else as one argument whose value the shell has unquoted.
Instance parameters: the YAML defaults, then PPS_URL, PPS_USERNAME, PPS_PASSWORD, PPS_UNSECURE,
PPS_PROXY, PPS_TIMEOUT, then the --config file; --simulator sets url, credentials and verification.
--fetch keeps the last run and the integration context between runs, as the server does, in
.warroom/simulator.instance.json with --simulator (beside the simulator's state), else in
.warroom/instance.json; a failed fetch keeps no last run, so the next one repeats it.
Exit status: 0 ok, 1 after an error entry, 2 when the line, its arguments or the params are refused.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m warroom",
        description="Run an integration command the way the XSOAR server runs it for a War Room line.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("line", nargs="*", metavar="LINE", help="the War Room line, e.g. '!test-module'")
    parser.add_argument(
        "--fetch", action="store_true", help="run fetch-incidents instead of a line and show the incidents"
    )
    parser.add_argument(
        "--reset", action="store_true", help="with --fetch: forget the last run and integration context first"
    )
    parser.add_argument(
        "--simulator", action="store_true", help="run against the PPS simulator, started here"
    )
    parser.add_argument(
        "--state",
        type=Path,
        metavar="FILE",
        help="the simulator's state file, kept across runs (default .warroom/simulator.sqlite)",
    )
    parser.add_argument(
        "--config", type=Path, metavar="FILE", help="instance parameters, a JSON or YAML mapping"
    )
    parser.add_argument(
        "--integration",
        type=Path,
        metavar="PATH",
        help="the integration .py, its package folder or a unified .yml",
    )
    parser.add_argument("--context", action="store_true", help="also print the context the command wrote")
    parser.add_argument(
        "--json", action="store_true", help="print the raw entries (with --fetch: the incidents) as JSON"
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        default=DEFAULT_OUT_DIR,
        help="where returned files are saved (default ./warroom-files)",
    )
    parser.add_argument("--debug", action="store_true", help="run with demisto.is_debug and show the logs")
    return parser


def instance_params(
    config: Path | None, manifest: IntegrationManifest, environ: Mapping[str, str]
) -> dict[str, Any]:
    """The params given for the instance: the environment's, overridden by the config file's."""
    params = params_from_environment(environ, manifest)
    if config is not None:
        params.update(load_config_file(config))
    return params


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    options = parser.parse_args(argv)
    if options.state is not None and not options.simulator:
        parser.error("--state goes with --simulator")
    if options.fetch and options.line:
        parser.error("--fetch runs fetch-incidents: give no War Room line with it")
    if not options.fetch and not options.line:
        parser.error("give a War Room line, e.g. '!test-module', or --fetch")
    if options.reset and not options.fetch:
        parser.error("--reset goes with --fetch")
    params: dict[str, Any] = {}
    command, args = "fetch-incidents", dict[str, str]()
    try:
        if not options.fetch:
            command, args = parse_argv_words(options.line)
        integration = load_integration(options.integration)
        params = instance_params(options.config, integration.manifest, os.environ)
        if not options.fetch:
            integration.manifest.check_args(command, args)  # refused before the simulator starts
        with contextlib.ExitStack() as stack:
            env: dict[str, str] = {}
            if options.simulator:
                from warroom.simulator import running_simulator

                sim = stack.enter_context(running_simulator(options.state))
                params.update(sim.params)
                params[insecure_param_name(integration.manifest)] = False
                env.update(sim.env)
            if options.fetch:
                state_file = fetch_state_file(options.simulator, options.state)
                if options.reset:
                    state_file.unlink(missing_ok=True)
                state_file.parent.mkdir(parents=True, exist_ok=True)
                result = run_fetch(
                    params, integration, options.out, options.debug, state_file=state_file, env=env
                )
            else:
                result = run_parsed(command, args, params, integration, options.out, options.debug, env=env)
    except CommandRefused as exc:
        return _refuse(str(exc), Masker.for_params(params))
    masker = Masker.for_params({**params, **result.params})
    if result.exit_code == 2:
        return _refuse(str(result.entries[0]["Contents"]), masker)
    from warroom.render import print_fetch, print_params, print_run

    debug = options.debug or args.get("debug-mode", "").lower() == "true"
    if debug:
        print_params(masked_params(result.params), err=sys.stderr)
    if options.fetch:
        print_fetch(
            result, masker, state_file, out=sys.stdout, err=sys.stderr, as_json=options.json, show_logs=debug
        )
    else:
        print_run(
            result,
            masker,
            out=sys.stdout,
            err=sys.stderr,
            show_context=options.context,
            as_json=options.json,
            show_logs=debug,
        )
    return result.exit_code


def fetch_state_file(simulator: bool, simulator_state: Path | None) -> Path:
    """Where fetch keeps the instance's last run and integration context between runs."""
    from warroom.simulator import DEFAULT_STATE_FILE

    if simulator:
        return (simulator_state or DEFAULT_STATE_FILE).with_suffix(".instance.json")
    return DEFAULT_STATE_FILE.with_name("instance.json")


def _refuse(message: str, masker: Masker) -> int:
    print(f"warroom: {masker.text(message)}", file=sys.stderr)
    return 2
