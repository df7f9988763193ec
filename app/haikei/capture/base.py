"""What every frame source is."""

from __future__ import annotations

from haikei.errors import HaikeiError
from haikei.frames import Frame


class Source:
    """A camera or a file that yields BGR uint8 :class:`Frame` s (see :func:`haikei.capture.open_source`)."""

    fps: float
    size: tuple[int, int]
    #: Frames in one pass of a file, or ``None`` for live sources.
    frame_count: int | None = None
    description: str = ""
    #: A problem that does not stop the source (a video that ends short of its length and plays
    #: again), for the engine to report once; it sets this back to ``None``.
    warning: HaikeiError | None = None

    def read(self) -> Frame:
        """The next frame; raises :class:`SourceError` if none can be had."""
        raise NotImplementedError

    def close(self) -> None:
        pass
