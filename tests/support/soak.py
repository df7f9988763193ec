"""Soak runs: the real engine, or the real window and engine, for a long time, RSS sampled as it goes.

    python tests/support/soak.py --minutes 30 --size 1280x720 --paced     # the 30-minute 720p30 engine soak
    python tests/support/soak.py --frames 3000 --size 640x360             # what the test suite runs
    python tests/support/soak.py --gui --minutes 60                       # the window, stats overlay on, for an hour

Prints one line per sample and the growth after warm-up; with ``--gui`` also the frame rate the
engine sent and the preview painted in each interval. Exits 1 if memory grew 5 % or more after
warm-up, or (``--gui``) the window lost frames, stopped painting or reported an error.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

from haikei.live import Engine
from haikei.outputs.null import NullSink
from haikei.settings import Settings, parse_size

DEFAULT_VIDEO = Path(__file__).resolve().parents[3] / "shared" / "data" / "videos" / "Doctor-26732.mp4"
#: The window "holds" its frame rate when every interval after warm-up sent at least this share of the
#: source's rate (a paced 29.97 fps clip: 25 fps).
HELD_SHARE = 0.83


def soak(
    source: Path,
    size: tuple[int, int],
    frames: int | None,
    seconds: float | None,
    paced: bool,
    samples: int = 20,
    background: str = "blur",
    changes: dict | None = None,
) -> list[tuple[int, float, float]]:
    """Run until ``frames`` or ``seconds``; return (frames, seconds, rss_mb) samples. ``changes``: other
    settings (the effects, a model)."""
    process = psutil.Process()
    settings = Settings(source=str(source), width=size[0], height=size[1], background=background)
    settings = settings.replace(**(changes or {}))
    engine = Engine(settings, sink=NullSink(), paced=paced).start()
    started = time.monotonic()
    points = []
    try:
        while True:
            elapsed = time.monotonic() - started
            done = engine.stats.frames
            finished = (frames is not None and done >= frames) or (seconds is not None and elapsed >= seconds)
            target = frames if frames is not None else seconds
            progress = done if frames is not None else elapsed
            if finished or progress >= target * len(points) / samples:
                points.append((done, elapsed, process.memory_info().rss / 2**20))
            if finished:
                return points
            time.sleep(0.05)
    finally:
        engine.stop()


def growth_after_warmup(points: list[tuple], warmup: float = 0.25) -> float:
    """Relative RSS growth from the first sample after the warm-up share of the run to the end."""
    start = points[max(1, int(len(points) * warmup))][2]
    return (points[-1][2] - start) / start


@dataclass
class GuiSample:
    seconds: float
    #: Frames the engine sent and the preview painted since the start.
    frames: int
    painted: int
    rss_mb: float


def gui_soak(
    source: Path,
    size: tuple[int, int],
    seconds: float,
    samples: int = 20,
    background: str = "blur",
    changes: dict | None = None,
) -> tuple[list[GuiSample], float, list[str]]:
    """The real window (preview with the stats overlay, gallery, tray menu) and engine on ``source``
    for ``seconds``: (samples, the source's frame rate, the errors the window was told of).
    ``changes``: other settings (the effects, a model)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from haikei.gui.app import HaikeiGui

    app = QApplication.instance() or QApplication([sys.argv[0]])
    overrides = {"source": str(source), "output": "none", "width": size[0], "height": size[1], "background": background}
    overrides |= changes or {}
    gui = HaikeiGui(overrides, persist=False, use_system_tray=False, on_quit=app.quit)
    gui.window.stats_box.setChecked(True)
    errors: list[str] = []
    gui.controller.problem.connect(lambda error: errors.append(str(error)))
    process = psutil.Process()
    points: list[GuiSample] = []
    started = time.monotonic()

    def sample() -> None:
        elapsed = time.monotonic() - started
        points.append(
            GuiSample(elapsed, gui.controller.frames_out, gui.window.preview.painted, process.memory_info().rss / 2**20)
        )
        if elapsed >= seconds:
            gui.quit()

    timer = QTimer(interval=max(100, int(seconds * 1000 / samples)), timeout=sample)
    gui.show()
    timer.start()
    app.exec()
    timer.stop()
    fps = gui.controller.engine.source.fps if gui.controller.engine and gui.controller.engine.source else 30.0
    return points, fps, errors


def gui_verdict(
    points: list[GuiSample], fps: float, errors: list[str], warmup: float = 0.25, held_share: float = HELD_SHARE
) -> list[str]:
    """What went wrong in a GUI soak (nothing: ``[]``). An interval after warm-up that sent or painted
    fewer than ``held_share`` of the source's frame rate is a problem (0: only a stall is)."""
    problems = [f"the window reported: {error}" for error in errors]
    growth = growth_after_warmup([(p.frames, p.seconds, p.rss_mb) for p in points], warmup)
    if growth >= 0.05:
        problems.append(f"RSS grew {growth * 100:.1f} % after warm-up")
    settled = points[max(1, int(len(points) * warmup)) :]
    for before, after in zip(settled, settled[1:]):
        interval = after.seconds - before.seconds
        sent, painted = (after.frames - before.frames) / interval, (after.painted - before.painted) / interval
        if sent < held_share * fps or sent == 0:
            problems.append(f"{sent:.1f} fps sent at {after.seconds:.0f} s (source {fps:.2f} fps)")
        if painted < held_share * fps or painted == 0:
            problems.append(f"the preview painted {painted:.1f} fps at {after.seconds:.0f} s")
    return problems


def setting_change(text: str) -> tuple[str, object]:
    """``KNOB=VALUE`` as a setting's name and value, typed as the setting is."""
    name, _, value = text.partition("=")
    kind = type(getattr(Settings(), name))
    return name, (value.lower() in ("1", "true", "yes", "on")) if kind is bool else kind(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_VIDEO)
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--frames", type=int)
    parser.add_argument("--minutes", type=float)
    parser.add_argument("--paced", action="store_true")
    parser.add_argument("--gui", action="store_true", help="the window and engine (paced, stats overlay on)")
    parser.add_argument(
        "--held-share",
        type=float,
        default=HELD_SHARE,
        help="--gui: the share of the source's frame rate every interval must reach (0: only no stall)",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KNOB=VALUE",
        help="another setting, as settings.json names it (repeatable): --set light=auto --set touch_up=40",
    )
    args = parser.parse_args(argv)
    changes = dict(setting_change(text) for text in args.set)
    seconds = args.minutes * 60 if args.minutes else None
    if args.gui:
        size = parse_size(args.size)
        points, fps, errors = gui_soak(args.source, size, seconds or 120.0, samples=30, changes=changes)
        print(f"{'seconds':>8} {'frames':>8} {'sent fps':>8} {'painted':>8} {'fps':>6} {'RSS MB':>8}")
        previous = None
        for p in points:
            rates = (
                (
                    (p.frames - previous.frames) / (p.seconds - previous.seconds),
                    (p.painted - previous.painted) / (p.seconds - previous.seconds),
                )
                if previous
                else (0.0, 0.0)
            )
            print(f"{p.seconds:8.1f} {p.frames:8d} {rates[0]:8.1f} {p.painted:8d} {rates[1]:6.1f} {p.rss_mb:8.1f}")
            previous = p
        growth = growth_after_warmup([(p.frames, p.seconds, p.rss_mb) for p in points])
        print(f"RSS growth after warm-up: {growth * 100:+.2f} %; source {fps:.2f} fps")
        problems = gui_verdict(points, fps, errors, held_share=args.held_share)
        for problem in problems:
            print(f"problem: {problem}")
        return 1 if problems else 0
    points = soak(args.source, parse_size(args.size), args.frames, seconds, args.paced, samples=30, changes=changes)
    for done, elapsed, rss in points:
        print(f"{done:8d} frames {elapsed:8.1f} s {rss:8.1f} MB")
    growth = growth_after_warmup(points)
    print(f"RSS growth after warm-up: {growth * 100:+.2f} %")
    return 0 if growth < 0.05 else 1


if __name__ == "__main__":
    sys.exit(main())
