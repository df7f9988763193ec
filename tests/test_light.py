"""Light on real footage: the Doctor clip darkened as a dim webcam shows it (darker, a warm cast, sensor
noise) is lifted on the person without clipping or blowing out the room, holds still (no pumping),
loses its cast, segments better, and a well-lit clip passes through untouched."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from haikei.frames import BGR, I420, Frame
from haikei.frames.pyramid import Pyramid
from haikei.measure.quality import iou
from haikei.pipeline import FrameProcessor
from haikei.settings import Settings
from support.scenes import darken, doctor_with_mattes

SIZE = (640, 360)
FRAMES = 60


def run(pictures, pixel_format: str = BGR, **changes):
    """Each picture through the pipeline (background effect off unless ``changes`` say otherwise):
    the outputs in BGR, the light's log gain after each frame, the mattes when made."""
    processor = FrameProcessor(Settings(output="none", background="none").replace(**changes))
    outputs, gains, mattes = [], [], []
    try:
        for i, picture in enumerate(pictures):
            segmented = processor.segment(Frame(picture, i, i / 30, size=SIZE), pixel_format)
            outputs.append(processor.compose(segmented).bgr())
            gains.append(processor.light.log_gain if processor.light else 0.0)
            mattes.append(segmented.alpha)
    finally:
        processor.close()
    return outputs, np.array(gains), mattes


@pytest.fixture(scope="module")
def clip():
    """The clip (fitted to SIZE), darkened, its person and room (from the bright clip's mattes), and
    the darkened clip through the pipeline with light auto."""
    pictures, mattes = doctor_with_mattes(FRAMES)
    bright = [Pyramid(p, SIZE).image for p in pictures]
    dark = [darken(p, seed=i) for i, p in enumerate(pictures)]
    alphas = [cv2.resize(m, SIZE, interpolation=cv2.INTER_AREA) for m in mattes]
    lit, gains, _ = run(dark, light="auto")
    return dict(
        bright=bright, dark=[Pyramid(d, SIZE).image for d in dark], alphas=alphas, lit=lit, gains=gains, raw=dark
    )


def luma(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY).astype(np.float32)


def test_a_dark_clips_person_is_lifted_without_clipping_or_blowing_out_the_room(clip):
    person, room = clip["alphas"][-1] > 0.5, clip["alphas"][-1] < 0.125
    before, after, bright = luma(clip["dark"][-1]), luma(clip["lit"][-1]), luma(clip["bright"][-1])
    assert after[person].mean() >= 1.5 * before[person].mean()
    clipped = clip["lit"][-1].max(axis=2) >= 250
    assert clipped.mean() <= 0.03
    assert after[room].mean() <= bright[room].mean() and clipped[room].mean() <= 0.03


def test_the_light_holds_still_frame_to_frame(clip):
    """No pumping: once it has settled (1 s), the gain moves by under 1 % a frame."""
    assert np.abs(np.diff(clip["gains"][30:])).max() <= 0.01
    assert clip["gains"][-1] > np.log(1.5)


def test_the_warm_cast_is_taken_out(clip):
    """The white coat (the person's brightest part in the bright clip): blue over red nearer to 1."""
    coat = (clip["alphas"][-1] > 0.9) & (luma(clip["bright"][-1]) > 200)

    def cast(image: np.ndarray) -> float:
        b, _, r = (image[..., c][coat].astype(np.float64).mean() for c in range(3))
        return abs(np.log(b / r))

    assert cast(clip["lit"][-1]) < 0.7 * cast(clip["dark"][-1])


def test_lit_before_segmentation_the_model_finds_the_person_better(clip):
    """The model input is lit too: its masks on the dark clip come nearer the bright clip's."""
    truth = [a > 0.5 for a in clip["alphas"][-20:]]
    scores = {}
    for light in ("off", "auto"):
        _, _, mattes = run(clip["raw"], background="blur", light=light)
        scores[light] = np.mean([iou(m > 0.5, t) for m, t in zip(mattes[-20:], truth)])
    assert scores["auto"] > scores["off"]


def test_a_well_lit_clip_passes_through_untouched(clip):
    pictures, _ = doctor_with_mattes(FRAMES)
    on, gains, _ = run(pictures[:30], I420, light="auto")
    off, _, _ = run(pictures[:30], I420)
    assert np.all(gains == 0.0)
    assert all(np.array_equal(a, b) for a, b in zip(on, off))


def test_the_i420_and_bgr_paths_light_alike(clip):
    i420, _, _ = run(clip["raw"][:40], I420, light="auto")
    bgr, _, _ = run(clip["raw"][:40], BGR, light="auto")
    person = clip["alphas"][39] > 0.5
    assert abs(luma(i420[-1])[person].mean() - luma(bgr[-1])[person].mean()) <= 3


def run_i420(pictures, size=SIZE, **changes):
    """Each picture through the pipeline in I420 with light on and a blur behind the person: the
    outputs (I420) and the share of the frame in the box the frame was toned in."""
    from haikei.frames.matte import Matte

    shares = []
    extent = Matte.extent

    def measured(matte):
        box = extent(matte)
        shares.append((box[2] - box[0]) * (box[3] - box[1]) / (matte.size[0] * matte.size[1]))
        return box

    Matte.extent = measured
    processor = FrameProcessor(Settings(output="none", background="blur", light="auto").replace(**changes))
    try:
        outputs = [
            processor.process(Frame(picture, i, i / 30, size=size), I420).image.copy()
            for i, picture in enumerate(pictures)
        ]
    finally:
        processor.close()
        Matte.extent = extent
    return outputs, shares


@pytest.mark.parametrize("size", [(1280, 720), (960, 540), (640, 360)])
def test_toned_only_where_the_person_shows_the_output_is_the_same(clip, monkeypatch, size):
    """With a background behind the person, the frame is toned only in the box where the matte is
    above 0; the output is that of toning the whole frame (the 960x540 camera picture scaled up to
    720p, as it is, and scaled down): identical but where OpenCV's vector and scalar loops round a
    chroma value apart (a box's rows end elsewhere than the frame's), by one level, on a few pixels."""
    pictures = clip["raw"][:24]
    boxed, shares = run_i420(pictures, size)
    assert max(shares) < 0.8  # the person's box, not the frame
    from haikei.frames.matte import Matte

    monkeypatch.setattr(Matte, "extent", lambda matte: (0, 0, *matte.size))
    whole, _ = run_i420(pictures, size)
    apart = np.array([np.abs(a.astype(int) - b) for a, b in zip(boxed, whole)])
    assert apart.max() <= 1 and np.count_nonzero(apart) <= 1e-5 * apart.size


def test_a_frame_toned_in_part_and_then_wanted_whole_is_toned_whole(clip):
    from haikei.compose.light import AutoLight

    picture = clip["raw"][10]
    tone = AutoLight().tone(picture, None, None, 0.0)
    assert tone is not None
    whole = Pyramid(picture, SIZE, tone).i420()
    pyramid = Pyramid(picture, SIZE, tone)
    part = pyramid.i420((100, 50, 300, 250)).copy()
    assert np.array_equal(part[60:240, 110:290], whole[60:240, 110:290])  # inside the box: toned
    assert not np.array_equal(part[:40], whole[:40])  # outside it: as the camera made it
    assert np.array_equal(pyramid.i420((120, 60, 200, 200)), part)  # a box inside: nothing more done
    assert np.array_equal(pyramid.i420(), whole)


def test_the_copies_only_measured_take_the_curves_straight_part(clip):
    """The model input and the guide: the curve's gain, black point and white balance as one affine
    map, the same levels as the curve in the mid-tones; white where the curve's shoulder would be."""
    from haikei.compose.light import KNEE, AutoLight

    light = AutoLight()
    for i, picture in enumerate(clip["raw"][:30]):
        tone = light.tone(picture, None, None, i / 30)
    levels = np.repeat(np.arange(256, dtype=np.uint8), 3).reshape(16, 16, 3)
    exact, straight = tone.bgr(levels).astype(int), tone.bgr_measured(levels).astype(int)
    mid = (exact > 40) & (exact < KNEE * 255 - 4)
    assert mid.sum() > 100 and np.abs(exact - straight)[mid].max() <= 1
    assert (straight >= exact)[exact >= KNEE * 255].all()


def test_the_refiners_guide_is_not_toned(clip):
    """Toning the grey guide changes nothing measurable in the matte, so it is left as it came."""
    from haikei.compose.light import AutoLight

    picture = clip["raw"][10]
    tone = AutoLight().tone(picture, None, None, 0.0)
    assert tone is not None
    toned, plain = Pyramid(picture, SIZE, tone), Pyramid(picture, SIZE)
    assert np.array_equal(toned.grey((320, 180)), plain.grey((320, 180)))
    assert not np.array_equal(toned.resized((320, 180)), plain.resized((320, 180)))  # the model's copy is
