"""Backgrounds, and :class:`BackgroundSpec`, the one grammar that names them: ``blur[:STRENGTH]``,
``image:PATH``, ``video:PATH``, ``color:#RRGGBB`` or ``none`` (effect off); the command line, the
settings file, the pipeline and the GUI's gallery all read and write specs through it.

Each background renders a frame-sized BGR image for the current frame (or I420, for a sink that
takes it); ``render`` also gets the alpha matte (1 = person) when the pipeline has one, for
backgrounds made from the frame itself.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from haikei.compose.blur import blur_frame, blur_frame_i420
from haikei.errors import BackgroundError, MediaError
from haikei.frames.files import IMAGE_SUFFIXES, RETRY_DELAYS, VIDEO_SUFFIXES, LoopingVideo, load_image
from haikei.frames.fit import cover_fit
from haikei.frames.i420 import to_i420
from haikei.frames.pyramid import Pyramid

SPEC_HELP = "use blur[:STRENGTH], image:PATH, video:PATH, color:#RRGGBB or none"
DEFAULT_BLUR = 20.0


class Background:
    #: ``False`` for ``none``: the pipeline then skips segmentation and passes frames through.
    replaces = True
    #: ``True`` where the pixels come from the frame itself (blur): its edge needs no decontamination.
    made_from_frame = False
    #: ``True`` where each render is a new picture, which the blend may then write into.
    renders_anew = False

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

    @property
    def renders_anew(self) -> bool:
        return self.strength > 0  # blur:0 is the frame itself

    def render(
        self, frame: np.ndarray | Pyramid, timestamp: float, alpha: np.ndarray | Pyramid | None = None
    ) -> np.ndarray:
        return blur_frame(frame, self.strength, alpha)

    def render_i420(
        self, frame: np.ndarray | Pyramid, timestamp: float, alpha: np.ndarray | Pyramid | None = None
    ) -> np.ndarray:
        return blur_frame_i420(frame, self.strength, alpha)


class ColorBackground(StillBackground):
    def __init__(self, bgr: tuple[int, int, int]) -> None:
        self.bgr = bgr
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


@dataclass(frozen=True)
class BackgroundSpec:
    """A background as the user names it: the one grammar of ``--background``, the settings file and
    the gallery. ``str(spec)`` writes it back."""

    #: ``none``, ``blur``, ``color``, ``image`` or ``video``.
    kind: str
    #: ``blur``: the strength given (0–100), or ``None`` for the default.
    strength: float | None = None
    #: ``color``: ``#rrggbb``.
    color: str | None = None
    #: ``image``, ``video``: the file.
    path: Path | None = None

    @classmethod
    def parse(cls, text: str) -> BackgroundSpec:
        """The spec ``text`` names (``colour:`` is ``color:``; a bare file path is an image or a video by
        its suffix), or a :class:`BackgroundError` saying what is wrong and how to write it."""
        kind, _, arg = text.partition(":")
        kind = kind.strip().lower()
        if kind == "none" and not arg:
            return cls("none")
        if kind == "blur":
            if not arg:
                return cls("blur")
            try:
                strength = float(arg)
            except ValueError:
                strength = -1.0
            if not 0 <= strength <= 100:
                raise BackgroundError(f"bad blur strength {arg!r} in {text!r}", "use blur:0 to blur:100, e.g. blur:20")
            return cls("blur", strength=strength)
        if kind in ("color", "colour"):
            match = _COLOR.fullmatch(arg.strip())
            if not match:
                raise BackgroundError(
                    f"bad colour {arg!r} in {text!r}", "write it as color:#RRGGBB, e.g. color:#00ff00"
                )
            return cls("color", color=f"#{match.group(1).lower()}")
        if kind in ("image", "video") and arg:
            return cls(kind, path=Path(arg).expanduser())
        path = Path(text).expanduser()
        if path.suffix and path.exists():
            return cls("image" if path.suffix.lower() in IMAGE_SUFFIXES else "video", path=path)
        raise BackgroundError(f"bad background {text!r}", SPEC_HELP)

    @classmethod
    def for_file(cls, path: Path) -> BackgroundSpec | None:
        """The spec of an image or video file by its suffix; ``None`` for any other file."""
        suffix = path.suffix.lower()
        if suffix in IMAGE_SUFFIXES:
            return cls("image", path=path)
        if suffix in VIDEO_SUFFIXES:
            return cls("video", path=path)
        return None

    def __str__(self) -> str:
        if self.kind == "blur":
            return "blur" if self.strength is None else f"blur:{self.strength:g}"
        if self.kind == "color":
            return f"color:{self.color}"
        if self.kind in ("image", "video"):
            return f"{self.kind}:{self.path}"
        return self.kind

    def open(self) -> Background:
        """The background itself (an image decoded, a video opened), or a :class:`BackgroundError`."""
        if self.kind == "none":
            return NoBackground()
        if self.kind == "blur":
            return BlurBackground(DEFAULT_BLUR if self.strength is None else self.strength)
        if self.kind == "color":
            r, g, b = bytes.fromhex(self.color[1:])
            return ColorBackground((b, g, r))
        if self.kind == "image":
            return ImageBackground(self.path)
        return VideoBackground(self.path)
