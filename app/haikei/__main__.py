"""``python -m haikei`` and the ``haikei`` command."""

import sys

from haikei.stopping import stop_at_once


def main(argv: list[str] | None = None) -> int:
    """The command line; a stop signal while its modules import (~0.1 s) ends it with the same one
    line and exit status as later, not with a KeyboardInterrupt's traceback."""
    with stop_at_once():
        from haikei.cli import main as command_line  # imported under the handler, on purpose
    return command_line(argv)


if __name__ == "__main__":
    sys.exit(main())
