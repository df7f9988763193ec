"""Idle when nobody watches: pause the engine (camera released, no inference) while no app reads
the virtual camera, and resume as soon as one does.

A :class:`ReaderWatcher` says whether some other program reads an output and calls back when that
changes; a sink offers one through ``reader_watcher()`` (``None``: cannot tell, never idle).
:class:`IdleController` ties the engine's current sink to its watcher and pauses/resumes the engine.
"""

from __future__ import annotations

import ctypes
import json
import os
import select
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from haikei.engine import Engine

#: Pause only after nobody has read for this long: apps open the device briefly to list cameras.
IDLE_AFTER_S = 2.0
IDLE_MESSAGE = "No app is using the camera"

IN_OPEN, IN_CLOSE_WRITE, IN_CLOSE_NOWRITE = 0x20, 0x08, 0x10


class ReaderWatcher:
    """Whether another program reads an output; ``on_change`` is called from a watcher thread."""

    def __init__(self) -> None:
        self.on_change: Callable[[], None] = lambda: None
        self.reader_present = False
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

    def _set(self, present: bool) -> None:
        if present != self.reader_present:
            self.reader_present = present
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


def processes_holding(path: str | os.PathLike, exclude_pid: int | None = None) -> list[int]:
    """Ids of processes with ``path`` open (like ``fuser``), other than ``exclude_pid``.

    Processes we may not inspect are skipped; on a desktop those are other users' services.
    """
    target = os.path.realpath(path)
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == exclude_pid:
            continue
        try:
            fds = os.scandir(f"/proc/{entry.name}/fd")
        except OSError:
            continue
        with fds:
            for fd in fds:
                try:
                    if os.readlink(fd.path) == target:
                        found.append(int(entry.name))
                        break
                except OSError:
                    continue
    return found


class InotifyReaderWatcher(ReaderWatcher):
    """Readers of a v4l2loopback device node (or of a stand-in file, for tests).

    inotify's IN_OPEN / IN_CLOSE wake it up (no polling, as Linux-Fake-Background-Webcam does); the
    readers are then counted in /proc, which leaves out our own process: the writer's own opens of
    the node, and reopening it, are not readers.
    """

    def __init__(self, path: str | os.PathLike, exclude_pid: int | None = None):
        super().__init__()
        self.path = Path(path)
        self.exclude_pid = os.getpid() if exclude_pid is None else exclude_pid

    def readers(self) -> list[int]:
        return processes_holding(self.path, self.exclude_pid)

    def _run(self) -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if fd < 0:
            return
        try:
            if libc.inotify_add_watch(fd, os.fsencode(self.path), IN_OPEN | IN_CLOSE_WRITE | IN_CLOSE_NOWRITE) < 0:
                return
            self._set(bool(self.readers()))
            while not self._stop.is_set():
                ready, _, _ = select.select([fd], [], [], 0.25)
                if not ready:
                    continue
                try:
                    os.read(fd, 65536)  # the events only wake us; /proc has the truth
                except BlockingIOError:
                    continue
                self._set(bool(self.readers()))
        finally:
            os.close(fd)


class PipeWireReaderWatcher(ReaderWatcher):
    """Consumers of our PipeWire node: its state is ``running`` exactly while it is linked to one.

    Follows ``pw-dump --monitor`` (one subprocess, event driven) for the node with our
    ``node.name`` owned by ``pid``.
    """

    def __init__(self, node_name: str, pid: int | None = None, env: dict | None = None):
        super().__init__()
        self.node_name = node_name
        self.pid = os.getpid() if pid is None else pid
        self.env = env
        self._process: subprocess.Popen | None = None

    @staticmethod
    def available() -> bool:
        return shutil.which("pw-dump") is not None

    def stop(self) -> None:
        self._stop.set()
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
        super().stop()
        if self._process is not None:
            try:
                self._process.wait(2.0)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def _run(self) -> None:
        try:
            self._process = subprocess.Popen(
                ["pw-dump", "--monitor", "--no-colors"],
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=self.env,
                text=True,
            )
        except OSError:
            return
        decoder = json.JSONDecoder()
        buffer = ""
        our_clients: set[int] = set()
        nodes: dict[int, tuple[str, int, str]] = {}  # id → (node.name, client.id, state)
        for line in self._process.stdout:
            if self._stop.is_set():
                break
            buffer += line
            try:
                update, end = decoder.raw_decode(buffer.lstrip())
            except json.JSONDecodeError:
                continue  # the array is not complete yet
            buffer = buffer.lstrip()[end:]
            for obj in update:
                info, kind = obj.get("info"), str(obj.get("type", ""))
                if info is None:  # removed
                    nodes.pop(obj.get("id"), None)
                    our_clients.discard(obj.get("id"))
                    continue
                props = info.get("props") or {}
                if kind.endswith(":Client") and props.get("application.process.id") == self.pid:
                    our_clients.add(obj["id"])
                elif kind.endswith(":Node"):
                    name, client, state = nodes.get(obj["id"], ("", -1, ""))
                    nodes[obj["id"]] = (
                        props.get("node.name", name),
                        props.get("client.id", client),
                        info.get("state") or state,
                    )
            self._set(
                any(
                    name == self.node_name and client in our_clients and state == "running"
                    for name, client, state in nodes.values()
                )
            )


class IdleController:
    """Pauses ``engine`` while the watcher of its current sink sees no reader for ``idle_after`` s.

    Re-evaluates when the watcher reports (a reader appeared: resume at once) and every
    ``tick`` seconds (the engine's sink or the ``idle_when_unwatched`` setting changed). It never
    resumes a pause it did not make (the user's pause button).
    """

    def __init__(
        self,
        engine: Engine,
        idle_after: float | None = None,
        tick: float = 0.25,
        on_change: Callable[[bool], None] | None = None,
    ):
        self.engine = engine
        self.idle_after = IDLE_AFTER_S if idle_after is None else idle_after
        self.tick = tick
        self.on_change = on_change or (lambda idle: None)
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

    def _watch(self, sink) -> None:
        if self.watcher is not None:
            self.watcher.stop()
            self.watcher = None
        self._watched_sink = sink
        self._unwatched_since = None
        make = getattr(sink, "reader_watcher", None)
        if make is not None:
            self.watcher = make()
            if self.watcher is not None:
                self.watcher.start(self._wake.set)

    def _run(self) -> None:
        while not self._stop.is_set():
            sink = self.engine.sink
            while hasattr(sink, "inner"):  # a ReconnectingSink's device, once attached
                sink = sink.inner
            if sink is not self._watched_sink:
                self._watch(sink)
            self._evaluate()
            self._wake.wait(self.tick)
            self._wake.clear()

    def _evaluate(self) -> None:
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
            if self.engine.paused:  # paused by the user: leave it to them
                return
            self.engine.pause(IDLE_MESSAGE)
        elif self.engine.pause_message == IDLE_MESSAGE:
            self.engine.resume()
        self.idle = idle
        self.on_change(idle)
