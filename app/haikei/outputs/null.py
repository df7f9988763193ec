"""No output at all."""

from __future__ import annotations

import numpy as np

from haikei.frames import I420
from haikei.outputs.base import Sink


class NullSink(Sink):
    """Drops every frame. Takes I420 like a virtual camera, so that a bench with no output still
    times the picture in the format a camera would get."""

    description = "no output"
    pixel_format = I420

    @classmethod
    def from_spec(cls, arg: str, size: tuple[int, int], fps: float) -> NullSink:
        return cls()

    def send(self, frame: np.ndarray) -> None:
        pass
