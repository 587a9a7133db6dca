"""`python -m xsoar_deploy`: upload the unified integration to XSOAR, then configure and test an instance."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TextIO

import urllib3

from instance_params import InvalidParams, Masker, load_config_file, merge_params, params_from_environment
from xsoar_deploy.deployment import InstanceRequest, deploy
from xsoar_deploy.errors import DeployFailed, UsageRefused
from xsoar_deploy.parameters import check_param_names, parse_param_flags, secret_values
from xsoar_deploy.server import (
    ADVANCED_API_KEY_VARIABLE,
    API_KEY_VARIABLE,
    DEFAULT_TIMEOUT,
    ServerSettings,
    XsoarServer,
)
from xsoar_deploy.unified import MARKETPLACES, IntegrationBuilds

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_REFUSED = 2

EPILOG = f"""\
examples:
  export DEMISTO_BASE_URL=https://xsoar.example.com DEMISTO_API_KEY=...
  python -m xsoar_deploy
  python -m xsoar_deploy --integration xsoar=build/unified/xsoar/integration-ProofpointProtectionServerV2.yml
  python -m xsoar_deploy --instance pps-prod --config instance.yml
  python -m xsoar_deploy --skip-upload --instance pps-lab --config instance.yml \\
      --param url=https://pps.example.com:10000 --param unsecure=true

environment:
  DEMISTO_BASE_URL      the server's URL (or --url)
  DEMISTO_API_KEY       the API key; never printed. DEMISTO_ADVANCED_API_KEY instead for an advanced key
  DEMISTO_API_KEY_ID    XSOAR 8 / XSIAM: the key's id (also read as XSIAM_AUTH_ID or XSOAR_AUTH_ID, or --auth-id)
  SSL_CERT_FILE, HTTPS_PROXY, DEMISTO_HTTP_HEADERS are honoured as demisto-py does
  PPS_URL, PPS_USERNAME, PPS_PASSWORD, PPS_UNSECURE, PPS_PROXY, PPS_TIMEOUT: instance parameters,
      as for `python -m warroom`

The server's version is read first (GET /about): XSOAR 6 takes the xsoar build, XSOAR 8 the
xsoar_saas build and XSIAM the marketplacev2 build, as demisto-sdk maps them. Nothing is uploaded when
the server has another integration with this one's ID or name; sharing command names is a warning.
Instance parameters: the integration's defaults (or, on an update, the instance's current values),
then PPS_* variables, then the --config file, then --param flags.
Exit status: 0 done (test-module passed), 1 XSOAR refused a step or test-module failed,
2 the arguments, the YAML or the parameters were refused. Default timeout per request: {DEFAULT_TIMEOUT} s.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m xsoar_deploy",
        description=(
            "Upload the unified Proofpoint PPS REST integration to an XSOAR server and, with "
            "--instance, create or update an instance of it and run its test-module."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--integration",
        action="append",
        default=[],
        metavar="[MARKETPLACE=]PATH",
        help=(
            "the unified integration YAML built for MARKETPLACE (repeatable: one per marketplace), or "
            "without MARKETPLACE= one for any server. Marketplaces: " + ", ".join(MARKETPLACES)
        ),
    )
    parser.add_argument(
        "--build-dir",
        type=Path,
        metavar="DIR",
        help=(
            "where the builds are, one folder per marketplace (DIR/xsoar/, DIR/xsoar_saas/, "
            "DIR/marketplacev2/); a YAML in DIR itself is the xsoar build (default: build/unified/)"
        ),
    )
    parser.add_argument("--url", help="the XSOAR server's URL (default: $DEMISTO_BASE_URL)")
    parser.add_argument("--auth-id", help="XSOAR 8 API key id (default: $DEMISTO_API_KEY_ID)")
    parser.add_argument(
        "--insecure",
        action="store_true",
        help="do not verify the server's TLS certificate (DEMISTO_VERIFY_SSL is ignored)",
    )
    parser.add_argument(
        "--ca-cert", type=Path, help="PEM file of the CA that signed the server's certificate"
    )
    parser.add_argument(
        "--timeout", type=int, default=DEFAULT_TIMEOUT, help="seconds to wait for each request"
    )
    parser.add_argument(
        "--skip-upload", action="store_true", help="do not upload; configure an integration already there"
    )
    parser.add_argument("--instance", metavar="NAME", help="create or update the instance of this name")
    parser.add_argument(
        "--config", type=Path, help="instance parameters: a JSON or YAML mapping of parameter names to values"
    )
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an instance parameter; repeatable. Credentials: credentials.identifier=..., credentials.password=...",
    )
    parser.add_argument(
        "--no-test", action="store_true", help="do not run test-module after saving the instance"
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="show each request (never its headers) and tracebacks"
    )
    return parser


class Console:
    """All the command prints, with every secret masked."""

    def __init__(self, masker: Masker, out: TextIO, err: TextIO, verbose: bool) -> None:
        self.masker = masker
        self._out = out
        self._err = err
        self._verbose = verbose

    def say(self, text: str) -> None:
        print(self.masker.text(text), file=self._out, flush=True)

    def error(self, text: str) -> None:
        print(self.masker.text(text), file=self._err, flush=True)

    def detail(self, text: str) -> None:
        if self._verbose:
            print(self.masker.text(text), file=self._err, flush=True)


def main(
    argv: Sequence[str] | None = None,
    environ: Mapping[str, str] | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    environ = os.environ if environ is None else environ
    args = build_parser().parse_args(argv)
    masker = Masker([environ.get(API_KEY_VARIABLE), environ.get(ADVANCED_API_KEY_VARIABLE)])
    console = Console(masker, out or sys.stdout, err or sys.stderr, args.verbose)
    handler = _route_library_logs(console)
    try:
        return _run(args, environ, console)
    except (UsageRefused, InvalidParams) as exc:
        console.error(f"error: {exc}")
        return EXIT_REFUSED
    except DeployFailed as exc:
        console.error(f"error: {exc}")
        return EXIT_FAILED
    except Exception as exc:
        # Nothing unexpected may print the key either: the traceback is masked too.
        console.error(f"error: {type(exc).__name__}: {exc}")
        console.detail("".join(traceback.format_exception(exc)))
        return EXIT_FAILED
    finally:
        logging.getLogger().removeHandler(handler)


def _run(args: argparse.Namespace, environ: Mapping[str, str], console: Console) -> int:
    if args.instance is None and (args.config or args.param or args.no_test):
        raise UsageRefused("--config, --param and --no-test need --instance NAME")
    if args.instance is not None and not args.instance.strip():
        raise UsageRefused("--instance needs a name")

    builds = IntegrationBuilds.from_arguments(args.integration, args.build_dir)
    # Every build has the same parameters: any one checks them before a request is made.
    integration = builds.any()
    instance_request = None
    if args.instance is not None:
        params = merge_params(
            params_from_environment(environ, integration.params),
            load_config_file(args.config) if args.config else {},
            parse_param_flags(args.param),
        )
        check_param_names(params, integration.params, integration.name)
        for secret in secret_values(params, integration.params):
            console.masker.add(secret)
        instance_request = InstanceRequest(
            name=args.instance.strip(), params=params, run_test=not args.no_test
        )

    settings = ServerSettings.from_environment(
        environ,
        url=args.url,
        auth_id=args.auth_id,
        insecure=args.insecure,
        ca_file=args.ca_cert,
        timeout=args.timeout,
    )
    if args.insecure:
        console.error("warning: --insecure: the XSOAR server's TLS certificate is not verified")
    with warnings.catch_warnings():
        if args.insecure:
            # Said once above, rather than once per request.
            warnings.simplefilter("ignore", category=urllib3.exceptions.InsecureRequestWarning)
        server = XsoarServer(settings, trace=console.detail)
        console.detail(
            f"XSOAR API at {server.api_url}" + (f", key id {settings.auth_id}" if settings.auth_id else "")
        )
        result = deploy(
            server, builds, instance_request, upload=not args.skip_upload, say=console.say, warn=console.error
        )

    if result.test is not None and not result.test.success:
        name = (result.instance or {}).get("name")
        message = result.test.message or "the server gave no message"
        console.error(f"error: test-module failed for the instance {name!r}: {message}")
        return EXIT_FAILED
    return EXIT_OK


def _route_library_logs(console: Console) -> logging.Handler:
    """urllib3's and demisto-py's warnings (retries, mostly) are shown masked, and with --verbose only:
    the error they lead to is reported anyway."""
    handler = ConsoleLogHandler(console)
    handler.setLevel(logging.WARNING)
    logging.getLogger().addHandler(handler)
    return handler


class ConsoleLogHandler(logging.Handler):
    def __init__(self, console: Console) -> None:
        super().__init__()
        self._console = console
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self._console.detail(self.format(record))
