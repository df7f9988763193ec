"""``haikei gui``: the desktop app. The command line's options apply to this run only."""

from __future__ import annotations

import argparse
from pathlib import Path

from haikei.cli.options import add_pipeline_options, catalog_from_args, overrides_from_args
from haikei.errors import HaikeiError
from haikei.settings import parse_size


def add_parser(sub: argparse._SubParsersAction) -> None:
    gui = sub.add_parser("gui", help="the desktop app: live preview, backgrounds, tray")
    add_pipeline_options(gui, with_source=True, with_output=True)
    gui.add_argument(
        "--tray", action="store_true", help="start in the tray, the window hidden (shown where there is no tray)"
    )
    gui.add_argument(
        "--screenshot",
        type=Path,
        metavar="PNG",
        help="save a screenshot of the window after --frames frames, then exit",
    )
    gui.add_argument("--window-size", metavar="WxH", help="the window's size for this run, e.g. 1280x800")


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
        overrides_from_args(args),
        screenshot=args.screenshot,
        frames=args.frames,
        catalog=catalog_from_args(args),
        in_tray=args.tray,
        window_size=parse_size(args.window_size) if args.window_size else None,
    )
