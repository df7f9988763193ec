"""I420, the planar YUV 4:2:0 a virtual camera takes (half the bytes of BGR): conversions and scaling."""

from __future__ import annotations

import cv2
import numpy as np


def to_i420(image: np.ndarray) -> np.ndarray:
    """A BGR image (even sides) as I420: its Y plane, then U and V at half size, in one (h·3/2)xw array."""
    return cv2.cvtColor(image, cv2.COLOR_BGR2YUV_I420)


def from_i420(image: np.ndarray) -> np.ndarray:
    """An I420 image (:func:`to_i420`) as BGR."""
    return cv2.cvtColor(image, cv2.COLOR_YUV2BGR_I420)


def i420_planes(image: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Views of an I420 image's Y, U and V planes."""
    h, w = image.shape[0] * 2 // 3, image.shape[1]
    flat = image.reshape(-1)
    quarter = w * h // 4
    return (
        image[:h],
        flat[w * h : w * h + quarter].reshape(h // 2, w // 2),
        flat[w * h + quarter :].reshape(h // 2, w // 2),
    )


def resize_i420(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """An I420 image (:func:`to_i420`) scaled to ``size`` (w, h; even), plane by plane (bilinear):
    for a picture smaller than the output, cheaper than scaling it up in BGR and converting there."""
    w, h = size
    out = np.empty((h * 3 // 2, w), np.uint8)
    for plane, target in zip(i420_planes(image), i420_planes(out)):
        cv2.resize(plane, (target.shape[1], target.shape[0]), dst=target, interpolation=cv2.INTER_LINEAR)
    return out


def i420_to_yuyv(image: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """An I420 image (:func:`to_i420`) as packed YUYV 4:2:2, (h, w, 2) = Y0 U Y1 V ...: each chroma row
    serves two lines, no colour arithmetic (so the colours are the I420 ones)."""
    h, w = image.shape[0] * 2 // 3, image.shape[1]
    y, u, v = i420_planes(image)
    if out is None:
        out = np.empty((h, w, 2), np.uint8)
    out[:, :, 0] = y
    # (row pair, row in pair, pixel pair, pixel in pair, Y or chroma): U on a pair's first pixel, V on its second.
    pairs = out.reshape(h // 2, 2, w // 2, 2, 2)
    pairs[:, :, :, 0, 1] = u.reshape(h // 2, 1, w // 2)
    pairs[:, :, :, 1, 1] = v.reshape(h // 2, 1, w // 2)
    return out
