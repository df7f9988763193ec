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
