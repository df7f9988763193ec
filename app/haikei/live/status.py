"""Why there is no picture: the reasons the engine pauses, and the dark status frames it sends then,
so that the call shows a message instead of a frozen or missing camera."""

from __future__ import annotations

import time
from enum import Enum

import cv2
import numpy as np

from haikei.frames import Frame


class PauseReason(Enum):
    """Why the engine paused (the camera released, no inference); the value is what its frame says."""

    #: The user's pause button (window, tray): only the user resumes it.
    USER = "Camera paused in Haikei"
    #: No app reads the output (:class:`haikei.live.idle.IdleController`).
    IDLE = "No app is using the camera"
    #: The automatic preset is being measured (:func:`haikei.measure.autopreset.auto_preset`).
    MEASURING = "Measuring this computer for the best preset..."

    @property
    def message(self) -> str:
        return self.value


#: What the output shows while the source is being reopened.
RECONNECTING = "Reconnecting..."
#: What the output shows while a stage fails: never the raw camera picture.
EFFECT_ERROR = "Effect error, see Haikei"


def status_frame(size: tuple[int, int], message: str, timestamp: float | None = None) -> Frame:
    """A :func:`paused_frame` as a frame from the capture thread (its :attr:`Frame.status` set: shown as is)."""
    return Frame(paused_frame(size, message), 0, time.monotonic() if timestamp is None else timestamp, status=message)


def paused_frame(size: tuple[int, int], message: str) -> np.ndarray:
    """A dark frame saying why there is no picture, so the call shows a message, not a freeze."""
    w, h = size
    image = np.full((h, w, 3), 40, np.uint8)
    scale = max(0.5, h / 720)
    for i, line in enumerate(("Camera paused", message)):
        font_scale = scale * (1.4 if i == 0 else 0.7)
        (tw, th), _ = cv2.getTextSize(line, cv2.FONT_HERSHEY_SIMPLEX, font_scale, 2)
        y = h // 2 + int(i * 60 * scale)
        cv2.putText(
            image, line, ((w - tw) // 2, y), cv2.FONT_HERSHEY_SIMPLEX, font_scale, (230, 230, 230), 2, cv2.LINE_AA
        )
    return image
