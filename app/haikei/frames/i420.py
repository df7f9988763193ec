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
