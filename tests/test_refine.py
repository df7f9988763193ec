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


def test_the_working_size_divides_the_frame_where_the_models_mask_is_a_little_larger():
    """A frame divided by 2, 4 or 8 lets the I420 blend read the small matte; the refiner goes up to a
    tenth below the model's mask for it, never further, and never above the size asked for."""
    from haikei.refine import working_size

    assert working_size((1280, 720), (256, 144), 0.25) == (320, 180)
    assert working_size((1280, 720), (336, 192), 0.25) == (320, 180)  # selfie-general at 720p
    assert working_size((1280, 720), (336, 192), 0.5) == (640, 360)
    assert working_size((1920, 1080), (336, 192), 0.25) == (480, 270)
    assert working_size((1280, 720), (400, 220), 0.25) == (400, 220)  # 320 would be a fifth below
    assert working_size((960, 540), (336, 192), 0.25) == (336, 192)  # 240x135 is too small
