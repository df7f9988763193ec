"""The bench: the real engine on a file, with per-stage timings, frame rate, CPU and memory.

Figures: ``cpu_ms_per_frame`` = process CPU time / frames (the headline: all the work one frame costs,
every thread's, decoding included, whatever the threads' overlap or pacing), per-stage p50/p95/p99 in
ms (stages as in :mod:`haikei.live.engine`: ``total`` is capture plus all the work on one frame,
without the waits between threads; ``latency`` is frame arrival to output done, waits included),
``fps`` sustained over the measured frames, ``cpu_cores`` = process CPU time / wall time, ``rss_mb`` =
peak resident memory of the process.

With :func:`webcam_stand_in` the engine reads the clip as a webcam sends it (MJPG, re-encoded in
memory): the camera path, decoding included, measured without a camera.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from haikei.capture import camera_device
from haikei.capture.base import Source
from haikei.capture.mjpeg import JpegPacketSource, webcam_clip
from haikei.errors import HaikeiError
from haikei.frames.jpeg import WEBCAM_QUALITY
from haikei.live import Engine
from haikei.measure import machine
from haikei.segment.catalog import Catalog
from haikei.settings import Settings
from haikei.stats import EFFECT_STAGES, STAGES, PipelineStats

#: Frames run (and not counted) before measuring: model warm-up, first allocations.
WARMUP_FRAMES = 10
#: At most this many frames of the clip are re-encoded for the webcam stand-in (then looped).
WEBCAM_CLIP_FRAMES = 300

SourceOpener = Callable[[str, tuple[int, int], float, bool], Source]


def peak_rss_mb() -> float:
    """Peak resident memory of this process (0 where the OS cannot tell without psutil)."""
    try:
        import resource
    except ImportError:  # Windows: the peak working set, through psutil when installed
        try:
            import psutil
        except ImportError:
            return 0.0
        return psutil.Process().memory_info().peak_wset / 2**20
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB elsewhere


def percentiles(values: list[float]) -> dict[str, float]:
    array = np.asarray(values, np.float64)
    return {f"p{q}": round(float(np.percentile(array, q)), 3) for q in (50, 95, 99)}


def webcam_stand_in(settings: Settings, frames: int) -> SourceOpener:
    """A source opener for the engine: the video file ``settings.source`` fitted to the output size
    and re-encoded in memory as a webcam sends it at that size (MJPG, 4:2:2), up to
    :data:`WEBCAM_CLIP_FRAMES` frames of it, looped."""
    if camera_device(settings.source) is not None:
        raise HaikeiError("--mjpeg re-encodes a video file as a webcam would send it", "give one with --source FILE")
    path = Path(settings.source).expanduser()
    packets, fps = webcam_clip(path, (settings.width, settings.height), min(frames, WEBCAM_CLIP_FRAMES))
    description = f"MJPG 4:2:2 q{WEBCAM_QUALITY} in memory ({len(packets)} frames of {path.name})"
    return lambda spec, size, rate, paced: JpegPacketSource(packets, fps, paced, description)


def run_bench(
    settings: Settings,
    frames: int = 300,
    paced: bool = False,
    catalog: Catalog | None = None,
    source_opener: SourceOpener | None = None,
) -> dict:
    """Run the engine on ``settings`` for ``frames`` measured frames (after a warm-up) and report.

    Unpaced, frames come as fast as the engine takes them (its throughput); paced, at the source's
    frame rate, as a webcam delivers them (CPU use at that rate). ``source_opener`` (e.g.
    :func:`webcam_stand_in`) replaces how the engine opens ``settings.source``."""
    if frames < 1:
        raise HaikeiError(f"cannot bench {frames} frames", "use --frames 1 or more")
    marks: dict[str, float] = {}
    engine: Engine | None = None

    def on_output(result, frame) -> None:
        marks["count"] = marks.get("count", 0) + 1
        if marks["count"] == WARMUP_FRAMES:  # measuring starts now
            engine.stats = PipelineStats(window=frames)
            marks["wall"], marks["cpu"] = time.perf_counter(), time.process_time()
            marks["dropped"] = engine.snapshot()["dropped"]
            marks["reused"] = engine.processor.reuse.reused

    options = {"source_opener": source_opener} if source_opener is not None else {}
    engine = Engine(
        settings, catalog=catalog, paced=paced, max_frames=WARMUP_FRAMES + frames, on_output=on_output, **options
    )
    engine.start()
    try:
        if not engine.wait(timeout=60 + 2 * (WARMUP_FRAMES + frames) / settings.fps):
            raise HaikeiError("the bench timed out", "is the source a readable video file?")
        wall, cpu = time.perf_counter() - marks["wall"], time.process_time() - marks["cpu"]
        snapshot = engine.snapshot()
        reused = engine.processor.reuse.reused - marks["reused"]
        source = engine.source.description if engine.source else settings.source
    finally:
        engine.stop()
    stage_samples = engine.stats.samples()
    return {
        "cpu_ms_per_frame": round(cpu * 1e3 / frames, 3),
        "stages": {
            name: percentiles(stage_samples[name])
            for name in (*STAGES, *EFFECT_STAGES, "latency")
            if stage_samples.get(name)
        },
        "fps": round(frames / wall, 2),
        "cpu_cores": round(cpu / wall, 3),
        "rss_mb": round(peak_rss_mb(), 1),
        "frames": frames,
        "dropped": snapshot["dropped"] - marks["dropped"],
        "masks_reused": reused,
        "paced": paced,
        "source": source,
        "settings": {
            k: getattr(settings, k) for k in ("model", "preset", "background", "width", "height", "fps", "threads")
        },
        "machine": machine(),
    }
