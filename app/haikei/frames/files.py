"""Image and video files: the one table of the media Haikei reads and writes, the checks every file
gets before it is opened, and the readers that capture and the backgrounds share.

Problems are a neutral :class:`~haikei.errors.MediaError`; each stage reports it as its own error
(a source's, a background's) once.
"""

from __future__ import annotations

import os
import re
import warnings
from collections import deque
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import PIL.Image

from haikei.errors import MediaError

# OpenCV's own warnings ("can't open camera by index") duplicate our one clear message.
cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)
# FFmpeg inside OpenCV prints "[h264 @ 0x…] error while decoding MB" for every damaged frame; it is
# read when the first file opens (AV_LOG_QUIET). A user's own setting wins.
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")


@dataclass(frozen=True)
class FileFormat:
    """How a video file of one type is written (by :class:`haikei.outputs.file.FileSink`, with PyAV)."""

    #: FFmpeg's muxer, and what the written file holds, for the user ("H.264 + AAC").
    muxer: str
    description: str
    #: The video encoder and its options: measured on the 2-core VM for 720p, fed I420 (docs/performance.md).
    video_codec: str
    video_options: dict[str, str]
    #: The encoder sound is re-encoded with, when the input's codec is not one the container takes as it is.
    audio_codec: str
    #: Input audio codecs copied as they are (``None``: any the muxer accepts).
    audio_copy: frozenset[str] | None
    muxer_options: dict[str, str] = field(default_factory=dict)
    #: The codec cannot encode an odd width or height (4:2:0 H.264): the picture gets its last column or
    #: row repeated.
    even_sides: bool = True


@dataclass(frozen=True)
class Media:
    kind: str  # "image" | "video"
    #: How a video of this type is written (``None``: Haikei reads it but does not write it).
    output: FileFormat | None = None


X264 = {"preset": "veryfast", "crf": "21", "profile": "high"}
VP9 = {"deadline": "realtime", "cpu-used": "8", "crf": "33", "b": "0", "row-mt": "1"}
MP4_COPY = frozenset({"aac", "mp3"})
FASTSTART = {"movflags": "+faststart"}  # the index first: browsers and phones start playing at once
MP4 = FileFormat("mp4", "H.264 + AAC", "libx264", X264, "aac", MP4_COPY, FASTSTART)
MOV_COPY = MP4_COPY | {"alac", "pcm_s16le", "pcm_s16be", "pcm_s24le", "pcm_s24be", "pcm_f32le"}

#: Every file type Haikei reads or writes, by suffix: images (sources, backgrounds, test photos) and
#: videos (sources, backgrounds, the file output: what browsers and phones play).
MEDIA: dict[str, Media] = {
    **{suffix: Media("image") for suffix in (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff")},
    ".mp4": Media("video", MP4),
    ".m4v": Media("video", MP4),
    ".mov": Media("video", FileFormat("mov", "H.264 + AAC", "libx264", X264, "aac", MOV_COPY, FASTSTART)),
    ".mkv": Media("video", FileFormat("matroska", "H.264 + the sound as it was", "libx264", X264, "aac", None)),
    ".webm": Media(
        "video", FileFormat("webm", "VP9 + Opus", "libvpx-vp9", VP9, "libopus", frozenset({"opus", "vorbis"}))
    ),
    ".avi": Media("video"),
}
IMAGE_SUFFIXES = frozenset(suffix for suffix, media in MEDIA.items() if media.kind == "image")
VIDEO_SUFFIXES = frozenset(suffix for suffix, media in MEDIA.items() if media.kind == "video")
#: The video types Haikei writes, in the order messages list them.
OUTPUT_SUFFIXES = tuple(suffix for suffix, media in MEDIA.items() if media.output is not None)


@dataclass
class Timeline:
    """A video file's clock and sound, as its reader found them: what a file output needs to keep the
    frames' times and the audio in sync (``haikei process``). A live recording has none."""

    #: The video stream's time base and frame rate.
    time_base: Fraction
    rate: Fraction
    #: The audio streams (PyAV's) to carry over, and their packets read so far, in file order.
    audio: list[Any] = field(default_factory=list)
    pending_audio: deque[Any] = field(default_factory=deque)
    #: When the earliest stream starts, in s on the file's clock: every time written counts from here.
    origin: Fraction = Fraction(0)


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
    too_large = f"use an image below {MAX_IMAGE_PIXELS // 1_000_000} megapixels"
    try:
        with warnings.catch_warnings():  # PIL's own bomb warning: our limit below decides
            warnings.simplefilter("ignore", PIL.Image.DecompressionBombWarning)
            with PIL.Image.open(path) as probe:  # reads the header only
                width, height = probe.size
    except PIL.Image.DecompressionBombError as exc:  # a valid header, over twice PIL's own limit
        pixels = re.search(r"\((\d+) pixels\)", str(exc))
        size = f"{int(pixels[1]):,} pixels" if pixels else "pixels"
        raise MediaError(f"image {path} is too large ({size})", too_large) from None
    except (OSError, ValueError):
        raise MediaError(f"cannot decode image {path}", IMAGE_FIX) from None
    if width * height > MAX_IMAGE_PIXELS:
        raise MediaError(f"image {path} is too large ({width}x{height} pixels)", too_large)
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
