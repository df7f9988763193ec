"""Idle when nobody watches: pause the engine (camera released, no inference) while no app reads
the virtual camera, and resume as soon as one does.

A :class:`~haikei.outputs.base.ReaderWatcher` says whether some other program reads an output and
calls back when that changes; a sink offers one through ``reader_watcher()`` (``None``: cannot tell,
never idle). :class:`IdleController` ties the engine's current sink to its watcher and pauses/resumes
the engine, and tells the engine which apps its watcher sees reading (``Engine.output_status``).
The caller (the run command, the GUI) starts one beside the engine it started.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol

from haikei.live.status import PauseReason
from haikei.outputs.base import ReaderWatcher, Sink
from haikei.settings import Settings

#: Pause only after nobody has read for this long: apps open the device briefly to list cameras.
IDLE_AFTER_S = 2.0


class Pausable(Protocol):
    """What idling needs of an engine (:class:`haikei.live.engine.Engine` is one)."""

    #: The output frames go to now (read on every tick: it may be replaced).
    sink: Sink | None

    @property
    def settings(self) -> Settings: ...

    @property
    def pause_reason(self) -> PauseReason | None: ...

    def pause(self, reason: PauseReason) -> None: ...

    def resume(self) -> None: ...

    def set_readers(self, readers: tuple[str, ...]) -> None: ...


class IdleController:
    """Pauses ``engine`` while the watcher of its current sink sees no reader for ``idle_after`` s.

    Re-evaluates when the watcher reports (a reader appeared: resume at once) and every
    ``tick`` seconds (the engine's sink or the ``idle_when_unwatched`` setting changed). It never
    resumes a pause it did not make (the user's pause button).
    """

    def __init__(self, engine: Pausable, idle_after: float | None = None, tick: float = 0.25):
        self.engine = engine
        self.idle_after = IDLE_AFTER_S if idle_after is None else idle_after
        self.tick = tick
        self.watcher: ReaderWatcher | None = None
        self.idle = False
        self._local_viewer = False
        self._watched_sink = None
        self._unwatched_since: float | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="haikei-idle", daemon=True)

    def start(self) -> IdleController:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(2.0)
        self._watch(None)

    def set_local_viewer(self, present: bool) -> None:
        """Someone watches in Haikei itself (the GUI's visible preview): stay awake meanwhile."""
        self._local_viewer = present
        self._wake.set()

    def _watch(self, sink: Sink | None) -> None:
        if self.watcher is not None:
            self.watcher.stop()
            self.watcher = None
        self._watched_sink = sink
        self._unwatched_since = None
        if sink is not None:
            self.watcher = sink.reader_watcher()
            if self.watcher is not None:
                self.watcher.start(self._wake.set)

    def _run(self) -> None:
        while not self._stop.is_set():
            sink = self.engine.sink
            sink = sink.attached() if sink is not None else None  # a reconnecting sink's device, once there
            if sink is not self._watched_sink:
                self._watch(sink)
            self._evaluate()
            self._wake.wait(self.tick)
            self._wake.clear()

    def _evaluate(self) -> None:
        self.engine.set_readers(self.watcher.readers if self.watcher is not None else ())
        enabled = self.engine.settings.idle_when_unwatched and self.watcher is not None
        if not enabled or self.watcher.reader_present or self._local_viewer:
            self._unwatched_since = None
            self._set_idle(False)
            return
        now = time.monotonic()
        if self._unwatched_since is None:
            self._unwatched_since = now
        if now - self._unwatched_since >= self.idle_after:
            self._set_idle(True)

    def _set_idle(self, idle: bool) -> None:
        if idle == self.idle:
            return
        if idle:
            if self.engine.pause_reason is not None:  # paused by the user (or measuring): leave it to them
                return
            self.engine.pause(PauseReason.IDLE)
        elif self.engine.pause_reason is PauseReason.IDLE:
            self.engine.resume()
        self.idle = idle
