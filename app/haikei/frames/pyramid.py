"""A frame and its successive halvings, each made at most once and shared by every stage.

The model input, the refiner's guide and the background blur all need small copies of the same
frame. OpenCV's area resize is many times faster for an exact halving (720p → 640x360: 0.2 ms)
than for another ratio (720p → 256x144 directly: 0.9 ms), so each small copy is cut from the
nearest halving, and the halvings are shared instead of each stage shrinking the full frame.

A camera picture smaller than the output (960x540 for 720p out) is not scaled up to make the
frame: the small copies are cut from the picture itself, and the blend takes the frame in I420,
scaled up plane by plane from the picture's (at 720p: 1.2 ms of BGR upscale, 0.3 ms of conversion
and the first halving saved for ~0.8 ms of I420 work).

A :class:`Tone` (the light effect's curve for this frame) is applied to each copy as it is handed
out, the levels themselves staying as the camera made them; to the fewest pixels that give the copy:
a resized copy (the model input, the guide: measured, never shown) is toned after the resize, by
the curve's straight part; the frame in I420 made from a smaller picture is toned before it is
scaled up; and a blend that shows the frame only inside the person's box asks for the frame in I420
toned only there.
"""

from __future__ import annotations

import math
from typing import Protocol

import cv2
import numpy as np

from haikei.frames.fit import cover_crop
from haikei.frames.i420 import resize_i420, to_i420

#: A rectangle of a picture: x0, y0, x1, y1 in its pixels (x1, y1 excluded).
Box = tuple[int, int, int, int]


class Tone(Protocol):
    """A change of the frame's tones, applied to every copy of it (:mod:`haikei.compose.light`)."""

    def bgr(self, image: np.ndarray, dst: np.ndarray | None = None) -> np.ndarray:
        """``image`` (BGR) toned, as a new image (or into ``dst``, which may be ``image``)."""

    def bgr_measured(self, image: np.ndarray, dst: np.ndarray | None = None) -> np.ndarray:
        """``image`` toned as nearly as a copy that is measured, not shown, needs (the model input, the guide)."""

    def i420(self, image: np.ndarray, within: Box | None = None) -> None:
        """``image`` (I420) toned in place (only ``within``, if given)."""


class Pyramid:
    """``halved(0)`` is the frame, ``halved(k)`` the frame shrunk by 2**k (area average), made on demand.

    Not thread-safe: one stage at a time (the engine hands a frame's pyramid from thread to thread).
    """

    def __init__(self, image: np.ndarray, size: tuple[int, int] | None = None, tone: Tone | None = None):
        """``image`` is the frame; or, with a ``size`` (w, h) other than its own, the picture that
        the frame is ``image`` fitted to (:func:`haikei.frames.fit.cover_crop`, then scaled), made
        only when a stage asks for the frame itself. ``tone``, if any, is applied to every copy
        handed out (once each)."""
        h, w = image.shape[:2]
        #: The frame's size (w, h).
        self.size: tuple[int, int] = (w, h) if size is None else (int(size[0]), int(size[1]))
        #: The levels made so far, by number of halvings.
        self.levels: dict[int, np.ndarray] = {}
        self._picture: np.ndarray | None = None
        self._i420: np.ndarray | None = None
        #: Where the frame in I420 is toned (None: everywhere).
        self._i420_toned: Box | None = None
        self.tone = tone
        #: Toned copies: levels by number of halvings, resized copies by size (w, h).
        self._toned: dict[int | tuple[int, int], np.ndarray] = {}
        if self.size == (w, h):
            self.levels[0] = image
        else:
            self._picture = cover_crop(image, self.size)

    @classmethod
    def of(cls, image: np.ndarray | Pyramid) -> Pyramid:
        """``image``'s pyramid (``image`` itself if it is one)."""
        return image if isinstance(image, Pyramid) else cls(image)

    @property
    def image(self) -> np.ndarray:
        """The frame (made from the picture on first use)."""
        return self.halved(0)

    def i420(self, within: Box | None = None) -> np.ndarray:
        """The frame in I420 (even sides), made once: from the picture when that is smaller than
        the frame and the frame was not made (:func:`haikei.frames.i420.resize_i420`). With a tone,
        ``within`` (a box of the frame) says that only that part will be shown: the rest may be left
        untoned (a blend that takes the frame only where the person is)."""
        if self._i420 is not None and not _inside(within, self._i420_toned):
            self._i420 = None  # toned in part, now wanted elsewhere: made again
        if self._i420 is None:
            w, h = self.size
            within = within if self.tone is not None else None
            self._i420_toned = within
            picture = self._picture
            if 0 in self.levels or picture is None or picture.shape[1] >= self.size[0] or picture.shape[0] % 2:
                self._i420 = to_i420(self._level(0, self.size))
                if self.tone is not None:
                    self.tone.i420(self._i420, within)
            else:
                small = to_i420(picture)
                if self.tone is not None:
                    self.tone.i420(small, _scaled(within, picture.shape[1] / w, picture.shape[0] / h))
                self._i420 = resize_i420(small, self.size)
        return self._i420

    def seed(self, times: int, image: np.ndarray) -> None:
        """Take ``image`` as the frame halved ``times`` times, instead of making that level from the
        frame: for a caller that already has a small copy (the refiner's working matte), so that
        nothing reads the full frame for it. Levels below it are then made from ``image``."""
        w, h = self.size
        if times > 0 and image.shape[:2] == (h >> times, w >> times) and not (w % (1 << times) or h % (1 << times)):
            self.levels[times] = image

    def halved(self, times: int) -> np.ndarray:
        """The frame halved ``times`` times, or as often as both sides stay even and non-zero."""
        possible, size = self._possible(times)
        if self.tone is None:
            return self._level(possible, size)
        if possible not in self._toned:
            self._toned[possible] = self.tone.bgr(self._level(possible, size))
        return self._toned[possible]

    def small(self, times: int) -> np.ndarray:
        """The frame halved ``times`` times, or a copy as close that is cheaper to make (a
        :class:`~haikei.frames.matte.Matte` makes it from its small ramp): for measuring, not for showing."""
        return self.halved(times)

    def _possible(self, times: int) -> tuple[int, tuple[int, int]]:
        """How often the frame can be halved, up to ``times``, and the size (w, h) it then has."""
        w, h = self.size
        possible = 0
        while possible < times and not (w % 2 or h % 2) and w >= 2 and h >= 2:
            w, h, possible = w // 2, h // 2, possible + 1
        return possible, (w, h)

    def _level(self, times: int, size: tuple[int, int]) -> np.ndarray:
        """The level ``times`` halvings down, of ``size`` (w, h), as the picture came (without the tone)."""
        if times in self.levels:
            return self.levels[times]
        # With a picture, the small levels come from it, never from the frame scaled up from it:
        # the same pixels whether or not a stage asked for the frame first.
        known = max((k for k in self.levels if k <= times and (k > 0 or self._picture is None)), default=None)
        if known is None:
            self.levels[times] = self._from_picture(size)
            return self.levels[times]
        while known < times:
            self.levels[known + 1] = _halve(self.levels[known])
            known += 1
        return self.levels[times]

    def _from_picture(self, size: tuple[int, int]) -> np.ndarray:
        """The picture at ``size``: halved while it stays at least that big, then scaled (bilinear)."""
        picture = self._picture
        while (
            picture.shape[1] // 2 >= size[0]
            and picture.shape[0] // 2 >= size[1]
            and not (picture.shape[1] % 2 or picture.shape[0] % 2)
        ):
            picture = _halve(picture)
        if picture.shape[1::-1] == size:
            return np.ascontiguousarray(picture)
        return cv2.resize(picture, size, interpolation=cv2.INTER_LINEAR)

    def resized(self, size: tuple[int, int], dst: np.ndarray | None = None) -> np.ndarray:
        """The frame at ``size`` (w, h): the smallest halving at least that big, then, if needed, a
        resize by less than 2x (bilinear, which then still reads every pixel) or more (area).

        Without ``dst`` the result may be a level itself: do not write into it. With a tone, the copy
        is one to measure (the model input, the guide), toned by :meth:`Tone.bgr_measured` after the
        resize (it has fewer pixels than its level), once per size; a level of that very size is
        toned into a copy of its own, the level itself staying as it is for the stages that show it.
        """
        source, interpolation = self._plain(size)
        if self.tone is not None:
            # toned once per size (the model input and the guide are often the same size)
            key = (int(size[0]), int(size[1]))
            if key not in self._toned:
                if source.shape[1::-1] == key:
                    self._toned[key] = self.tone.bgr_measured(source)
                else:
                    resized = cv2.resize(source, key, interpolation=interpolation)
                    self._toned[key] = self.tone.bgr_measured(resized, dst=resized)
            source = self._toned[key]
        if (source.shape[1], source.shape[0]) == tuple(size):
            if dst is None:
                return source
            np.copyto(dst, source)
            return dst
        return cv2.resize(source, tuple(size), dst=dst, interpolation=interpolation)

    def grey(self, size: tuple[int, int]) -> np.ndarray:
        """The frame at ``size`` (w, h) in grey, as the camera made it, even with a tone: the
        refiner's guide, where toning changes nothing measurable (light on the darkened clip: matte
        IoU with the bright clip's 0.9827 with a toned guide, 0.9829 without) and would cost a LUT."""
        source, interpolation = self._plain(size)
        if source.shape[1::-1] != tuple(size):
            source = cv2.resize(source, tuple(size), interpolation=interpolation)
        return cv2.cvtColor(source, cv2.COLOR_BGR2GRAY)

    def _plain(self, size: tuple[int, int]) -> tuple[np.ndarray, int]:
        """The smallest halving at least ``size`` (w, h), as the camera made it (with a tone: not
        toned; do not write into it), and the interpolation that takes it to ``size``."""
        w, h = self.size
        times = 0
        while (w >> (times + 1)) >= size[0] and (h >> (times + 1)) >= size[1]:
            times += 1
        possible, level_size = self._possible(times)
        source = self.halved(times) if self.tone is None else self._level(possible, level_size)
        sw, sh = source.shape[1], source.shape[0]
        return source, cv2.INTER_AREA if sw >= 2 * size[0] or sh >= 2 * size[1] else cv2.INTER_LINEAR


def _halve(image: np.ndarray) -> np.ndarray:
    """``image`` shrunk by 2 (area average; sides even: OpenCV's fast exact halving)."""
    return cv2.resize(image, (image.shape[1] // 2, image.shape[0] // 2), interpolation=cv2.INTER_AREA)


def _inside(box: Box | None, toned: Box | None) -> bool:
    """Whether ``box`` (None: all) lies inside the toned box ``toned`` (None: all)."""
    if toned is None:
        return True
    if box is None:
        return False
    if box[2] <= box[0] or box[3] <= box[1]:  # an empty box: nothing of the frame shown
        return True
    return box[0] >= toned[0] and box[1] >= toned[1] and box[2] <= toned[2] and box[3] <= toned[3]


def _scaled(box: Box | None, kx: float, ky: float) -> Box | None:
    """``box`` in the pixels of a picture ``kx`` x ``ky`` times the size, widened by the bilinear
    upscale's reach (a pixel of the picture, two for the chroma's)."""
    if box is None:
        return None
    return (int(box[0] * kx) - 2, int(box[1] * ky) - 2, math.ceil(box[2] * kx) + 2, math.ceil(box[3] * ky) + 2)
