"""``haikei run``: camera or video → virtual camera, headless, until Ctrl+C (or ``--frames``)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time

from haikei.cli.options import add_pipeline_options, catalog_from_args, settings_from_args, warn
from haikei.config import load_settings, save_preset
from haikei.settings import KNOBS


def add_parser(sub: argparse._SubParsersAction) -> None:
    run = sub.add_parser("run", help="camera or video → virtual camera, headless")
    add_pipeline_options(run, with_source=True, with_output=True)
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
    base, warnings = load_settings()
    for warning in warnings:
        warn(warning)
    settings = settings_from_args(args, base)
    # A saved model that fails (tampered, deleted) falls back to the default; one asked for by name does not.
    engine = Engine(
        settings,
        catalog=catalog_from_args(args),
        paced=True,
        max_frames=args.frames,
        on_error=warn,
        fall_back_model=args.model is None,
    ).start()
    idle = IdleController(engine).start()
    running = engine.settings
    print(
        f"haikei: {engine.source.description} → {engine.sink.description} ({running.background}, {running.model})",
        file=sys.stderr,
    )
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    next_stats = time.monotonic() + 1.0
    try:
        if wants_auto_preset(settings, args.auto_preset, args.preset is not None):
            chosen = auto_preset(running, catalog=engine.processor.catalog, engine=engine)
            save_preset(chosen)
            print(
                f"haikei: picked the {chosen} preset for this machine (`haikei bench --auto` to redo)", file=sys.stderr
            )
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
    print(f"haikei: {snap['frames']} frames sent", file=sys.stderr)
    return 0
