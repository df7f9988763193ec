"""Sources, backgrounds, compositing and refinement, each on its own."""

from __future__ import annotations

import time

import cv2
import numpy as np
import pytest

from conftest import SHARED, need_shared
from haikei.capture import open_source
from haikei.capture.files import ImageSource, VideoFileSource
from haikei.compose.backgrounds import (
    BackgroundSpec,
    BlurBackground,
    ColorBackground,
    ImageBackground,
    NoBackground,
    VideoBackground,
)
from haikei.errors import BackgroundError, SourceError
from haikei.frames.fit import cover_fit
from haikei.frames.pyramid import Pyramid
from haikei.refine import MaskRefiner
from haikei.settings import Settings
from support.stages import composite, refine


def write_clip(path, colours, size=(64, 48), fps=10):
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"FFV1"), fps, size)
    for colour in colours:
        writer.write(np.full((size[1], size[0], 3), colour, np.uint8))
    writer.release()
    return path


def test_video_source_loops_and_reports_its_format(tmp_path):
    clip = write_clip(tmp_path / "clip.mkv", [(i * 40, 0, 0) for i in range(5)])
    source = open_source(str(clip), (640, 480), 30, paced=False)
    assert isinstance(source, VideoFileSource) and source.size == (64, 48) and source.fps == 10
    blues = [int(source.read().image[0, 0, 0]) for _ in range(12)]
    assert blues == [0, 40, 80, 120, 160] * 2 + [0, 40]


def test_video_source_without_loop_ends(tmp_path):
    source = VideoFileSource(write_clip(tmp_path / "clip.mkv", [(1, 2, 3)] * 3), paced=False, loop=False)
    for _ in range(3):
        source.read()
    with pytest.raises(SourceError, match="no more frames"):
        source.read()


def test_paced_source_delivers_at_its_frame_rate(tmp_path):
    source = VideoFileSource(write_clip(tmp_path / "clip.mkv", [(0, 0, 0)] * 5, fps=50), paced=True)
    started = time.monotonic()
    for _ in range(10):
        source.read()
    assert 0.17 <= time.monotonic() - started < 0.6  # 9 frame intervals of 20 ms


def test_still_image_source_repeats_the_image():
    portrait = need_shared(SHARED / "data" / "portraits" / "doctor-5871743_640.jpg")
    source = open_source(str(portrait), (640, 480), 30, paced=False)
    assert isinstance(source, ImageSource)
    first, second = source.read(), source.read()
    assert np.array_equal(first.image, second.image) and second.index == 1


def test_cover_fit_fills_without_stretching():
    image = np.zeros((100, 200, 3), np.uint8)
    cv2.circle(image, (100, 50), 40, (255, 255, 255), -1)
    fitted = cover_fit(image, (100, 100))
    assert fitted.shape == (100, 100, 3)
    ys, xs = np.nonzero(fitted[:, :, 0] > 127)
    assert abs((xs.max() - xs.min()) - (ys.max() - ys.min())) <= 2  # still a circle
    assert cover_fit(image, (400, 100)).shape == (100, 400, 3)


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


def test_refiner_upsamples_to_the_frame_and_sharpens_edges():
    mask = np.zeros((144, 256), np.float32)
    mask[:, 128:] = 1.0
    mask = cv2.GaussianBlur(mask, (0, 0), 4)  # a soft model edge
    frame = np.zeros((720, 1280, 3), np.uint8)
    frame[:, 640:] = 255
    for preset in ("quality", "balanced", "speed"):
        alpha = refine(MaskRefiner(), mask, frame, Settings().replace(preset=preset))
        assert alpha.shape == (720, 1280) and alpha.dtype == np.float32
        assert alpha[:, :600].max() < 0.02 and alpha[:, 680:].min() > 0.98
        ramp = np.count_nonzero((alpha[360] > 0.05) & (alpha[360] < 0.95))
        assert ramp < 40  # the model's ~50 px soft edge becomes a tight one


def test_temporal_smoothing_averages_small_changes_and_passes_big_ones():
    refiner = MaskRefiner()
    ones = np.ones((4, 4), np.float32)
    refiner.smooth(ones, 0.5)
    assert refiner.smooth(ones * 0.8, 0.5)[0, 0] == pytest.approx(0.8 + 0.5 * 0.8 * 0.2)  # 0.2 change: 80 % damped
    assert refiner.smooth(ones * 0, 0.5)[0, 0] < 0.1  # a jump from person to background passes through


def test_pyramid_halves_exactly_and_stops_at_odd_sides():
    rng = np.random.default_rng(3)
    frame = cv2.GaussianBlur(rng.integers(0, 256, (180, 320, 3), dtype=np.uint8), (0, 0), 3)
    pyramid = Pyramid(frame)
    assert pyramid.halved(0) is frame
    assert np.array_equal(pyramid.halved(1), cv2.resize(frame, (160, 90), interpolation=cv2.INTER_AREA))
    assert pyramid.halved(5).shape == (45, 80, 3)  # 90 → 45 is odd: no further halving
    assert len(pyramid.levels) == 3
    small = pyramid.resized((64, 36))  # from the 80x45 halving, a bilinear step under 2x
    direct = cv2.resize(frame, (64, 36), interpolation=cv2.INTER_AREA)
    assert small.shape == (36, 64, 3) and np.abs(small.astype(int) - direct).mean() < 1.0
    assert pyramid.resized((160, 90)) is pyramid.levels[1]  # an exact level is shared, not copied
    out = np.empty((90, 160, 3), np.uint8)
    assert pyramid.resized((160, 90), dst=out) is out and np.array_equal(out, pyramid.levels[1])
    odd = Pyramid(frame[:179, :319])  # odd sides: an area resize straight from the frame
    assert odd.resized((100, 56)).shape == (56, 100, 3) and len(odd.levels) == 1
