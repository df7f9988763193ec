"""Generated bad files everywhere a user or the disk hands us one: each is refused with a
HaikeiError (one clear message), never another exception, never a crash."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from haikei.capture.files import VideoFileSource
from haikei.compose.backgrounds import BackgroundSpec
from haikei.config import load_settings
from haikei.errors import BackgroundError, HaikeiError, MediaError, ModelError, SourceError
from haikei.frames.files import load_image
from haikei.segment.catalog import parse_manifest
from haikei.settings import Settings
from support.data import REPO, SHARED, need_shared

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
PORTRAIT = SHARED / "data" / "portraits" / "doctor-5871743_640.jpg"


def real_bytes(path: Path) -> bytes:
    return need_shared(path).read_bytes()


@pytest.fixture(scope="module")
def samples(tmp_path_factory, doctor_video):
    folder = tmp_path_factory.mktemp("samples")
    png = folder / "small.png"
    cv2.imwrite(str(png), np.full((40, 60, 3), 90, np.uint8))
    return {"jpg": real_bytes(PORTRAIT), "png": png.read_bytes(), "mp4": doctor_video.read_bytes()[:400_000]}


@FUZZ
@given(data=st.data())
def test_damaged_images_are_refused_or_decoded(tmp_path, samples, data):
    kind = data.draw(st.sampled_from(["jpg", "png"]))
    original = samples[kind]
    cut = data.draw(st.integers(0, len(original)))
    damaged = bytearray(original[:cut])
    for _ in range(data.draw(st.integers(0, 8))):
        if damaged:
            damaged[data.draw(st.integers(0, len(damaged) - 1))] = data.draw(st.integers(0, 255))
    path = tmp_path / f"bad.{kind}"
    path.write_bytes(bytes(damaged))
    try:
        image = load_image(path)
    except MediaError as exc:
        assert str(path) in str(exc)
    else:  # a decoder may recover a picture from a damaged file: then it must be a real one
        assert image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3


@FUZZ
@given(blob=st.binary(max_size=2048))
def test_random_bytes_as_background_image(tmp_path, blob):
    path = tmp_path / "background.jpg"
    path.write_bytes(blob)
    with pytest.raises(BackgroundError):
        BackgroundSpec.parse(f"image:{path}").open()


@FUZZ
@given(cut=st.integers(0, 60_000))
def test_truncated_videos_are_refused_or_play(tmp_path, samples, cut):
    path = tmp_path / "clip.mp4"
    path.write_bytes(samples["mp4"][:cut])
    try:
        source = VideoFileSource(path, paced=False, loop=False)
    except SourceError as exc:
        assert "clip.mp4" in str(exc)
        return
    try:
        for _ in range(5):
            assert source.read().image.ndim == 3
    except SourceError as exc:
        assert "no more frames" in str(exc)
    finally:
        source.close()


@pytest.mark.parametrize("suffix", [".gif", ".svg", ".txt", ".psd"])
def test_unsupported_formats_are_refused(tmp_path, suffix):
    path = tmp_path / f"background{suffix}"
    path.write_bytes(b"GIF89a" + bytes(64) if suffix == ".gif" else b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    with pytest.raises(HaikeiError):
        BackgroundSpec.parse(path.as_posix()).open()


@FUZZ
@given(
    manifest=st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
        lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=6),
        max_leaves=20,
    )
)
def test_broken_manifests_give_model_errors(tmp_path, manifest):
    path = tmp_path / "model.json"
    path.write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match="model manifest .*model.json"):
        parse_manifest(path)


@FUZZ
@given(data=st.data())
def test_mutated_valid_manifest_never_crashes(tmp_path, data):
    base = json.loads((REPO / "models" / "selfie-landscape.json").read_text())
    key = data.draw(st.sampled_from(["name", "file", "sha256", "engine", "input", "output", "license"]))
    base[key] = data.draw(st.none() | st.integers() | st.text(max_size=10) | st.lists(st.integers(), max_size=3))
    path = tmp_path / "m.json"
    path.write_text(json.dumps(base))
    try:
        parse_manifest(path)
    except ModelError:
        pass


@FUZZ
@given(blob=st.binary(max_size=512) | st.text(max_size=200).map(str.encode))
def test_corrupt_settings_never_crash_and_are_backed_up(tmp_path, blob):
    path = tmp_path / "settings.json"
    path.write_bytes(blob)
    settings_, warnings = load_settings(path)
    assert isinstance(settings_, Settings)
    if warnings:
        backups = list(tmp_path.glob("settings.broken-*.json"))
        assert backups and backups[-1].read_bytes() == blob
        for backup in backups:
            backup.unlink()


@pytest.mark.parametrize(
    "spec", ["blur:nan", "blur:inf", "blur:-1", "color:#gggggg", "image:", "video:", ":", "", "   "]
)
def test_odd_background_specs(spec):
    with pytest.raises(BackgroundError):
        BackgroundSpec.parse(spec).open()
