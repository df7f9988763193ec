"""Mask refinement: model mask (low resolution, noisy) → alpha matte at frame size.

Everything but the final upsample runs at a small working resolution (``guide_scale`` of the
frame), so the cost barely depends on the frame size.
"""

from __future__ import annotations

import cv2
import numpy as np

from haikei.settings import Settings

#: Guided-filter regularisation for a uint8 guide (≈ (0.03 · 255)²): edges that weak are smoothed over.
GUIDED_EPS = 60.0


def working_size(frame_size: tuple[int, int], model_size: tuple[int, int], scale: float) -> tuple[int, int]:
    """The refinement resolution: ``scale`` of the frame, never below the model's own mask."""
    w = max(model_size[0], round(frame_size[0] * scale))
    h = max(model_size[1], round(frame_size[1] * scale))
    return min(w, frame_size[0]), min(h, frame_size[1])


class MaskRefiner:
    def __init__(self) -> None:
        self._previous: np.ndarray | None = None

    def reset(self) -> None:
        """Forget the temporal history (after a model or source change)."""
        self._previous = None

    def smooth(self, mask: np.ndarray, amount: float) -> np.ndarray:
        """Exponential moving average over frames, at model resolution."""
        previous = self._previous
        if amount > 0 and previous is not None and previous.shape == mask.shape:
            mask = cv2.addWeighted(mask, 1.0 - amount, previous, amount, 0.0)
        self._previous = mask
        return mask

    def __call__(self, mask: np.ndarray, frame: np.ndarray, settings: Settings) -> np.ndarray:
        """float32 alpha in [0, 1], frame-sized (1 = person)."""
        frame_size = (frame.shape[1], frame.shape[0])
        mask = self.smooth(mask, settings.smoothing)
        size = working_size(frame_size, (mask.shape[1], mask.shape[0]), settings.guide_scale)
        work = cv2.resize(mask, size, interpolation=cv2.INTER_LINEAR)
        if settings.upsample == "guided":
            # A grey guide: same mIoU as a colour one on the webcam photos, a third of the time.
            guide = cv2.cvtColor(cv2.resize(frame, size, interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2GRAY)
            radius = max(2, round(size[0] / mask.shape[1] * 2))
            work = cv2.ximgproc.guidedFilter(guide, work, radius, GUIDED_EPS)
        # Stretch [low, high] to [0, 1]: a crisper edge than the model's soft ramp.
        np.subtract(work, settings.mask_low, out=work)
        np.multiply(work, 1.0 / (settings.mask_high - settings.mask_low), out=work)
        np.clip(work, 0.0, 1.0, out=work)
        if settings.feather > 0:
            sigma = settings.feather * size[0] / mask.shape[1]
            work = cv2.GaussianBlur(work, (0, 0), sigma)
        if size == frame_size:
            return work
        return cv2.resize(work, frame_size, interpolation=cv2.INTER_LINEAR)
