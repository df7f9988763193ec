"""``haikei models``: the models found (shipped, the user's folder, ``--models-dir``), sha256 checked."""

from __future__ import annotations

import argparse
import json

from haikei.cli.options import add_models_dir_option, catalog_from_args, warn
from haikei.segment.catalog import model_dirs


def add_parser(sub: argparse._SubParsersAction) -> None:
    models = sub.add_parser("models", help="list segmentation models")
    models.add_argument("--json", action="store_true")
    add_models_dir_option(models)


def run(args: argparse.Namespace) -> int:
    catalog = catalog_from_args(args)
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
        verified = "yes" if row["verified"] else "NO"
        print(f"{row['name']:28} {row['engine']:12} {row['input_size']:9} {verified:9} {row['license']}")
    for problem in catalog.problems:
        warn(problem)
    print(f"\nAdd your own models (file + manifest .json) to {model_dirs()[1]}")
    return 0
