"""``haikei`` command line: one module per command, each with ``add_parser(subparsers)`` and ``run(args)``.

User errors end the program with exit status 2 and one line on stderr saying what to do.
"""

from __future__ import annotations

import argparse
import sys

from haikei import __version__
from haikei.cli import bench, devices, doctor, gui, models, process, run
from haikei.cli import eval as eval_command
from haikei.errors import HaikeiError

EXIT_USER_ERROR = 2

#: Command name → its module, in the order ``haikei --help`` lists them.
COMMANDS = {
    "run": run,
    "bench": bench,
    "process": process,
    "models": models,
    "gui": gui,
    "devices": devices,
    "doctor": doctor,
    "eval": eval_command,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="haikei", description="Virtual webcam with background blur and replacement.")
    parser.add_argument("--version", action="version", version=f"haikei {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS.values():
        command.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command].run(args)
    except HaikeiError as exc:
        print(f"haikei: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        return 130
