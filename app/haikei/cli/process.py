"""``haikei process``: a video file through the pipeline into another, offline: every frame at its
own time, the sound kept, and the output replaced only by a complete file.

The output is checked before anything is read or written (a file that is the input, or that exists
without ``--overwrite``, is refused); Ctrl+C, SIGTERM and SIGHUP end with ``128 + N`` and leave the
output as it was; an input that fails midway is an error with how far it got.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from haikei.cli.options import (
    add_overwrite_option,
    add_pipeline_options,
    catalog_from_args,
    saved_settings,
    settings_from_args,
    warn,
)
from haikei.errors import HaikeiError, SourceError

if TYPE_CHECKING:
    from haikei.capture.video import VideoReader
    from haikei.outputs.file import FileSink
    from haikei.pipeline import FrameProcessor


def add_parser(sub: argparse._SubParsersAction) -> None:
    process = sub.add_parser(
        "process",
        help="process a video file offline (its sound kept)",
        description="Writes H.264 + AAC (.mp4, .m4v, .mov), H.264 (.mkv) or VP9 + Opus (.webm); the output is "
        "replaced only by a complete file.",
    )
    process.add_argument("input", type=Path)
    process.add_argument("output", type=Path)
    add_overwrite_option(process)
    add_pipeline_options(process, with_source=False, with_output=False)
    process.add_argument("--no-progress", action="store_true", help="no progress bar")


class Progress:
    """How far the run got, for the one line that ends it."""

    def __init__(self, output: Path, existed: bool):
        self.done = 0
        self.total = "?"
        #: The output being written (``None`` before it is opened).
        self.sink: FileSink | None = None
        self.kept = f"{output} is unchanged" if existed else f"{output} was not written"

    def failed(self, error: HaikeiError) -> str:
        """The error line: the frames written when it is the output's fault (the input's errors count
        their own), and that the output was left alone."""
        where = f" after {self.done} of {self.total} frames" if self.done and not isinstance(error, SourceError) else ""
        fix = f"; {error.fix}" if error.fix else ""
        kept = f"; {self.kept}" if self.sink is not None else ""
        return f"{error.message}{where}{fix}{kept}"


def run(args: argparse.Namespace) -> int:
    from haikei.capture.video import VideoReader
    from haikei.live.memory import keep_freed_buffers
    from haikei.outputs.file import check_target
    from haikei.pipeline import FrameProcessor

    target = check_target(args.output, args.overwrite, inputs=(args.input,))
    progress = Progress(args.output, target.exists())
    keep_freed_buffers()
    base = saved_settings()
    reader = VideoReader(args.input)
    try:
        progress.total = reader.total
        w, h = reader.size
        settings = settings_from_args(args, base).replace(
            source=str(args.input),
            output=str(args.output),
            width=w + w % 2,
            height=h + h % 2,
            fps=max(1, min(120, round(reader.fps))),
        )
        processor = FrameProcessor(settings, catalog_from_args(args))
        try:
            code = write(args, reader, processor, progress)
        finally:
            processor.close()
    finally:
        reader.close()
    if code == 0:
        report(args, reader, progress)
    return code


def write(args: argparse.Namespace, reader: VideoReader, processor: FrameProcessor, progress: Progress) -> int:
    """Every frame through the pipeline into the output, committed when all went well; the exit status."""
    from tqdm import tqdm

    from haikei.outputs.file import FileSink
    from haikei.safefiles import Interrupted, stop_signals_raise

    limit = args.frames
    total = reader.frame_count if limit is None else min(limit, reader.frame_count or limit)
    try:
        with stop_signals_raise() as stops:
            sink = progress.sink = FileSink(
                args.output,
                reader.size,
                reader.fps,
                timeline=reader.timeline,
                overwrite=args.overwrite,
                inputs=(args.input,),
            )
            with sink, tqdm(total=total, unit="frame", disable=args.no_progress or None, leave=False) as bar:
                for frame in reader.frames():
                    sink.send(processor.process(frame, sink.pixel_format).image, frame.timestamp, frame.duration)
                    progress.done += 1
                    bar.update()
                    if limit is not None and progress.done >= limit:
                        break
                sink.commit()
            stops.settle()
    except Interrupted as stop:
        if progress.sink is not None and progress.sink.committed:
            return 0  # it came as the complete file was put in place: the file is written
        say(f"haikei: interrupted ({stop.name}) after {progress.done} of {progress.total} frames; {progress.kept}")
        return 128 + stop.signum
    except HaikeiError as error:
        raise HaikeiError(progress.failed(error)) from None
    return 0


def report(args: argparse.Namespace, reader: VideoReader, progress: Progress) -> None:
    sink = progress.sink
    if reader.concealed:
        warn(f"{reader.concealed} damaged frames of {reader.name} were repaired by the decoder")
    if reader.retimed:
        warn(f"{reader.retimed} frames of {reader.name} had broken timestamps and were retimed")
    if sink.coded_size != reader.size:
        (w, h), (cw, ch) = reader.size, sink.coded_size
        say(
            f"haikei: note: {reader.name} is {w}x{h}; {args.output.name} is {cw}x{ch} "
            f"({sink.contents.split(',')[0]} needs even sides: the last column or row is repeated)"
        )
    say(f"haikei: wrote {progress.done} frames ({sink.contents}) to {args.output}")


def say(line: str) -> None:
    """A line on stderr; after SIGHUP the terminal may be gone, which must not turn into a traceback."""
    try:
        print(line, file=sys.stderr, flush=True)
    except OSError:
        pass
