"""What several commands share: the pipeline options, and turning them into settings changes.

The command line never hands argparse objects on: :func:`overrides_from_args` makes a plain dict of
the settings it changes, which the CLI applies to the saved settings and the GUI takes as they are.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from haikei.errors import HaikeiError
from haikei.segment.catalog import Catalog, load_catalog, model_dirs
from haikei.settings import CUSTOM, PRESETS, Settings, parse_size

#: Options that name a :class:`Settings` field of the same name.
SETTING_OPTIONS = ("source", "model", "background", "output", "fps", "threads", "mirror", "idle_when_unwatched")


def add_pipeline_options(parser: argparse.ArgumentParser, with_source: bool, with_output: bool) -> None:
    if with_source:
        parser.add_argument(
            "--source", help="camera index, /dev/videoN, or a video/image file (default: saved setting, else 0)"
        )
    parser.add_argument("--model", help="segmentation model (see `haikei models`)")
    parser.add_argument(
        "--background", metavar="SPEC", help="blur[:STRENGTH] | image:PATH | video:PATH | color:#RRGGBB | none"
    )
    parser.add_argument("--preset", choices=[*PRESETS, CUSTOM], help="refinement preset")
    if with_output:
        parser.add_argument(
            "--output", metavar="OUT", help="vcam[:DEVICE] | pipewire[:NAME] | FILE | none (default: vcam)"
        )
        parser.add_argument("--size", metavar="WxH", help="output size, e.g. 1280x720")
        parser.add_argument("--fps", type=int, help="output frame rate")
    parser.add_argument("--mirror", action=argparse.BooleanOptionalAction, default=None, help="flip horizontally")
    parser.add_argument("--threads", type=int, help="inference threads (default 1)")
    parser.add_argument("--frames", type=int, metavar="N", help="stop after N frames")
    add_models_dir_option(parser)


def add_models_dir_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--models-dir", type=Path, action="append", default=[], help="extra folder of model manifests")


def overrides_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """The settings the command line asks for (the options given), as ``Settings.replace`` takes them."""
    changes: dict[str, Any] = {}
    for key in SETTING_OPTIONS:
        value = getattr(args, key, None)
        if value is not None:
            changes[key] = value
    if getattr(args, "size", None):
        changes["width"], changes["height"] = parse_size(args.size)
    if getattr(args, "preset", None):
        changes["preset"] = args.preset
    return changes


def settings_from_args(args: argparse.Namespace, base: Settings) -> Settings:
    """``base`` (the saved settings) with the command line's options on top."""
    return base.replace(**overrides_from_args(args))


def catalog_from_args(args: argparse.Namespace) -> Catalog:
    """The models found, with the ``--models-dir`` folders (each must exist)."""
    for folder in args.models_dir:
        if not folder.is_dir():
            raise HaikeiError(f"models folder not found: {folder}")
    return load_catalog(model_dirs(args.models_dir))


def warn(message: object) -> None:
    print(f"haikei: warning: {message}", file=sys.stderr)
