"""The alpha matte a frame is composed with: :class:`Matte`, made by the refiner
(:mod:`haikei.refine`) from its small working matte, read by the compositing stage."""

from __future__ import annotations

import math

import cv2
import numpy as np

from haikei.frames.pyramid import Box, Pyramid


class Matte(Pyramid):
    """The alpha matte (float32 in [0, 1], 1 = person) of a frame of ``size``, as a :class:`Pyramid`
    made from the refiner's small matte: ``image`` (the frame-sized matte) is :attr:`ramp` scaled up
    (bilinear), clipped to [0, 1] and feathered, made only when a stage asks for it (a blend in BGR,
    the window's mask view, ``haikei eval``); the small levels come from the clipped ramp itself.
    """

    def __init__(self, ramp: np.ndarray, size: tuple[int, int], feather_sigma: float = 0.0):
        self.size = (int(size[0]), int(size[1]))
        self.levels: dict[int, np.ndarray] = {}
        self._picture = None
        self._i420, self._i420_toned = None, None
        self.tone, self._toned = None, {}  # a matte is never toned (compose.light tones the frame)
        #: The refiner's matte at its working size with the edge ramp stretched but not clipped
        #: (float32): scaled up and then clipped, a steep edge follows the smooth contour; clipped
        #: first, it would show the small matte's pixel steps as a beaded outline.
        self.ramp = ramp
        #: Sigma (px at frame size) of the Gaussian feathering of the frame-sized matte, 0 for none.
        self.feather_sigma = feather_sigma
        self._small: dict[tuple[int, int], np.ndarray] = {}
        if ramp.shape[1::-1] == self.size:
            self.levels[0] = self._frame_sized()
        elif feather_sigma <= 0:
            self.seed(round(math.log2(self.size[0] / ramp.shape[1])), clip_unit(ramp.copy()))

    @property
    def upscaled_by(self) -> int:
        """The whole factor the ramp is scaled up by to the frame size (the same for both sides), or 0
        when there is none, or when feathering makes the frame-sized matte more than the ramp scaled up."""
        w, h = self.size
        rh, rw = self.ramp.shape
        if self.feather_sigma > 0 or w % rw or h % rh or w // rw != h // rh:
            return 0
        return w // rw

    def extent(self) -> Box:
        """The box of the frame where the frame-sized matte may be above 0: the ramp's, a ramp pixel
        wider on each side for the bilinear upscale's reach, and the feathering's."""
        x, y, w, h = cv2.boundingRect(cv2.compare(self.ramp, 0.0, cv2.CMP_GT))
        if w == 0:
            return (0, 0, 0, 0)
        kx, ky = self.size[0] / self.ramp.shape[1], self.size[1] / self.ramp.shape[0]
        reach = math.ceil(4 * self.feather_sigma)
        return (
            max(0, int((x - 1) * kx) - reach),
            max(0, int((y - 1) * ky) - reach),
            min(self.size[0], math.ceil((x + w + 1) * kx) + reach),
            min(self.size[1], math.ceil((y + h + 1) * ky) + reach),
        )

    def _frame_sized(self) -> np.ndarray:
        ramp = self.ramp
        if ramp.shape[1::-1] == self.size:
            alpha = clip_unit(ramp.copy())
        else:
            alpha = clip_unit(cv2.resize(ramp, self.size, interpolation=cv2.INTER_LINEAR))
        if self.feather_sigma > 0:
            alpha = cv2.GaussianBlur(alpha, (0, 0), self.feather_sigma)
        return alpha

    def small(self, times: int) -> np.ndarray:
        """The matte halved ``times`` times: that level if it is made, else the ramp scaled to its
        size and clipped (feathering, below a pixel there, left out) rather than the frame-sized
        matte made and halved for it."""
        possible, size = self._possible(times)
        if possible == 0 or possible in self.levels:
            return self.halved(times)
        if size not in self._small:
            rw = self.ramp.shape[1]
            interpolation = cv2.INTER_AREA if rw >= 2 * size[0] else cv2.INTER_LINEAR
            self._small[size] = clip_unit(cv2.resize(self.ramp, size, interpolation=interpolation))
        return self._small[size]

    def halved(self, times: int) -> np.ndarray:
        if 0 not in self.levels and not any(0 < known <= times for known in self.levels):
            self.levels[0] = self._frame_sized()
        return super().halved(times)


def clip_unit(values: np.ndarray) -> np.ndarray:
    """``values`` (float32) clipped to [0, 1] in place."""
    cv2.threshold(values, 0.0, 0.0, cv2.THRESH_TOZERO, dst=values)
    cv2.threshold(values, 1.0, 1.0, cv2.THRESH_TRUNC, dst=values)
    return values
