"""Edge colour decontamination: the old room's colour taken out of the person's soft edge.

A camera pixel on the edge is a mix, ``I = α·F + (1 − α)·B_old``; the ordinary blend
``α·I + (1 − α)·B_new`` keeps ``α·(1 − α)·B_old`` of the real room as a rim ("halo"). Here the
person's own colour is recovered, ``F = (I − (1 − α)·B̂_old) / α``, and the edge blended as
``α·F + (1 − α)·B_new``. ``B̂_old`` is the frame's background-only blur, a normalised convolution
like the blur background's (:func:`haikei.compose.blur.blur_frame`) of a premultiplied shrink, made
at 1/8 of the frame size.

A real matte is not exact: where it is too low on the person's side, the formula subtracts room
that is not there and F comes out black (a dark outline). So F is kept between the camera pixel I
and the person's own colour nearby (a person-only blur, made like ``B̂_old``), give or take
:data:`PERSON_MARGIN`: it moves from the mix toward the person, hardly past them.

Only 8×8 tiles that hold edge pixels are touched, gathered into one row and worked on in uint8 with
OpenCV, so the cost follows the length of the edge, not the frame size.
"""

from __future__ import annotations

import cv2
import numpy as np

from haikei.frames.pyramid import Pyramid

#: The edge band: outside it the ordinary blend is left as it is (its error there, α·(1 − α)·|B_old
#: − F|, is under 2 % of the colour difference).
BAND_LOW, BAND_HIGH = 0.02, 0.98
#: α from which the recovered colour is trusted fully. Below it the result fades linearly to the
#: ordinary blend: as α → 0 the recovered F divides the background estimate's error by α, while
#: the ordinary blend's own error, α·(1 − α)·(B_old − F), vanishes.
TRUST_ALPHA = 0.3
#: Blur of the colour estimates, in px at 720p: wide enough to reach past the soft edge into the
#: real room, narrow enough to follow its colours.
ESTIMATE_BLUR = 8.0
#: How far (levels) the recovered colour may go past the person's colour nearby. On the synthetic
#: set (docs/quality.md) 16 keeps most of the gain with an exact matte (0: a third of it lost) and, with
#: a matte 2 px too wide, stays as good as the ordinary blend (no bound: 5 % worse).
PERSON_MARGIN = 16
#: Side of the square tiles the work is done in.
TILE = 8
#: The estimates are read bilinearly at 1/SAMPLE of the frame size, then repeated SAMPLE × SAMPLE.
SAMPLE = 4


def weighted_blur(small: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """At half the size of ``small`` (uint8 BGR), each pixel the ``weight``-weighted average of the
    pixels around it (a normalised convolution). Shrunk premultiplied: a block that is half person
    and half room gives the colour of the side the weight picks, not the mix. Black where no pixel
    of that side is within reach; the bound on F and the trust ramp keep that from showing."""
    weight8 = cv2.cvtColor(cv2.convertScaleAbs(weight, alpha=255.0), cv2.COLOR_GRAY2BGR)
    premultiplied = Pyramid(cv2.multiply(small, weight8, scale=1 / 255)).halved(1)
    weight = Pyramid(weight).halved(1)
    sigma = ESTIMATE_BLUR * weight.shape[0] / 720  # px at 720p, at 1/8 size
    total = np.maximum(cv2.GaussianBlur(weight, (0, 0), sigma), 1e-6)
    colour = cv2.GaussianBlur(premultiplied.astype(np.float32), (0, 0), sigma) / total[:, :, None]
    return cv2.convertScaleAbs(colour)


def estimate_colours(frame: np.ndarray, quarter: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The room's (B̂_old) and the person's colour around each pixel, at 1/8 size.

    ``quarter`` is the matte sampled at 1/4 size. The weights are ``(1 − α)⁴`` and ``α⁴``: mixed
    edge pixels, partly the other side, weigh little.
    """
    h, w = quarter.shape
    small = cv2.resize(frame, (w, h), interpolation=cv2.INTER_NEAREST_EXACT)  # blurred below anyway
    room = cv2.subtract(1.0, quarter)
    room *= room
    person = cv2.multiply(quarter, quarter)
    return weighted_blur(small, cv2.multiply(room, room)), weighted_blur(small, cv2.multiply(person, person))


def edge_tiles(quarter: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices of the tiles that hold band pixels, from ``quarter``, the matte sampled
    at 1/4 size (4 points a tile, at 2 and 6 px). A tile is kept unless its points and its
    neighbours' nearest ones (2 px outside it) are all below ``BAND_LOW`` / 2 or all above
    1 − (1 − ``BAND_HIGH``) / 2: no edge can pass between them unseen."""
    square = np.ones((3, 3), np.uint8)
    high = cv2.dilate(quarter, square, borderType=cv2.BORDER_REPLICATE)
    low = cv2.erode(quarter, square, borderType=cv2.BORDER_REPLICATE)
    high = np.maximum(high[0::2, 0::2], high[1::2, 1::2])
    low = np.minimum(low[0::2, 0::2], low[1::2, 1::2])
    return np.nonzero((high > BAND_LOW / 2) & (low < (1 + BAND_HIGH) / 2))


def decontaminate(composited: np.ndarray, frame: np.ndarray, alpha: np.ndarray, amount: float = 1.0) -> np.ndarray:
    """``composited`` (the ordinary blend of ``frame`` over a background with ``alpha``) with the
    old room's colour taken out of its edge band, ``amount`` (0–1) of the way.

    Writes into ``composited`` and returns it. Pixels outside the band keep their value exactly,
    and so do the last ``h % 8`` rows and ``w % 8`` columns.

    The recovered blend ``α·F + (1 − α)·B_new`` differs from the ordinary ``α·I + (1 − α)·B_new``
    by ``α·F − α·I``: that difference is added, weighted by :func:`trust_table`. The new
    background itself is not needed.
    """
    h, w = (side - side % TILE for side in alpha.shape)
    alpha = alpha[:h, :w]
    quarter = np.ascontiguousarray(alpha[TILE // 4 : h : TILE // 2, TILE // 4 : w : TILE // 2])
    rows, cols = edge_tiles(quarter)
    if amount <= 0 or rows.size == 0:
        return composited

    def tiles(image: np.ndarray, scale: int = 1) -> np.ndarray:
        """The edge tiles of ``image`` (frame-sized / ``scale``) in one long row, a (1, tiles · side²,
        channels) image: OpenCV's per-row overhead once."""
        side = TILE // scale
        grid = image[: h // scale, : w // scale].reshape(h // TILE, side, w // TILE, side, -1)
        return grid[rows, :, cols].reshape(1, -1, grid.shape[-1])

    def sampled(estimate: np.ndarray) -> np.ndarray:
        """A 1/8-size estimate at the edge tiles' pixels: bilinear at 1/SAMPLE, repeated in the tile."""
        estimate = cv2.resize(estimate, (w // SAMPLE, h // SAMPLE), interpolation=cv2.INTER_LINEAR)
        values = tiles(estimate, SAMPLE).reshape(-1, TILE // SAMPLE, 3)
        return cv2.resize(values, (TILE, TILE * rows.size), interpolation=cv2.INTER_NEAREST).reshape(1, -1, 3)

    room, nearby = (sampled(estimate) for estimate in estimate_colours(frame[:h, :w], quarter))
    opaque = cv2.convertScaleAbs(tiles(alpha), alpha=255.0)  # α, 0–255
    trust = cv2.cvtColor(cv2.LUT(opaque, trust_table(amount)), cv2.COLOR_GRAY2BGR)
    opaque = cv2.cvtColor(opaque, cv2.COLOR_GRAY2BGR)
    image = tiles(frame)
    person = cv2.subtract(image, cv2.multiply(room, cv2.bitwise_not(opaque), scale=1 / 255))  # α·F
    # α·F between α·I (the ordinary blend's) and α·(the person's colour nearby), ± the margin.
    ordinary = cv2.multiply(image, opaque, scale=1 / 255)
    nearby = cv2.multiply(nearby, opaque, scale=1 / 255)
    margin = cv2.convertScaleAbs(opaque, alpha=PERSON_MARGIN / 255)
    cv2.max(person, cv2.subtract(cv2.min(ordinary, nearby), margin), dst=person)
    cv2.min(person, cv2.add(cv2.max(ordinary, nearby), margin), dst=person)
    cv2.min(person, opaque, dst=person)  # F ≤ 255
    # Add the trusted difference, in two saturating halves (uint8 is several times faster than int16).
    result = cv2.add(tiles(composited), cv2.multiply(cv2.subtract(person, ordinary), trust, scale=1 / 255))
    cv2.subtract(result, cv2.multiply(cv2.subtract(ordinary, person), trust, scale=1 / 255), dst=result)
    grid = composited[:h, :w].reshape(h // TILE, TILE, w // TILE, TILE, 3)
    grid[rows, :, cols] = result.reshape(rows.size, TILE, TILE, 3)
    return composited


def trust_table(amount: float) -> np.ndarray:
    """Trust (0–255) in the recovered colour for each α (0–255): 0 outside the band, rising
    linearly from ``BAND_LOW`` to ``amount`` at ``TRUST_ALPHA``."""
    a = np.arange(256) / 255.0
    trust = np.clip((a - BAND_LOW) / (TRUST_ALPHA - BAND_LOW), 0.0, 1.0) * amount
    trust[a >= BAND_HIGH] = 0.0
    return np.rint(trust * 255).astype(np.uint8)
