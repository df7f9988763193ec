"""``haikei gui``: the desktop app. The command line's options apply to this run only."""

from __future__ import annotations

import argparse
from pathlib import Path

from haikei.cli.options import add_pipeline_options, catalog_from_args, overrides_from_args


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
    from haikei.gui.app import run_gui
    from haikei.live.memory import keep_freed_buffers

    keep_freed_buffers()
    return run_gui(
        overrides_from_args(args), screenshot=args.screenshot, frames=args.frames, catalog=catalog_from_args(args)
    )
