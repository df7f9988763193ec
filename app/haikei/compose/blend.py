"""The blend: person over background in uint8 with OpenCV (no float images), in BGR or straight in
I420, the planar YUV 4:2:0 a virtual camera takes (half the bytes of BGR, and no conversion left for
the output).

In I420 the blend reads the refiner's small matte (:class:`~haikei.frames.matte.Matte`) rather than
the frame-sized one: a tile of the frame whose matte is all person or all room (known from the
small matte, since each frame pixel mixes only its tile's 3x3 neighbourhood there) is the frame or
the background as it is, and only the tiles along the edge (a few percent of the frame) are
weighted and blended, with the same weights and the same arithmetic: the same pixels as blending
the whole frame with the frame-sized matte, for a fraction of the work.
"""

from __future__ import annotations

import cv2
import numpy as np

from haikei.frames.i420 import i420_planes
from haikei.frames.pyramid import Pyramid

_SQUARE = np.ones((3, 3), np.uint8)
#: Edge tiles remapped per call (OpenCV's remap takes fewer than 2**15 rows).
REMAP_ROWS = 32_000


class Compositor:
    """``alpha · frame + (1 − alpha) · background`` in uint8, its scratch buffers reused frame to frame.

    The alpha is quantised to 0–255 and each product rounded: at most ±2 levels from the exact
    float blend, three times faster than ``cv2.blendLinear`` on float weights at 720p.
    """

    def __init__(self) -> None:
        self._alpha8: np.ndarray | None = None

    def _buffers(self, shape: tuple[int, ...]) -> None:
        if self._alpha8 is None or self._alpha8.shape != shape[:2]:
            self._alpha8 = np.empty(shape[:2], np.uint8)
            self._alpha3 = np.empty(shape, np.uint8)
            self._inverse3 = np.empty(shape, np.uint8)
            self._behind = np.empty(shape, np.uint8)
            h, w = shape[:2]
            self._alpha_i420 = np.empty((h * 3 // 2, w), np.uint8)
            self._inverse_i420 = np.empty_like(self._alpha_i420)
            self._behind_i420 = np.empty_like(self._alpha_i420)

    def __call__(self, frame: np.ndarray, background: np.ndarray, alpha: np.ndarray) -> np.ndarray:
        """A new frame-sized BGR image (never a scratch buffer: callers may keep it)."""
        self._buffers(frame.shape)
        cv2.convertScaleAbs(alpha, self._alpha8, 255.0)  # rounds and saturates to 0..255
        cv2.cvtColor(self._alpha8, cv2.COLOR_GRAY2BGR, dst=self._alpha3)
        cv2.bitwise_not(self._alpha3, self._inverse3)
        out = cv2.multiply(frame, self._alpha3, scale=1 / 255)
        cv2.multiply(background, self._inverse3, self._behind, scale=1 / 255)
        return cv2.add(out, self._behind, dst=out)

    def i420(self, frame: np.ndarray, background: np.ndarray, alpha: np.ndarray) -> np.ndarray:
        """The same blend of two I420 images (:func:`to_i420`), ``alpha`` the float32 frame-sized matte:
        Y with the matte, U and V with its 2x2 average. A new I420 image.

        Within ±2 levels of blending in BGR and converting the result, except for chroma on the
        matte's edge, where that mixes before averaging and this after (up to 12 levels there on the
        Doctor test video).
        """
        h, w = alpha.shape
        self._buffers((h, w, 3))
        weights = self._alpha_i420
        y, u, v = i420_planes(weights)
        cv2.convertScaleAbs(alpha, y, 255.0)
        cv2.resize(y, (w // 2, h // 2), dst=u, interpolation=cv2.INTER_AREA)
        np.copyto(v, u)
        cv2.bitwise_not(weights, self._inverse_i420)
        out = cv2.multiply(frame, weights, scale=1 / 255)
        cv2.multiply(background, self._inverse_i420, self._behind_i420, scale=1 / 255)
        return cv2.add(out, self._behind_i420, dst=out)

    def i420_over(
        self, frame: np.ndarray, background: np.ndarray, matte: Pyramid, in_place: bool = False
    ) -> np.ndarray:
        """:meth:`i420` with the matte's pyramid as the refiner made it: the same pixels, blended only
        in the tiles along the person's edge where the matte is the small ramp scaled up by a whole
        even factor of at most 8 (:attr:`~haikei.frames.matte.Matte.upscaled_by`), else through the
        frame-sized matte. With ``in_place`` the result is written into ``background`` (the
        caller's to give up)."""
        factor = getattr(matte, "upscaled_by", 0)
        if factor not in WORDS or factor < 2:
            return self.i420(frame, background, matte.image)
        out = background if in_place else background.copy()
        ramp = matte.ramp
        # A tile is all person where its 3x3 neighbourhood in the ramp is all >= 1, all room where it
        # is all <= 0 (each frame pixel mixes its tile's value with its neighbours' in the upscale).
        person = cv2.erode(cv2.compare(ramp, 1.0, cv2.CMP_GE), _SQUARE, borderType=cv2.BORDER_REPLICATE)
        room = cv2.erode(cv2.compare(ramp, 0.0, cv2.CMP_LE), _SQUARE, borderType=cv2.BORDER_REPLICATE)
        # Y, then U and V as one plane of twice the rows (they follow each other in the buffer).
        h, w = matte.size[1], matte.size[0]
        planes = [(frame[:h], out[:h]), (frame[h:].reshape(h, w // 2), out[h:].reshape(h, w // 2))]
        _copy_tiles(*planes[0], person)
        _copy_tiles(*planes[1], np.concatenate((person, person)))
        edge = cv2.findNonZero(cv2.bitwise_not(cv2.bitwise_or(person, room)))
        if edge is not None:
            cols, rows = edge.reshape(-1, 2).T  # (x, y) points
            luma, chroma = _edge_weights(ramp, rows, cols, factor)
            _blend_tiles(*planes[0], luma, rows, cols, ramp.shape[1])
            down = np.concatenate((rows, rows + ramp.shape[0]))  # the same tiles in V
            _blend_tiles(*planes[1], np.concatenate((chroma, chroma), axis=1), down, np.tile(cols, 2), ramp.shape[1])
        return out


#: A tile's row of pixels as one numpy element, by its width.
WORDS = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}


def _copy_tiles(plane: np.ndarray, out: np.ndarray, tiles: np.ndarray) -> None:
    """Copy the tiles of ``plane`` that are set in ``tiles`` (one value a tile) into ``out``: each row
    of a tile as one OpenCV element of up to 4 channels, so the mask is only ``tiles`` repeated down."""
    rows, cols = tiles.shape
    side = plane.shape[0] // rows
    channels = max(c for c in (1, 2, 3, 4) if side % c == 0)
    shape = (plane.shape[0], plane.shape[1] // channels, channels)
    mask = np.repeat(tiles, side, axis=0)
    if channels < side:
        mask = np.repeat(mask, side // channels, axis=1)
    cv2.copyTo(plane.reshape(shape), mask, out.reshape(shape))


def _blend_tiles(
    plane: np.ndarray, out: np.ndarray, weights: np.ndarray, rows: np.ndarray, cols: np.ndarray, across: int
) -> None:
    """Blend ``plane`` over ``out`` in the tiles at ``rows``, ``cols`` of square tiles, ``across`` a
    row, by ``weights`` (uint8, 1 x their pixels, tile by tile, row by row), with
    :meth:`Compositor.i420`'s arithmetic. Each row of a tile is one word (:data:`WORDS`): one index
    a row of a tile to gather and put back, not one a pixel."""
    side = plane.shape[1] // across
    word = WORDS[side]
    index = ((rows * side)[:, None] + np.arange(side, dtype=rows.dtype)) * across + cols[:, None]
    front = plane.view(word).reshape(-1).take(index).view(np.uint8).reshape(1, -1)
    behind = out.view(word).reshape(-1)
    back = behind.take(index).view(np.uint8).reshape(1, -1)
    blended = cv2.multiply(front, weights, scale=1 / 255)
    cv2.add(blended, cv2.multiply(back, cv2.bitwise_not(weights), scale=1 / 255), dst=blended)
    behind[index] = blended.view(word).reshape(index.shape)


def _edge_weights(ramp: np.ndarray, rows: np.ndarray, cols: np.ndarray, factor: int) -> tuple[np.ndarray, np.ndarray]:
    """The blend's uint8 weights in the ramp's tiles at ``rows``, ``cols`` (``factor`` x ``factor``
    pixels each; 1 x their pixels, tile by tile, row by row): for luma the frame-sized matte's
    (the ramp sampled where OpenCV's bilinear upscale samples it, replicated border, clipped and
    rounded), for chroma their 2x2 averages, as :meth:`Compositor.i420` makes them."""
    offsets = ((np.arange(factor) + 0.5) / factor - 0.5).astype(np.float32)  # multiples of 1/16: exact
    map_x = cols.astype(np.float32)[:, None] + np.tile(offsets, factor)
    map_y = rows.astype(np.float32)[:, None] + np.repeat(offsets, factor)
    parts = [
        cv2.remap(
            ramp, map_x[i : i + REMAP_ROWS], map_y[i : i + REMAP_ROWS], cv2.INTER_LINEAR, None, cv2.BORDER_REPLICATE
        )
        for i in range(0, rows.size, REMAP_ROWS)
    ]
    alpha = parts[0] if len(parts) == 1 else np.concatenate(parts)
    luma = cv2.convertScaleAbs(np.clip(alpha, 0.0, 1.0, out=alpha), alpha=255.0)
    half = factor // 2
    chroma = cv2.resize(luma.reshape(-1, factor), (half, rows.size * half), interpolation=cv2.INTER_AREA)
    return luma.reshape(1, -1), chroma.reshape(1, -1)
