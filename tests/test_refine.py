"""Refinement, stage 3, on its own: the model's soft low-resolution mask becomes a tight matte at
frame size; the temporal average damps jitter and lets movement through."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from haikei.refine import MaskRefiner
from haikei.settings import Settings
from support.stages import refine


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
