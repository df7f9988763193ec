"""Stage 1, capture: frame sources. ``open_source(spec, ...)`` picks the kind from the spec: a number
or ``/dev/video*`` is a camera, an image file is a still, anything else is a video file (looped;
an MJPG one decoded as a webcam's frames are, :mod:`haikei.capture.mjpeg`). Every source yields BGR
uint8 frames."""

from __future__ import annotations

from pathlib import Path

from haikei.capture.base import Source
from haikei.capture.camera import CameraSource
from haikei.capture.files import ImageSource, VideoFileSource
from haikei.capture.mjpeg import MjpegFileSource, is_mjpeg_file
from haikei.errors import SourceError
from haikei.frames.files import IMAGE_SUFFIXES

__all__ = ["Source", "camera_device", "open_source"]

#: OpenCV reads an index of 100 or more as a backend number plus an index.
MAX_CAMERA_INDEX = 99


def camera_device(spec: str) -> int | str | None:
    """The camera a spec names (an index or a device path), or ``None`` if it names a file."""
    if spec.isdigit():
        return int(spec)
    if spec.startswith("/dev/video"):
        return spec
    return None


def open_source(spec: str, size: tuple[int, int], fps: float, paced: bool) -> Source:
    device = camera_device(spec)
    if isinstance(device, int) and device > MAX_CAMERA_INDEX:
        raise SourceError(
            f"camera index {spec[:12]}{'…' if len(spec) > 12 else ''} is out of range (0 to {MAX_CAMERA_INDEX})",
            "name the camera as /dev/videoN, or see `haikei devices`",
        )
    if device is not None:
        return CameraSource(device, size, fps)
    path = Path(spec).expanduser()
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return ImageSource(path, fps, paced)
    if is_mjpeg_file(path):
        return MjpegFileSource(path, paced, fit=size)
    return VideoFileSource(path, paced)
