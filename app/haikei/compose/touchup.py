"""Touch-up (``--touch-up 0-100``): edge-preserving smoothing of the skin of the face and neck, nothing else.

Applied to the output picture where it is the person (inside the eroded matte), in place, in I420 or
BGR. All decisions are made on a small copy of the frame (~320 pixels wide: a face at 720p is then
~90 pixels), inside a region around the head (the detected face, or the matte's head):

* the skin weight: the person's own skin colour (Cr/Cb mean and covariance sampled from the middle
  of the face, low-passed, resampled a few times a second) as a likelihood, times a luma gate (much
  darker than the skin: brows, lashes, pupils, nostrils, the mouth's line), a detail gate (strong
  local contrast: eyes, lids, lips, glasses), the matte eroded away from the outline, a prior of the
  face's oval and the neck (skin-coloured hair, hands and shoulders stay out) and, with a detected
  face, ellipses that keep the eyes out;
* the smoothing: a self-guided filter of the small luma (pores, blemishes and fine wrinkles go,
  edges stronger than about 24 levels stay), scaled up and blended into the full-resolution luma by
  the weight (uint8 arithmetic, as the compositor); the chroma (half resolution in I420) box-blurred
  and blended by the same weight, which evens out redness.

Everything outside the region and outside the eroded matte is untouched by construction: the
background, the outline and the hair stay bit for bit.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from haikei.frames import I420
from haikei.frames.i420 import i420_planes
from haikei.frames.person import Face, PersonGeometry
from haikei.frames.pyramid import Pyramid

#: The small copy the decisions are made on is the frame halved until it is about this wide.
WORK_WIDTH = 320
#: Guided-filter regularisation (grey levels²): texture weaker than about its root is smoothed.
SMOOTHING_EPS = 24.0**2
#: The filter's radius, in head widths.
RADIUS = 0.06
#: The region around the head, in head widths from its centre and its top.
REGION_SIDE, REGION_TOP, REGION_BOTTOM = 0.85, 0.15, 2.2
#: The skin-colour model: resampled this often (s), low-passed with this time constant (s); within
#: SKIN_SIGMAS standard deviations counts as skin (the spread at least MIN_SPREAD levels).
MODEL_PERIOD = 0.15
TIME_CONSTANT = 0.5
SKIN_SIGMAS = 2.0
MIN_SPREAD = 2.0
#: With a detected face, ellipses of these half axes (face widths) around its eyes are kept as they are.
EYE_AXES = (0.22, 0.14)
#: Darker than this share of the skin's luma is a feature (brows, lashes, pupils), kept.
FEATURE_DARKNESS = 0.55
#: The matte is eroded by this share of the head width before it gates the weight.
MATTE_EROSION = 0.08
#: Local contrast (3x3 max − min, grey levels) from which a pixel is kept as it is, fully at twice it:
#: eyes, lids, brows, lips, glasses; pores stay below.
#: Small pixels of zero weight kept around the skin's bounding box (the upscale then matches the region's).
SKIN_MARGIN = 2
#: The weights are uint8 (255 = 1) on the small copy: a dozen OpenCV calls on a few thousand pixels.
_DETAIL_GATE = np.round(255 * np.clip(1 - (np.arange(256) - 45.0) / 45.0, 0, 1)).astype(np.uint8)
#: The matte (255 = 1) eroded, from 0.5 (0) to 1 (255); an eye ellipse (blurred), what is left of the skin.
_MATTE_GATE = np.round(255 * np.clip((np.arange(256) / 255 - 0.5) * 2, 0, 1)).astype(np.uint8)
_EYE_GATE = np.round(np.clip(255 - 1.5 * np.arange(256), 0, 255)).astype(np.uint8)
_3X3 = np.ones((3, 3), np.uint8)


class TouchUp:
    """The skin model, kept from frame to frame (one per source)."""

    def __init__(self) -> None:
        self._mean: np.ndarray | None = None  # skin (Cr, Cb)
        self._covariance: np.ndarray | None = None
        self._skin_table: np.ndarray | None = None  # [Cr, Cb] → skin likelihood, uint8
        self._shape_key: tuple | None = None  # the last face shape drawn (_face_shape), and the shape
        self._shape: np.ndarray | None = None
        self._luma = 0.0
        self._luma_gate: np.ndarray | None = None
        self._sampled_at: float | None = None

    def apply(
        self,
        output: np.ndarray,
        made_in: str,
        frame: Pyramid,
        matte: Pyramid,
        person: PersonGeometry | None,
        face: Face | None,
        amount: float,
        t: float,
    ) -> None:
        """Smooth the skin of ``output`` (frame-sized, I420 or BGR as ``made_in`` says, the person
        there as in ``frame``) in place by ``amount`` (0–100), ``matte`` the frame's, ``person``
        and ``face`` in the frame's pixels."""
        w, h = frame.size
        times = max(0, int(math.log2(max(1.0, w / WORK_WIDTH))))
        small = frame.halved(times)
        scale = w / small.shape[1]  # full-resolution pixels per small pixel
        head = self._head(person, face, (w, h))
        if head is None:
            return
        region = _region(head, (w, h), step=2 * int(round(scale)))
        if region is None:
            return
        weight8, luma = self._weights(small, matte.small(times), region, scale, head, face, t)
        if weight8 is None:
            return
        if amount < 100:
            weight8 = cv2.convertScaleAbs(weight8, alpha=max(amount, 0.0) / 100.0)
        radius = max(1, int(round(RADIUS * head.head_width / scale)))
        smooth = cv2.ximgproc.guidedFilter(luma, luma, radius, SMOOTHING_EPS)
        # the frame-sized work only where there is skin (the oval and the neck, not the region's corners),
        # with a margin of zero weights that makes the scaled-up weights the same as the whole region's
        bx, by, bw, bh = cv2.boundingRect(weight8)
        if bw == 0:
            return
        bx0, by0 = max(0, bx - SKIN_MARGIN), max(0, by - SKIN_MARGIN)
        bx1, by1 = min(weight8.shape[1], bx + bw + SKIN_MARGIN), min(weight8.shape[0], by + bh + SKIN_MARGIN)
        weight8, luma, smooth = (a[by0:by1, bx0:bx1] for a in (weight8, luma, smooth))
        step = int(round(scale))
        x0, y0 = region[0] + bx0 * step, region[1] + by0 * step
        x1, y1 = region[0] + bx1 * step, region[1] + by1 * step
        region = (x0, y0, x1, y1)
        size = (x1 - x0, y1 - y0)
        if made_in == I420:
            y, u, v = i420_planes(output)
            limited = cv2.convertScaleAbs(smooth, alpha=219 / 255, beta=16)  # full range → I420's limited range
            _blend(y[y0:y1, x0:x1], cv2.resize(limited, size), cv2.resize(weight8, size))
            half = (size[0] // 2, size[1] // 2)
            weight_half = cv2.resize(weight8, half)
            for plane in (u, v):
                roi = plane[y0 // 2 : y1 // 2, x0 // 2 : x1 // 2]
                _blend(roi, cv2.blur(roi, (5, 5)), weight_half)
        else:
            sx0, sy0, sx1, sy1 = (round(v / scale) for v in region)
            colour = cv2.ximgproc.guidedFilter(luma, small[sy0:sy1, sx0:sx1], radius, SMOOTHING_EPS)
            weights = cv2.cvtColor(cv2.resize(weight8, size), cv2.COLOR_GRAY2BGR)
            _blend(output[y0:y1, x0:x1], cv2.resize(colour, size), weights)

    def _head(self, person: PersonGeometry | None, face: Face | None, size: tuple[int, int]) -> PersonGeometry | None:
        """The head to work on, in frame pixels: the detected face's (it beats the matte's guess: a
        raised hand can be the matte's top), else the matte's."""
        if face is not None:
            width = face.width
            return PersonGeometry(size, True, top=face.box[1] - 0.54 * width, head_x=face.centre[0], head_width=width)
        if person is None or not person.present:
            return None
        return person.scaled_to(size)

    def _weights(
        self,
        small: np.ndarray,
        matte: np.ndarray,
        region: tuple[int, int, int, int],
        scale: float,
        head: PersonGeometry,
        face: Face | None,
        t: float,
    ) -> tuple[np.ndarray | None, np.ndarray]:
        """The skin weight (uint8, 255 = 1) over ``region`` at the small copy's size, and the small luma there."""
        sx0, sy0, sx1, sy1 = (round(v / scale) for v in region)
        ycrcb = cv2.cvtColor(small[sy0:sy1, sx0:sx1], cv2.COLOR_BGR2YCrCb)
        luma = np.ascontiguousarray(ycrcb[..., 0])
        # the head in the region's small pixels
        width = head.head_width / scale
        centre_x, top = head.head_x / scale - sx0, head.top / scale - sy0
        if not self._sample_skin(ycrcb, centre_x, top, width, t):
            return None, luma
        skin = self._skin_table[ycrcb[..., 1], ycrcb[..., 2]]
        skin = cv2.multiply(skin, cv2.LUT(luma, self._luma_gate), scale=1 / 255)
        detail = cv2.morphologyEx(luma, cv2.MORPH_GRADIENT, _3X3)  # 3x3 max − min
        skin = cv2.multiply(skin, cv2.LUT(detail, _DETAIL_GATE), scale=1 / 255)
        # the matte, eroded away from the outline (the hairline, the jaw against the room)
        person = matte[sy0:sy1, sx0:sx1]
        if person.shape != skin.shape:
            person = cv2.resize(matte, (small.shape[1], small.shape[0]))[sy0:sy1, sx0:sx1]
        side = max(3, int(round(width * MATTE_EROSION)) | 1)
        person8 = cv2.convertScaleAbs(person, alpha=255) if person.dtype != np.uint8 else person
        person8 = cv2.erode(person8, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side)))
        skin = cv2.multiply(skin, cv2.LUT(person8, _MATTE_GATE), scale=1 / 255)
        # where skin may be at all: the face's oval and the neck below it, without the eyes
        oval = ((int(centre_x), int(top + width)), (max(1, int(0.5 * width)), max(1, int(0.72 * width))))
        neck = (
            (int(centre_x - 0.33 * width), int(top + 1.45 * width)),
            (int(centre_x + 0.33 * width), int(top + 2.1 * width)),
        )
        eyes = None
        if face is not None:  # the eyes, lids and lashes stay as they are
            size = face.width / scale
            axes = (max(1, int(EYE_AXES[0] * size)), max(1, int(EYE_AXES[1] * size)))
            centres = tuple((int(x / scale - sx0), int(y / scale - sy0)) for x, y in face.eyes)
            eyes = (centres, axes, _box_side(max(0.8, 0.04 * size)))
        key = (skin.shape, oval, neck, _box_side(max(0.8, 0.06 * width)), eyes)
        if key != self._shape_key:  # a still head keeps its shape: drawn and softened only when it moves
            self._shape_key, self._shape = key, _face_shape(*key)
        skin = cv2.multiply(skin, self._shape, scale=1 / 255)
        return skin, luma

    def _sample_skin(self, ycrcb: np.ndarray, centre_x: float, top: float, width: float, t: float) -> bool:
        """Update the skin model from the middle of the face (at most every MODEL_PERIOD s); whether there is one."""
        if self._mean is not None and self._sampled_at is not None and 0 <= t - self._sampled_at < MODEL_PERIOD:
            return True
        rows = slice(max(0, int(top + 0.95 * width)), max(0, int(top + 1.25 * width)))
        cols = slice(max(0, int(centre_x - 0.22 * width)), max(0, int(centre_x + 0.22 * width)))
        patch = ycrcb[rows, cols].reshape(-1, 3).astype(np.float32)
        if len(patch) < 20:
            return self._mean is not None
        # robust: without the darkest fifth and the brightest tenth of luma (glasses, shine, nostrils)
        low, high = np.percentile(patch[:, 0], [20, 90])
        patch = patch[(patch[:, 0] >= low) & (patch[:, 0] <= high)]
        mean = patch[:, 1:].mean(0)
        covariance = np.cov(patch[:, 1:].T) + np.eye(2) * MIN_SPREAD**2
        luma = float(np.median(patch[:, 0]))
        dt = 1.0 if self._sampled_at is None else min(max(t - self._sampled_at, 0.0), 1.0)
        self._sampled_at = t
        if self._mean is None:
            self._mean, self._covariance, self._luma = mean, covariance, luma
        else:
            share = 1 - math.exp(-dt / TIME_CONSTANT)
            self._mean = self._mean + share * (mean - self._mean)
            self._covariance = self._covariance + share * (covariance - self._covariance)
            self._luma += share * (luma - self._luma)
        inverse = np.linalg.inv(self._covariance * SKIN_SIGMAS**2)
        levels = np.arange(256, dtype=np.float32)
        # the skin likelihood of every (Cr, Cb), 255 = the skin's mean colour
        cr, cb = (levels - self._mean[0])[:, None], (levels - self._mean[1])[None, :]
        distance = inverse[0, 0] * cr * cr + 2 * inverse[0, 1] * cr * cb + inverse[1, 1] * cb * cb
        self._skin_table = cv2.convertScaleAbs(cv2.exp(distance * np.float32(-0.5)), alpha=255)
        dark = FEATURE_DARKNESS * self._luma
        self._luma_gate = np.round(255 * np.clip((levels - dark) / (0.2 * self._luma), 0, 1)).astype(np.uint8)
        return True


def _region(head: PersonGeometry, size: tuple[int, int], step: int) -> tuple[int, int, int, int] | None:
    """x0, y0, x1, y1 around the head, down to the neck, in frame pixels on multiples of ``step``
    (the small copy and the I420 chroma then cut the same pixels), inside the frame."""
    w, h = size
    width = head.head_width
    x0, x1 = head.head_x - REGION_SIDE * width, head.head_x + REGION_SIDE * width
    y0, y1 = head.top + REGION_TOP * width, head.top + REGION_BOTTOM * width
    x0, y0 = max(0, int(x0) // step * step), max(0, int(y0) // step * step)
    x1, y1 = min(w // step * step, -(-int(x1) // step) * step), min(h // step * step, -(-int(y1) // step) * step)
    if x1 - x0 < 4 * step or y1 - y0 < 4 * step:
        return None
    return x0, y0, x1, y1


def _box_side(sigma: float) -> int:
    """The side of the box blur that, applied twice, softens about as a Gaussian of ``sigma`` (the
    same variance; a box filter costs the same at any size, a uint8 Gaussian's kernel grows with sigma)."""
    return max(3, int(round(math.sqrt(6 * sigma * sigma + 1))) | 1)


def _soft(mask: np.ndarray, side: int) -> np.ndarray:
    return cv2.blur(cv2.blur(mask, (side, side)), (side, side))


def _face_shape(shape: tuple[int, int], oval: tuple, neck: tuple, side: int, eyes: tuple | None) -> np.ndarray:
    """Where skin may be (uint8, 255 = 1): the face's oval (centre, half axes) and the neck's rectangle,
    softened by boxes of ``side``, less the eyes (centres, half axes, softening side), if given."""
    prior = np.zeros(shape, np.uint8)
    cv2.ellipse(prior, *oval, 0, 0, 360, 255, -1)
    cv2.rectangle(prior, *neck, 255, -1)
    prior = _soft(prior, side)
    if eyes is not None:
        centres, axes, eye_side = eyes
        mask = np.zeros(shape, np.uint8)
        for centre in centres:
            cv2.ellipse(mask, centre, axes, 0, 0, 360, 255, -1)
        prior = cv2.multiply(prior, cv2.LUT(_soft(mask, eye_side), _EYE_GATE), scale=1 / 255)
    return prior


def _blend(target: np.ndarray, smooth: np.ndarray, weight: np.ndarray) -> None:
    """``target`` ← target · (1 − weight) + smooth · weight, weights uint8 (255 = 1), in place."""
    kept = cv2.multiply(target, cv2.bitwise_not(weight), scale=1 / 255)
    cv2.add(kept, cv2.multiply(smooth, weight, scale=1 / 255), dst=target)
