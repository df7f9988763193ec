"""``haikei bench``: CPU time per frame, per-stage timings, frame rate and memory of the real engine on
a file (:mod:`haikei.measure.bench`); ``--mjpeg`` plays it as a webcam's MJPG; ``--auto`` picks the
preset and saves it."""

from __future__ import annotations

import argparse
import json

from haikei.cli.options import add_pipeline_options, catalog_from_args, saved_settings, settings_from_args, warn
from haikei.config import save_preset
from haikei.errors import SettingsError
from haikei.segment.catalog import Catalog
from haikei.settings import Settings


def add_parser(sub: argparse._SubParsersAction) -> None:
    bench = sub.add_parser(
        "bench", help="measure CPU time per frame, per-stage timings, frame rate and memory on a video file"
    )
    add_pipeline_options(bench, with_source=True, with_output=True)
    bench.add_argument("--paced", action="store_true", help="feed frames at the source's frame rate, as a webcam does")
    bench.add_argument(
        "--mjpeg",
        action="store_true",
        help="re-encode the video in memory as a webcam sends it (MJPG at the output size) and decode it "
        "frame by frame: the camera path without a camera",
    )
    bench.add_argument("--all", action="store_true", help="every model × preset")
    bench.add_argument("--auto", action="store_true", help="pick the best preset this machine sustains and save it")
    bench.add_argument("--seconds", type=float, default=3.0, help="duration of the --auto bench")
    bench.add_argument(
        "--cpu-time", action="store_true", help="time stages by thread CPU time (for a machine shared with other work)"
    )
    bench.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    from haikei.live.memory import keep_freed_buffers
    from haikei.measure.autopreset import auto_preset
    from haikei.measure.bench import run_bench
    from haikei.stats import use_cpu_clock

    keep_freed_buffers()
    base = saved_settings()
    args.output = args.output or "none"
    args.frames = 300 if args.frames is None else args.frames
    settings = settings_from_args(args, base)
    catalog = catalog_from_args(args)
    if args.auto:
        costs: dict[str, float] = {}
        chosen = auto_preset(settings, args.seconds, catalog, costs)
        try:
            save_preset(chosen)
        except SettingsError as exc:  # a read-only config folder: the measurement still stands
            warn(exc)
        if args.json:
            print(json.dumps({"preset": chosen, "cost_ms_p95": costs, "budget_ms": round(1000 / settings.fps, 2)}))
        else:
            measured = ", ".join(f"{name} {ms:.1f} ms" for name, ms in costs.items())
            print(
                f"preset {chosen} for {settings.width}x{settings.height} at {settings.fps} fps "
                f"(p95 work per frame: {measured}; budget {1000 / settings.fps:.1f} ms); saved"
            )
        return 0
    from haikei.measure.bench import WARMUP_FRAMES, webcam_stand_in

    opener = webcam_stand_in(settings, WARMUP_FRAMES + args.frames) if args.mjpeg else None
    use_cpu_clock(args.cpu_time)
    try:
        rows = [
            run_bench(run_settings, args.frames, args.paced, catalog, opener)
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
        f"\nCPU time per frame {last['cpu_ms_per_frame']:.2f} ms (process CPU time / frames, every thread)"
        f"\n{last['source']} at {settings.width}x{settings.height}, {settings.background}, "
        f"{'paced' if args.paced else 'unpaced'}, {args.frames} frames, stages timed by {last['clock']}; "
        f"peak RSS {last['rss_mb']:.0f} MB; dropped {last['dropped']}; masks reused {last['masks_reused']}; "
        f"{last['machine']}"
    )
    return 0


def bench_settings(args, settings: Settings, catalog: Catalog) -> list[Settings]:
    """The runs asked for: ``settings`` alone, or with ``--all`` every model × preset."""
    from haikei.measure.autopreset import PRESET_ORDER

    if not args.all:
        return [settings]
    return [settings.replace(model=model, preset=preset) for model in catalog.models for preset in PRESET_ORDER]


def format_table(rows: list[dict]) -> str:
    """The rows as a table: CPU ms per frame, per-stage p50 ms (total and latency also p99; the effects'
    own columns where one was on), frame rate, cores."""
    from haikei.stats import EFFECT_STAGES, STAGES

    effects = tuple(name for name in EFFECT_STAGES if any(name in row["stages"] for row in rows))
    columns = (*STAGES, *effects, "latency")
    cells = " ".join(f"{s:>10}" for s in columns)
    header = f"{'model':24} {'preset':9} {'CPU ms':>7} {cells} {'fps':>6} {'cores':>6}"
    lines = [header, f"{'':34}" + "(per frame) (p50 ms; total and latency also p99)"]
    for row in rows:
        stages = row["stages"]
        cells = []
        for name in columns:
            value = stages.get(name)
            text = "-" if value is None else f"{value['p50']:.1f}"
            if value is not None and name in ("total", "latency"):
                text += f"/{value['p99']:.0f}"
            cells.append(f"{text:>10}")
        lines.append(
            f"{row['settings']['model']:24} {row['settings']['preset']:9} {row['cpu_ms_per_frame']:7.2f} "
            + " ".join(cells)
            + f" {row['fps']:6.1f} {row['cpu_cores']:6.2f}"
        )
    return "\n".join(lines)
