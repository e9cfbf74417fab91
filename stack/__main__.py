"""Command line of the native launcher: ``python -m stack up|down|status|logs|install``."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence

from stack.install import InstallError, ensure_all
from stack.process import tail
from stack.services import SERVICE_ORDER, ServiceState, Stack, StackError, resolve_names


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    stack = Stack.from_env()
    only = args.only.split(",") if getattr(args, "only", None) else None

    try:
        if args.command == "up":
            started = time.monotonic()
            states = stack.up(only)
            _print_table(states)
            print(f"up in {time.monotonic() - started:.1f}s; stack dir {stack.cfg.stack_dir}")
        elif args.command == "down":
            stack.down(only)
            _print_table([stack.state(name) for name in resolve_names(only)])
        elif args.command == "install":
            ensure_all(stack.cfg)
            print(f"installed; cached under {stack.cfg.cache_dir}")
        elif args.command == "status":
            _print_table(stack.status())
        elif args.command == "logs":
            for name in resolve_names(args.services or None):
                print(f"==> {stack.log_path(name)} <==")
                print(tail(stack.log_path(name), args.lines))
    except (StackError, InstallError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m stack",
        description="Run Murmur's production topology as local processes on 127.0.0.1.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log each step")
    commands = parser.add_subparsers(dest="command", required=True)

    names = ", ".join(SERVICE_ORDER)
    only_help = f"comma-separated services or groups (infra, web, encoder); of: {names}"
    up = commands.add_parser("up", help="start what is not running and wait until healthy")
    up.add_argument("--only", help=only_help)
    down = commands.add_parser("down", help="stop services in reverse order")
    down.add_argument("--only", help=only_help)
    commands.add_parser("install", help="install every program the stack runs, then exit")
    commands.add_parser("status", help="print every service's address, pid and state")
    logs = commands.add_parser("logs", help="print the end of services' logs")
    logs.add_argument("services", nargs="*", help="services to show (all by default)")
    logs.add_argument("-n", "--lines", type=int, default=30, help="lines per log")
    return parser


def _print_table(states: Sequence[ServiceState]) -> None:
    rows = [("SERVICE", "ADDRESS", "PID", "STATE", "LOG")]
    for s in states:
        rows.append((s.name, s.address, str(s.pid or "-"), s.state, str(s.log_path)))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        print("  ".join([*cells, row[4]]))


if __name__ == "__main__":
    sys.exit(main())
