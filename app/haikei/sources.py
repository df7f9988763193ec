"""Frame sources: a camera (index or device path), a video file (looped), or a still image.

``open_source(spec, ...)`` picks the kind from the spec: a number or ``/dev/video*`` is a camera,
an image file is a still, anything else is a video file. Every source yields BGR uint8 frames.
"""

from __future__ import annotations

import os
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import PIL.Image

from haikei.errors import SourceError
from haikei.stats import stage_clock

# OpenCV's own warnings ("can't open camera by index") duplicate our one clear message.
cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"}
#: Back-off between attempts to reopen a camera or file that failed: first, then doubling up to the last.
RETRY_DELAYS = (0.25, 0.5, 1.0)
#: Refuse images larger than this many pixels instead of exhausting memory decoding them.
MAX_IMAGE_PIXELS = 50_000_000


@dataclass
class Frame:
    image: np.ndarray
    #: Index of the frame since the source opened.
    index: int
    #: Capture time (``time.monotonic()``) for cameras; presentation time for files.
    timestamp: float
    #: Time spent obtaining the frame (decode, device read), excluding pacing waits.
    capture_ms: float = 0.0
    #: When the frame came off the source (``time.monotonic()``); the engine's latency counts from here.
    arrived: float = 0.0
    #: The output size (w, h) ``image`` is to be fitted to, when not its own: the stages then make
    #: only the copies of it they need (:class:`haikei.pyramid.Pyramid`), not the fitted frame.
    size: tuple[int, int] | None = None
    #: For a status frame (no camera picture: paused, reconnecting), the message it shows; ``None`` for
    #: a picture. A status frame is sent as it is, never segmented.
    status: str | None = None

    @property
    def output_size(self) -> tuple[int, int]:
        return self.size if self.size is not None else (self.image.shape[1], self.image.shape[0])


class Source:
    fps: float
    size: tuple[int, int]
    #: Frames in one pass of a file, or ``None`` for live sources.
    frame_count: int | None = None
    description: str = ""

    def read(self) -> Frame:
        """The next frame; raises :class:`SourceError` if none can be had."""
        raise NotImplementedError

    def close(self) -> None:
        pass


class Pacer:
    """Releases frame ``i`` at ``start + i / fps``, as a camera would; catches up without bursting."""

    def __init__(self, fps: float):
        self.fps = fps
        self.start = time.monotonic()

    def wait(self, index: int) -> float:
        """Sleep until frame ``index`` is due; return its timestamp on the monotonic clock."""
        due = self.start + index / self.fps
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        elif delay < -1.0:  # fell far behind (e.g. the process was suspended): restart the clock
            self.start -= delay
            due = self.start + index / self.fps
        return due


class CameraSource(Source):
    def __init__(self, device: int | str, size: tuple[int, int], fps: float, mjpg: bool = True):
        api = cv2.CAP_V4L2 if sys.platform.startswith("linux") else cv2.CAP_ANY
        self.description = f"camera {device}"
        self.capture = cv2.VideoCapture(device, api)
        if not self.capture.isOpened():
            self.capture.release()
            raise SourceError(
                f"cannot open camera {device}",
                "check that it is plugged in and not used by another app; `haikei devices` lists cameras",
            )
        if mjpg:  # most USB webcams only reach 720p30 and above in MJPG
            self.capture.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter_fourcc(*"MJPG"))
        self.capture.set(cv2.CAP_PROP_FRAME_WIDTH, size[0])
        self.capture.set(cv2.CAP_PROP_FRAME_HEIGHT, size[1])
        self.capture.set(cv2.CAP_PROP_FPS, fps)
        self.capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        self.size = (int(self.capture.get(cv2.CAP_PROP_FRAME_WIDTH)), int(self.capture.get(cv2.CAP_PROP_FRAME_HEIGHT)))
        self.fps = self.capture.get(cv2.CAP_PROP_FPS) or fps
        self._index = 0

    def read(self) -> Frame:
        started = stage_clock()
        ok, image = self.capture.read()
        if not ok or image is None:
            raise SourceError(
                f"{self.description} stopped delivering frames", "check its cable and that no other app took it"
            )
        frame = Frame(image, self._index, time.monotonic(), (stage_clock() - started) * 1e3)
        self._index += 1
        return frame

    def close(self) -> None:
        self.capture.release()


class VideoFileSource(Source):
    """A video file played in a loop; when ``paced``, frames come at the file's frame rate."""

    def __init__(self, path: Path, paced: bool, loop: bool = True):
        check_readable_file(path, "video")
        self.path = path
        self.description = f"video {path.name}"
        self.capture = cv2.VideoCapture(str(path))
        ok, first = self.capture.read() if self.capture.isOpened() else (False, None)
        if not ok or first is None:
            self.capture.release()
            raise SourceError(
                f"cannot decode video {path}", "is it a complete video file in a common format (mp4, mkv, webm, avi)?"
            )
        self.size = (first.shape[1], first.shape[0])
        fps = self.capture.get(cv2.CAP_PROP_FPS)
        self.fps = fps if 0 < fps <= 240 else 30.0
        count = int(self.capture.get(cv2.CAP_PROP_FRAME_COUNT))
        self.frame_count = count if count > 0 else None
        self.loop = loop
        self._pacer = Pacer(self.fps) if paced else None
        self._pending: np.ndarray | None = first
        self._index = 0

    def read(self) -> Frame:
        started = stage_clock()
        if self._pending is not None:
            image, self._pending = self._pending, None
        else:
            ok, image = self.capture.read()
            if not ok:
                if not self.loop or self._index == 0:
                    raise SourceError(f"{self.description} has no more frames")
                self.capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
                ok, image = self.capture.read()
                if not ok:
                    raise SourceError(f"{self.description} cannot be read again from the start")
        decode_ms = (stage_clock() - started) * 1e3
        timestamp = self._pacer.wait(self._index) if self._pacer else self._index / self.fps
        frame = Frame(image, self._index, timestamp, decode_ms)
        self._index += 1
        return frame

    def close(self) -> None:
        self.capture.release()


class ImageSource(Source):
    """A still image, repeated at ``fps`` (paced) or as fast as asked."""

    def __init__(self, path: Path, fps: float, paced: bool):
        self.image = load_image(path)
        self.description = f"image {path.name}"
        self.size = (self.image.shape[1], self.image.shape[0])
        self.fps = fps
        self._pacer = Pacer(fps) if paced else None
        self._index = 0

    def read(self) -> Frame:
        timestamp = self._pacer.wait(self._index) if self._pacer else self._index / self.fps
        frame = Frame(self.image.copy(), self._index, timestamp)
        self._index += 1
        return frame


def check_readable_file(path: Path, what: str) -> None:
    if not path.exists():
        raise SourceError(f"{what} file not found: {path}")
    if not path.is_file():
        raise SourceError(f"{what} path is not a file: {path}")
    if not os.access(path, os.R_OK):
        raise SourceError(f"{what} file is not readable: {path}", "check its permissions")
    if path.stat().st_size == 0:
        raise SourceError(f"{what} file is empty: {path}")


def load_image(path: Path, error: type[Exception] = SourceError) -> np.ndarray:
    """Decode an image file to BGR, refusing missing, corrupt and oversized files clearly."""
    try:
        check_readable_file(path, "image")
    except SourceError as exc:
        raise error(exc.message, exc.fix) from None
    try:
        with warnings.catch_warnings():  # PIL's own bomb warning: our limit below decides
            warnings.simplefilter("ignore", PIL.Image.DecompressionBombWarning)
            with PIL.Image.open(path) as probe:  # reads the header only
                width, height = probe.size
    except (OSError, PIL.Image.DecompressionBombError, ValueError):
        raise error(f"cannot decode image {path}", "is it a complete JPEG, PNG, BMP, WebP or TIFF file?") from None
    if width * height > MAX_IMAGE_PIXELS:
        raise error(
            f"image {path} is too large ({width}x{height} pixels)",
            f"use an image below {MAX_IMAGE_PIXELS // 1_000_000} megapixels",
        )
    data = np.fromfile(str(path), np.uint8)
    image = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if image is None:
        raise error(f"cannot decode image {path}", "is it a complete JPEG, PNG, BMP, WebP or TIFF file?")
    return image


def camera_device(spec: str) -> int | str | None:
    """The camera a spec names (an index or a device path), or ``None`` if it names a file."""
    if spec.isdigit():
        return int(spec)
    if spec.startswith("/dev/video"):
        return spec
    return None


def open_source(spec: str, size: tuple[int, int], fps: float, paced: bool) -> Source:
    device = camera_device(spec)
    if device is not None:
        return CameraSource(device, size, fps)
    path = Path(spec).expanduser()
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return ImageSource(path, fps, paced)
    return VideoFileSource(path, paced)
