"""``haikei gui``: the desktop app. The command line's options apply to this run only."""

from __future__ import annotations

import argparse
from pathlib import Path

from haikei.cli.options import add_pipeline_options, catalog_from_args, overrides_from_args
from haikei.errors import HaikeiError


def add_parser(sub: argparse._SubParsersAction) -> None:
    gui = sub.add_parser("gui", help="the desktop app: live preview, backgrounds, tray")
    add_pipeline_options(gui, with_source=True, with_output=True)
    gui.add_argument(
        "--screenshot",
        type=Path,
        metavar="PNG",
        help="save a screenshot of the window after --frames frames, then exit",
    )


def run(args: argparse.Namespace) -> int:
    from haikei.gui import platform

    # Before Qt loads: a platform plugin that cannot load aborts the process with a page of Qt's text.
    platform.clean_environment()
    problem = platform.window_problem()
    if problem is not None:
        raise HaikeiError(problem[0], f"{problem[1]}; `haikei doctor` checks everything")
    try:
        from haikei.gui.app import run_gui
    except ImportError as exc:  # a library Qt itself needs (the X11 plugin's were checked above)
        library = platform.missing_library_in(str(exc))
        if library is None:
            raise
        raise HaikeiError(
            f"Qt cannot load: {library} is missing",
            f"{platform.install_fix(library)}; `haikei doctor` checks everything",
        ) from None
    from haikei.live.memory import keep_freed_buffers

    keep_freed_buffers()
    return run_gui(
        overrides_from_args(args), screenshot=args.screenshot, frames=args.frames, catalog=catalog_from_args(args)
    )
