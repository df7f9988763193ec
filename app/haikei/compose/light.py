"""Light (``--light auto``): exposure and colour balance metered on the person's face, for a dark room.

:class:`AutoLight` meters each camera picture (a 160x90 copy, weighted by the previous frame's matte
and head) and moves one tone curve toward what it wants (a :class:`Curve`, remade only when it moves
visibly); a frame's :class:`Tone` is handed to its :class:`~haikei.frames.pyramid.Pyramid`, which
applies it to the copies of the frame it hands out: the small levels shown (the blur) through a
per-channel LUT; the model input (measured, not shown; it segments better lit) through the curve's
straight part (one affine map per channel, a quarter of the LUT's cost); the I420 frame through Y,
U and V arithmetic, only inside the box where the matte shows the frame when a background replaces
the room (against ~2 ms for a LUT on the frame in BGR, which only the BGR blend path pays). The
refiner's grey guide is left as the camera made it (toning it changes nothing measurable).

The curve cannot clip: a gain in gamma-encoded values (an exposure change for a power-law camera)
up to a knee, then an exponential shoulder to white, so nothing below white reaches it; a toe gives
the deepest shadows, mostly noise in a dark room, less of the lift. "auto" only ever lifts: a
well-lit picture gets no tone at all and passes through untouched. The gain is low-passed in log
space with a dead band and a slew limit (a still scene gets a still curve: no pumping; a light
switched on is followed within about a second); white balance (grey world on the mid-tones) and the
black point move slower still, and only as far as the picture is being lifted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from haikei.frames.i420 import i420_planes
from haikei.frames.person import PersonGeometry
from haikei.frames.pyramid import Box
from haikei.stats import stage_clock

#: The metering copy of the picture (nearest neighbour: ~0.03 ms).
METER_SIZE = (160, 90)
#: The picture is metered this often (s); the curve moves on every frame (its time constant is 0.7 s).
METER_PERIOD = 0.2
#: BT.601 luma weights for B, G, R (OpenCV's BGR2GRAY and I420).
LUMA = np.array([0.114, 0.587, 0.299])
#: The person's (face-weighted) mean level sought, 0–1, and the most lift (in gamma-encoded values).
TARGET = 0.45
MAX_GAIN = 3.0
#: Output level where the shoulder takes over from the straight gain.
KNEE = 0.72
#: Metering weights: the head, the whole person, the frame.
HEAD_WEIGHT, PERSON_WEIGHT, FRAME_WEIGHT = 0.6, 0.3, 0.1
#: Share of the grey-world white balance applied, and its largest correction (log gain per channel).
WHITE_BALANCE = 0.6
MAX_CAST = 0.25
#: The gain's low-pass (s), dead band (log gain) and slew limit; colour and black point move this much slower.
TIME_CONSTANT = 0.7
DEAD_BAND = 0.03
MAX_STOPS_PER_S = 1.5
COLOUR_SLOWDOWN = 3.0
#: Lifts below this (1 %, as a log gain) are none (no tone: the picture passes through untouched);
#: white balance and black point ramp in between LIFT_START and LIFT_START + LIFT_RAMP.
LOG_ACTIVE_GAIN = math.log(1.01)
LIFT_START, LIFT_RAMP = 1.1, 0.5
#: Chroma is lifted by this share of the luma's lift, at most MAX_CHROMA_GAIN (full chroma gain makes
#: saturated colours clip in RGB).
CHROMA_SHARE = 0.6
MAX_CHROMA_GAIN = 1.8
#: Noise reduction starts at this lift.
DENOISE_FROM_GAIN = 1.3


@dataclass(frozen=True)
class Curve:
    """The light's curve as the copies of a frame take it: made when the curve moves visibly, shared
    by the frames until then."""

    #: Per-channel BGR LUT (256x1x3) and the I420 luma LUT (limited range).
    lut_bgr: np.ndarray
    lut_y: np.ndarray
    #: The curve's straight part (black point, white balance, gain) per BGR channel, 3x4 for cv2.transform.
    straight: np.ndarray
    #: I420 chroma, per plane: U' = c U + c a Y_in + 128 (1 - c) - 16 c a (c: the chroma gain, a: the
    #: cast's slope), as (c, c a, 128 (1 - c) - 16 c a) for cv2.addWeighted.
    chroma_u: tuple[float, float, float]
    chroma_v: tuple[float, float, float]
    #: 3x3 box blur of the chroma, and the share of a 3x3 Gaussian mixed into the luma.
    chroma_denoise: bool
    luma_denoise: float


class Tone:
    """One frame's :class:`Curve`, applied to every copy of the frame
    (:class:`~haikei.frames.pyramid.Pyramid`); ``spent_ms`` adds up the time its methods took (on
    whichever thread), for the frame's timings."""

    __slots__ = ("curve", "spent_ms")

    def __init__(self, curve: Curve):
        self.curve = curve
        self.spent_ms = 0.0

    def bgr(self, image: np.ndarray, dst: np.ndarray | None = None) -> np.ndarray:
        """``image`` (BGR) toned, a new image (or into ``dst``, which may be ``image``)."""
        started = stage_clock()
        toned = cv2.LUT(image, self.curve.lut_bgr, dst=dst)
        self.spent_ms += (stage_clock() - started) * 1e3
        return toned

    def bgr_measured(self, image: np.ndarray, dst: np.ndarray | None = None) -> np.ndarray:
        """``image`` (BGR) through the curve's straight part, clipped at white (no shoulder, no toe):
        for the model input and the guide, which are measured, not shown; a quarter of the LUT's cost."""
        started = stage_clock()
        toned = cv2.transform(image, self.curve.straight, dst=dst)
        self.spent_ms += (stage_clock() - started) * 1e3
        return toned

    def i420(self, image: np.ndarray, within: Box | None = None) -> None:
        """``image`` (I420) toned in place: Y through the curve, U and V scaled and un-cast against the
        unlit luma at chroma size; noise smoothed where the picture is lifted. With ``within`` (x0, y0,
        x1, y1 in its pixels) only that part, widened by the reach of the 3x3 smoothing and to even
        sides, so that every pixel in it is what toning the whole image gives; the rest is left as it came."""
        started = stage_clock()
        self._i420(image, within)
        self.spent_ms += (stage_clock() - started) * 1e3

    def _i420(self, image: np.ndarray, within: Box | None) -> None:
        curve = self.curve
        y, u, v = i420_planes(image)
        if within is not None:
            h, w = y.shape
            reach = 4  # a chroma pixel's 3x3 neighbourhood, in luma pixels, and even
            x0, y0 = max(0, within[0] - reach) & ~1, max(0, within[1] - reach) & ~1
            x1, y1 = min(w, (within[2] + reach + 1) & ~1), min(h, (within[3] + reach + 1) & ~1)
            if x1 - x0 < 2 or y1 - y0 < 2:
                return
            rows, cols = slice(y0 >> 1, y1 >> 1), slice(x0 >> 1, x1 >> 1)
            y, u, v = y[y0:y1, x0:x1], u[rows, cols], v[rows, cols]
        unlit = cv2.resize(y, (u.shape[1], u.shape[0]), interpolation=cv2.INTER_AREA)
        if curve.luma_denoise > 0:
            cv2.addWeighted(y, 1 - curve.luma_denoise, cv2.GaussianBlur(y, (3, 3), 0), curve.luma_denoise, 0, dst=y)
        cv2.LUT(y, curve.lut_y, dst=y)
        gain, cast, offset = curve.chroma_u
        cv2.addWeighted(u, gain, unlit, cast, offset, dst=u)
        gain, cast, offset = curve.chroma_v
        cv2.addWeighted(v, gain, unlit, cast, offset, dst=v)
        if curve.chroma_denoise:
            cv2.blur(u, (3, 3), dst=u)
            cv2.blur(v, (3, 3), dst=v)


class AutoLight:
    """Meters the camera picture and keeps the curve, frame to frame (one per source)."""

    def __init__(self, denoise: float = 0.5):
        """``denoise`` 0–1: the toe's strength and, lifted, chroma smoothing (above 0) and luma
        smoothing (above 0.5, up to half a 3x3 Gaussian)."""
        self.denoise = denoise
        self.log_gain = 0.0
        #: White-balance log gains for B, G, R (plain floats: three numbers, not worth numpy's per-call cost).
        self.log_wb = (0.0, 0.0, 0.0)
        self.black = 0.0
        #: The person's metered level (0–1) at the last metering.
        self.metered = TARGET
        self._wanted: tuple[float, tuple[float, float, float], float] | None = None
        self._metered_at: float | None = None
        self._last: float | None = None
        self._curve: Curve | None = None
        self._curve_key: tuple | None = None

    @property
    def gain(self) -> float:
        return math.exp(self.log_gain)

    def tone(
        self, picture: np.ndarray, matte: np.ndarray | None, person: PersonGeometry | None, t: float
    ) -> Tone | None:
        """The curve for the picture at time ``t`` (camera picture, unlit, BGR), metered with ``matte``
        (a small matte of a recent frame, float 0–1, or ``None``: centre-weighted) and its
        ``person``; ``None`` while nothing needs lifting."""
        if self._wanted is None or self._metered_at is None or not 0 <= t - self._metered_at < METER_PERIOD:
            self._metered_at = t
            self._wanted = self._meter(picture, matte, person)
        self._follow(*self._wanted, t)
        b, g, r = self.log_wb
        if self.log_gain < LOG_ACTIVE_GAIN and abs(b) < 0.01 and abs(g) < 0.01 and abs(r) < 0.01 and self.black < 0.004:
            return None
        # a change worth a new curve (~0.35 ms): 0.8 % of gain (under a level at mid-grey), 0.5 % of a
        # channel, a level of black
        key = (round(self.log_gain * 125), round(b * 200), round(g * 200), round(r * 200), round(self.black * 255))
        if key != self._curve_key:
            self._curve_key, self._curve = key, self._make_curve()
        return Tone(self._curve)

    # -- metering ----------------------------------------------------------------------------
    def _meter(
        self, picture: np.ndarray, matte: np.ndarray | None, person: PersonGeometry | None
    ) -> tuple[float, tuple[float, float, float], float]:
        """The log gain, white-balance log gains and black point the picture wants."""
        small = cv2.resize(picture, METER_SIZE, interpolation=cv2.INTER_NEAREST)
        grey8 = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
        grey = grey8.astype(np.float32) * (1 / 255)
        parts = [(FRAME_WEIGHT, float(grey.mean()))]
        if matte is not None and person is not None and person.present:
            weights = cv2.resize(matte, METER_SIZE, interpolation=cv2.INTER_AREA)
            total = float(weights.sum())
            if total > 4:
                parts.append((PERSON_WEIGHT, float(np.vdot(grey, weights)) / total))
            x0, y0, x1, y1 = person.scaled_to(METER_SIZE).head_box
            rows = slice(max(0, int(y0)), max(0, math.ceil(y1)))
            cols = slice(max(0, int(x0)), max(0, math.ceil(x1)))
            head = weights[rows, cols]
            if float(head.sum()) > 4:
                parts.append((HEAD_WEIGHT, float(np.vdot(grey[rows, cols], head)) / float(head.sum())))
        else:  # centre-weighted
            h, w = grey.shape
            parts.append((1 - FRAME_WEIGHT, float(grey[h // 5 : h * 4 // 5, w // 4 : w * 3 // 4].mean())))
        metered = sum(weight * value for weight, value in parts) / sum(weight for weight, _ in parts)
        self.metered = metered
        # black point: the darkest 0.5 % (a dark camera lifts its black with noise), at most 6 %
        histogram = cv2.calcHist([grey8], [0], None, [256], [0, 256]).ravel()
        black = min(0.06, float(np.searchsorted(np.cumsum(histogram), 0.005 * grey8.size)) / 255)
        # grey world on the mid-tones (neither black nor clipped), as log gains that keep the luma
        mid = cv2.inRange(grey8, 16, 234)
        log_wb = self.log_wb
        if cv2.countNonZero(mid) > 50:
            means = np.array(cv2.mean(small, mask=mid)[:3]) / 255
            log_wb = np.clip(np.log(float(means @ LUMA) / np.maximum(means, 1e-3)), -MAX_CAST, MAX_CAST)
            log_wb *= WHITE_BALANCE
            log_wb -= math.log(float(np.exp(log_wb) @ LUMA))
        gain = min(MAX_GAIN, max(1.0, TARGET / max(metered - black, 1e-3) * (1 - black)))
        # colour and black point only as far as the picture is lifted: a well-lit one passes through
        lifting = min(1.0, max(0.0, (gain - LIFT_START) / LIFT_RAMP))
        return math.log(gain), tuple(float(v) * lifting for v in log_wb), black * lifting

    def _follow(self, log_gain: float, log_wb: tuple[float, float, float], black: float, t: float) -> None:
        """Move the curve toward what the picture wants, as far as the time since the last frame allows."""
        first = self._last is None
        dt = 0.0 if first else min(max(t - self._last, 0.0), 0.5)
        self._last = t
        if first:
            self.log_gain, self.log_wb, self.black = log_gain, log_wb, black
            return
        step = log_gain - self.log_gain
        if abs(step) > DEAD_BAND:  # inside the band the curve holds: no creeping, no pumping
            step = (1 - math.exp(-dt / TIME_CONSTANT)) * (step - math.copysign(DEAD_BAND, step))
            limit = MAX_STOPS_PER_S * math.log(2) * dt
            self.log_gain += max(-limit, min(limit, step))
        slow = 1 - math.exp(-dt / (COLOUR_SLOWDOWN * TIME_CONSTANT))
        (b, g, r), (to_b, to_g, to_r) = self.log_wb, log_wb
        self.log_wb = (b + slow * (to_b - b), g + slow * (to_g - g), r + slow * (to_r - r))
        self.black += slow * (black - self.black)

    # -- the curve ---------------------------------------------------------------------------
    def curve(self, x: np.ndarray, channel_gain: np.ndarray | float = 1.0) -> np.ndarray:
        """Input level(s) 0–1 → output 0–1: monotonic, f(0) = 0, never above 1."""
        gain = self.gain
        x = np.maximum(x - self.black, 0) / (1 - self.black) * channel_gain
        toe = self.denoise * min(1.0, gain - 1) / 3  # up to a third less gain in the darkest 5 %
        s = np.clip(x / 0.05, 0, 1)
        x = x * (1 - toe * (1 - s * s * (3 - 2 * s)))
        y = gain * x
        shoulder = KNEE + (1 - KNEE) * (1 - np.exp(-(y - KNEE) / (1 - KNEE)))
        return np.where(y > KNEE, shoulder, y)

    def _make_curve(self) -> Curve:
        wb = [math.exp(v) for v in self.log_wb]
        # One pass of the curve: the three BGR channels' levels, the I420 luma's, and the metered level.
        metered = min(max(self.metered, 0.05), 0.9)
        levels = _CURVE_INPUT.copy()
        levels[256] = metered
        toned = self.curve(levels, np.array([*wb, 1.0]))
        lut_bgr = np.clip(np.round(toned[:256, :3] * 255), 0, 255).astype(np.uint8)
        # OpenCV's (and the virtual cameras') I420 is BT.601 limited range: Y = 16 + 219 l
        lut_y = np.clip(np.round(16 + 219 * toned[:256, 3]), 0, 255).astype(np.uint8)
        local_gain = float(toned[256, 3]) / metered
        # the straight part: gain · wb (x − black) / (1 − black), per channel, in levels
        slope = [self.gain * gain / (1 - self.black) for gain in wb]
        straight = np.zeros((3, 4), np.float32)
        straight[:, :3] = np.diag(slope)
        straight[:, 3] = [-k * self.black * 255 for k in slope]
        lift = self.gain - DENOISE_FROM_GAIN
        chroma_gain = min(MAX_CHROMA_GAIN, 1 + CHROMA_SHARE * (local_gain - 1))
        # limited range: U - 128 = 0.564 (224/219) (B - Y) with Y = Y_limited - 16
        cast_u = 0.564 * 224 / 219 * (1 - 1 / wb[0])
        cast_v = 0.713 * 224 / 219 * (1 - 1 / wb[2])
        return Curve(
            lut_bgr=lut_bgr.reshape(256, 1, 3),
            lut_y=lut_y,
            straight=straight,
            chroma_u=_chroma_terms(chroma_gain, cast_u),
            chroma_v=_chroma_terms(chroma_gain, cast_v),
            chroma_denoise=self.denoise > 0 and lift > 0,
            luma_denoise=min(0.5, max(0.0, lift / 2)) * max(0.0, 2 * self.denoise - 1),
        )


def _chroma_terms(gain: float, cast: float) -> tuple[float, float, float]:
    """A chroma plane's weights for cv2.addWeighted(plane, ·, unlit luma, ·, ·)."""
    return gain, gain * cast, 128 * (1 - gain) - 16 * gain * cast


#: The curve's input for a tone, one row a level: B, G, R levels 0–1, the I420 luma's (limited range
#: 16–235 to 0–1), and a last row for the metered level.
_CURVE_INPUT = np.zeros((257, 4))
_CURVE_INPUT[:256, :3] = (np.arange(256) / 255.0)[:, None]
_CURVE_INPUT[:256, 3] = np.clip((np.arange(256) - 16) / 219.0, 0, 1)
