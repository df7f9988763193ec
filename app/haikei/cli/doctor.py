"""``haikei doctor``: every check, ok or the problem and its exact fix (see :mod:`haikei.doctor`)."""

from __future__ import annotations

import argparse

from haikei.config import load_settings


def add_parser(sub: argparse._SubParsersAction) -> None:
    doctor = sub.add_parser(
        "doctor", help="check cameras, outputs, models and the desktop; print the fix for each problem"
    )
    doctor.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    from haikei import doctor

    return doctor.main(load_settings()[0], args.json)
