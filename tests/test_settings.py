"""Settings, presets and the settings file."""

from __future__ import annotations

import json
from dataclasses import fields

import pytest

from haikei.config import load_settings, save_settings
from haikei.errors import SettingsError
from haikei.settings import CUSTOM, KNOBS, PRESETS, Settings


def test_defaults_are_the_balanced_preset():
    settings = Settings()
    assert settings.preset == "balanced"
    assert all(getattr(settings, key) == value for key, value in PRESETS["balanced"].items())


def test_choosing_a_preset_applies_its_row():
    settings = Settings().replace(preset="speed")
    assert settings.upsample == "bilinear" and settings.preset == "speed"


def test_touching_a_knob_makes_the_preset_custom():
    settings = Settings().replace(smoothing=0.1)
    assert settings.preset == "custom" and settings.smoothing == 0.1
    assert Settings().replace(background="blur:5").preset == "balanced"


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"width": 641}, "unsupported size"),
        ({"fps": 0}, "frame rate"),
        ({"preset": "ultra"}, "unknown preset"),
        ({"mask_low": 0.8, "mask_high": 0.2}, "mask thresholds"),
        ({"upsample": "magic"}, "unknown upsampler"),
        ({"accelerator": "tpu"}, "unknown accelerator"),
        ({"light_wrap": 1.5}, "light_wrap"),
        ({"decontaminate": -0.1}, "decontaminate must be 0 to 1"),
        ({"vcam_format": "nv12"}, "unknown virtual camera format 'nv12'"),
    ],
)
def test_invalid_settings_are_refused(changes, message):
    with pytest.raises(SettingsError, match=message):
        Settings().replace(**changes)


def test_a_knob_missing_from_an_older_file_takes_its_presets_value():
    saved = Settings().replace(preset="quality").to_dict()
    del saved["decontaminate"]
    assert Settings.from_dict(saved).decontaminate == PRESETS["quality"]["decontaminate"] == 1.0
    assert Settings.from_dict({"preset": "custom"}).decontaminate == Settings().decontaminate


def test_from_dict_checks_names_and_types():
    assert Settings.from_dict({"fps": 25, "smoothing": 0}).smoothing == 0.0
    with pytest.raises(SettingsError, match="unknown setting"):
        Settings.from_dict({"colour": 1})
    with pytest.raises(SettingsError, match="must be int"):
        Settings.from_dict({"fps": "30"})


def test_a_preset_name_alone_brings_its_knobs():
    """A hand-written settings file naming only a preset gets that preset's knobs, not the defaults'."""
    assert Settings.from_dict({"preset": "quality"}) == Settings().replace(preset="quality")
    assert Settings.from_dict({"preset": "quality"}).light_wrap == PRESETS["quality"]["light_wrap"] > 0
    mixed = Settings.from_dict({"preset": "quality", "smoothing": 0.0})
    assert mixed.preset == CUSTOM and mixed.smoothing == 0.0 and mixed.light_wrap == PRESETS["quality"]["light_wrap"]
    assert Settings.from_dict({"smoothing": 0.0}).preset == CUSTOM


def test_settings_file_round_trip(tmp_path):
    path = tmp_path / "settings.json"
    saved = Settings(background="color:#123456", mirror=True).replace(preset="quality")
    save_settings(saved, path)
    loaded, warnings = load_settings(path)
    assert loaded == saved and warnings == []


@pytest.mark.parametrize("content", ["{broken", "[1, 2]", json.dumps({"fps": "fast"})])
def test_corrupt_settings_file_gives_defaults_a_warning_and_a_backup(tmp_path, content):
    path = tmp_path / "settings.json"
    path.write_text(content)
    loaded, warnings = load_settings(path)
    assert loaded == Settings()
    backups = list(tmp_path.glob("settings.broken-*.json"))
    assert len(backups) == 1 and backups[0].read_text() == content
    assert len(warnings) == 1 and str(backups[0]) in warnings[0]


#: Settings checked by a rule between settings (size, thresholds, preset) rather than their own range.
JOINT = {"width", "height", "mask_low", "mask_high", "preset"}


@pytest.mark.parametrize("name", [name for name, knob in KNOBS.items() if knob.range and name not in JOINT])
def test_each_range_in_the_metadata_is_what_validation_enforces(name):
    knob = KNOBS[name]
    low, high = knob.range
    kind = type(getattr(Settings(), name))
    assert getattr(Settings(**{name: kind(low)}), name) == low
    below = kind(low - (knob.step or 1))
    with pytest.raises(SettingsError, match=knob.noun or name):
        Settings(**{name: below})
    if knob.open_high:
        with pytest.raises(SettingsError, match=name):
            Settings(**{name: kind(high)})
        assert Settings(**{name: kind(knob.spin_range()[1])})  # the GUI's largest value is allowed
    else:
        assert getattr(Settings(**{name: kind(high)}), name) == high
        with pytest.raises(SettingsError, match=knob.noun or name):
            Settings(**{name: kind(high + (knob.step or 1))})


@pytest.mark.parametrize("name", [name for name, knob in KNOBS.items() if knob.choices])
def test_each_choice_in_the_metadata_is_accepted_and_nothing_else(name):
    for choice in KNOBS[name].choices:
        assert getattr(Settings().replace(**{name: choice}), name) == choice
    with pytest.raises(SettingsError, match="nonsense"):
        Settings(**{name: "nonsense"})


def test_every_setting_has_a_label_and_the_refiner_its_slice():
    assert all(knob.label for knob in KNOBS.values()) and list(KNOBS) == [f.name for f in fields(Settings)]
    quality = Settings().replace(preset="quality")
    assert {k: getattr(quality.refine, k) for k in vars(quality.refine)} == {
        k: getattr(quality, k) for k in ("upsample", "guide_scale", "mask_low", "mask_high", "smoothing", "feather")
    }
