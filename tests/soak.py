"""Soak run: the real engine for a long time, RSS sampled as it goes.

    python tests/soak.py --minutes 30 --size 1280x720 --paced     # the 30-minute 720p30 soak
    python tests/soak.py --frames 3000 --size 640x360             # what the test suite runs

Prints one line per sample (frames, seconds, RSS MB) and the growth after warm-up.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import psutil

from haikei.live import Engine
from haikei.outputs.file import NullSink
from haikei.settings import Settings, parse_size

DEFAULT_VIDEO = Path(__file__).resolve().parents[2] / "shared" / "data" / "videos" / "Doctor-26732.mp4"


def soak(
    source: Path,
    size: tuple[int, int],
    frames: int | None,
    seconds: float | None,
    paced: bool,
    samples: int = 20,
    background: str = "blur",
) -> list[tuple[int, float, float]]:
    """Run until ``frames`` or ``seconds``; return (frames, seconds, rss_mb) samples."""
    process = psutil.Process()
    settings = Settings(source=str(source), width=size[0], height=size[1], background=background)
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


def growth_after_warmup(points: list[tuple[int, float, float]], warmup: float = 0.25) -> float:
    """Relative RSS growth from the first sample after the warm-up share of the run to the end."""
    start = points[max(1, int(len(points) * warmup))][2]
    return (points[-1][2] - start) / start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_VIDEO)
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--frames", type=int)
    parser.add_argument("--minutes", type=float)
    parser.add_argument("--paced", action="store_true")
    args = parser.parse_args(argv)
    seconds = args.minutes * 60 if args.minutes else None
    points = soak(args.source, parse_size(args.size), args.frames, seconds, args.paced, samples=30)
    for done, elapsed, rss in points:
        print(f"{done:8d} frames {elapsed:8.1f} s {rss:8.1f} MB")
    growth = growth_after_warmup(points)
    print(f"RSS growth after warm-up: {growth * 100:+.2f} %")
    return 0 if growth < 0.05 else 1


if __name__ == "__main__":
    sys.exit(main())
