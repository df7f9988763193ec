"""Where the person is in a frame: :class:`PersonGeometry` read off a small matte (head top, centre
and width, the head-and-shoulders span), and a detected :class:`Face`. Measured once per frame and
shared by the effects: auto-framing points at the head, light meters on it, touch-up finds the skin.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import cv2
import numpy as np

#: A row counts as person from this share of the matte's width (stray specks do not).
MIN_ROW_SHARE = 0.01
#: Less of the matte than this is person: nobody there.
MIN_AREA = 0.004
#: The head is about this many times as tall as it is wide (top of the hair to the chin).
HEAD_ASPECT = 1.3
#: The head's width is read this many head widths below its top, where the mask is PROBE_WIDTH
#: head widths wide: on 81 webcam-like labelled photos, the depth where the mask's width varies least
#: against the face detector's box (hair is what varies); median ratio 1.01, p10 0.82, p90 1.45.
PROBE_DEPTH = 0.4
PROBE_WIDTH = 1.13
#: The head-and-shoulders span: the rows down to this many head widths below the top.
SHOULDER_DEPTH = 2.5


@dataclass(frozen=True)
class PersonGeometry:
    """The person in a picture of ``size`` (w, h), in its pixels. ``present`` False: too little
    person to say anything (the other fields are then zero)."""

    size: tuple[int, int]
    present: bool = False
    #: The first row of the person (the top of the head).
    top: float = 0.0
    #: The head's centre column and width.
    head_x: float = 0.0
    head_width: float = 0.0
    #: The left and right edges of the head-and-shoulders band (both people, for two side by side).
    span_left: float = 0.0
    span_right: float = 0.0
    #: The share of the picture that is person.
    area: float = 0.0
    #: The person runs off the picture's left, right, top side.
    touches: tuple[bool, bool, bool] = (False, False, False)

    @property
    def head_box(self) -> tuple[float, float, float, float]:
        """x0, y0, x1, y1 of the head (:data:`HEAD_ASPECT` widths tall from the top)."""
        half = self.head_width / 2
        return self.head_x - half, self.top, self.head_x + half, self.top + HEAD_ASPECT * self.head_width

    def scaled_to(self, size: tuple[int, int]) -> PersonGeometry:
        """The same geometry in the pixels of a picture of ``size`` (w, h) (the same view, scaled)."""
        kx, ky = size[0] / self.size[0], size[1] / self.size[1]
        return dataclasses.replace(
            self,
            size=(int(size[0]), int(size[1])),
            top=self.top * ky,
            head_x=self.head_x * kx,
            head_width=self.head_width * kx,
            span_left=self.span_left * kx,
            span_right=self.span_right * kx,
        )


def measure(matte: np.ndarray, threshold: float = 0.5) -> PersonGeometry:
    """The person in ``matte`` (float 0–1 or uint8 0–255; a small one: 320x180 takes ~0.05 ms)."""
    level = threshold * 255 if matte.dtype == np.uint8 else threshold
    binary = (matte > level).astype(np.uint8)
    h, w = binary.shape
    rows = cv2.reduce(binary, 1, cv2.REDUCE_SUM, dtype=cv2.CV_32S).ravel()
    area = float(rows.sum()) / (w * h)
    filled = np.flatnonzero(rows >= max(2, MIN_ROW_SHARE * w))
    if area < MIN_AREA or filled.size == 0:
        return PersonGeometry((w, h), area=area)
    top = int(filled[0])
    band, head_width = _head_band(rows[top:])
    columns = cv2.reduce(binary[top : top + band], 0, cv2.REDUCE_SUM, dtype=cv2.CV_32S).ravel().astype(np.float32)
    head_x = float(columns @ np.arange(w, dtype=np.float32)) / max(float(columns.sum()), 1.0)
    depth = max(int(round(SHOULDER_DEPTH * head_width)), band)
    span = np.flatnonzero(binary[top : top + depth].max(0))  # numpy's column max: 6x OpenCV's REDUCE_MAX
    left, right = float(span[0]), float(span[-1] + 1)
    touches = (left <= 0.5, right >= w - 0.5, top == 0)
    return PersonGeometry((w, h), True, float(top), head_x, head_width, left, right, area, touches)


def _head_band(widths: np.ndarray) -> tuple[int, float]:
    """The head's rows from the top and its width ``s``: the fixed point of
    ``s = width(top + PROBE_DEPTH·s) / PROBE_WIDTH``, sought from above (the widest row's answer), so
    that it is the largest one (a hair bun's narrow tip is not a head)."""
    rows = widths.tolist()  # a dozen means of three numbers: Python's own arithmetic is the quickest
    s = max(rows) / PROBE_WIDTH
    for _ in range(12):
        depth = min(len(rows) - 1, int(round(PROBE_DEPTH * s)))
        probe = rows[max(0, depth - 1) : depth + 2]
        new = max(2.0, sum(probe) / len(probe) / PROBE_WIDTH)
        settled = abs(new - s) < 0.25
        s = new
        if settled:
            break
    return max(2, int(round(HEAD_ASPECT * s))), s


#: The face detector's keypoints, in its order (the subject's right eye is on the left of an unmirrored picture).
KEYPOINTS = ("right_eye", "left_eye", "nose", "mouth", "right_ear", "left_ear")


@dataclass(frozen=True)
class Face:
    """A detected face in a picture's pixels: its box (x0, y0, x1, y1), its 6 :data:`KEYPOINTS` (x, y), its score."""

    box: tuple[float, float, float, float]
    keypoints: tuple[tuple[float, float], ...]
    score: float

    @property
    def width(self) -> float:
        return self.box[2] - self.box[0]

    @property
    def centre(self) -> tuple[float, float]:
        return (self.box[0] + self.box[2]) / 2, (self.box[1] + self.box[3]) / 2

    @property
    def eyes(self) -> tuple[tuple[float, float], tuple[float, float]]:
        return self.keypoints[0], self.keypoints[1]

    def scaled(self, kx: float, ky: float, dx: float = 0.0, dy: float = 0.0) -> Face:
        """The face in a picture scaled by (kx, ky) and then moved by (dx, dy)."""
        x0, y0, x1, y1 = self.box
        box = (x0 * kx + dx, y0 * ky + dy, x1 * kx + dx, y1 * ky + dy)
        return Face(box, tuple((x * kx + dx, y * ky + dy) for x, y in self.keypoints), self.score)
