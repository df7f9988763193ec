"""Auto-framing: a virtual camera operator that pans and zooms a crop of the camera picture to keep the
person centred, with head room, at a sensible size.

It chooses which part of the camera picture is the frame (without it: the centre crop), so it runs
first, before segmentation and compositing; the background, the matte and the outputs all see the
framed picture. Per frame::

    crop = framer.crop(picture_size, t)      # where to cut this frame (camera-picture pixels)
    frame = crop.cut(picture)                # a view; the Pyramid scales it to the output size
    ... segment and refine the frame ...
    framer.observe(person, crop, t)          # the person in this frame (any scale of it)

The frame's person, mapped back through the crop it was cut with, steers the next frame: one frame
of delay against a re-framing that takes most of a second, and no feedback while the person is inside
the crop. A person running off a side of the crop is seen clipped; the operator then widens and turns
toward that side, which brings them back in. Nobody seen for :data:`LOST_AFTER` seconds: back to the
whole picture, slowly.

Motion: the target (head centre, head top with head room, zoom from the head's size) is low-passed
(the matte's noise), then held in a dead zone per axis (pan x, pan y, log zoom): the operator moves
only when the target leaves the zone and follows it until the camera has caught up, then holds
again. The camera is a critically damped spring per axis, exact for any time step: no overshoot, no
jitter on a still person, ~95 % of a re-framing in ``settle`` seconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from haikei.frames.person import PersonGeometry

#: The head's width as a share of the crop's height: a medium close-up.
HEAD_SHARE = 0.22
#: The top of the head sits this share of the crop's height below the crop's top.
HEADROOM = 0.10
#: The head-and-shoulders span fits with this much margin (two people side by side both fit).
SPAN_MARGIN = 1.15
#: A span wider than this many heads is several people or arms out: its centre is framed, not the head's.
WIDE_SPAN_HEADS = 3.0
#: How far the target may drift before the operator moves: pan x and y (shares of the crop's width
#: and height) and zoom (log); the operator then follows until within RELEASE of the zone.
DEAD_ZONE = np.array([0.08, 0.06, 0.18])
RELEASE = 0.4
#: Time constants (s) of the target's low-pass per axis: the head's size is the noisiest estimate.
SMOOTHING = np.array([0.12, 0.12, 0.6])
#: Seconds without a person before the operator goes back to the whole picture, and how much
#: slower than a re-framing that goes (all the way: no dead zone when nobody is there).
LOST_AFTER = 2.0
LOST_SLOWDOWN = 2.0
#: Once nobody was there, someone must be seen this long (s) without a gap before the camera turns to
#: them: a passing false detection in an empty room (a chair's back, at the zoomed-in crop) does not
#: pull the camera in.
REACQUIRE_AFTER = 0.5
#: A person clipped by the crop (not by the picture): widen to at least this much of the crop.
WIDEN = 1.3
#: omega * t of a critically damped spring at 95 % of a step.
SETTLED_95 = 4.74


@dataclass(frozen=True)
class Crop:
    """A rectangle of the camera picture, in its pixels (float)."""

    x: float
    y: float
    w: float
    h: float

    def pixels(self) -> tuple[int, int, int, int]:
        """The nearest whole-pixel x, y, w, h, width and height even (for I420), centred on this crop."""
        w, h = int(round(self.w)), int(round(self.h))
        w, h = max(2, w - w % 2), max(2, h - h % 2)
        return int(round(self.x + (self.w - w) / 2)), int(round(self.y + (self.h - h) / 2)), w, h

    def cut(self, picture: np.ndarray) -> np.ndarray:
        """The crop of ``picture`` at :meth:`pixels` (a view, no copy)."""
        x, y, w, h = self.pixels()
        return picture[y : y + h, x : x + w]

    def covers(self, size: tuple[int, int]) -> bool:
        """The crop is the whole of a picture of ``size`` (w, h)."""
        return self.pixels() == (0, 0, size[0], size[1])


class Spring:
    """A critically damped spring pulling ``value`` toward a target, exact for any time step."""

    def __init__(self, value: float, omega: float):
        self.value, self.velocity, self.omega = value, 0.0, omega

    def step(self, target: float, dt: float) -> float:
        offset = self.value - target
        push = (self.velocity + self.omega * offset) * dt
        decay = math.exp(-self.omega * dt)
        self.value = target + (offset + push) * decay
        self.velocity = (self.velocity - self.omega * push) * decay
        return self.value


class AutoFramer:
    """The operator for one camera picture size and output aspect ratio (:meth:`crop` starts a new
    one when either changes)."""

    def __init__(self, max_zoom: float = 2.0, settle: float = 0.7):
        """``max_zoom``: the smallest crop is the widest one over this. ``settle``: seconds for
        about 95 % of a re-framing."""
        self.max_zoom, self.settle = max_zoom, settle
        self._for: tuple[tuple[int, int], float] | None = None

    def _start(self, picture_size: tuple[int, int], aspect: float) -> None:
        self._for = (picture_size, aspect)
        self.picture_size, self.aspect = picture_size, aspect
        pw, ph = picture_size
        #: The widest crop's height (the output's aspect ratio), and the narrowest's.
        self.full_h = min(ph, pw / aspect)
        self.min_h = self.full_h / self.max_zoom
        wide = np.array([pw / 2, ph / 2, math.log(self.full_h)])
        omega = SETTLED_95 / self.settle
        self._springs = [Spring(v, omega) for v in wide]
        #: Where the camera is sent (held inside the dead zone), and the low-passed measurement.
        self._goal = wide.copy()
        self._wanted = wide.copy()
        self._moving = np.zeros(3, bool)
        self._last_crop: float | None = None
        self._last_observed: float | None = None
        self._last_seen: float | None = None
        self._present_since: float | None = None

    def crop(self, picture_size: tuple[int, int], aspect: float, t: float) -> Crop:
        """Where to cut the picture (of ``picture_size``, w, h) at time ``t`` for an output of
        ``aspect`` (w / h), the camera moved on to ``t``."""
        if self._for != (picture_size, aspect):
            self._start(picture_size, aspect)
        dt = 0.0 if self._last_crop is None else min(max(t - self._last_crop, 0.0), 0.25)
        self._last_crop = t
        x, y, log_h = (spring.step(goal, dt) for spring, goal in zip(self._springs, self._goal))
        return self._crop_at(*self._inside(x, y, math.exp(log_h)))

    def observe(self, person: PersonGeometry, crop: Crop, t: float) -> None:
        """The person in the frame cut with ``crop`` (measured at any scale of that frame)."""
        if self._for is None:
            return
        dt = 0.0 if self._last_observed is None else min(max(t - self._last_observed, 0.0), 0.5)
        self._last_observed = t
        lost = self._last_seen is not None and t - self._last_seen > LOST_AFTER
        if not person.present:
            self._present_since = None
        elif self._present_since is None:
            self._present_since = t
        if not person.present or (lost and t - self._present_since < REACQUIRE_AFTER):
            if self._last_seen is None or lost:
                wide = np.array([self.picture_size[0] / 2, self.picture_size[1] / 2, math.log(self.full_h)])
                self._retarget(wide, dt, lost=True)
            return
        self._last_seen = t
        self._retarget(self._target(person, crop), dt)

    def _target(self, person: PersonGeometry, crop: Crop) -> np.ndarray:
        """Where the camera should be for ``person`` seen in ``crop``: centre x, y and log height."""
        x, y, w, h = crop.pixels()
        sx, sy = w / person.size[0], h / person.size[1]
        top = y + person.top * sy
        head_x, head_w = x + person.head_x * sx, person.head_width * sx
        left, right = x + person.span_left * sx, x + person.span_right * sx
        height = max(head_w / HEAD_SHARE, (right - left) * SPAN_MARGIN / self.aspect)
        centre_x = (left + right) / 2 if right - left > WIDE_SPAN_HEADS * head_w else head_x
        off_left, off_right, off_top = person.touches
        # clipped by this crop (not by the picture itself): widen, and turn toward the lost side
        if off_left and x > 1:
            height, centre_x = max(height, h * WIDEN), min(centre_x, x + w * 0.35)
        if off_right and x + w < self.picture_size[0] - 1:
            height, centre_x = max(height, h * WIDEN), max(centre_x, x + w * 0.65)
        height = min(max(height, self.min_h), self.full_h)
        if off_top and y > 1:
            top = min(top, y) - 0.1 * height
        centre_y = top - HEADROOM * height + height / 2
        centre_x, centre_y, height = self._inside(centre_x, centre_y, height)
        return np.array([centre_x, centre_y, math.log(height)])

    def _retarget(self, measured: np.ndarray, dt: float, lost: bool = False) -> None:
        """Low-pass the target, then move the goal of each axis only once it leaves the dead zone
        (nobody there: all the way to the target, slowly)."""
        if self._last_seen is not None and dt > 0:
            keep = np.exp(-dt / (SMOOTHING * (LOST_SLOWDOWN if lost else 1.0)))
            self._wanted = measured + keep * (self._wanted - measured)
        else:
            self._wanted = measured
        if lost:
            self._goal, self._moving = self._wanted.copy(), np.zeros(3, bool)
            return
        height = math.exp(self._goal[2])
        scale = np.array([height * self.aspect, height, 1.0])
        drift = np.abs(self._wanted - self._goal) / scale
        camera = np.array([spring.value for spring in self._springs])
        speed = np.abs([spring.velocity for spring in self._springs]) / scale
        caught_up = (np.abs(self._wanted - camera) / scale < DEAD_ZONE * RELEASE) & (speed < DEAD_ZONE * RELEASE)
        self._moving = (self._moving | (drift > DEAD_ZONE)) & ~caught_up
        self._goal = np.where(self._moving | (drift > DEAD_ZONE), self._wanted, self._goal)

    def _inside(self, centre_x: float, centre_y: float, height: float) -> tuple[float, float, float]:
        """The nearest crop within the zoom limits and inside the picture."""
        pw, ph = self.picture_size
        height = min(max(height, self.min_h), self.full_h)
        width = height * self.aspect
        return min(max(centre_x, width / 2), pw - width / 2), min(max(centre_y, height / 2), ph - height / 2), height

    def _crop_at(self, centre_x: float, centre_y: float, height: float) -> Crop:
        width = height * self.aspect
        return Crop(centre_x - width / 2, centre_y - height / 2, width, height)
