"""A camera, by index or device path, through OpenCV (V4L2 on Linux).

An MJPG camera on V4L2 hands its JPEG frames over undecoded (``CAP_PROP_CONVERT_RGB`` off: OpenCV
then copies the buffer instead of decoding it with its ``imdecode``), and they are decoded here by
libjpeg-turbo (:func:`haikei.frames.jpeg.decode_jpeg`), about 10 % less CPU for the same pixels.
Where the first frame is no whole JPEG (a YUYV-only camera, a backend that decodes anyway), OpenCV
converts as before: for YUYV its SIMD conversion is already the cheapest way to the frame.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import cv2
import numpy as np

from haikei.capture.base import Source
from haikei.capture.mjpeg import next_picture
from haikei.errors import SourceError
from haikei.frames import Frame
from haikei.frames.jpeg import decode_jpeg, is_jpeg
from haikei.stats import stage_clock

STOPPED_FIX = "check its cable and that no other app took it"


class CameraSource(Source):
    def __init__(
        self,
        device: int | str,
        size: tuple[int, int],
        fps: float,
        mjpg: bool = True,
        open_capture: Callable[[int | str, int], cv2.VideoCapture] = cv2.VideoCapture,
    ):
        """``open_capture`` opens the device (OpenCV's ``VideoCapture``; a stand-in for tests)."""
        linux = sys.platform.startswith("linux")
        self.description = f"camera {device}"
        self.capture = open_capture(device, cv2.CAP_V4L2 if linux else cv2.CAP_ANY)
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
        #: Whether frames come as undecoded JPEGs, decoded here.
        self.raw_mjpg = False
        self._pending: np.ndarray | None = None
        #: The output size the pictures are for: a camera sending more than twice that is DCT-scaled.
        self.fit = size
        if mjpg and linux:  # other backends: only verified with a camera, so OpenCV decodes there
            self._take_raw_mjpg()

    def _take_raw_mjpg(self) -> None:
        """Turn OpenCV's decoding off and keep it off if the first frame is a whole JPEG; else on again."""
        if not self.capture.set(cv2.CAP_PROP_CONVERT_RGB, 0):
            return
        ok, first = self.capture.read()
        if ok and first is not None and first.ndim == 2 and first.shape[0] == 1 and is_jpeg(first):
            self.raw_mjpg = True
            self.description += " (MJPG decoded by libjpeg-turbo)"
            picture = decode_jpeg(first, self.fit)
            self._pending = picture if picture is not None else next_picture(self._read_raw, self.description, self.fit)
        else:
            self.capture.set(cv2.CAP_PROP_CONVERT_RGB, 1)

    def _read_raw(self) -> np.ndarray | None:
        ok, packet = self.capture.read()
        return packet if ok and packet is not None else None

    def _read_picture(self) -> np.ndarray | None:
        if self._pending is not None:
            picture, self._pending = self._pending, None
            return picture
        if self.raw_mjpg:
            return next_picture(self._read_raw, self.description, self.fit)
        ok, image = self.capture.read()
        return image if ok else None

    def read(self) -> Frame:
        started = stage_clock()
        image = self._read_picture()
        if image is None:
            raise SourceError(f"{self.description} stopped delivering frames", STOPPED_FIX)
        frame = Frame(image, self._index, time.monotonic(), (stage_clock() - started) * 1e3)
        self._index += 1
        return frame

    def close(self) -> None:
        self.capture.release()
