"""``haikei run``: camera or video → virtual camera, headless, until Ctrl+C (or ``--frames``)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from typing import TYPE_CHECKING

from haikei.cli.options import (
    add_overwrite_option,
    add_pipeline_options,
    catalog_from_args,
    saved_settings,
    settings_from_args,
    warn,
)
from haikei.config import save_preset
from haikei.errors import SettingsError
from haikei.settings import KNOBS, Settings

if TYPE_CHECKING:
    from haikei.outputs.file import FileSink


def add_parser(sub: argparse._SubParsersAction) -> None:
    run = sub.add_parser("run", help="camera or video → virtual camera, headless")
    add_pipeline_options(run, with_source=True, with_output=True)
    add_overwrite_option(run)
    run.add_argument("--stats", action="store_true", help="print frame rate and stage timings every second")
    run.add_argument(
        "--idle-when-unwatched",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=KNOBS["idle_when_unwatched"].help,
    )
    run.add_argument(
        "--auto-preset",
        action="store_true",
        help="bench a few seconds first and pick the preset (also done on the first start)",
    )


def run(args: argparse.Namespace) -> int:
    from haikei.live import Engine, IdleController
    from haikei.live.memory import keep_freed_buffers
    from haikei.measure.autopreset import auto_preset, wants_auto_preset

    keep_freed_buffers()
    base = saved_settings()
    settings = settings_from_args(args, base)
    recording = open_recording(settings, args.overwrite)
    # A saved model that fails (tampered, deleted) falls back to the default; one asked for by name does not.
    engine = Engine(
        settings,
        sink=recording,
        catalog=catalog_from_args(args),
        paced=True,
        max_frames=args.frames,
        on_error=warn,
        fall_back_model=args.model is None,
        fall_back_background=args.background is None,
    )
    try:
        engine.start()
    except BaseException:
        if recording is not None:
            recording.abort()
        raise
    idle = IdleController(engine).start()
    running = engine.settings
    print(
        f"haikei: {engine.source.description} → {engine.sink.description} ({running.background}, {running.model})",
        file=sys.stderr,
    )
    stop = threading.Event()
    stop_signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in stop_signals}
    next_stats = time.monotonic() + 1.0
    try:
        if wants_auto_preset(settings, args.auto_preset, args.preset is not None):
            chosen = auto_preset(running, catalog=engine.processor.catalog, engine=engine)
            print(
                f"haikei: picked the {chosen} preset for this machine (`haikei bench --auto` to redo)", file=sys.stderr
            )
            try:
                save_preset(chosen)
            except SettingsError as exc:  # a read-only config folder: run on with the preset, unsaved
                warn(exc)
        while not stop.is_set() and not engine.wait(timeout=0.05):  # short waits: a signal is seen at once
            if args.stats and time.monotonic() >= next_stats:
                next_stats += 1.0
                snap = engine.snapshot()
                stages = " ".join(f"{k}={v['p50']:.1f}" for k, v in snap["stages"].items())
                print(f"fps={snap['fps']:.1f} dropped={snap['dropped']} ms(p50): {stages}", file=sys.stderr)
    finally:
        idle.stop()
        engine.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    snap = engine.snapshot()
    if recording is not None:  # stopped as a recording is: by a signal or --frames, so what was recorded is kept
        recording.close()
        print(f"haikei: wrote {recording.frames} frames ({recording.contents}) to {settings.output}", file=sys.stderr)
    else:
        print(f"haikei: {snap['frames']} frames sent", file=sys.stderr)
    return 0


def open_recording(settings: Settings, overwrite: bool) -> FileSink | None:
    """The video file a run records into (checked before the camera opens), ``None`` for other outputs."""
    from haikei.outputs import output_kind
    from haikei.outputs.file import FileSink

    if output_kind(settings.output) != "file":
        return None
    return FileSink.from_spec(settings.output, (settings.width, settings.height), settings.fps, overwrite=overwrite)
