"""Conformance mode: the contract suite against a live server (or the bundled mock).

``python -m tests.contract.conformance [--base-url URL] [--rules PATTERN] [--budget N]``
with the key in ``ELKAPI_API_KEY`` (never on the command line). Without
``--base-url`` it starts the mock as a real process on a free loopback port
(or ``--mock-port N``). Only what a client can observe is checked (black box).

Before any rule, one free request (a GET of an unknown task id) checks that the
server accepts the key: a 401 or 403 stops the run.

``--rules`` (or ``-k``) selects rules by id: fnmatch globs, comma-separated or
repeated; a pattern also selects the rules beneath it (``auth`` is ``auth.*``).
``--list`` prints the rule ids it selects and exits.

Every request is held to ``--request-timeout`` seconds for its whole answer
and ``--max-response-bytes``, and no redirect is followed (a 3xx is judged as
it is): a server too slow, too large or broken fails the rule that sent the
request, and the run goes on. The whole run is held to ``--deadline`` seconds:
then the rule under way fails, the others are skipped, and the report is
written all the same.

Exit status: 0 no selected rule failed; 1 a rule failed (or the run's deadline
passed); 2 the suite could not run (the key was refused, the server
unreachable, the mock did not start, or bad arguments).

Every accepted (2xx) submission may cost money: the budget caps them. Cases
that should be refused run regardless, but one that a server wrongly accepts
is counted too, and once the budget is spent nothing more is submitted, so the
budget is never exceeded.
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from tests.contract import arguments, report
from tests.contract import spec as spec_module
from tests.contract.runner import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_REQUEST_TIMEOUT,
    DEFAULT_RUN_DEADLINE,
    FUZZ_EXAMPLES,
    KEY_ENV,
    CannotRun,
    Runner,
    Target,
    _first,
    default_budget,
    matches,
    rule_ids,
    split_patterns,
)
from tests.contract.spec import ROOT, Spec

# Exit statuses: every selected rule holds; a rule failed; the suite could not judge the server.
PASSED, FAILED, CANNOT_RUN = 0, 1, 2


class MockDidNotStart(CannotRun):
    """The bundled mock server could not be started."""


def run(
    target: Target,
    *,
    examples: int,
    report_path: Path,
    out: Callable[[str], None],
    spec: Spec | None = None,
    rules: Sequence[str] = (),
    err: Callable[[str], None] | None = None,
    fuzz: int = FUZZ_EXAMPLES,
) -> int:
    """Run the suite, print and write the report; return the exit status.

    ``fuzz`` caps the valid bodies drawn for accepts.fuzz (the budget caps them too).

    The key is checked first; when it is refused, or the server cannot be
    reached, one line goes to ``err`` (default ``out``), the JUnit report holds
    that error and no rule, and the status is ``CANNOT_RUN``.
    """
    loopback = target.loopback
    runner = Runner(
        target,
        examples=examples,
        poll_timeout=30 if loopback else 900,
        poll_interval=0.001 if loopback else 5,
        spec=spec,
        rules=rules,
        fuzz=fuzz,
    )
    try:
        runner.check_key()
        result = runner.run()
    except Exception as error:  # Hypothesis may wrap it in a group
        found = _first(error, CannotRun)
        if found is None:
            raise
        message = f"could not run: {found}"
        (err or out)(report.redact(message, target.api_key))
        report.junit_error(report_path, message, target.api_key)
        return CANNOT_RUN
    report.stdout(result, out, target.api_key)
    report.junit(result, report_path, target.api_key)
    return FAILED if result.failed else PASSED


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _port_in_use(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


@contextmanager
def mock_process(
    breaks: list[str],
    spec_path: Path = spec_module.DEFAULT_SPEC_PATH,
    port: int | None = None,
) -> Iterator[tuple[str, str]]:
    """Start the mock server as a real process; yield its URL and the key it accepts.

    On ``port`` if given (``MockDidNotStart`` when something listens there), else a free one.
    """
    if port is not None and _port_in_use(port):
        raise MockDidNotStart(f"port {port} on 127.0.0.1 is in use; choose another --mock-port")
    port, key = port if port is not None else free_port(), "mock-" + secrets.token_hex(16)
    command = [sys.executable, "-m", "tests.contract.mock", "--port", str(port), "--quiet"]
    command += ["--spec", str(spec_path)]
    for rule in breaks:
        command += ["--break", rule]
    env = {**os.environ, "MOCK_API_KEY": key}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise MockDidNotStart(f"the mock server did not start on port {port}") from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}", key
    finally:
        process.terminate()
        process.wait(timeout=10)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.contract.conformance",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--base-url", default="", help="server to test; default: start the mock")
    parser.add_argument(
        "-k",
        "--rules",
        action="append",
        default=[],
        metavar="PATTERN",
        help="run only the rules matching PATTERN (fnmatch glob; comma-separated, repeatable)",
    )
    parser.add_argument(
        "--list", action="store_true", help="print the ids of the selected rules and exit"
    )
    parser.add_argument(
        "--budget", type=int, help="accepted submissions allowed (default 2, or 200 on loopback)"
    )
    parser.add_argument(
        "--examples", type=int, default=10, help="examples per refusal case (default 10)"
    )
    parser.add_argument("--report", type=Path, default=Path("reports/conformance.xml"))
    parser.add_argument(
        "--spec",
        type=Path,
        default=spec_module.DEFAULT_SPEC_PATH,
        help="the spec to hold the server to (default spec/openapi.yaml)",
    )
    parser.add_argument(
        "--mock-port",
        type=arguments.port,
        metavar="N",
        help="without --base-url: start the bundled mock on port N (default: a free port)",
    )
    parser.add_argument(
        "--request-timeout",
        type=arguments.positive(float, "seconds"),
        default=DEFAULT_REQUEST_TIMEOUT,
        metavar="SECONDS",
        help="seconds for the whole answer to one request, headers and body "
        f"(default {DEFAULT_REQUEST_TIMEOUT:g})",
    )
    parser.add_argument(
        "--max-response-bytes",
        type=arguments.positive(int, "bytes"),
        default=DEFAULT_MAX_RESPONSE_BYTES,
        metavar="N",
        help=f"bytes of one answer at most (default {DEFAULT_MAX_RESPONSE_BYTES})",
    )
    parser.add_argument(
        "--deadline",
        type=arguments.positive(float, "seconds"),
        default=DEFAULT_RUN_DEADLINE,
        metavar="SECONDS",
        help="seconds for the whole run; then the rest is skipped and the report written "
        f"(default {DEFAULT_RUN_DEADLINE:g})",
    )
    parser.add_argument(
        "--mock-break",
        action="append",
        default=[],
        metavar="RULE",
        help="test only: start the mock with RULE broken",
    )
    args = parser.parse_args(argv)
    spec = spec_module.load(args.spec.resolve())
    patterns = split_patterns(args.rules)
    known = rule_ids(spec)
    for pattern in patterns:
        if not any(matches(rule, [pattern]) for rule in known):
            parser.error(f"--rules {pattern!r} matches no rule (--list shows them)")
    if args.list:
        for rule in known:
            if matches(rule, patterns):
                print(rule)
        return PASSED
    if args.base_url:
        if args.mock_port is not None or args.mock_break:
            parser.error("--mock-port and --mock-break are for the bundled mock, not --base-url")
        api_key = os.environ.get(KEY_ENV, "")
        if not api_key:
            parser.error(f"set {KEY_ENV} to the API key of {args.base_url}")
        return _run_against(args, args.base_url.rstrip("/"), api_key, spec, patterns)
    try:
        with mock_process(args.mock_break, spec.path, args.mock_port) as (base_url, api_key):
            print(f"started the bundled mock at {base_url}", flush=True)
            return _run_against(args, base_url, api_key, spec, patterns)
    except MockDidNotStart as error:
        message = f"could not run: {error}"
        print(message, file=sys.stderr)
        report.junit_error(args.report, message)
        return CANNOT_RUN


def _run_against(
    args: argparse.Namespace, base_url: str, api_key: str, spec: Spec, patterns: list[str]
) -> int:
    budget = args.budget if args.budget is not None else default_budget(base_url)
    target = Target(
        base_url,
        api_key,
        budget,
        timeout=args.request_timeout,
        submission=spec.submission(),
        max_response_bytes=args.max_response_bytes,
        run_deadline=args.deadline,
    )
    return run(
        target,
        examples=args.examples,
        report_path=args.report,
        out=print,
        spec=spec,
        rules=patterns,
        err=lambda line: print(line, file=sys.stderr, flush=True),
    )


if __name__ == "__main__":
    sys.exit(main())
