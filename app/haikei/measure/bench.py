"""The bench: the real engine on a file, with per-stage timings, frame rate, CPU and memory.

Figures: per-stage p50/p95/p99 in ms (stages as in :mod:`haikei.live.engine`: ``total`` is capture plus
all the work on one frame, without the waits between threads; ``latency`` is frame arrival to output
done, waits included), ``fps`` sustained over the measured frames, ``cpu_cores`` = process CPU time /
wall time, ``rss_mb`` = peak resident memory of the process.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from haikei.errors import HaikeiError
from haikei.live import Engine
from haikei.measure import machine
from haikei.segment.catalog import Catalog
from haikei.settings import Settings
from haikei.stats import EFFECT_STAGES, STAGES, PipelineStats

#: Frames run (and not counted) before measuring: model warm-up, first allocations.
WARMUP_FRAMES = 10


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


def run_bench(settings: Settings, frames: int = 300, paced: bool = False, catalog: Catalog | None = None) -> dict:
    """Run the engine on ``settings`` for ``frames`` measured frames (after a warm-up) and report.

    Unpaced, frames come as fast as the engine takes them (its throughput); paced, at the source's
    frame rate, as a webcam delivers them (CPU use at that rate)."""
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

    engine = Engine(settings, catalog=catalog, paced=paced, max_frames=WARMUP_FRAMES + frames, on_output=on_output)
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
