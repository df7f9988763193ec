"""Touch-up on real portraits: fine detail on the skin goes down with the amount, while the eyes, the
outline and the room stay as they were."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from haikei.frames import I420, Frame
from haikei.frames.fit import cover_fit
from haikei.pipeline import FrameProcessor
from haikei.settings import Settings
from support.data import SHARED, need_shared

SIZE = (1280, 720)
#: Per portrait fitted to 720p, placed by hand (so that the check does not depend on the detector it
#: checks): each eye (centre, half axes: lids and lashes included) and patches of bare skin (centre, radius).
PORTRAITS = {
    "doctor-5871743_640": {
        "eyes": [((622, 163), (30, 18)), ((708, 160), (30, 18))],
        "skin": [((660, 115), 18), ((752, 218), 12)],
    },
    "girl-919048_1280": {
        "eyes": [((583, 275), (50, 28)), ((725, 273), (50, 28))],
        "skin": [((560, 350), 28), ((730, 350), 28)],
    },
    "woman-5883428_1280": {
        "eyes": [((647, 260), (36, 22)), ((747, 327), (36, 22))],
        "skin": [((740, 372), 16), ((585, 318), 14)],
    },
}
FRAMES = 8


def touched(image: np.ndarray, amount: int) -> tuple[np.ndarray, np.ndarray]:
    """The output (BGR) and matte after FRAMES frames of the still portrait, as a camera (I420) gets them."""
    processor = FrameProcessor(Settings(output="none", background="blur", touch_up=amount))
    try:
        for i in range(FRAMES):
            result = processor.process(Frame(image, i, i / 30), I420)
    finally:
        processor.close()
    return result.bgr(), result.alpha


def regions(name: str, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    eyes, skin = np.zeros(shape, np.uint8), np.zeros(shape, np.uint8)
    for centre, axes in PORTRAITS[name]["eyes"]:
        cv2.ellipse(eyes, centre, axes, 0, 0, 360, 1, -1)
    for centre, radius in PORTRAITS[name]["skin"]:
        cv2.circle(skin, centre, radius, 1, -1)
    return eyes > 0, skin > 0


def fine_detail(image: np.ndarray, where: np.ndarray) -> float:
    """Energy of the luma above a Gaussian of σ 2 px: pores, blemishes, fine lines."""
    y = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY).astype(np.float32)
    return float(((y - cv2.GaussianBlur(y, (0, 0), 2.0))[where] ** 2).mean())


@pytest.fixture(scope="module", params=sorted(PORTRAITS))
def portrait(request):
    image = cover_fit(cv2.imread(str(need_shared(SHARED / "data" / "portraits" / f"{request.param}.jpg"))), SIZE)
    (plain, alpha), half, full = touched(image, 0), touched(image, 50)[0], touched(image, 100)[0]
    return request.param, plain, alpha, half, full


def test_skin_gets_smoother_with_the_amount(portrait):
    name, plain, alpha, half, full = portrait
    _, skin = regions(name, alpha.shape)
    before = fine_detail(plain, skin)
    at_half, at_full = fine_detail(half, skin) / before, fine_detail(full, skin) / before
    assert at_full <= 0.8 and at_full <= at_half <= 0.95


def test_the_eyes_stay_as_they_were(portrait):
    name, plain, alpha, _, full = portrait
    eyes, _ = regions(name, alpha.shape)
    change = np.abs(full.astype(np.int16) - plain.astype(np.int16)).max(axis=2)
    assert change[eyes].mean() <= 1.0


def test_the_outline_and_the_room_stay_as_they_were(portrait):
    _, plain, alpha, _, full = portrait
    change = np.abs(full.astype(np.int16) - plain.astype(np.int16)).max(axis=2)
    edge = cv2.dilate(((alpha > 0.08) & (alpha < 0.92)).astype(np.uint8), np.ones((9, 9), np.uint8)) > 0
    assert np.percentile(change[edge], 99) <= 2
    assert change[alpha < 0.05].max() == 0
