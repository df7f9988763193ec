"""``haikei bench``: per-stage timings, frame rate, CPU and memory of the real engine on a file."""

from __future__ import annotations

import argparse

from haikei.cli.options import add_pipeline_options, catalog_from_args, settings_from_args
from haikei.config import load_settings


def add_parser(sub: argparse._SubParsersAction) -> None:
    bench = sub.add_parser("bench", help="measure per-stage timings, frame rate, CPU and memory on a video file")
    add_pipeline_options(bench, with_source=True, with_output=True)
    bench.add_argument("--paced", action="store_true", help="feed frames at the source's frame rate, as a webcam does")
    bench.add_argument("--all", action="store_true", help="every model × preset")
    bench.add_argument("--auto", action="store_true", help="pick the best preset this machine sustains and save it")
    bench.add_argument("--seconds", type=float, default=3.0, help="duration of the --auto bench")
    bench.add_argument(
        "--cpu-time", action="store_true", help="time stages by thread CPU time (for a machine shared with other work)"
    )
    bench.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    from haikei.bench import cmd_bench
    from haikei.live.memory import keep_freed_buffers

    keep_freed_buffers()
    base, _ = load_settings()
    args.output = args.output or "none"
    args.frames = 300 if args.frames is None else args.frames
    return cmd_bench(args, settings_from_args(args, base), catalog_from_args(args))
