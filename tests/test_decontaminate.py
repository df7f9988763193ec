"""Edge colour decontamination: exact on hand-made mixes, measured on real photos, hooked into compose."""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pytest

from haikei.compose.decontaminate import BAND_HIGH, BAND_LOW, TRUST_ALPHA, decontaminate
from haikei.frames import Frame
from haikei.frames.fit import cover_fit
from haikei.pipeline import FrameProcessor
from haikei.settings import Settings
from support.data import SHARED, need_shared, read_ground_truth, webcam_like_pairs
from support.stages import composite

ROOM, PERSON, NEW = (40, 180, 60), (30, 40, 200), (200, 200, 200)  # BGR
PORTRAIT = SHARED / "data" / "portraits" / "woman-5883428_1280.jpg"


def mix(alpha: np.ndarray, front, behind) -> np.ndarray:
    """``α·front + (1 − α)·behind`` in float; ``front``/``behind`` a colour or an image."""
    a = alpha[:, :, None]
    return a * np.asarray(front, np.float32) + (1 - a) * np.asarray(behind, np.float32)


def edge_scene(sigma: float = 1.5):
    """A red person left of a green room at 720p height, the edge a step blurred by ``sigma`` px."""
    step = np.zeros((720, 160), np.float32)
    step[:, :80] = 1.0
    alpha = cv2.GaussianBlur(step, (0, 0), sigma)
    frame = np.rint(mix(alpha, PERSON, ROOM)).astype(np.uint8)
    background = np.empty_like(frame)
    background[:] = NEW
    return frame, alpha, background


@pytest.mark.parametrize("sigma, most", [(0.7, 2), (1.5, 2), (3.0, 5)])
def test_a_known_mix_gives_back_the_person_colour(sigma, most):
    """Within 2 levels of the ideal where the room estimate is clean (a crisp edge); a softer edge
    reaches further, and its mixed pixels tint the estimate a little."""
    frame, alpha, background = edge_scene(sigma)
    ideal = mix(alpha, PERSON, NEW)
    ordinary = composite(frame, background, alpha)
    out = decontaminate(ordinary.copy(), frame, alpha)
    error = np.abs(out.astype(np.float32) - ideal).max(axis=2)
    before = np.abs(ordinary.astype(np.float32) - ideal).max(axis=2)
    trusted = (alpha >= TRUST_ALPHA) & (alpha < BAND_HIGH)
    assert error[trusted].max() <= most and before[trusted].max() > 20
    faded = (alpha > BAND_LOW) & (alpha < TRUST_ALPHA)  # partly trusted: never worse
    assert (error[faded] <= before[faded] + 1).all()
    outside = (alpha <= BAND_LOW) | (alpha >= BAND_HIGH)
    assert (out[outside] == ordinary[outside]).all()  # α = 1: the frame; α = 0: the new background
    assert (out[alpha == 1] == frame[alpha == 1]).all() and (out[alpha == 0] == NEW).all()


def test_amount_zero_and_a_hard_matte_change_nothing():
    frame, alpha, background = edge_scene()
    ordinary = composite(frame, background, alpha)
    assert (decontaminate(ordinary.copy(), frame, alpha, amount=0.0) == ordinary).all()
    hard = (alpha > 0.5).astype(np.float32)
    plain = composite(frame, background, hard)
    assert (decontaminate(plain.copy(), frame, hard) == plain).all()


def test_any_frame_size_and_only_the_tiled_part_changes():
    frame, alpha, background = edge_scene()
    frame, alpha, background = frame[:61, :157], alpha[:61, :157], background[:61, :157]
    ordinary = composite(frame, background, alpha)
    out = decontaminate(ordinary.copy(), frame, alpha)
    changed = (out != ordinary).any(axis=2)
    assert changed[:56, :152].any() and not changed[56:].any() and not changed[:, 152:].any()


def synthetic_errors(matte: str = "true") -> np.ndarray:
    """Band errors of the ordinary and the decontaminated blend against the ideal, on real photos.

    Each photo (upscaled to 720 px high) with its true mask softened (Gaussian σ = 3 px) is the
    person and the matte; it is mixed over one background photo (the "room") into the camera frame
    and then put over another, both blends estimating the room from the frame alone. ``matte``
    "wide" blends with a matte 2 px too wide instead of the true one (errors still against the
    ideal true-matte blend). Returns [ordinary MAE, share > 20 levels, decontaminated MAE, share].
    """
    rooms = sorted((need_shared(SHARED / "data" / "backgrounds")).glob("*.jpg"))
    results = []
    for k, (image_path, mask_path) in enumerate(webcam_like_pairs()[::12]):
        photo = cv2.imread(str(image_path))
        truth = read_ground_truth(mask_path, photo).astype(np.float32)
        size = (round(photo.shape[1] * 720 / photo.shape[0] / 8) * 8, 720)
        photo = cv2.resize(photo, size, interpolation=cv2.INTER_LINEAR)
        truth = cv2.resize(truth, size, interpolation=cv2.INTER_NEAREST)
        alpha = cv2.GaussianBlur(truth, (0, 0), 3.0)
        room = cover_fit(cv2.imread(str(rooms[k % len(rooms)])), size)
        new = cover_fit(cv2.imread(str(rooms[(k + 3) % len(rooms)])), size)
        frame = np.rint(mix(alpha, photo, room)).astype(np.uint8)
        ideal = mix(alpha, photo, new)
        used = alpha
        if matte == "wide":
            used = cv2.GaussianBlur(cv2.dilate(truth, np.ones((5, 5), np.uint8)), (0, 0), 3.0)
        band = ((alpha > BAND_LOW) & (alpha < BAND_HIGH)) | ((used > BAND_LOW) & (used < BAND_HIGH))
        ordinary = composite(frame, new, used)
        row = []
        for out in (ordinary, decontaminate(ordinary.copy(), frame, used)):
            error = np.abs(out.astype(np.float32) - ideal)[band]
            row += [error.mean(), (error.max(axis=1) > 20).mean()]
        results.append(row)
    return np.mean(results, axis=0)


def test_real_photos_lose_most_of_the_old_room_in_the_edge():
    plain_mae, plain_off, mae, off = synthetic_errors()
    print(f"edge band: ordinary MAE {plain_mae:.2f}, >20 {plain_off:.3f}; decontaminated MAE {mae:.2f}, >20 {off:.3f}")
    assert mae < 0.8 * plain_mae and off < 0.7 * plain_off  # measured: about 0.7 and 0.5


def test_a_too_wide_matte_is_not_made_worse():
    plain_mae, plain_off, mae, off = synthetic_errors("wide")
    print(
        f"2 px too wide: ordinary MAE {plain_mae:.2f}, >20 {plain_off:.3f}; decontaminated MAE {mae:.2f}, >20 {off:.3f}"
    )
    assert mae < 1.02 * plain_mae and off < 1.02 * plain_off


@pytest.fixture(scope="module")
def portrait():
    image = cv2.imread(str(need_shared(PORTRAIT)))
    return np.ascontiguousarray(cv2.resize(image, (640, round(640 * image.shape[0] / image.shape[1] / 2) * 2)))


def compose_both(portrait, background: str):
    """The quality preset's output with decontamination on and off, and the matte."""
    h, w = portrait.shape[:2]
    settings = Settings().replace(preset="quality", background=background, light_wrap=0.0, width=w, height=h)
    processor = FrameProcessor(settings)
    try:
        segmented = processor.segment(Frame(portrait, 0, 0.0))
        on = processor.compose(segmented).image
        without = dataclasses.replace(segmented.plan, decontaminate=0.0)  # the plan made with the setting at 0
        off = processor.compose(dataclasses.replace(segmented, plan=without)).image
    finally:
        processor.close()
    return on, off, segmented.alpha


def test_compose_decontaminates_a_colour_background_in_the_band_only(portrait):
    assert Settings().replace(preset="quality").decontaminate == 1.0
    on, off, alpha = compose_both(portrait, "color:#202840")
    changed = (on != off).any(axis=2)
    band = (alpha > BAND_LOW) & (alpha < BAND_HIGH)
    assert changed.sum() > 500 and not changed[~band].any()


def test_compose_leaves_a_blur_background_alone(portrait):
    on, off, _ = compose_both(portrait, "blur")
    assert (on == off).all()


def test_the_advanced_section_offers_the_knob(qtbot):
    from haikei.gui.advanced import AdvancedForm

    changes = {}
    form = AdvancedForm(lambda **change: changes.update(change))
    qtbot.addWidget(form)
    box = form.fields["decontaminate"]
    assert (box.minimum(), box.maximum()) == (0.0, 1.0)
    form.show_settings(Settings().replace(preset="quality"), "blur")
    assert box.value() == 1.0 and changes == {}
    box.setValue(0.5)
    assert changes == {"decontaminate": 0.5}
