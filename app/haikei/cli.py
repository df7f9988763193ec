"""``haikei`` command line: run, gui, bench, process, eval, models, devices, doctor.

User errors end the program with exit status 2 and one line on stderr saying what to do.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from pathlib import Path

from haikei import __version__
from haikei.catalog import Catalog, load_catalog, model_dirs
from haikei.config import load_settings
from haikei.errors import HaikeiError
from haikei.memory import keep_freed_buffers
from haikei.settings import CUSTOM, PRESETS, Settings, parse_size

EXIT_USER_ERROR = 2


def _add_pipeline_options(parser: argparse.ArgumentParser, with_source: bool, with_output: bool) -> None:
    if with_source:
        parser.add_argument("--source", help="camera index, /dev/videoN, or a video/image file (default: saved setting, else 0)")
    parser.add_argument("--model", help="segmentation model (see `haikei models`)")
    parser.add_argument("--background", metavar="SPEC", help="blur[:STRENGTH] | image:PATH | video:PATH | color:#RRGGBB | none")
    parser.add_argument("--preset", choices=[*PRESETS, CUSTOM], help="refinement preset")
    if with_output:
        parser.add_argument("--output", metavar="OUT", help="vcam[:DEVICE] | pipewire[:NAME] | FILE | none (default: vcam)")
        parser.add_argument("--size", metavar="WxH", help="output size, e.g. 1280x720")
        parser.add_argument("--fps", type=int, help="output frame rate")
    parser.add_argument("--mirror", action=argparse.BooleanOptionalAction, default=None, help="flip horizontally")
    parser.add_argument("--threads", type=int, help="inference threads (default 1)")
    parser.add_argument("--frames", type=int, metavar="N", help="stop after N frames")
    parser.add_argument("--models-dir", type=Path, action="append", default=[], help="extra folder of model manifests")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="haikei", description="Virtual webcam with background blur and replacement.")
    parser.add_argument("--version", action="version", version=f"haikei {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="camera or video → virtual camera, headless")
    _add_pipeline_options(run, with_source=True, with_output=True)
    run.add_argument("--stats", action="store_true", help="print frame rate and stage timings every second")
    run.add_argument("--idle-when-unwatched", action=argparse.BooleanOptionalAction, default=None,
                     help="release the camera and stop inference while no app reads the virtual camera (default: on)")
    run.add_argument("--auto-preset", action="store_true", help="bench a few seconds first and pick the preset (also done on the first start)")

    bench = sub.add_parser("bench", help="measure per-stage timings, frame rate, CPU and memory on a video file")
    _add_pipeline_options(bench, with_source=True, with_output=True)
    bench.add_argument("--paced", action="store_true", help="feed frames at the source's frame rate, as a webcam does")
    bench.add_argument("--all", action="store_true", help="every model × preset")
    bench.add_argument("--auto", action="store_true", help="pick the best preset this machine sustains and save it")
    bench.add_argument("--seconds", type=float, default=3.0, help="duration of the --auto bench")
    bench.add_argument("--cpu-time", action="store_true", help="time stages by thread CPU time (for a machine shared with other work)")
    bench.add_argument("--json", action="store_true")

    process = sub.add_parser("process", help="process a video file offline")
    process.add_argument("input", type=Path)
    process.add_argument("output", type=Path)
    _add_pipeline_options(process, with_source=False, with_output=False)
    process.add_argument("--no-progress", action="store_true", help="no progress bar")

    models = sub.add_parser("models", help="list segmentation models")
    models.add_argument("--json", action="store_true")
    models.add_argument("--models-dir", type=Path, action="append", default=[])

    gui = sub.add_parser("gui", help="the desktop app: live preview, backgrounds, tray")
    _add_pipeline_options(gui, with_source=True, with_output=True)
    gui.add_argument("--screenshot", type=Path, metavar="PNG", help="save a screenshot of the window after --frames frames, then exit")

    devices = sub.add_parser("devices", help="list cameras and virtual-camera devices")
    devices.add_argument("--json", action="store_true")

    doctor = sub.add_parser("doctor", help="check cameras, outputs, models and the desktop; print the fix for each problem")
    doctor.add_argument("--json", action="store_true")

    from haikei.eval_cli import add_eval_parser

    add_eval_parser(sub)
    return parser


def settings_from_args(args: argparse.Namespace, base: Settings) -> Settings:
    """The saved settings with the command line's options on top."""
    changes = {}
    for key in ("source", "model", "background", "output", "fps", "threads", "mirror", "idle_when_unwatched"):
        value = getattr(args, key, None)
        if value is not None:
            changes[key] = value
    if getattr(args, "size", None):
        changes["width"], changes["height"] = parse_size(args.size)
    if args.preset:
        changes["preset"] = args.preset
    return base.replace(**changes)


def _catalog(args: argparse.Namespace) -> Catalog:
    for folder in args.models_dir:
        if not folder.is_dir():
            raise HaikeiError(f"models folder not found: {folder}")
    return load_catalog(model_dirs(args.models_dir))


def _warn(message: object) -> None:
    print(f"haikei: warning: {message}", file=sys.stderr)


def cmd_run(args: argparse.Namespace) -> int:
    from haikei.bench import auto_preset, wants_auto_preset
    from haikei.engine import Engine

    base, warnings = load_settings()
    for warning in warnings:
        _warn(warning)
    settings = settings_from_args(args, base)
    # A saved model that fails (tampered, deleted) falls back to the default; one asked for by name does not.
    engine = Engine(settings, catalog=_catalog(args), paced=True, max_frames=args.frames, on_error=_warn,
                    fall_back_model=args.model is None).start()
    running = engine.settings
    print(f"haikei: {engine.source.description} → {engine.sink.description} ({running.background}, {running.model})",
          file=sys.stderr)
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    next_stats = time.monotonic() + 1.0
    try:
        if wants_auto_preset(settings, args.auto_preset, args.preset is not None):
            chosen = auto_preset(running, catalog=engine.processor.catalog, engine=engine).preset
            print(f"haikei: picked the {chosen} preset for this machine (`haikei bench --auto` to redo)", file=sys.stderr)
        while not stop.is_set() and not engine.wait(timeout=0.05):  # short waits: a signal is seen at once
            if args.stats and time.monotonic() >= next_stats:
                next_stats += 1.0
                snap = engine.snapshot()
                stages = " ".join(f"{k}={v['p50']:.1f}" for k, v in snap["stages"].items())
                print(f"fps={snap['fps']:.1f} dropped={snap['dropped']} ms(p50): {stages}", file=sys.stderr)
    finally:
        engine.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    snap = engine.snapshot()
    print(f"haikei: {snap['frames']} frames sent", file=sys.stderr)
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from haikei.bench import cmd_bench as bench

    base, _ = load_settings()
    args.output = args.output or "none"
    args.frames = 300 if args.frames is None else args.frames
    return bench(args, settings_from_args(args, base), _catalog(args))


def cmd_process(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from haikei.pipeline import FrameProcessor
    from haikei.sinks import FileSink
    from haikei.sources import VideoFileSource

    base, _ = load_settings()
    source = VideoFileSource(args.input, paced=False, loop=False)
    settings = settings_from_args(args, base).replace(
        source=str(args.input), output=str(args.output), width=source.size[0] + source.size[0] % 2,
        height=source.size[1] + source.size[1] % 2, fps=max(1, min(120, round(source.fps))),
    )
    try:
        processor = FrameProcessor(settings, _catalog(args))
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


def cmd_models(args: argparse.Namespace) -> int:
    catalog = _catalog(args)
    rows = [
        {
            "name": m.name,
            "engine": m.engine,
            "input_size": f"{'~' if m.keep_aspect else ''}{m.input_width}x{m.input_height}",
            "license": m.license,
            "verified": m.verified(),
            "file": str(m.file),
        }
        for m in catalog.models.values()
    ]
    if args.json:
        print(json.dumps({"models": rows, "problems": catalog.problems}, indent=2))
        return 0
    print(f"{'NAME':28} {'ENGINE':12} {'INPUT':9} {'VERIFIED':9} LICENSE")
    for row in rows:
        print(f"{row['name']:28} {row['engine']:12} {row['input_size']:9} {'yes' if row['verified'] else 'NO':9} {row['license']}")
    for problem in catalog.problems:
        _warn(problem)
    print(f"\nAdd your own models (file + manifest .json) to {model_dirs()[1]}")
    return 0


def cmd_devices(args: argparse.Namespace) -> int:
    from haikei.devices import list_devices
    from haikei.sinks import virtual_camera_fix

    found = list_devices()
    if args.json:
        print(json.dumps({"devices": [d.to_dict() for d in found]}, indent=2))
        return 0
    for kind, title in (("camera", "Cameras"), ("virtual-camera", "Virtual cameras")):
        print(f"{title}:")
        entries = [d for d in found if d.kind == kind]
        for d in entries:
            print(f"  {d.id:14} {d.name}" + (f"  ({d.problem})" if d.problem else ""))
        if not entries:
            print("  none" + (f": {virtual_camera_fix()}" if kind == "virtual-camera" else ""))
    return 0


def cmd_gui(args: argparse.Namespace) -> int:
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
        raise HaikeiError(f"Qt cannot load: {library} is missing",
                          f"{platform.install_fix(library)}; `haikei doctor` checks everything") from None
    return run_gui(args, _catalog(args))


def cmd_doctor(args: argparse.Namespace) -> int:
    from haikei import doctor

    return doctor.main(load_settings()[0], args.json)


def cmd_eval(args: argparse.Namespace) -> int:
    from haikei.eval_cli import run_eval

    return run_eval(args, _catalog(args))


COMMANDS = {
    "gui": cmd_gui,
    "run": cmd_run,
    "bench": cmd_bench,
    "process": cmd_process,
    "eval": cmd_eval,
    "models": cmd_models,
    "devices": cmd_devices,
    "doctor": cmd_doctor,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    keep_freed_buffers()
    try:
        return COMMANDS[args.command](args)
    except HaikeiError as exc:
        print(f"haikei: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        return 130
