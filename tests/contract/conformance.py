"""Conformance mode: the contract suite against a live server (or the bundled mock).

``python -m tests.contract.conformance [--base-url URL] [--budget N] [--examples N]``
with the key in ``ELKAPI_API_KEY``. Without ``--base-url`` it starts the mock
as a real process on a free loopback port. Exit status 0 only when no rule is
broken. Only what a client can observe is checked (black box).

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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.contract import report
from tests.contract import spec as spec_module
from tests.contract.runner import KEY_ENV, Runner, Target, default_budget
from tests.contract.spec import ROOT, Spec


def run(
    target: Target,
    *,
    examples: int,
    report_path: Path,
    out: Callable[[str], None],
    spec: Spec | None = None,
) -> int:
    """Run the suite, print and write the report; return the exit status."""
    loopback = target.loopback
    runner = Runner(
        target,
        examples=examples,
        poll_timeout=30 if loopback else 900,
        poll_interval=0.01 if loopback else 5,
        spec=spec,
    )
    result = runner.run()
    report.stdout(result, out, target.api_key)
    report.junit(result, report_path, target.api_key)
    return 1 if result.failed else 0


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def mock_process(
    breaks: list[str], spec_path: Path = spec_module.DEFAULT_SPEC_PATH
) -> Iterator[tuple[str, str]]:
    """Start the mock server as a real process; yield its URL and the key it accepts."""
    port, key = free_port(), "mock-" + secrets.token_hex(16)
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
                    raise RuntimeError("the mock server did not start") from None
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
        "--mock-break",
        action="append",
        default=[],
        metavar="RULE",
        help="test only: start the mock with RULE broken",
    )
    args = parser.parse_args(argv)
    spec = spec_module.load(args.spec.resolve())
    if args.base_url:
        api_key = os.environ.get(KEY_ENV, "")
        if not api_key:
            parser.error(f"set {KEY_ENV} to the API key of {args.base_url}")
        return _run_against(args, args.base_url.rstrip("/"), api_key, spec)
    with mock_process(args.mock_break, spec.path) as (base_url, api_key):
        print(f"started the bundled mock at {base_url}")
        return _run_against(args, base_url, api_key, spec)


def _run_against(args: argparse.Namespace, base_url: str, api_key: str, spec: Spec) -> int:
    budget = args.budget if args.budget is not None else default_budget(base_url)
    target = Target(base_url, api_key, budget, submission=spec.submission())
    return run(target, examples=args.examples, report_path=args.report, out=print, spec=spec)


if __name__ == "__main__":
    sys.exit(main())
