"""``haikei process``: a video file through the pipeline into another, offline (every frame, its fps)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from haikei.cli.options import add_pipeline_options, catalog_from_args, settings_from_args
from haikei.config import load_settings
from haikei.errors import HaikeiError


def add_parser(sub: argparse._SubParsersAction) -> None:
    process = sub.add_parser("process", help="process a video file offline")
    process.add_argument("input", type=Path)
    process.add_argument("output", type=Path)
    add_pipeline_options(process, with_source=False, with_output=False)
    process.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from haikei.capture.files import VideoFileSource
    from haikei.live.memory import keep_freed_buffers
    from haikei.outputs.file import FileSink
    from haikei.pipeline import FrameProcessor

    keep_freed_buffers()
    base, _ = load_settings()
    source = VideoFileSource(args.input, paced=False, loop=False)
    settings = settings_from_args(args, base).replace(
        source=str(args.input),
        output=str(args.output),
        width=source.size[0] + source.size[0] % 2,
        height=source.size[1] + source.size[1] % 2,
        fps=max(1, min(120, round(source.fps))),
    )
    try:
        processor = FrameProcessor(settings, catalog_from_args(args))
    except HaikeiError:
        source.close()
        raise
    try:
        sink = FileSink(args.output, source.size, source.fps)
    except HaikeiError:
        source.close()
        processor.close()
        raise
    total = source.frame_count if args.frames is None else min(args.frames, source.frame_count or args.frames)
    done = 0
    try:
        with tqdm(total=total, unit="frame", disable=args.no_progress, file=sys.stderr) as bar:
            while args.frames is None or done < args.frames:
                try:
                    frame = source.read()
                except HaikeiError:
                    break  # end of the file
                sink.send(processor.process(frame).image)
                done += 1
                bar.update()
    finally:
        source.close()
        processor.close()
        sink.close()
    if done == 0:
        raise HaikeiError(f"no frames could be read from {args.input}")
    print(f"haikei: wrote {done} frames to {args.output}", file=sys.stderr)
    return 0
