"""``haikei`` command line: one module per command, each with ``add_parser(subparsers)`` and ``run(args)``.

Exit status: 0 done; 2 an error the user can act on (a bad option or file, a refused output, an input or
output that failed midway), with one line on stderr saying what and what to do; ``128 + N`` stopped by
signal N (Ctrl+C: 130); 1 ``doctor`` found a problem, or an internal error (a bug: one line, and the
traceback with ``HAIKEI_DEBUG=1``). No usage block, no traceback, no native library's noise.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys

from haikei import __version__
from haikei.cli import bench, devices, doctor, gui, models, process, run
from haikei.cli import eval as eval_command
from haikei.errors import HaikeiError
from haikei.stopping import stop_at_once

EXIT_USER_ERROR = 2
EXIT_INTERNAL_ERROR = 1

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


class ArgumentParser(argparse.ArgumentParser):
    """argparse's errors as Haikei's: one line with the hint, not the usage block."""

    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"haikei: error: {message}; see `{self.prog} --help`", file=sys.stderr)
        raise SystemExit(EXIT_USER_ERROR)


def build_parser() -> argparse.ArgumentParser:
    parser = ArgumentParser(prog="haikei", description="Virtual webcam with background blur and replacement.")
    parser.add_argument("--version", action="version", version=f"haikei {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS.values():
        command.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        with stop_at_once():
            args = build_parser().parse_args(argv)
            return COMMANDS[args.command].run(args)
    except HaikeiError as exc:
        print(f"haikei: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        return 128 + signal.SIGINT
    except BrokenPipeError:  # `haikei models | head -3`: the reader has all it wants
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # the interpreter's own flush at exit must not fail again
        return 128 + signal.SIGPIPE
    except Exception as exc:
        if os.environ.get("HAIKEI_DEBUG"):
            raise
        print(
            f"haikei: internal error: {type(exc).__name__}: {exc}; please report it (HAIKEI_DEBUG=1 shows where)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL_ERROR
