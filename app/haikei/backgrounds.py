"""Backgrounds from a spec string: ``blur[:STRENGTH]``, ``image:PATH``, ``video:PATH``,
``color:#RRGGBB`` or ``none`` (effect off).

Each background renders a frame-sized BGR image for the current frame (or I420, for a sink that
takes it); ``render`` also gets the alpha matte (1 = person) when the pipeline has one, for
backgrounds made from the frame itself.
"""

from __future__ import annotations

import math
import re
import time
from pathlib import Path

import cv2
import numpy as np

from haikei.errors import BackgroundError, MediaError
from haikei.frames.files import IMAGE_SUFFIXES, RETRY_DELAYS, LoopingVideo, load_image
from haikei.frames.fit import cover_fit
from haikei.frames.i420 import resize_i420, to_i420
from haikei.frames.pyramid import Pyramid

SPEC_HELP = "use blur[:STRENGTH], image:PATH, video:PATH, color:#RRGGBB or none"
DEFAULT_BLUR = 20.0


class Background:
    spec: str
    #: ``False`` for ``none``: the pipeline then skips segmentation and passes frames through.
    replaces = True
    #: ``True`` where the pixels come from the frame itself (blur): its edge needs no decontamination.
    made_from_frame = False

    def render(
        self, frame: np.ndarray | Pyramid, timestamp: float, alpha: np.ndarray | Pyramid | None = None
    ) -> np.ndarray:
        """A frame-sized BGR image. ``frame`` is the frame or its :class:`Pyramid`
        (:mod:`haikei.frames.pyramid`), ``alpha`` the matte or its pyramid, when the caller has it."""
        raise NotImplementedError

    def render_i420(
        self, frame: np.ndarray | Pyramid, timestamp: float, alpha: np.ndarray | Pyramid | None = None
    ) -> np.ndarray:
        """:meth:`render` as I420 (:func:`haikei.frames.i420.to_i420`), for a frame with even sides."""
        return to_i420(self.render(frame, timestamp, alpha))

    def close(self) -> None:
        pass


class StillBackground(Background):
    """A background that changes only now and then (a colour, an image, a video's current frame):
    its I420 form is converted once per change, not per frame."""

    _i420_of: np.ndarray | None = None
    _i420: np.ndarray | None = None

    def render_i420(
        self, frame: np.ndarray | Pyramid, timestamp: float, alpha: np.ndarray | Pyramid | None = None
    ) -> np.ndarray:
        rendered = self.render(frame, timestamp, alpha)
        if rendered is not self._i420_of:
            self._i420_of, self._i420 = rendered, to_i420(rendered)
        return self._i420


class NoBackground(Background):
    replaces = False

    def __init__(self) -> None:
        self.spec = "none"

    def render(
        self, frame: np.ndarray | Pyramid, timestamp: float, alpha: np.ndarray | Pyramid | None = None
    ) -> np.ndarray:
        return Pyramid.of(frame).image


class BlurBackground(Background):
    """Gaussian blur of the frame itself, computed at reduced resolution (same look, a fraction of the cost).

    Given the alpha matte, only the background's own pixels are blurred: the person's colours do not
    bleed into a halo around them.
    """

    made_from_frame = True

    def __init__(self, strength: float) -> None:
        self.strength = strength
        self.spec = f"blur:{strength:g}"

    def render(
        self, frame: np.ndarray | Pyramid, timestamp: float, alpha: np.ndarray | Pyramid | None = None
    ) -> np.ndarray:
        return blur_frame(frame, self.strength, alpha)

    def render_i420(
        self, frame: np.ndarray | Pyramid, timestamp: float, alpha: np.ndarray | Pyramid | None = None
    ) -> np.ndarray:
        return blur_frame_i420(frame, self.strength, alpha)


#: Share of the plain blur mixed into the mask-weighted one, so areas with no background nearby
#: (deep inside the person, hidden anyway) still get a defined colour.
PLAIN_BLUR_SHARE = 0.01
#: The blur's sigma at its working size, in pixels: enough for the bilinear upscale to stay smooth.
SMALL_SIGMA = 2.0


def blur_frame(frame: np.ndarray | Pyramid, strength: float, alpha: np.ndarray | Pyramid | None = None) -> np.ndarray:
    """Blur with sigma ``strength`` px at 720p (scaled with the frame height), computed on the
    smallest halving of the frame (``frame`` may be its :class:`Pyramid`) that keeps
    :data:`SMALL_SIGMA` px of sigma: within 4 levels (mean 0.4) of the full-size blur at 720p.

    With ``alpha`` (the matte, or its :class:`Pyramid`) it is a normalised convolution:
    blur(frame · (1 − α)) / blur(1 − α), each pixel an average of background pixels only.
    """
    pyramid = Pyramid.of(frame)
    small = _blurred_small(pyramid, strength, alpha)
    if small is None:
        return pyramid.image
    if small.shape[1::-1] == pyramid.size:
        return small
    return cv2.resize(small, pyramid.size, interpolation=cv2.INTER_LINEAR)


def blur_frame_i420(
    frame: np.ndarray | Pyramid, strength: float, alpha: np.ndarray | Pyramid | None = None
) -> np.ndarray:
    """:func:`blur_frame` as I420, each plane scaled up from the small blur on its own: half the
    bytes of the BGR upscale to write, and no full-size conversion."""
    pyramid = Pyramid.of(frame)
    small = _blurred_small(pyramid, strength, alpha)
    if small is None:
        return pyramid.i420()
    # Twice the small blur's size, so that its I420 form exists for odd sides too and its chroma
    # is the small blur itself.
    small_i420 = to_i420(cv2.resize(small, (small.shape[1] * 2, small.shape[0] * 2), interpolation=cv2.INTER_LINEAR))
    return resize_i420(small_i420, pyramid.size)


def _blurred_small(pyramid: Pyramid, strength: float, alpha: np.ndarray | Pyramid | None) -> np.ndarray | None:
    """:func:`blur_frame` before its upscale (``None`` for no blur)."""
    sigma = strength * pyramid.size[1] / 720.0
    if sigma <= 0:
        return None
    small = pyramid.halved(int(math.log2(max(1.0, sigma / SMALL_SIGMA))))
    small_size = (small.shape[1], small.shape[0])
    small_sigma = sigma * small_size[1] / pyramid.size[1]
    if alpha is None:
        return cv2.GaussianBlur(small, (0, 0), small_sigma)
    weight = cv2.subtract(1.0, Pyramid.of(alpha).resized(small_size))
    weight += PLAIN_BLUR_SHARE
    weight = cv2.merge((weight, weight, weight))  # OpenCV per channel: numpy broadcasting is slower here
    weighted = cv2.GaussianBlur(cv2.multiply(small, weight, dtype=cv2.CV_32F), (0, 0), small_sigma)
    return cv2.convertScaleAbs(cv2.divide(weighted, cv2.GaussianBlur(weight, (0, 0), small_sigma)))


class ColorBackground(StillBackground):
    def __init__(self, bgr: tuple[int, int, int], spec: str) -> None:
        self.bgr = bgr
        self.spec = spec
        self._cache: np.ndarray | None = None

    def render(
        self, frame: np.ndarray | Pyramid, timestamp: float, alpha: np.ndarray | Pyramid | None = None
    ) -> np.ndarray:
        w, h = Pyramid.of(frame).size
        if self._cache is None or self._cache.shape[:2] != (h, w):
            self._cache = np.empty((h, w, 3), np.uint8)
            self._cache[:] = self.bgr
        return self._cache


class ImageBackground(StillBackground):
    def __init__(self, path: Path) -> None:
        self.path = path
        self.spec = f"image:{path}"
        try:
            self.image = load_image(path)
        except MediaError as exc:
            raise BackgroundError(exc.message, exc.fix) from None
        self._fitted: np.ndarray | None = None

    def render(
        self, frame: np.ndarray | Pyramid, timestamp: float, alpha: np.ndarray | Pyramid | None = None
    ) -> np.ndarray:
        size = Pyramid.of(frame).size
        if self._fitted is None or self._fitted.shape[1::-1] != size:
            self._fitted = cover_fit(self.image, size)
        return self._fitted


class VideoBackground(StillBackground):
    """A video played in a loop, in step with the frames' timestamps."""

    def __init__(self, path: Path) -> None:
        try:
            self.video = LoopingVideo(path, "background video")
        except MediaError as exc:
            raise BackgroundError(exc.message, exc.fix) from None
        self.path = path
        self.spec = f"video:{path}"
        self.fps = self.video.fps
        self._current = self.video.first
        self._played = 0  # frames shown since ``_start``, across loops
        self._start: float | None = None
        self._fitted: np.ndarray | None = None
        self._failures = 0  # consecutive failed attempts to read the file: the back-off step
        self._retry_at: float | None = None  # while broken: when to try the file again

    def _advance(self) -> None:
        """The next frame; looping at the end. A file that stops playing raises once, then its
        last frame stays on screen while the file is retried with back-off until it plays again."""
        if self._retry_at is not None:
            if time.monotonic() < self._retry_at or not self._reopen():
                return
        image = self.video.read()
        if image is None:  # end of file: loop
            image = self.video.rewind()
            if image is None:
                self._schedule_retry()
                raise BackgroundError(
                    f"background video {self.path} stopped playing; its last frame stays until it plays again",
                    "check the file, or choose another background",
                )
        self._current = image
        self._played += 1
        self._fitted = None

    def _schedule_retry(self) -> None:
        self._retry_at = time.monotonic() + RETRY_DELAYS[min(self._failures, len(RETRY_DELAYS) - 1)]
        self._failures += 1

    def _reopen(self) -> bool:
        image = self.video.reopen()
        if image is None:
            self._schedule_retry()
            return False
        self._retry_at, self._failures = None, 0
        self._current, self._fitted = image, None
        return True

    def render(
        self, frame: np.ndarray | Pyramid, timestamp: float, alpha: np.ndarray | Pyramid | None = None
    ) -> np.ndarray:
        if self._start is None or timestamp < self._start:
            self._start, self._played = timestamp, 0
        wanted = round((timestamp - self._start) * self.fps, 6)
        skipped = 0
        while self._played < int(wanted) and skipped < 8:  # catch up, but never stall a frame for it
            self._advance()
            skipped += 1
        if self._played < int(wanted):  # far behind (e.g. after a pause): resume from here
            self._start = timestamp - self._played / self.fps
        size = Pyramid.of(frame).size
        if self._fitted is None or self._fitted.shape[1::-1] != size:
            self._fitted = cover_fit(self._current, size)
        return self._fitted

    def close(self) -> None:
        self.video.close()


_COLOR = re.compile(r"#?([0-9a-fA-F]{6})")


def parse_background(spec: str) -> Background:
    """Build the background a spec names; a bare file path works too (image or video by suffix)."""
    kind, _, arg = spec.partition(":")
    kind = kind.strip().lower()
    if kind == "none" and not arg:
        return NoBackground()
    if kind == "blur":
        if not arg:
            return BlurBackground(DEFAULT_BLUR)
        try:
            strength = float(arg)
        except ValueError:
            strength = -1.0
        if not 0 <= strength <= 100:
            raise BackgroundError(f"bad blur strength {arg!r} in {spec!r}", "use blur:0 to blur:100, e.g. blur:20")
        return BlurBackground(strength)
    if kind in ("color", "colour"):
        match = _COLOR.fullmatch(arg.strip())
        if not match:
            raise BackgroundError(f"bad colour {arg!r} in {spec!r}", "write it as color:#RRGGBB, e.g. color:#00ff00")
        r, g, b = bytes.fromhex(match.group(1))
        return ColorBackground((b, g, r), f"color:#{match.group(1).lower()}")
    if kind == "image" and arg:
        return ImageBackground(Path(arg).expanduser())
    if kind == "video" and arg:
        return VideoBackground(Path(arg).expanduser())
    path = Path(spec).expanduser()
    if path.suffix and path.exists():
        return ImageBackground(path) if path.suffix.lower() in IMAGE_SUFFIXES else VideoBackground(path)
    raise BackgroundError(f"bad background {spec!r}", SPEC_HELP)
