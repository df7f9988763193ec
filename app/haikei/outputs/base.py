"""What every output is: the :class:`Sink` contract, the :class:`ReaderWatcher` that tells whether
another program reads an output, and :class:`ReconnectingSink` for an output that may be missing."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import numpy as np

from haikei.errors import OutputError
from haikei.frames import BGR, I420
from haikei.frames.i420 import from_i420


class Sink:
    """An output: where the composed frames go.

    The contract, for every sink (a new one is registered in :data:`haikei.outputs.SINKS`):

    - :meth:`from_spec` opens it from the ``--output`` spec, or raises :class:`OutputError` saying what
      is missing and how to get it (never another exception).
    - :meth:`send` takes frame-sized BGR uint8 frames (HxWx3) and, when :attr:`pixel_format` is I420,
      also 2-D I420 frames composed in that format (the pipeline then converts nothing for it). It is
      called from one thread at a time; an error while sending is an :class:`OutputError`.
    - :meth:`reader_watcher` says how to know whether another program reads the output (for the idle
      pause) and which apps they are, or ``None`` if that cannot be known (then Haikei never idles on it).
    - :attr:`negotiated`: where the reader picks the size and rate (a PipeWire camera's modes), the
      mode it picked; the engine then renders at it, and never reopens the sink to follow it.
    - :meth:`close` is called exactly once, after the last :meth:`send`.
    """

    #: What the output is, for the user ("virtual camera /dev/video4 (v4l2loopback, I420)").
    description = ""
    #: The format :meth:`send` takes besides BGR: a camera's native one (I420), so that the picture can
    #: be composed in it (:meth:`haikei.pipeline.FrameProcessor.compose`) rather than converted here.
    pixel_format = BGR

    @classmethod
    def from_spec(cls, arg: str, size: tuple[int, int], fps: float) -> Sink:
        """The sink for ``--output KIND:ARG`` (``arg`` is "" for a bare ``KIND``), at ``size`` (w, h) and ``fps``."""
        raise NotImplementedError

    def send(self, frame: np.ndarray) -> None:
        """Output ``frame``: BGR (HxWx3), or a 2-D frame already in :attr:`pixel_format` (I420)."""
        raise NotImplementedError

    def reader_watcher(self) -> ReaderWatcher | None:
        """A new, unstarted watcher of this output's readers; ``None`` where they cannot be known."""
        return None

    @property
    def negotiated(self) -> tuple[int, int, int] | None:
        """For an output whose reader picks the mode (a PipeWire camera): the (width, height, fps) it
        picked, which the engine then renders at; ``None`` while none is picked, and for other outputs."""
        return None

    def attached(self) -> Sink | None:
        """The sink frames reach now: this one, or for a wrapper the one it wraps (``None`` while detached)."""
        return self

    def close(self) -> None:
        pass


class ReaderWatcher:
    """Whether another program reads an output; ``on_change`` is called from a watcher thread."""

    def __init__(self) -> None:
        self.on_change: Callable[[], None] = lambda: None
        self.reader_present = False
        #: The apps reading, by name, where the output can tell (:mod:`haikei.outputs.readers`).
        self.readers: tuple[str, ...] = ()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, on_change: Callable[[], None]) -> ReaderWatcher:
        self.on_change = on_change
        self._thread = threading.Thread(target=self._guarded, name=f"haikei-{type(self).__name__}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2.0)

    def _set(self, present: bool, readers: tuple[str, ...] = ()) -> None:
        if present != self.reader_present or readers != self.readers:
            self.reader_present, self.readers = present, readers
            self.on_change()

    def _guarded(self) -> None:
        try:
            self._run()
        finally:
            if not self._stop.is_set():  # cannot watch (any more): assume someone watches, never idle
                self._set(True)

    def _run(self) -> None:
        """Watch until stopped; returning early means the readers cannot be known."""
        raise NotImplementedError


class ReconnectingSink(Sink):
    """Wraps a sink that may be missing (no virtual camera yet, device busy): frames are dropped
    while it is, and it is reopened every ``retry_every`` seconds until it attaches.

    ``problem`` holds the error that keeps it detached (``None`` once attached), for the GUI.
    """

    def __init__(
        self,
        open_sink: Callable[[], Sink],
        retry_every: float = 2.0,
        on_change: Callable[[OutputError | None], None] | None = None,
    ):
        self._open = open_sink
        self.retry_every = retry_every
        self._on_change = on_change or (lambda problem: None)
        self.inner: Sink | None = None
        self.problem: OutputError | None = None
        self._next_try = 0.0
        self._attach()

    def _attach(self) -> None:
        try:
            self.inner = self._open()
        except OutputError as exc:
            changed = self.problem is None or str(self.problem) != str(exc)
            self.problem = exc
            self._next_try = time.monotonic() + self.retry_every
            if changed:
                self._on_change(exc)
        else:
            self.problem = None
            self._on_change(None)

    @property
    def description(self) -> str:
        return self.inner.description if self.inner else f"waiting for output: {self.problem}"

    @property
    def pixel_format(self) -> str:
        return self.inner.pixel_format if self.inner else BGR

    def attached(self) -> Sink | None:
        return self.inner

    @property
    def negotiated(self) -> tuple[int, int, int] | None:
        return self.inner.negotiated if self.inner else None

    def send(self, frame: np.ndarray) -> None:
        if self.inner is None:
            if time.monotonic() < self._next_try:
                return
            self._attach()
            if self.inner is None:
                return
        if frame.ndim == 2 and self.inner.pixel_format != I420:  # composed for the sink before a reconnect
            frame = from_i420(frame)
        self.inner.send(frame)

    def close(self) -> None:
        if self.inner is not None:
            self.inner.close()
            self.inner = None
