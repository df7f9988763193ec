"""A camera, by index or device path, through OpenCV (V4L2 on Linux)."""

from __future__ import annotations

import sys
import time

import cv2

from haikei.capture.base import Source
from haikei.errors import SourceError
from haikei.frames import Frame
from haikei.stats import stage_clock


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
