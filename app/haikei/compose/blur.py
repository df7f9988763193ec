"""The blurred background: the frame itself, blurred at a fraction of its size (same look, a fraction of
the cost), and with the matte only the room's own pixels, so the person does not bleed into a halo."""

from __future__ import annotations

import math

import cv2
import numpy as np

from haikei.frames.i420 import resize_i420, to_i420
from haikei.frames.pyramid import Pyramid

#: Share of the plain blur mixed into the mask-weighted one, so areas with no background nearby
#: (deep inside the person, hidden anyway) still get a defined colour.
PLAIN_BLUR_SHARE = 0.01
#: The blur's sigma at its working size, in pixels: enough for the bilinear upscale to stay smooth.
SMALL_SIGMA = 2.0


def blur_frame(frame: np.ndarray | Pyramid, strength: float, alpha: np.ndarray | Pyramid | None = None) -> np.ndarray:
    """Blur with sigma ``strength`` px at 720p (scaled with the frame height), computed on the
    smallest halving of the frame (``frame`` may be its :class:`Pyramid`) that keeps
    :data:`SMALL_SIGMA` px of sigma: within 4 levels (mean 0.4) of the full-size blur at 720p.

    With ``alpha`` (the matte, or its :class:`Pyramid`) it is a normalised convolution:
    blur(frame · (1 − α)) / blur(1 − α), each pixel an average of background pixels only.
    """
    pyramid = Pyramid.of(frame)
    small = _blurred_small(pyramid, strength, alpha)
    if small is None:
        return pyramid.image
    if small.shape[1::-1] == pyramid.size:
        return small
    return cv2.resize(small, pyramid.size, interpolation=cv2.INTER_LINEAR)


def blur_frame_i420(
    frame: np.ndarray | Pyramid, strength: float, alpha: np.ndarray | Pyramid | None = None
) -> np.ndarray:
    """:func:`blur_frame` as I420, each plane scaled up from the small blur on its own: half the
    bytes of the BGR upscale to write, and no full-size conversion."""
    pyramid = Pyramid.of(frame)
    small = _blurred_small(pyramid, strength, alpha)
    if small is None:
        return pyramid.i420()
    # Twice the small blur's size, so that its I420 form exists for odd sides too and its chroma
    # is the small blur itself.
    small_i420 = to_i420(cv2.resize(small, (small.shape[1] * 2, small.shape[0] * 2), interpolation=cv2.INTER_LINEAR))
    return resize_i420(small_i420, pyramid.size)


def _blurred_small(pyramid: Pyramid, strength: float, alpha: np.ndarray | Pyramid | None) -> np.ndarray | None:
    """:func:`blur_frame` before its upscale (``None`` for no blur)."""
    sigma = strength * pyramid.size[1] / 720.0
    if sigma <= 0:
        return None
    small = pyramid.halved(int(math.log2(max(1.0, sigma / SMALL_SIGMA))))
    small_size = (small.shape[1], small.shape[0])
    small_sigma = sigma * small_size[1] / pyramid.size[1]
    if alpha is None:
        return cv2.GaussianBlur(small, (0, 0), small_sigma)
    weight = cv2.subtract(1.0, Pyramid.of(alpha).resized(small_size))
    weight += PLAIN_BLUR_SHARE
    weight = cv2.merge((weight, weight, weight))  # OpenCV per channel: numpy broadcasting is slower here
    weighted = cv2.GaussianBlur(cv2.multiply(small, weight, dtype=cv2.CV_32F), (0, 0), small_sigma)
    return cv2.convertScaleAbs(cv2.divide(weighted, cv2.GaussianBlur(weight, (0, 0), small_sigma)))
