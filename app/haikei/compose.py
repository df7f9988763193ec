"""Compositing: person over background, blended in uint8 with OpenCV (no float images)."""

from __future__ import annotations

import cv2
import numpy as np


def composite(frame: np.ndarray, background: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """``alpha · frame + (1 − alpha) · background`` per pixel; ``alpha`` is float32 HxW in [0, 1]."""
    return cv2.blendLinear(frame, background, alpha, cv2.subtract(1.0, alpha))


def cover_fit(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Scale ``image`` to cover ``size`` (w, h) keeping its aspect ratio, then centre-crop: no stretching."""
    w, h = size
    ih, iw = image.shape[:2]
    scale = max(w / iw, h / ih)
    sw, sh = max(w, round(iw * scale)), max(h, round(ih * scale))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    scaled = cv2.resize(image, (sw, sh), interpolation=interpolation)
    x, y = (sw - w) // 2, (sh - h) // 2
    return np.ascontiguousarray(scaled[y : y + h, x : x + w])
