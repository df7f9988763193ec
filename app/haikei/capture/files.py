"""Files as sources: a video (looped, or once), a still image repeated; paced like a camera, or as
fast as they are read."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from haikei.capture.base import Source
from haikei.errors import MediaError, SourceError
from haikei.frames import Frame
from haikei.frames.files import LoopingVideo, load_image
from haikei.stats import stage_clock


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
        self._in_pass = 1  # frames of this pass read (the first, decoded on opening)
        self._told_short = False

    def read(self) -> Frame:
        started = stage_clock()
        if self._pending is not None:
            image, self._pending = self._pending, None
        else:
            image = self.video.read()
            self._in_pass += image is not None
            if image is None:
                if not self.loop or self._index == 0:
                    raise SourceError(f"{self.description} has no more frames")
                self._check_pass()
                image = self.video.rewind()
                self._in_pass = 1
                if image is None:
                    raise SourceError(f"{self.description} cannot be read again from the start")
        decode_ms = (stage_clock() - started) * 1e3
        timestamp = self._pacer.wait(self._index) if self._pacer else self._index / self.fps
        frame = Frame(image, self._index, timestamp, decode_ms)
        self._index += 1
        return frame

    def _check_pass(self) -> None:
        """A pass that ended well short of the length the file gives was cut by damage, not by the
        end of the file: said once (OpenCV estimates some formats' lengths, hence the margin)."""
        count = self.frame_count
        if count and not self._told_short and self._in_pass < count * 0.95 - 3:
            self._told_short = True
            self.warning = SourceError(
                f"{self.description} ended after {self._in_pass} of {count} frames (the file is cut short or "
                "damaged); it plays from the start again"
            )

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
