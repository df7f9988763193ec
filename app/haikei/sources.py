"""Frame sources: a camera (index or device path), a video file (looped), or a still image.

``open_source(spec, ...)`` picks the kind from the spec: a number or ``/dev/video*`` is a camera,
an image file is a still, anything else is a video file. Every source yields BGR uint8 frames.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import cv2
import numpy as np

from haikei.errors import MediaError, SourceError
from haikei.frames import Frame
from haikei.frames.files import IMAGE_SUFFIXES, LoopingVideo, load_image
from haikei.stats import stage_clock


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
        try:
            self.video = LoopingVideo(path, "video")
        except MediaError as exc:
            raise SourceError(exc.message, exc.fix) from None
        self.path = path
        self.description = f"video {path.name}"
        self.size, self.fps, self.frame_count = self.video.size, self.video.fps, self.video.frame_count
        self.loop = loop
        self._pacer = Pacer(self.fps) if paced else None
        self._pending: np.ndarray | None = self.video.first
        self._index = 0

    def read(self) -> Frame:
        started = stage_clock()
        if self._pending is not None:
            image, self._pending = self._pending, None
        else:
            image = self.video.read()
            if image is None:
                if not self.loop or self._index == 0:
                    raise SourceError(f"{self.description} has no more frames")
                image = self.video.rewind()
                if image is None:
                    raise SourceError(f"{self.description} cannot be read again from the start")
        decode_ms = (stage_clock() - started) * 1e3
        timestamp = self._pacer.wait(self._index) if self._pacer else self._index / self.fps
        frame = Frame(image, self._index, timestamp, decode_ms)
        self._index += 1
        return frame

    def close(self) -> None:
        self.video.close()


class ImageSource(Source):
    """A still image, repeated at ``fps`` (paced) or as fast as asked."""

    def __init__(self, path: Path, fps: float, paced: bool):
        try:
            self.image = load_image(path)
        except MediaError as exc:
            raise SourceError(exc.message, exc.fix) from None
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
