"""``haikei eval``: segmentation quality (:mod:`haikei.measure.quality`) on photos with masks, or flicker
and lag on a video.

One model and preset prints one result; several (``--model`` / ``--preset`` repeated, or
``--all-models``) print a table, one row per model × preset.
"""

from __future__ import annotations

import argparse
import datetime
import json
from pathlib import Path

from haikei.cli.options import add_models_dir_option, catalog_from_args
from haikei.errors import HaikeiError
from haikei.measure import machine
from haikei.settings import PRESETS, Settings

#: ``--preset raw``: the model's mask bilinearly resized to the image, no refinement.
RAW = "raw"


def add_parser(sub: argparse._SubParsersAction) -> None:
    ev = sub.add_parser("eval", help="measure segmentation quality on photos with masks, or flicker on a video")
    ev.add_argument("--images", type=Path, metavar="DIR", help="photos (N.jpg)")
    ev.add_argument("--masks", type=Path, metavar="DIR", help="ground-truth masks (N.png, person > 127)")
    ev.add_argument("--video", type=Path, metavar="FILE", help="a video to measure flicker and lag on")
    ev.add_argument("--flicker", action="store_true", help="with --video: flicker index and lag")
    ev.add_argument("--frames", type=int, metavar="N", help="with --video: only the first N frames")
    ev.add_argument("--model", action="append", default=[], help="model (repeatable; default selfie-general)")
    ev.add_argument("--all-models", action="store_true", help="every model found (shipped, user, --models-dir)")
    ev.add_argument(
        "--preset",
        action="append",
        default=[],
        choices=[*PRESETS, RAW],
        help="refinement preset, or raw = the model's mask without refinement (repeatable)",
    )
    ev.add_argument(
        "--subset",
        choices=("all", "webcam"),
        default="all",
        help="webcam = photos where the person covers at least 20%% of the frame",
    )
    ev.add_argument("--threads", type=int, default=1, help="inference threads (default 1)")
    ev.add_argument("--json", action="store_true")
    ev.add_argument("--markdown", action="store_true", help="a Markdown table, with the date and machine")
    add_models_dir_option(ev)


def run(args: argparse.Namespace) -> int:
    from haikei.live.memory import keep_freed_buffers
    from haikei.measure import quality

    keep_freed_buffers()
    catalog = catalog_from_args(args)
    if args.video is not None:
        if not args.flicker:
            raise HaikeiError("--video measures flicker", "add --flicker")
    elif args.images is None or args.masks is None:
        raise HaikeiError("nothing to evaluate", "give --images DIR --masks DIR, or --video FILE --flicker")
    models = list(catalog.models) if args.all_models else (args.model or [Settings().model])
    presets = args.preset or [Settings().preset]
    base = Settings(threads=args.threads)
    samples = None if args.video else quality.load_samples(args.images, args.masks, args.subset)
    rows = []
    for model in models:
        for preset in presets:
            settings = base.replace(model=model) if preset == RAW else base.replace(model=model, preset=preset)
            raw = preset == RAW
            if samples is None:
                result = quality.evaluate_video(args.video, settings, catalog, raw, args.frames)
            else:
                result = quality.evaluate_images(samples, settings, catalog, raw)
            rows.append({"model": model, "preset": preset, **result})
    if args.markdown:
        print(_markdown(rows))
        return 0
    if len(rows) == 1:
        row = {k: v for k, v in rows[0].items() if k not in ("model", "preset")}
        print(json.dumps(row) if args.json else _line(rows[0]))
        return 0
    if args.json:
        print(json.dumps({"date": datetime.date.today().isoformat(), "machine": machine(), "results": rows}, indent=1))
    else:
        for row in rows:
            print(_line(row))
    return 0


def _line(row: dict) -> str:
    return " ".join(f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items())


def _markdown(rows: list[dict]) -> str:
    columns = [k for k in rows[0] if k != "frames"]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        cells = [
            f"{row[k]:.1f}" if k == "ms_per_image" else f"{row[k]:.4g}" if isinstance(row[k], float) else str(row[k])
            for k in columns
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append(f"\n{datetime.date.today().isoformat()}, {machine()}, 1 inference thread")
    return "\n".join(lines)
