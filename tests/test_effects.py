"""The effects (issue #18) from the outside: their command-line options, and the live engine with
all of them on, each timed in the bench (the pipeline's own tests of each effect are test_framing,
test_light, test_touchup and test_styles)."""

from __future__ import annotations

import argparse

import pytest

from haikei.cli.bench import format_table
from haikei.cli.options import add_pipeline_options, overrides_from_args
from haikei.measure.bench import run_bench
from haikei.settings import Settings
from haikei.stats import EFFECT_STAGES
from support.data import DOCTOR_VIDEO, need_shared


def parse(*argv: str) -> dict:
    parser = argparse.ArgumentParser()
    add_pipeline_options(parser, with_source=True, with_output=True)
    return overrides_from_args(parser.parse_args(argv))


def test_the_effects_options_set_their_settings():
    changes = parse(
        "--framing", "auto", "--light", "auto", "--touch-up", "60", "--style", "pencil", "--style-on", "picture"
    )
    assert changes == {"framing": "auto", "light": "auto", "touch_up": 60, "style": "pencil", "style_on": "picture"}
    Settings().replace(**changes)  # valid settings
    assert parse() == {}  # not given: the saved settings hold


def test_an_unknown_style_is_refused_by_the_parser():
    with pytest.raises(SystemExit):
        parse("--style", "watercolour")


def test_the_engine_runs_every_effect_and_the_bench_times_each():
    settings = Settings(
        source=str(need_shared(DOCTOR_VIDEO)),
        output="none",
        width=640,
        height=360,
        framing="auto",
        light="auto",
        touch_up=60,
        style="cartoon",
    )
    row = run_bench(settings, frames=12)
    assert set(EFFECT_STAGES) - {"face"} <= set(row["stages"])  # the face tracker runs a few times a second
    table = format_table([row])
    assert all(name in table.splitlines()[0] for name in ("framing", "light", "touch_up", "style"))
