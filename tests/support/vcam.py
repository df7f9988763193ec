"""A pyvirtualcam backend that keeps every frame it is sent: pyvirtualcam's own registry is the seam."""

from __future__ import annotations

import numpy as np


class RecordingBackend:
    """A pyvirtualcam backend that keeps every frame it is sent."""

    native = None
    last = None

    def __init__(self, *, width, height, fps, fourcc, device, **kw):
        self.width, self.height, self.fourcc = width, height, fourcc
        self.frames: list[np.ndarray] = []
        self.closed = False
        RecordingBackend.last = self

    def send(self, frame):
        self.frames.append(np.array(frame, copy=True))

    def close(self):
        self.closed = True

    def device(self):
        return "Recording Camera"

    def native_fourcc(self):
        return self.native
