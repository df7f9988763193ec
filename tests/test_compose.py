"""Compositing, stage 4, on its own: the background spec grammar, each kind of background, the blend,
and the per-frame plan of what is composed in which format."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from haikei.compose import Composer
from haikei.compose.backgrounds import (
    BackgroundSpec,
    BlurBackground,
    ColorBackground,
    ImageBackground,
    NoBackground,
    VideoBackground,
)
from haikei.compose.blend import Compositor
from haikei.errors import BackgroundError
from haikei.frames import I420, Frame
from haikei.frames.matte import Matte
from haikei.pipeline import FrameProcessor
from haikei.settings import Settings
from support.data import SHARED, doctor_frames, need_shared, write_clip
from support.stages import composite


def test_composite_blends_in_uint8():
    frame = np.full((4, 4, 3), 200, np.uint8)
    background = np.full((4, 4, 3), 100, np.uint8)
    alpha = np.array([[1.0, 0.0, 0.5, 0.25]] * 4, np.float32)
    out = composite(frame, background, alpha)
    assert out.dtype == np.uint8
    assert list(out[0, :, 0]) == [200, 100, 150, 125]


@pytest.mark.parametrize(
    "spec, kind",
    [
        ("blur", BlurBackground),
        ("blur:35", BlurBackground),
        ("none", NoBackground),
        ("color:#ff8000", ColorBackground),
        ("colour:00ff00", ColorBackground),
    ],
)
def test_background_specs(spec, kind):
    assert isinstance(BackgroundSpec.parse(spec).open(), kind)


def test_colour_background_is_bgr():
    frame = np.zeros((2, 2, 3), np.uint8)
    assert tuple(BackgroundSpec.parse("color:#ff8000").open().render(frame, 0.0)[0, 0]) == (0, 128, 255)


def test_still_backgrounds_convert_to_i420_once_per_change(doctor_video):
    frame = np.zeros((4, 4, 3), np.uint8)
    colour = BackgroundSpec.parse("color:#ff8000").open()
    first = colour.render_i420(frame, 0.0)
    assert first is colour.render_i420(frame, 0.1)  # converted once, not per frame
    assert np.array_equal(first, cv2.cvtColor(colour.render(frame, 0.0), cv2.COLOR_BGR2YUV_I420))
    video = BackgroundSpec.parse(f"video:{doctor_video}").open()
    try:
        small = np.zeros((180, 320, 3), np.uint8)
        shown = [video.render_i420(small, t) for t in (0.0, 0.01, 0.2)]
        assert shown[0] is shown[1] and shown[2] is not shown[1]  # a new video frame: a new conversion
        assert np.array_equal(shown[2], cv2.cvtColor(video.render(small, 0.2), cv2.COLOR_BGR2YUV_I420))
    finally:
        video.close()


def test_image_background_is_cover_fitted():
    photo = need_shared(SHARED / "data" / "backgrounds" / "office.jpg")
    background = BackgroundSpec.parse(f"image:{photo}").open()
    assert isinstance(background, ImageBackground)
    rendered = background.render(np.zeros((720, 960, 3), np.uint8), 0.0)
    original = cv2.imread(str(photo))  # 1280x720 → scaled to 1280x720, centre 960 columns kept
    assert rendered.shape == (720, 960, 3)
    assert np.abs(rendered.astype(int) - original[:, 160:1120]).mean() < 1


def test_video_background_follows_timestamps_and_loops(tmp_path):
    clip = write_clip(tmp_path / "bg.mkv", [(0, 0, i * 50) for i in range(4)], fps=10)
    background = BackgroundSpec.parse(f"video:{clip}").open()
    assert isinstance(background, VideoBackground)
    frame = np.zeros((48, 64, 3), np.uint8)
    reds = [int(background.render(frame, t)[0, 0, 2]) for t in (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)]
    assert reds == [0, 50, 100, 150, 0, 50]


def test_blur_hides_detail_but_keeps_colour():
    frame = np.indices((360, 640)).sum(axis=0) % 2 * 255
    frame = np.repeat(frame[:, :, None], 3, axis=2).astype(np.uint8)  # a fine checkerboard
    blurred = BackgroundSpec.parse("blur:20").open().render(frame, 0.0)
    assert blurred.shape == frame.shape
    assert blurred[50:300, 50:600].std() < 3 and abs(blurred.mean() - 127.5) < 3
    assert BackgroundSpec.parse("blur:0").open().render(frame, 0.0) is frame


@pytest.mark.parametrize("spec", ["video:/nonexistent.mp4", "image:", "blur:200", "color:red", "mosaic:3"])
def test_bad_background_specs_raise(spec):
    with pytest.raises(BackgroundError):
        BackgroundSpec.parse(spec).open()


@pytest.mark.parametrize(
    "text, canonical",
    [
        ("blur", "blur"),
        ("BLUR:35", "blur:35"),
        ("blur:7.5", "blur:7.5"),
        ("colour:#FF8000", "color:#ff8000"),
        ("color:00ff00", "color:#00ff00"),
        ("none", "none"),
        ("image:/tmp/a b.jpg", "image:/tmp/a b.jpg"),
        ("video:/tmp/clip.mp4", "video:/tmp/clip.mp4"),
    ],
)
def test_a_spec_is_written_back_as_it_is_read(text, canonical):
    spec = BackgroundSpec.parse(text)
    assert str(spec) == canonical and BackgroundSpec.parse(str(spec)) == spec


def test_a_file_is_an_image_or_a_video_by_its_suffix(tmp_path):
    assert BackgroundSpec.for_file(tmp_path / "a.JPG") == BackgroundSpec("image", path=tmp_path / "a.JPG")
    assert BackgroundSpec.for_file(tmp_path / "a.webm").kind == "video"
    assert BackgroundSpec.for_file(tmp_path / "notes.txt") is None
    photo = need_shared(SHARED / "data" / "backgrounds" / "office.jpg")
    assert BackgroundSpec.parse(str(photo)) == BackgroundSpec("image", path=photo)  # a bare path that exists


@pytest.mark.parametrize(
    "pixel_format, size, changes, background, expected",
    [
        ("I420", (640, 360), {}, "blur", ("I420", "I420", 0.0, 0.0)),  # a camera: composed in its format
        ("BGR", (640, 360), {}, "blur", ("BGR", "BGR", 0.0, 0.0)),  # a file
        ("I420", (641, 361), {}, "blur", ("BGR", "BGR", 0.0, 0.0)),  # odd sides: I420 has none
        ("I420", (640, 360), {"light_wrap": 0.3}, "blur", ("I420", "BGR", 0.0, 0.3)),  # light wrap works in BGR
        ("I420", (640, 360), {"decontaminate": 1.0}, "color:#102030", ("I420", "BGR", 1.0, 0.0)),
        ("I420", (640, 360), {"decontaminate": 1.0}, "blur", ("I420", "I420", 0.0, 0.0)),  # blur needs no cleanup
    ],
)
def test_the_plan_decides_each_frames_formats_and_effects(pixel_format, size, changes, background, expected):
    composer = Composer(BackgroundSpec.parse(background).open())
    plan = composer.plan(pixel_format, size, Settings().replace(**changes))
    assert (plan.made_in, plan.blend_in, plan.decontaminate, plan.light_wrap) == expected


def _smooth_ramp(rng, shape):
    """A matte's stretched edge ramp as the refiner leaves it: smooth, beyond [0, 1] on both sides."""
    noise = rng.uniform(-3.0, 4.0, (shape[0] // 4 + 2, shape[1] // 4 + 2)).astype(np.float32)
    return cv2.resize(noise, shape[::-1], interpolation=cv2.INTER_CUBIC)


@pytest.mark.parametrize("factor, feather", [(2, 0.0), (4, 0.0), (8, 0.0), (4, 3.0), (3, 0.0)])
def test_the_i420_blend_from_the_small_matte_gives_the_frame_sized_mattes_pixels(factor, feather):
    rng = np.random.default_rng(factor)
    ramp = _smooth_ramp(rng, (24, 40))
    size = (40 * factor, 24 * factor)
    if size[0] % 2:
        size = (40 * 4, 24 * 4)  # a factor of 3 from an uneven ramp: the frame-sized matte's way
        ramp = cv2.resize(ramp, (size[0] // 3 + 1, size[1] // 3 + 1))
    matte = Matte(ramp, size, feather)
    frame = rng.integers(0, 256, (size[1] * 3 // 2, size[0]), np.uint8)
    background = rng.integers(0, 256, frame.shape, np.uint8)
    expected = Compositor().i420(frame, background, matte._frame_sized())
    kept = background.copy()
    assert np.array_equal(Compositor().i420_over(frame, background, matte), expected)
    assert np.array_equal(background, kept)  # not in place: the caller's background untouched
    assert np.array_equal(Compositor().i420_over(frame, background, matte, in_place=True), expected)
    assert 0 < (expected != kept).mean() < 1 and (expected != frame).any()  # both sides of an edge shown


@pytest.mark.parametrize("spec", ["blur:20", "image"])
def test_composing_real_frames_in_i420_matches_the_frame_sized_blend(doctor_video, spec):
    if spec == "image":
        spec = f"image:{need_shared(SHARED / 'data' / 'backgrounds' / 'office.jpg')}"
    processor = FrameProcessor(Settings().replace(background=spec))
    try:
        for index, image in enumerate(doctor_frames(doctor_video, 3, (1280, 720), skip=40)):
            segmented = processor.segment(Frame(image, index, index / 30), I420)
            assert segmented.matte.upscaled_by == 4  # balanced at 720p: the tiles' path, not the fallback
            behind = processor.composer.background.render_i420(segmented.pyramid, 0.0, segmented.matte)
            expected = Compositor().i420(segmented.pyramid.i420(), behind, segmented.matte.image)
            output = processor.compose(segmented)
            assert output.pixel_format == I420 and np.array_equal(output.image, expected)
            again = processor.composer.background.render_i420(segmented.pyramid, 0.0, segmented.matte)
            assert np.array_equal(again, behind)  # a still background is not written into
    finally:
        processor.close()
