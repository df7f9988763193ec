"""``haikei bench``: the real engine on a file, with per-stage timings, frame rate, CPU and memory;
and :func:`pick_preset`, the short bench that picks the best preset a machine sustains.

Figures: per-stage p50/p95/p99 in ms (stages as in :mod:`haikei.live.engine`: ``total`` is capture plus
all the work on one frame, without the waits between threads; ``latency`` is frame arrival to output
done, waits included), ``fps`` sustained over the measured frames, ``cpu_cores`` = process CPU time /
wall time, ``rss_mb`` = peak resident memory of the process.
"""

from __future__ import annotations

import os
import platform
import sys
import time

import cv2
import numpy as np

from haikei.capture import camera_device
from haikei.config import load_settings, save_settings, settings_path
from haikei.errors import HaikeiError
from haikei.frames import I420, Frame
from haikei.live import Engine, PauseReason
from haikei.live.engine import OPENCV_THREADS
from haikei.pipeline import FrameProcessor
from haikei.segment.catalog import Catalog, load_catalog
from haikei.settings import Settings
from haikei.stats import STAGES, PipelineStats, use_cpu_clock

#: Frames run (and not counted) before measuring: model warm-up, first allocations.
WARMUP_FRAMES = 10
#: Presets from the best looking to the lightest: :func:`pick_preset` takes the first that fits.
PRESET_ORDER = ("quality", "balanced", "speed")
#: A preset "sustains" a frame rate when its p95 work per frame fits in this share of the frame
#: interval: at most one core busy at that rate, the rest left for the camera and the call app.
CORE_SHARE = 1.0


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
        "stages": {name: percentiles(stage_samples[name]) for name in (*STAGES, "latency") if stage_samples.get(name)},
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


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), cpu)
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, {platform.system()}"


# -- automatic preset ------------------------------------------------------------------------
def synthetic_frames(size: tuple[int, int], count: int) -> list[Frame]:
    """Textured frames that change every time (the cost of the stages barely depends on content)."""
    w, h = size
    rng = np.random.default_rng(7)
    frames = []
    for i in range(count):
        small = rng.integers(0, 256, (h // 16 + 1, w // 16 + 1, 3), np.uint8)
        frames.append(Frame(cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC), i, i / 30.0))
    return frames


def preset_cost_ms(settings: Settings, seconds: float, catalog: Catalog | None = None) -> float:
    """p95 CPU time of the work on one frame (segment + compose) with ``settings``, over ``seconds``.

    CPU time, not wall time: what the preset costs, whatever else the machine is busy with now.
    Composed in I420, as for the virtual camera the picked preset is for."""
    cv2.setNumThreads(OPENCV_THREADS)  # as in the engine: all the work in this thread, all counted
    processor = FrameProcessor(settings.replace(mask_reuse=0.0), catalog)
    frames = synthetic_frames((settings.width, settings.height), 4)
    costs: list[float] = []
    try:
        for frame in frames[:2]:  # warm-up
            processor.process(frame, I420)
        deadline = time.monotonic() + seconds
        budget = 1000.0 / settings.fps
        while time.monotonic() < deadline or len(costs) < 5:
            started = time.thread_time()
            processor.process(frames[len(costs) % len(frames)], I420)
            costs.append((time.thread_time() - started) * 1e3)
            if len(costs) >= 5 and np.median(costs) > 3 * budget:  # hopeless: stop early
                break
    finally:
        processor.close()
    return float(np.percentile(costs, 95))


def pick_preset(
    settings: Settings, seconds: float = 3.0, catalog: Catalog | None = None, costs: dict[str, float] | None = None
) -> str:
    """The best preset whose p95 CPU work per frame fits in one core at ``settings``' size and fps.

    Runs the model on synthetic frames for about ``seconds`` in all, no camera or output needed.
    Falls back to "speed" when none fits. ``costs``, if given, receives the measured ms per preset.
    """
    catalog = catalog if catalog is not None else load_catalog()
    budget = CORE_SHARE * 1000.0 / settings.fps
    for name in PRESET_ORDER:
        cost = preset_cost_ms(settings.replace(preset=name), seconds / len(PRESET_ORDER), catalog)
        if costs is not None:
            costs[name] = round(cost, 2)
        if cost <= budget:
            return name
    return PRESET_ORDER[-1]


def first_start() -> bool:
    """No settings saved yet: the moment to pick a preset automatically."""
    return not settings_path().exists()


def auto_preset(
    settings: Settings,
    seconds: float = 3.0,
    catalog: Catalog | None = None,
    costs: dict[str, float] | None = None,
    engine: Engine | None = None,
) -> Settings:
    """Pick the preset for ``settings`` and save it as the user's preset; ``settings`` with it applied.

    A running ``engine`` is paused meanwhile (its output says so, the measurement is not disturbed)
    and resumes with the chosen preset."""
    if engine is not None:
        engine.pause(PauseReason.MEASURING)
    try:
        chosen = pick_preset(settings, seconds, catalog, costs)
        if engine is not None:
            engine.update(preset=chosen)
    finally:
        if engine is not None:
            engine.resume()
    saved, _ = load_settings()
    save_settings(saved.replace(preset=chosen))
    return settings.replace(preset=chosen)


def wants_auto_preset(settings: Settings, asked: bool, preset_given: bool) -> bool:
    """``--auto-preset``, or the first start with a camera and no ``--preset`` (files are not live)."""
    return asked or (first_start() and not preset_given and camera_device(settings.source) is not None)


# -- command line ------------------------------------------------------------------------------
def format_table(rows: list[dict]) -> str:
    header = (
        f"{'model':24} {'preset':9} " + " ".join(f"{s:>10}" for s in (*STAGES, "latency")) + f" {'fps':>6} {'cores':>6}"
    )
    lines = [header, f"{'':34}" + "(p50 ms; total and latency also p99)"]
    for row in rows:
        stages = row["stages"]
        cells = []
        for name in (*STAGES, "latency"):
            value = stages.get(name)
            text = "-" if value is None else f"{value['p50']:.1f}"
            if value is not None and name in ("total", "latency"):
                text += f"/{value['p99']:.0f}"
            cells.append(f"{text:>10}")
        lines.append(
            f"{row['settings']['model']:24} {row['settings']['preset']:9} "
            + " ".join(cells)
            + f" {row['fps']:6.1f} {row['cpu_cores']:6.2f}"
        )
    return "\n".join(lines)


def cmd_bench(args, settings: Settings, catalog: Catalog) -> int:
    """``haikei bench``: one run, ``--all`` models × presets, or ``--auto`` (pick and save a preset)."""
    import json

    if args.auto:
        costs: dict[str, float] = {}
        chosen = auto_preset(settings, args.seconds, catalog, costs).preset
        if args.json:
            print(json.dumps({"preset": chosen, "cost_ms_p95": costs, "budget_ms": round(1000 / settings.fps, 2)}))
        else:
            measured = ", ".join(f"{name} {ms:.1f} ms" for name, ms in costs.items())
            print(
                f"preset {chosen} for {settings.width}x{settings.height} at {settings.fps} fps "
                f"(p95 work per frame: {measured}; budget {1000 / settings.fps:.1f} ms); saved"
            )
        return 0
    use_cpu_clock(args.cpu_time)
    try:
        rows = [
            run_bench(run_settings, args.frames, args.paced, catalog)
            for run_settings in bench_settings(args, settings, catalog)
        ]
    finally:
        use_cpu_clock(False)
    for row in rows:
        row["clock"] = "thread CPU time" if args.cpu_time else "wall"
    if args.json:
        print(json.dumps(rows if args.all else rows[0], indent=2))
        return 0
    print(format_table(rows))
    last = rows[-1]
    print(
        f"\n{last['source']} at {settings.width}x{settings.height}, {settings.background}, "
        f"{'paced' if args.paced else 'unpaced'}, {args.frames} frames, stages timed by {last['clock']}; "
        f"peak RSS {last['rss_mb']:.0f} MB; dropped {last['dropped']}; masks reused {last['masks_reused']}; "
        f"{last['machine']}"
    )
    return 0


def bench_settings(args, settings: Settings, catalog: Catalog) -> list[Settings]:
    """The runs asked for: ``settings`` alone, or with ``--all`` every model × preset."""
    if not args.all:
        return [settings]
    return [settings.replace(model=model, preset=preset) for model in catalog.models for preset in PRESET_ORDER]
