"""MJPG sources: each frame a JPEG, decoded on the capture thread (:func:`haikei.frames.jpeg.decode_jpeg`).

* :class:`MjpegFileSource`: an MJPG video file (AVI, MKV, MOV), its JPEG packets read undecoded by
  OpenCV's FFmpeg backend (``CAP_PROP_FORMAT`` −1), so a file is decoded as a webcam's frames are.
* :class:`JpegPacketSource`: JPEG frames held in memory, looped: ``haikei bench --mjpeg`` plays a
  clip re-encoded as a webcam sends it (:func:`webcam_clip`), to measure the camera path without a camera.

A frame that cannot be decoded (a camera's torn frame, a damaged packet) is skipped; only
:data:`MAX_BAD_FRAMES` in a row stop the source.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from haikei.capture.base import Source
from haikei.capture.files import Pacer
from haikei.errors import MediaError, SourceError
from haikei.frames import Frame
from haikei.frames.files import VIDEO_FIX, check_readable_file
from haikei.frames.fit import cover_fit
from haikei.frames.jpeg import decode_jpeg, encode_jpeg, is_jpeg
from haikei.stats import stage_clock

#: Undecodable frames in a row after which a source gives up.
MAX_BAD_FRAMES = 30
#: FourCCs whose packets are whole JPEG pictures.
MJPG_FOURCCS = frozenset({"MJPG", "JPEG"})


def fourcc_text(code: float) -> str:
    """A FourCC as OpenCV reports it (a number) in letters."""
    return int(code).to_bytes(4, "little").decode("latin-1")


def next_picture(
    read_packet: Callable[[], np.ndarray | None], what: str, fit: tuple[int, int] | None = None
) -> np.ndarray | None:
    """The next decodable picture from ``read_packet`` (``None`` at the end), skipping bad packets;
    DCT-scaled for an output of size ``fit`` where that is enough (:func:`decode_jpeg`)."""
    for _ in range(MAX_BAD_FRAMES):
        packet = read_packet()
        if packet is None:
            return None
        picture = decode_jpeg(packet, fit) if is_jpeg(packet) else None
        if picture is not None:
            return picture
    raise SourceError(f"{what} sends frames that cannot be decoded", "check it with another app")


class MjpegFileSource(Source):
    """An MJPG video file, looped (or once), paced like a camera or as fast as it is read; its
    pictures DCT-scaled for an output of size ``fit`` where that is enough."""

    def __init__(self, path: Path, paced: bool, loop: bool = True, fit: tuple[int, int] | None = None):
        readable(path)
        self.fit = fit
        self.path = path
        self.description = f"video {path.name} (MJPG)"
        self.capture = open_raw_mjpeg(path)
        if self.capture is None:
            raise SourceError(f"cannot decode video {path} as MJPG", VIDEO_FIX)
        first = next_picture(self._read_packet, self.description, fit)
        if first is None:
            self.capture.release()
            raise SourceError(f"cannot decode video {path}", VIDEO_FIX)
        self.size = (first.shape[1], first.shape[0])
        fps = self.capture.get(cv2.CAP_PROP_FPS)
        self.fps = fps if 0 < fps <= 240 else 30.0
        count = int(self.capture.get(cv2.CAP_PROP_FRAME_COUNT))
        self.frame_count = count if count > 0 else None
        self.loop = loop
        self._pending: np.ndarray | None = first
        self._pacer = Pacer(self.fps) if paced else None
        self._index = 0

    def _read_packet(self) -> np.ndarray | None:
        ok, packet = self.capture.read()
        return packet if ok and packet is not None else None

    def read(self) -> Frame:
        started = stage_clock()
        if self._pending is not None:
            picture, self._pending = self._pending, None
        else:
            picture = next_picture(self._read_packet, self.description, self.fit)
            if picture is None:
                if not self.loop:
                    raise SourceError(f"{self.description} has no more frames")
                self.capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
                picture = next_picture(self._read_packet, self.description, self.fit)
                if picture is None:
                    raise SourceError(f"{self.description} cannot be read again from the start")
        capture_ms = (stage_clock() - started) * 1e3
        timestamp = self._pacer.wait(self._index) if self._pacer else self._index / self.fps
        frame = Frame(picture, self._index, timestamp, capture_ms)
        self._index += 1
        return frame

    def close(self) -> None:
        self.capture.release()


def readable(path: Path) -> None:
    try:
        check_readable_file(path, "video")
    except MediaError as exc:
        raise SourceError(exc.message, exc.fix) from None


def open_raw_mjpeg(path: Path) -> cv2.VideoCapture | None:
    """``path`` opened to hand out its JPEG packets undecoded, or ``None`` if it is no MJPG file."""
    capture = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
    if (
        capture.isOpened()
        and fourcc_text(capture.get(cv2.CAP_PROP_FOURCC)).upper() in MJPG_FOURCCS
        and capture.set(cv2.CAP_PROP_FORMAT, -1)
    ):
        return capture
    capture.release()
    return None


def is_mjpeg_file(path: Path) -> bool:
    """Whether ``path`` is a video file whose frames are JPEG pictures."""
    capture = open_raw_mjpeg(path)
    if capture is None:
        return False
    ok, packet = capture.read()
    capture.release()
    return bool(ok) and packet is not None and is_jpeg(packet)


class JpegPacketSource(Source):
    """JPEG frames held in memory, played in a loop at ``fps`` (paced) or as fast as asked."""

    def __init__(self, packets: list[bytes], fps: float, paced: bool, description: str = "MJPG in memory"):
        if not packets:
            raise SourceError(f"{description} has no frames")
        self.packets = [np.frombuffer(packet, np.uint8) for packet in packets]
        self.description = description
        self.fps = fps
        self.frame_count = len(self.packets)
        self._pacer = Pacer(fps) if paced else None
        self._index = 0
        self._next = 0
        first = decode_jpeg(self.packets[0])
        if first is None:
            raise SourceError(f"{description} cannot be decoded")
        self.size = (first.shape[1], first.shape[0])

    def _read_packet(self) -> np.ndarray:
        packet = self.packets[self._next]
        self._next = (self._next + 1) % len(self.packets)
        return packet

    def read(self) -> Frame:
        started = stage_clock()
        picture = next_picture(self._read_packet, self.description)
        capture_ms = (stage_clock() - started) * 1e3
        timestamp = self._pacer.wait(self._index) if self._pacer else self._index / self.fps
        frame = Frame(picture, self._index, timestamp, capture_ms)
        self._index += 1
        return frame


def webcam_clip(path: Path, size: tuple[int, int], frames: int) -> tuple[list[bytes], float]:
    """Up to ``frames`` frames of the video at ``path``, fitted to ``size`` (w, h) and encoded as a
    webcam sends them in MJPG (:func:`haikei.frames.jpeg.encode_jpeg`), and the video's frame rate."""
    readable(path)
    capture = cv2.VideoCapture(str(path))
    packets: list[bytes] = []
    try:
        fps = capture.get(cv2.CAP_PROP_FPS)
        while len(packets) < frames:
            ok, image = capture.read()
            if not ok or image is None:
                break
            packets.append(encode_jpeg(cover_fit(image, size)))
    finally:
        capture.release()
    if not packets:
        raise SourceError(f"cannot decode video {path}", VIDEO_FIX)
    return packets, fps if 0 < fps <= 240 else 30.0
