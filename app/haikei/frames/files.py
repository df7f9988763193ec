"""Image and video files: the one table of the media Haikei reads and writes, the checks every file
gets before it is opened, and the readers that capture and the backgrounds share.

Problems are a neutral :class:`~haikei.errors.MediaError`; each stage reports it as its own error
(a source's, a background's) once.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import PIL.Image

from haikei.errors import MediaError

# OpenCV's own warnings ("can't open camera by index") duplicate our one clear message.
cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)


@dataclass(frozen=True)
class Media:
    kind: str  # "image" | "video"
    #: The FourCC a video of this type is written with (``None``: not written).
    writer_fourcc: str | None = None


#: Every file type Haikei reads or writes, by suffix: images (sources, backgrounds, test photos) and
#: videos (sources, backgrounds, the file output).
MEDIA: dict[str, Media] = {
    **{suffix: Media("image") for suffix in (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff")},
    ".mp4": Media("video", "mp4v"),
    ".m4v": Media("video", "mp4v"),
    ".mov": Media("video", "mp4v"),
    ".avi": Media("video", "MJPG"),
    ".mkv": Media("video", "FFV1"),
    ".webm": Media("video", "VP80"),
}
IMAGE_SUFFIXES = frozenset(suffix for suffix, media in MEDIA.items() if media.kind == "image")
VIDEO_SUFFIXES = frozenset(suffix for suffix, media in MEDIA.items() if media.kind == "video")

#: Back-off between attempts to reopen a camera or file that failed: first, then doubling up to the last.
RETRY_DELAYS = (0.25, 0.5, 1.0)
#: Refuse images larger than this many pixels instead of exhausting memory decoding them.
MAX_IMAGE_PIXELS = 50_000_000
IMAGE_FIX = "is it a complete JPEG, PNG, BMP, WebP or TIFF file?"
VIDEO_FIX = "is it a complete video file in a common format (mp4, mkv, webm, avi)?"


def check_readable_file(path: Path, what: str) -> None:
    """Refuse a ``what`` file (``"image"``, ``"background video"``…) that is missing, not a file,
    unreadable or empty, with a :class:`MediaError` saying which."""
    if not path.exists():
        raise MediaError(f"{what} file not found: {path}")
    if not path.is_file():
        raise MediaError(f"{what} path is not a file: {path}")
    if not os.access(path, os.R_OK):
        raise MediaError(f"{what} file is not readable: {path}", "check its permissions")
    if path.stat().st_size == 0:
        raise MediaError(f"{what} file is empty: {path}")


def load_image(path: Path) -> np.ndarray:
    """Decode an image file to BGR, refusing missing, corrupt and oversized files clearly."""
    check_readable_file(path, "image")
    try:
        with warnings.catch_warnings():  # PIL's own bomb warning: our limit below decides
            warnings.simplefilter("ignore", PIL.Image.DecompressionBombWarning)
            with PIL.Image.open(path) as probe:  # reads the header only
                width, height = probe.size
    except (OSError, PIL.Image.DecompressionBombError, ValueError):
        raise MediaError(f"cannot decode image {path}", IMAGE_FIX) from None
    if width * height > MAX_IMAGE_PIXELS:
        raise MediaError(
            f"image {path} is too large ({width}x{height} pixels)",
            f"use an image below {MAX_IMAGE_PIXELS // 1_000_000} megapixels",
        )
    data = np.fromfile(str(path), np.uint8)
    image = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if image is None:
        raise MediaError(f"cannot decode image {path}", IMAGE_FIX)
    return image


class LoopingVideo:
    """A video file read frame by frame and from its start again: what a video source and a video
    background share. The first frame is decoded on opening: a file without one is refused."""

    def __init__(self, path: Path, what: str = "video"):
        check_readable_file(path, what)
        self.path = path
        self.capture = cv2.VideoCapture(str(path))
        ok, first = self.capture.read() if self.capture.isOpened() else (False, None)
        if not ok or first is None:
            self.capture.release()
            raise MediaError(f"cannot decode {what} {path}", VIDEO_FIX)
        #: The first frame, decoded on opening.
        self.first: np.ndarray = first
        self.size = (first.shape[1], first.shape[0])
        fps = self.capture.get(cv2.CAP_PROP_FPS)
        self.fps = fps if 0 < fps <= 240 else 30.0
        count = int(self.capture.get(cv2.CAP_PROP_FRAME_COUNT))
        #: Frames in one pass, where the file says.
        self.frame_count = count if count > 0 else None

    def read(self) -> np.ndarray | None:
        """The next frame (BGR), or ``None`` at the end (or where the file can no longer be read)."""
        ok, image = self.capture.read()
        return image if ok else None

    def rewind(self) -> np.ndarray | None:
        """Back to the start: the first frame again, or ``None`` if it cannot be read again."""
        self.capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
        return self.read()

    def reopen(self) -> np.ndarray | None:
        """Open the file afresh (after it broke): its first frame, or ``None`` while it still cannot be read."""
        self.capture.release()
        self.capture = cv2.VideoCapture(str(self.path))
        ok, image = self.capture.read() if self.capture.isOpened() else (False, None)
        return image if ok else None

    def close(self) -> None:
        self.capture.release()
