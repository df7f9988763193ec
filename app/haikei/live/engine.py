"""The live engine: capture → segment → refine → compose → output on three worker threads.

The capture thread keeps only the newest frame (stale frames are dropped, never queued); the
segment thread takes it and runs the model and refinement (:meth:`FrameProcessor.segment`); the
output thread composes and sends it (``haikei-process``). Segmenting frame n+1 overlaps composing
frame n: OpenCV, numpy and onnxruntime release the GIL, so two cores are both used.
The caller (CLI or GUI) only starts, stops, pauses, reads stats and swaps :class:`Settings`; it
starts the :class:`~haikei.live.idle.IdleController` too, where the engine should idle unwatched.

Timings per frame (ms): ``capture`` (read/decode, no pacing waits; the stages fit the picture to
the output size),
the stage times, ``total`` (capture + all the work on that frame, excluding waits between threads)
and ``latency`` (from the frame's arrival off the source to the output accepting it, waits included).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import cv2

from haikei.capture import open_source
from haikei.capture.base import Source
from haikei.errors import HaikeiError, OutputError, SourceError
from haikei.frames import BGR, Frame
from haikei.frames.files import RETRY_DELAYS
from haikei.live.status import EFFECT_ERROR, RECONNECTING, PauseReason, status_frame
from haikei.outputs import open_sink
from haikei.outputs.base import ReconnectingSink, Sink
from haikei.pipeline import FrameProcessor, Processed
from haikei.segment.catalog import Catalog
from haikei.settings import OUTPUT_KEYS, SOURCE_KEYS, Settings
from haikei.stats import PipelineStats, stage_clock

#: While paused or reconnecting, the output gets a status frame this often (keeps apps from timing out).
PAUSED_FRAME_INTERVAL = 0.2
#: A frame comes this fraction of a frame interval early at most, at a reader's lower rate (jitter).
FRAME_SLACK = 0.75
#: The output settings a reader's own pick of a mode overrides (:attr:`Engine.output_mode`).
MODE_KEYS = frozenset({"width", "height", "fps"})
#: The same stage failure is reported again at most this often.
REPORT_REPEAT_S = 10.0
#: OpenCV's own worker threads per call. The engine already runs its stages in parallel; OpenCV
#: splitting each call again only adds hand-offs (on 2 cores: same speed, more CPU, worse p99).
OPENCV_THREADS = 1

ErrorHandler = Callable[[HaikeiError], None]


class Slot:
    """A one-item mailbox between two threads. ``put`` replaces an untaken item (counted in
    ``dropped``): the newest frame wins. Call ``wait_empty`` first to hand over without dropping."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._item: object | None = None
        self.dropped = 0

    def put(self, item: object) -> None:
        with self._cond:
            if self._item is not None:
                self.dropped += 1
            self._item = item
            self._cond.notify_all()

    def take(self, timeout: float):
        with self._cond:
            self._cond.wait_for(lambda: self._item is not None, timeout)
            item, self._item = self._item, None
            self._cond.notify_all()
            return item

    def wait_empty(self, stop: threading.Event) -> None:
        """Wait until the item was taken (or ``stop`` is set)."""
        with self._cond:
            while self._item is not None and not stop.is_set():
                self._cond.wait(0.05)


@dataclass(frozen=True)
class OutputStatus:
    """Where the frames go: ``attached`` once the output took them; ``problem`` what keeps a
    reconnecting output (:class:`~haikei.outputs.base.ReconnectingSink`) from attaching; ``readers``
    the apps reading it, where the output can tell (empty: none, or it cannot tell)."""

    attached: bool
    description: str
    problem: OutputError | None = None
    readers: tuple[str, ...] = ()


class Engine:
    def __init__(
        self,
        settings: Settings,
        *,
        sink: Sink | None = None,
        catalog: Catalog | None = None,
        paced: bool = True,
        max_frames: int | None = None,
        wait_for_output: bool = False,
        fall_back_model: bool = False,
        fall_back_background: bool = False,
        on_error: ErrorHandler | None = None,
        on_output: Callable[[Processed, Frame], None] | None = None,
        on_settings: Callable[[Settings], None] | None = None,
        source_opener: Callable[[str, tuple[int, int], float, bool], Source] = open_source,
    ):
        """``on_error`` gets each problem (once, not on every frame); ``on_output`` each frame sent, from
        the output thread; ``on_settings`` the settings in effect whenever the engine keeps other values
        than it was given (a model or background that could not load, a model fallen back to on start).
        ``source_opener`` opens the source as :func:`haikei.capture.open_source` does (the bench's
        camera stand-in replaces it)."""
        self._settings = settings
        self._catalog = catalog
        self._paced = paced
        self._max_frames = max_frames
        self._wait_for_output = wait_for_output
        self._fall_back_model = fall_back_model
        self._fall_back_background = fall_back_background
        self._on_error = on_error or (lambda error: None)
        self._on_output = on_output
        self._on_settings = on_settings or (lambda settings: None)
        self._open_source = source_opener
        self._own_sink = sink is None
        self.sink = sink
        self.stats = PipelineStats()
        self._slot = Slot()  # capture → segment: stale frames dropped
        self._handoff = Slot()  # segment → output: nothing dropped (wait_empty before put)
        #: The settings the output thread should have its sink opened with (set by the segment thread).
        self._output_wanted = settings
        self._stop = threading.Event()
        self._done = threading.Event()
        self._changed = threading.Event()
        self._lock = threading.Lock()
        self.source: Source | None = None
        self.processor: FrameProcessor | None = None
        self.source_error: str | None = None
        self._pause_reason: PauseReason | None = None
        self._readers: tuple[str, ...] = ()
        self._last_failure: tuple[str, float] = ("", 0.0)
        self._threads: list[threading.Thread] = []

    # -- control ---------------------------------------------------------------------------
    def start(self) -> Engine:
        """Open model, background, source and output; errors here raise in the caller's thread."""
        s = self._settings
        cv2.setNumThreads(OPENCV_THREADS)
        self.processor = FrameProcessor(
            s, self._catalog, fall_back=self._fall_back_model, fall_back_background=self._fall_back_background
        )
        kept = self.processor.settings
        if (kept.model, kept.background) != (s.model, s.background):
            s = self._settings = s.replace(model=kept.model, background=kept.background)
            self._tell(self._on_settings, s)
        try:
            self.source = self._open_source(s.source, (s.width, s.height), s.fps, self._paced)
            if self.sink is None:
                self.sink = self._open_output(s)
        except HaikeiError:
            self._close_all()
            raise
        self._output_wanted = s
        self._threads = [
            threading.Thread(target=self._capture_loop, name="haikei-capture", daemon=True),
            threading.Thread(target=self._segment_loop, name="haikei-segment", daemon=True),
            threading.Thread(target=self._output_loop, name="haikei-process", daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        for warning in self.processor.warnings:
            self._report(warning)
        return self

    def _open_output(self, s: Settings) -> Sink:
        """The output a spec names; with ``wait_for_output`` a missing device is retried, not fatal."""
        if not self._wait_for_output:
            return open_sink(s.output, (s.width, s.height), s.fps, s.vcam_format)
        return ReconnectingSink(
            lambda: open_sink(s.output, (s.width, s.height), s.fps, s.vcam_format),
            on_change=lambda problem: problem and self._report(problem),
        )

    def pause(self, reason: PauseReason = PauseReason.USER) -> None:
        """Release the camera and stop inference; the output shows a still frame saying ``reason``."""
        self._pause_reason = reason

    def resume(self) -> None:
        self._pause_reason = None

    @property
    def paused(self) -> bool:
        return self._pause_reason is not None

    @property
    def pause_reason(self) -> PauseReason | None:
        return self._pause_reason

    def output_status(self) -> OutputStatus:
        """Whether frames reach the output, what it is, what keeps it from attaching, who reads it."""
        sink = self.sink
        problem = sink.problem if isinstance(sink, ReconnectingSink) else None
        description = sink.description if sink is not None else ""
        return OutputStatus(problem is None and sink is not None, description, problem, self._readers)

    def set_readers(self, readers: tuple[str, ...]) -> None:
        """The apps reading the output now, as its watcher names them (the idle controller tells)."""
        self._readers = readers

    @property
    def output_mode(self) -> tuple[int, int, int]:
        """The (width, height, fps) frames are made at: the mode the output's reader picked (a PipeWire
        camera's), else the settings'. A picked mode overrides the settings only while the engine
        runs: it is never saved as the user's choice."""
        sink = self.sink
        negotiated = sink.negotiated if sink is not None else None
        s = self._settings
        return negotiated or (s.width, s.height, s.fps)

    @property
    def settings(self) -> Settings:
        return self._settings

    def update(self, **changes) -> Settings:
        """Change settings live; they take effect on the next frame."""
        with self._lock:
            self._settings = self._settings.replace(**changes)
            self._changed.set()
            return self._settings

    def set_settings(self, settings: Settings) -> None:
        with self._lock:
            self._settings = settings
            self._changed.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until ``max_frames`` were sent or the engine stopped; ``True`` if so."""
        return self._done.wait(timeout)

    def stop(self, timeout: float = 1.0) -> None:
        """Stop both threads and release camera, model and output device."""
        self._stop.set()
        self._slot.put(status_frame((2, 2), "stopping", 0.0))  # wake the segment thread
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._close_all()
        self._done.set()

    def snapshot(self) -> dict:
        """The stats (:meth:`PipelineStats.snapshot`), the frames dropped for newer ones, the source's problem."""
        snap = self.stats.snapshot()
        snap["dropped"] = self._slot.dropped
        snap["source_error"] = self.source_error
        return snap

    def _close_all(self) -> None:
        if self.source is not None:
            self.source.close()
            self.source = None
        if self.sink is not None and self._own_sink:
            self.sink.close()
            self.sink = None
        if self.processor is not None:
            self.processor.close()
            self.processor = None

    # -- capture thread --------------------------------------------------------------------
    def _capture_loop(self) -> None:
        opened_with = self._settings
        failures = 0  # consecutive failures to open or read the source: the back-off step
        kept_at = 0.0  # when the last frame was kept, for a reader's lower frame rate
        while not self._stop.is_set():
            wanted = self._settings
            width, height, fps = self.output_mode
            size = (width, height)
            reason = self._pause_reason
            if reason is not None:
                if self.source is not None:
                    self.source.close()
                    self.source = None
                self._slot.put(status_frame(size, reason.message))
                self._stop.wait(PAUSED_FRAME_INTERVAL)
                continue
            changed = any(getattr(wanted, k) != getattr(opened_with, k) for k in SOURCE_KEYS)
            if changed:
                failures = 0  # another source: try it at once
            if changed or self.source is None:
                if failures:
                    self._show_while_waiting(size, RETRY_DELAYS[min(failures, len(RETRY_DELAYS)) - 1])
                    if self._stop.is_set():
                        break
                opened_with = wanted
                if not self._reopen_source(wanted, report=failures == 0):
                    failures += 1
                    continue
            if not self._paced:
                self._slot.wait_empty(self._stop)
            try:
                frame = self.source.read()
            except SourceError as exc:
                self.source_error = str(exc)
                if failures == 0:
                    self._report(exc)
                failures += 1
                self.source.close()
                self.source = None
                continue
            failures = 0
            self.source_error = None
            if self.source.warning is not None:
                warning, self.source.warning = self.source.warning, None
                self._report(warning)
            arrived = time.monotonic()
            if fps < self.source.fps - 1 and arrived - kept_at < FRAME_SLACK / fps:
                continue  # the reader picked a lower rate than the source's: no work for frames it would not get
            kept_at = arrived
            # Fitted to the output size by the stages, each making the copy it needs.
            self._slot.put(dataclasses.replace(frame, arrived=arrived, size=size))

    def _show_while_waiting(self, size: tuple[int, int], seconds: float) -> None:
        """Wait before the next attempt, feeding the output a "Reconnecting" frame meanwhile."""
        status = status_frame(size, RECONNECTING)
        deadline = time.monotonic() + seconds
        while not self._stop.is_set() and time.monotonic() < deadline:
            self._slot.put(status)
            self._stop.wait(min(PAUSED_FRAME_INTERVAL, max(0.0, deadline - time.monotonic())))

    def _reopen_source(self, settings: Settings, report: bool) -> bool:
        if self.source is not None:
            self.source.close()
            self.source = None
        try:
            self.source = self._open_source(
                settings.source, (settings.width, settings.height), settings.fps, self._paced
            )
        except SourceError as exc:
            self.source_error = str(exc)
            if report:
                self._report(exc)
            self._slot.put(status_frame(self.output_mode[:2], RECONNECTING))
            return False
        return True

    # -- segment thread ---------------------------------------------------------------------
    def _segment_loop(self) -> None:
        while not self._stop.is_set():
            frame = self._slot.take(timeout=0.25)
            if frame is None or self._stop.is_set():
                continue
            if self._changed.is_set():
                self._apply_settings()
            started = stage_clock()
            pixel_format = getattr(self.sink, "pixel_format", BGR)
            if frame.status is not None:  # a status frame from the capture thread: show it as is
                segmented = self.processor.passthrough(frame, pixel_format)
            else:
                try:
                    segmented = self.processor.segment(frame, pixel_format)
                except Exception as exc:  # noqa: BLE001 - a broken model must not stop the camera
                    self._report_failure("segmentation", exc)
                    # Never the raw camera picture: the user expects their room hidden.
                    status = status_frame(frame.output_size, EFFECT_ERROR, frame.timestamp)
                    segmented = self.processor.passthrough(status, pixel_format)
            segmented.timings_ms["segment_span"] = (stage_clock() - started) * 1e3
            self._handoff.wait_empty(self._stop)
            self._handoff.put(segmented)

    def _apply_settings(self) -> None:
        with self._lock:
            wanted = self._settings
            self._changed.clear()
        self._output_wanted = wanted
        for error in self.processor.apply(wanted):
            self._report(error)
        effective = self.processor.settings
        self._keep_settings(wanted, effective)

    def _keep_settings(self, wanted: Settings, effective: Settings) -> None:
        """Put back the values a stage refused, unless the caller changed settings meanwhile."""
        refused = {
            f.name: getattr(effective, f.name)
            for f in dataclasses.fields(Settings)
            if getattr(effective, f.name) != getattr(wanted, f.name)
        }
        with self._lock:
            if not refused or self._changed.is_set():
                return
            self._settings = kept = dataclasses.replace(self._settings, **refused)
        self._tell(self._on_settings, kept)

    # -- output thread ----------------------------------------------------------------------
    def _output_loop(self) -> None:
        sent = 0
        sink_settings = self._output_wanted
        while not self._stop.is_set():
            segmented = self._handoff.take(timeout=0.25)
            if segmented is None or self._stop.is_set():
                continue
            wanted = self._output_wanted
            if wanted is not sink_settings and self._reopen_output(sink_settings, wanted):
                sink_settings = wanted
            frame = segmented.frame
            started = stage_clock()
            try:
                result = self.processor.compose(segmented)
            except Exception as exc:  # noqa: BLE001 - e.g. a background video that broke
                self._report_failure("compositing", exc)
                continue
            t_out = stage_clock()
            try:
                self.sink.send(result.image)
            except HaikeiError as exc:
                self._report(exc)
            done = stage_clock()
            timings = result.timings_ms
            timings["output"] = (done - t_out) * 1e3
            timings["total"] = frame.capture_ms + timings.pop("segment_span") + (done - started) * 1e3
            if frame.status is None:
                timings["capture"] = frame.capture_ms
                timings["latency"] = (time.monotonic() - frame.arrived) * 1e3
            self.stats.record(timings)
            if self._on_output is not None:
                self._on_output(result, frame)
            sent += 1
            if self._max_frames is not None and sent >= self._max_frames:
                self._done.set()
                return

    def _reopen_output(self, previous: Settings, wanted: Settings) -> bool:
        """Open the output ``wanted`` names in place of ``previous``'s; ``False`` if that must wait: a
        new size or rate for an output whose reader picked its own mode (a PipeWire camera) waits until
        that reader is gone, since reopening would end its stream and it would not get the new mode."""
        changed = {k for k in OUTPUT_KEYS if getattr(wanted, k) != getattr(previous, k)}
        if not self._own_sink or not changed:
            return True
        if changed <= MODE_KEYS and self.sink.negotiated is not None:
            return False
        try:
            sink = self._open_output(wanted)
        except HaikeiError as exc:
            self._report(exc)
            self._keep_settings(wanted, wanted.replace(output=previous.output))
        else:
            self.sink.close()
            self.sink = sink
        return True

    def _report_failure(self, stage: str, exc: Exception) -> None:
        """Report a stage's failure once per distinct message and at most every few seconds."""
        error = exc if isinstance(exc, HaikeiError) else HaikeiError(f"{stage} failed: {exc}")
        now = time.monotonic()
        key = str(error)
        if key == self._last_failure[0] and now - self._last_failure[1] < REPORT_REPEAT_S:
            return
        self._last_failure = (key, now)
        self._report(error)

    def _report(self, error: HaikeiError) -> None:
        self._tell(self._on_error, error)

    @staticmethod
    def _tell(handler: Callable[[Any], None], value: Any) -> None:
        try:
            handler(value)
        except Exception:  # noqa: BLE001 - a faulty handler must not kill the pipeline
            pass
