"""A frame and its successive halvings, each made at most once and shared by every stage.

The model input, the refiner's guide and the background blur all need small copies of the same
frame. OpenCV's area resize is many times faster for an exact halving (720p → 640x360: 0.2 ms)
than for another ratio (720p → 256x144 directly: 0.9 ms), so each small copy is cut from the
nearest halving, and the halvings are shared instead of each stage shrinking the full frame.
"""

from __future__ import annotations

import cv2
import numpy as np


class Pyramid:
    """``halved(0)`` is the frame, ``halved(k)`` the frame shrunk by 2**k (area average), made on demand.

    Not thread-safe: one stage at a time (the engine hands a frame's pyramid from thread to thread).
    """

    def __init__(self, image: np.ndarray):
        #: The levels made so far, by number of halvings.
        self.levels: dict[int, np.ndarray] = {0: image}

    @property
    def image(self) -> np.ndarray:
        return self.levels[0]

    def seed(self, times: int, image: np.ndarray) -> None:
        """Take ``image`` as the frame halved ``times`` times, instead of making that level from the
        frame: for a caller that already has a small copy (the refiner's working matte), so that
        nothing reads the full frame for it. Levels below it are then made from ``image``."""
        h, w = self.image.shape[:2]
        if times > 0 and image.shape[:2] == (h >> times, w >> times) and not (w % (1 << times) or h % (1 << times)):
            self.levels[times] = image

    def halved(self, times: int) -> np.ndarray:
        """The frame halved ``times`` times, or as often as both sides stay even and non-zero."""
        known = max(k for k in self.levels if k <= times)
        while known < times:
            top = self.levels[known]
            h, w = top.shape[:2]
            if w % 2 or h % 2 or w < 2 or h < 2:
                return top
            known += 1
            self.levels[known] = cv2.resize(top, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
        return self.levels[times]

    def resized(self, size: tuple[int, int], dst: np.ndarray | None = None) -> np.ndarray:
        """The frame at ``size`` (w, h): the smallest halving at least that big, then, if needed, a
        resize by less than 2x (bilinear, which then still reads every pixel) or more (area).

        Without ``dst`` the result may be a level itself: do not write into it.
        """
        w, h = self.image.shape[1], self.image.shape[0]
        times = 0
        while (w >> (times + 1)) >= size[0] and (h >> (times + 1)) >= size[1]:
            times += 1
        source = self.halved(times)
        sw, sh = source.shape[1], source.shape[0]
        if (sw, sh) == tuple(size):
            if dst is None:
                return source
            np.copyto(dst, source)
            return dst
        interpolation = cv2.INTER_AREA if sw >= 2 * size[0] or sh >= 2 * size[1] else cv2.INTER_LINEAR
        return cv2.resize(source, tuple(size), dst=dst, interpolation=interpolation)
