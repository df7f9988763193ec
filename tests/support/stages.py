"""One-off calls of single stages, for tests that look at one stage alone."""

from __future__ import annotations

import numpy as np

from haikei.compose.blend import Compositor


def composite(frame: np.ndarray, background: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """One-off :class:`Compositor` blend; ``alpha`` is float32 HxW in [0, 1]."""
    return Compositor()(frame, background, alpha)
