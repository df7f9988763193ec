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
from haikei.settings import KNOBS, Settings, parse_size

#: Options that name a :class:`Settings` field of the same name.
SETTING_OPTIONS = (
    "source",
    "model",
    "background",
    "output",
    "fps",
    "threads",
    "mirror",
    "idle_when_unwatched",
    "vcam_format",
)
#: The effects' options (issue #18): each names the Settings field with its dashes as underscores.
EFFECT_OPTIONS = ("framing", "light", "touch_up", "style", "style_on")


def add_pipeline_options(parser: argparse.ArgumentParser, with_source: bool, with_output: bool) -> None:
    """The options that set :class:`Settings` fields, their help and choices from the fields' own metadata."""
    if with_source:
        parser.add_argument("--source", help=KNOBS["source"].help)
    parser.add_argument("--model", help=KNOBS["model"].help)
    parser.add_argument("--background", metavar="SPEC", help=KNOBS["background"].help)
    parser.add_argument("--preset", choices=KNOBS["preset"].choices, help=KNOBS["preset"].help)
    if with_output:
        parser.add_argument("--output", metavar="OUT", help=KNOBS["output"].help)
        parser.add_argument("--size", metavar="WxH", help=KNOBS["width"].help)
        parser.add_argument("--fps", type=int, help=_with_range("fps"))
        parser.add_argument("--vcam-format", choices=KNOBS["vcam_format"].choices, help=KNOBS["vcam_format"].help)
    parser.add_argument("--mirror", action=argparse.BooleanOptionalAction, default=None, help=KNOBS["mirror"].help)
    parser.add_argument("--threads", type=int, help=_with_range("threads"))
    parser.add_argument("--frames", type=frame_count, metavar="N", help="stop after N frames")
    add_models_dir_option(parser)
    add_effect_options(parser)


def add_effect_options(parser: argparse.ArgumentParser) -> None:
    """``--framing``, ``--light``, ``--touch-up``, ``--style``, ``--style-on`` (issue #18), from their knobs."""
    for name in EFFECT_OPTIONS:
        knob = KNOBS[name]
        if knob.choices:
            parser.add_argument(f"--{name.replace('_', '-')}", choices=knob.choices, help=knob.help)
        else:
            parser.add_argument(f"--{name.replace('_', '-')}", type=int, metavar="0-100", help=_with_range(name))


def _with_range(name: str) -> str:
    knob = KNOBS[name]
    low, high = knob.range
    return f"{knob.help} ({low:g}-{high:g}{knob.unit})"


def add_overwrite_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-y", "--overwrite", action="store_true", help="replace an output file that exists (else it is refused)"
    )


def add_models_dir_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--models-dir", type=Path, action="append", default=[], help="extra folder of model manifests")


def overrides_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """The settings the command line asks for (the options given), as ``Settings.replace`` takes them."""
    changes: dict[str, Any] = {}
    for key in SETTING_OPTIONS + EFFECT_OPTIONS:
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


def saved_settings() -> Settings:
    """The saved settings; what went wrong with the file (set aside, unreadable, a newer version's
    keys) is said on stderr, by every command that reads it."""
    from haikei.config import load_settings

    settings, warnings = load_settings()
    for warning in warnings:
        warn(warning)
    return settings


def frame_count(text: str) -> int:
    """``--frames N``: a whole number from 1 up (argparse says it as one line)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 up, not {text!r}")
    return value


def warn(message: object) -> None:
    print(f"haikei: warning: {message}", file=sys.stderr)
