"""Fitting a picture to the output size: centre-cropped to its aspect ratio, never stretched."""

from __future__ import annotations

import cv2
import numpy as np


def cover_crop(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The centre of ``image`` with the aspect ratio of ``size`` (w, h), sides even (a view, no copy):
    what :func:`cover_fit` scales."""
    ih, iw = image.shape[:2]
    w, h = size
    cw, ch = (min(iw, round(ih * w / h)), ih) if iw * h > ih * w else (iw, min(ih, round(iw * h / w)))
    cw, ch = max(cw - cw % 2, min(cw, 1)), max(ch - ch % 2, min(ch, 1))
    x, y = (iw - cw) // 2, (ih - ch) // 2
    return image[y : y + ch, x : x + cw]


def cover_fit(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Scale ``image`` to cover ``size`` (w, h) keeping its aspect ratio (centre-cropped): no stretching."""
    crop = cover_crop(image, size)
    interpolation = cv2.INTER_AREA if crop.shape[1] > size[0] else cv2.INTER_LINEAR
    return cv2.resize(crop, tuple(size), interpolation=interpolation)
