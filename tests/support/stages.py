"""One-off calls of single stages, for tests that look at one stage alone."""

from __future__ import annotations

import numpy as np

from haikei.compose.blend import Compositor
from haikei.frames.pyramid import Pyramid
from haikei.refine import MaskRefiner
from haikei.settings import Settings


def composite(frame: np.ndarray, background: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """One-off :class:`Compositor` blend; ``alpha`` is float32 HxW in [0, 1]."""
    return Compositor()(frame, background, alpha)


def refine(refiner: MaskRefiner, mask: np.ndarray, frame: np.ndarray | Pyramid, settings: Settings) -> np.ndarray:
    """``refiner``'s frame-sized alpha matte (float32, 1 = person) for ``mask`` with ``settings``' refinement."""
    return refiner.matte(mask, frame, settings.refine).image
