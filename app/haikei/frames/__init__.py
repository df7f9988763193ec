"""The data every stage passes on: a :class:`Frame` off the source, the pixel formats pictures are
made in, and (in its modules) the I420 and fitting helpers, the frame :class:`~haikei.frames.pyramid.Pyramid`
and the one table of media files."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: The pixel formats pictures are made in: BGR (OpenCV's), or I420 for an output whose native format it is.
BGR, I420 = "BGR", "I420"


@dataclass(frozen=True)
class Frame:
    """A picture off the source (or a status frame in its place), with when and how it came."""

    image: np.ndarray
    #: Index of the frame since the source opened.
    index: int
    #: Capture time (``time.monotonic()``) for cameras; presentation time for files.
    timestamp: float
    #: Time spent obtaining the frame (decode, device read), excluding pacing waits.
    capture_ms: float = 0.0
    #: When the frame came off the source (``time.monotonic()``); the engine's latency counts from here.
    arrived: float = 0.0
    #: The output size (w, h) ``image`` is to be fitted to, when not its own: the stages then make
    #: only the copies of it they need (:class:`haikei.frames.pyramid.Pyramid`), not the fitted frame.
    size: tuple[int, int] | None = None
    #: For a status frame (no camera picture: paused, reconnecting), the message it shows; ``None`` for
    #: a picture. A status frame is sent as it is, never segmented.
    status: str | None = None
    #: How long a video file's frame shows, in s (its presentation time is :attr:`timestamp`); 0 for live frames.
    duration: float = 0.0

    @property
    def output_size(self) -> tuple[int, int]:
        return self.size if self.size is not None else (self.image.shape[1], self.image.shape[0])
