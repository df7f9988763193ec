"""Skip the model when the frame barely changed: reuse the mask it gave for a nearly identical input.

The comparison runs on the model-sized input the engine computes anyway, block by block (a 16x9
grid), against the input of the last real inference, so slow drift cannot accumulate and a hand
moving in one corner is not averaged away by a still rest of the frame.
"""

from __future__ import annotations

import cv2
import numpy as np

#: Blocks the model input is split into for the change test.
GRID = (16, 9)
#: Run the model at least every this many frames, however still the picture.
MAX_REUSE = 4


class MaskReuse:
    def __init__(self) -> None:
        self._reference: np.ndarray | None = None
        self._mask: np.ndarray | None = None
        self._streak = 0
        self.reused = 0

    def reset(self) -> None:
        self._reference = self._mask = None
        self._streak = 0

    def change(self, model_input: np.ndarray) -> float:
        """Largest mean absolute difference (levels) of any block from the last inferred input."""
        if self._reference is None or self._reference.shape != model_input.shape:
            return float("inf")
        difference = cv2.absdiff(model_input, self._reference)
        return float(cv2.resize(difference, GRID, interpolation=cv2.INTER_AREA).max())

    def lookup(self, model_input: np.ndarray, threshold: float) -> np.ndarray | None:
        """The previous mask if ``model_input`` changed less than ``threshold`` levels, else ``None``."""
        if threshold <= 0 or self._streak >= MAX_REUSE or self.change(model_input) >= threshold:
            return None
        self._streak += 1
        self.reused += 1
        return self._mask

    def store(self, model_input: np.ndarray, mask: np.ndarray) -> None:
        """Remember a real inference (``model_input`` is copied: engines reuse their buffer)."""
        if self._reference is None or self._reference.shape != model_input.shape:
            self._reference = np.empty_like(model_input)
        np.copyto(self._reference, model_input)
        self._mask = mask
        self._streak = 0
