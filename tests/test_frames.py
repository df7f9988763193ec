"""The frame helpers every stage shares: fitting a picture to the output, the frame pyramid."""

from __future__ import annotations

import cv2
import numpy as np

from haikei.frames.fit import cover_fit
from haikei.frames.i420 import i420_to_yuyv, to_i420
from haikei.frames.pyramid import Pyramid


def test_cover_fit_fills_without_stretching():
    image = np.zeros((100, 200, 3), np.uint8)
    cv2.circle(image, (100, 50), 40, (255, 255, 255), -1)
    fitted = cover_fit(image, (100, 100))
    assert fitted.shape == (100, 100, 3)
    ys, xs = np.nonzero(fitted[:, :, 0] > 127)
    assert abs((xs.max() - xs.min()) - (ys.max() - ys.min())) <= 2  # still a circle
    assert cover_fit(image, (400, 100)).shape == (100, 400, 3)


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


def test_i420_repacked_as_yuyv_keeps_its_colours(doctor_video):
    """A YUYV virtual camera shows exactly what the I420 composition made: chroma rows repeated."""
    capture = cv2.VideoCapture(str(doctor_video))
    ok, picture = capture.read()
    capture.release()
    assert ok
    i420 = to_i420(picture[:540, :960])
    yuyv = i420_to_yuyv(i420)
    assert yuyv.shape == (540, 960, 2)
    assert np.array_equal(yuyv[:, :, 0], i420[:540])
    as_bgr = cv2.cvtColor(yuyv, cv2.COLOR_YUV2BGR_YUYV)
    assert np.array_equal(as_bgr, cv2.cvtColor(i420, cv2.COLOR_YUV2BGR_I420))


def test_a_mattes_extent_holds_every_pixel_it_shows():
    """Matte.extent: the box outside which the frame-sized matte is 0 (the blend shows nothing of
    the frame there), for ramps with and without feathering, and tight around the person."""
    from haikei.frames.matte import Matte

    rng = np.random.default_rng(5)
    for feather in (0.0, 3.0):
        for _ in range(20):
            ramp = np.full((45, 80), -0.5, np.float32)
            x, y = rng.integers(0, 70), rng.integers(0, 35)
            ramp[y : y + rng.integers(2, 10), x : x + rng.integers(2, 10)] = rng.uniform(0.6, 1.5)
            matte = Matte(ramp, (320, 180), feather)
            x0, y0, x1, y1 = matte.extent()
            shown = matte.image > 0
            outside = shown.copy()
            outside[y0:y1, x0:x1] = False
            assert shown.any() and not outside.any()
            assert (x1 - x0) * (y1 - y0) < 0.5 * 320 * 180
    assert Matte(np.full((45, 80), -1.0, np.float32), (320, 180)).extent() == (0, 0, 0, 0)
