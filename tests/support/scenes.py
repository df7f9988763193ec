"""Test scenes made from real footage for the effects: the Doctor clip's person placed small in a wide
room, the clip darkened as a dim webcam would show it."""

from __future__ import annotations

import functools

import cv2
import numpy as np

from support.data import DOCTOR_VIDEO, SHARED, captured_frames, need_shared

ROOM = SHARED / "data" / "backgrounds" / "office.jpg"


@functools.cache
def doctor_with_mattes(count: int) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
    """The first ``count`` pictures of the Doctor clip (960x540, as decoded) and their mattes (float32),
    from the pipeline run on them in order (so that its temporal smoothing is as live)."""
    from haikei.pipeline import FrameProcessor
    from haikei.settings import Settings

    frames = captured_frames(need_shared(DOCTOR_VIDEO), count, size=(960, 540))
    processor = FrameProcessor(Settings(output="none", background="blur"))
    try:
        mattes = tuple(processor.segment(frame).alpha for frame in frames)
    finally:
        processor.close()
    return tuple(frame.image for frame in frames), mattes


@functools.cache
def room(size: tuple[int, int] = (1280, 720)) -> np.ndarray:
    from haikei.frames.fit import cover_fit

    return cover_fit(cv2.imread(str(need_shared(ROOM))), size)


def person_in_room(picture: np.ndarray, matte: np.ndarray, x_centre: float, scale: float = 0.5) -> np.ndarray:
    """A wide camera picture (the room, 1280x720) with the person of ``picture`` (by its ``matte``)
    shrunk by ``scale``, standing on its bottom edge, their frame's centre at ``x_centre`` of its width."""
    scene = room().copy()
    person = cv2.resize(picture, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA).astype(np.float32)
    alpha = cv2.resize(matte, (person.shape[1], person.shape[0]), interpolation=cv2.INTER_AREA)[..., None]
    h, w = alpha.shape[:2]
    x0, y0 = int(round(x_centre * scene.shape[1] - w / 2)), scene.shape[0] - h
    region = scene[y0 : y0 + h, x0 : x0 + w]
    region[:] = np.round(person * alpha + region * (1 - alpha)).astype(np.uint8)
    return scene


def darken(picture: np.ndarray, seed: int, factor: float = 0.35, gamma: float = 1.2) -> np.ndarray:
    """``picture`` as a dim webcam shows it: darker (×``factor`` after a ``gamma``), a warm cast
    (blue ×0.85, red ×1.12) and sensor noise (σ 2.5 levels, seeded)."""
    rng = np.random.default_rng(seed)
    x = (picture.astype(np.float32) / 255) ** gamma * factor * np.array([0.85, 1.0, 1.12], np.float32)
    x = x * 255 + rng.normal(0, 2.5, picture.shape).astype(np.float32)
    return np.clip(np.round(x), 0, 255).astype(np.uint8)
