"""The GUI's handle on the core :class:`~haikei.live.Engine` and its :class:`~haikei.live.IdleController`.

The engine runs on its own threads; this object only hands it :class:`Settings`, keeps the newest
processed frame in a one-slot mailbox (older ones are simply replaced: the preview drops frames,
never queues them) and turns engine callbacks into Qt signals, which Qt queues to the GUI thread.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from haikei.config import save_settings
from haikei.errors import HaikeiError, OutputError, SettingsError, SourceError
from haikei.frames.fit import cover_crop
from haikei.gui.output_panel import OutputState, problem_kind
from haikei.live import Engine, IdleController, PauseReason
from haikei.outputs import output_kind
from haikei.outputs.base import Sink
from haikei.pipeline import Processed
from haikei.segment.catalog import Catalog
from haikei.settings import PRESET_KNOBS, Settings

SAVE_DELAY_MS = 400


@dataclass(frozen=True)
class OutputFrame:
    """One frame that left the engine: what was sent, the camera picture (cropped to the output's
    aspect, not scaled), a running number."""

    result: Processed
    original: np.ndarray
    number: int

    @cached_property
    def image(self) -> np.ndarray:
        """What was sent, in BGR (converted here, in the GUI thread, only for frames shown)."""
        return self.result.bgr()

    @property
    def alpha(self) -> np.ndarray | None:
        """The alpha matte, ``None`` when not segmented."""
        return self.result.alpha


class EngineController(QObject):
    #: The settings the user chose changed (from the window, the tray, or an engine fallback).
    settings_changed = Signal(object)
    #: A user-facing problem (a :class:`HaikeiError`), delivered in the GUI thread.
    problem = Signal(object)
    #: The engine started (``None``) or could not (the error).
    started = Signal(object)
    #: The first-start bench chose a preset: its name, the preset before, and the measured CPU ms per frame of each.
    preset_chosen = Signal(str, str, object)
    paused_changed = Signal(bool)
    #: The engine kept other settings than it was given (a model or background that could not load).
    engine_settings = Signal(object)
    #: The settings could not be saved (a read-only or full config folder): the app runs on (the error).
    save_failed = Signal(object)

    def __init__(
        self,
        settings: Settings,
        *,
        catalog: Catalog | None = None,
        sink: Sink | None = None,
        saved: Settings | None = None,
        overrides: dict | None = None,
        persist: bool = True,
    ):
        super().__init__()
        self._settings = settings
        self._catalog = catalog
        self._sink = sink
        self._saved = saved or settings
        self._overrides = overrides or {}
        self._persist = persist
        self.engine: Engine | None = None
        self.idle: IdleController | None = None
        self.start_error: HaikeiError | None = None
        self._starting = False
        self._local_viewer = False
        #: Bench this machine once the engine runs and pick the preset (the first start with a camera).
        self.auto_preset_on_start = False
        self._latest: OutputFrame | None = None
        self.frames_out = 0
        self._cpu_mark = (time.monotonic(), time.process_time())
        self.cpu_percent = 0.0
        self._save_timer = QTimer(self, singleShot=True, interval=SAVE_DELAY_MS, timeout=self.save)
        self._problem_kinds: dict[tuple[str, str], str] = {}
        self._start_lock = threading.Lock()
        self._stopped = False
        #: The model the engine could not load and replaced (the last one), for the window to explain.
        self.model_refused: str | None = None
        self._camera_names: dict[str, str] = {}
        self.engine_settings.connect(self._follow_engine)
        self.started.connect(self._on_started)
        self.preset_chosen.connect(self._use_preset)

    # -- settings ----------------------------------------------------------------------
    @property
    def settings(self) -> Settings:
        return self._settings

    def change(self, **changes) -> bool:
        """Apply ``changes`` (live if running); a rejected value is reported, not raised."""
        try:
            wanted = self._settings.replace(**changes)
        except HaikeiError as exc:
            self.problem.emit(exc)
            return False
        if wanted == self._settings:
            return True
        source_changed = wanted.source != self._settings.source
        self._settings = wanted
        if self.engine is not None:
            self.engine.set_settings(wanted)
        elif source_changed or self.start_error is not None:
            self.start()
        self.settings_changed.emit(wanted)
        if self._persist:
            self._save_timer.start()
        return True

    def to_save(self) -> Settings:
        """The settings to write: command-line overrides are for this run only, unless changed since."""
        values = self._settings.to_dict()
        saved = self._saved.to_dict()
        for key, value in self._overrides.items():
            if values.get(key) == value:
                values[key] = saved[key]
                if key == "preset":
                    values.update({k: saved[k] for k in PRESET_KNOBS})
        return Settings(**values)

    def save(self) -> None:
        if self._persist:
            self._save_timer.stop()
            try:
                save_settings(self.to_save())
            except SettingsError as exc:
                self.save_failed.emit(exc)

    # -- effect and pause ----------------------------------------------------------------
    @property
    def effect_on(self) -> bool:
        return self._settings.background != "none"

    def set_effect(self, on: bool, restore: str) -> None:
        """Effect off is background ``none`` (the pipeline then skips the model); on restores ``restore``."""
        self.change(background=restore if on else "none")

    @property
    def paused(self) -> bool:
        """Paused by the user (not the automatic idle pause while no app watches)."""
        return self.engine is not None and self.engine.pause_reason is PauseReason.USER

    def set_paused(self, paused: bool) -> None:
        if self.engine is None or paused == self.paused:
            return
        if paused:
            self.engine.pause(PauseReason.USER)
        else:
            self.engine.resume()
        self.paused_changed.emit(paused)

    def set_local_viewer(self, watching: bool) -> None:
        """The window's preview is on screen: keep the camera and model running for it."""
        self._local_viewer = watching
        if self.idle is not None:
            self.idle.set_local_viewer(watching)

    # -- engine lifecycle -----------------------------------------------------------------
    def start(self) -> None:
        """Open source, model and output on a helper thread: a slow camera never blocks the window."""
        if self._stopped or self._starting or self.engine is not None:
            return
        self._starting = True
        settings = self._settings
        self._start_thread = threading.Thread(
            target=self._start_engine, args=(settings,), name="haikei-gui-start", daemon=True
        )
        self._start_thread.start()

    def _start_engine(self, settings: Settings) -> None:
        engine = Engine(
            settings,
            sink=self._sink,
            catalog=self._catalog,
            paced=True,
            wait_for_output=True,
            fall_back_model=True,
            fall_back_background=True,
            on_error=self.problem.emit,
            on_output=self._on_output,
            on_settings=self.engine_settings.emit,
        )
        try:
            engine.start()
        except HaikeiError as exc:
            self.started.emit(exc)
            return
        with self._start_lock:
            if self._stopped:  # the app stopped while this engine was starting: nobody will use it
                engine.stop()
                return
            self._pending_engine = engine
        self.started.emit(None)

    def _on_started(self, error: HaikeiError | None) -> None:
        if self._stopped:
            return
        self._starting = False
        self.start_error = error
        if error is not None:
            self.problem.emit(error)
            return
        engine = self.__dict__.pop("_pending_engine", None)
        if engine is None:  # stopped while it started (Quit at once)
            return
        self.engine = engine
        self.idle = IdleController(self.engine).start()
        self.set_local_viewer(self._local_viewer)
        if self.engine.settings != self._settings:  # changed while it was starting
            self.engine.set_settings(self._settings)
        if self.auto_preset_on_start:
            self.auto_preset_on_start = False
            threading.Thread(target=self._pick_preset, name="haikei-auto-preset", daemon=True).start()

    def _pick_preset(self) -> None:
        """A few seconds of bench (the engine shows "Measuring…" meanwhile), then the best preset."""
        from haikei.measure.autopreset import auto_preset

        engine, before, costs = self.engine, self._settings.preset, {}
        if engine is not None:
            self.preset_chosen.emit(
                auto_preset(self._settings, catalog=self._catalog, engine=engine, costs=costs), before, costs
            )

    def _use_preset(self, preset: str, before: str, costs: dict) -> None:
        """The preset the first-start bench chose: used and saved at once (the window says so and offers to undo)."""
        if self.change(preset=preset):
            self.save()

    def stop(self) -> None:
        """Release the engine, also one still starting (it stops as soon as it has started)."""
        with self._start_lock:
            self._stopped = True
        # wait for a start in progress: a process that exits with that thread inside onnxruntime aborts
        # ("terminate called without an active exception")
        starting = getattr(self, "_start_thread", None)
        if starting is not None and starting.is_alive():
            starting.join(timeout=60)
        pending = self.__dict__.pop("_pending_engine", None)
        if pending is not None:
            pending.stop()
        if self.idle is not None:
            self.idle.stop()
            self.idle = None
        if self.engine is not None:
            self.engine.stop()
            self.engine = None

    def _follow_engine(self, effective: Settings) -> None:
        """The engine kept other values than asked (a model or background that could not load, a
        model it fell back from on start): show those."""
        if self.engine is not None:
            effective = self.engine.settings  # the latest, should the user have changed something since
        if effective != self._settings:
            if effective.model != self._settings.model:
                self.model_refused = self._settings.model
            self._settings = effective
            self.settings_changed.emit(effective)

    # -- frames and status (worker thread → slot; GUI reads) ------------------------------
    def _on_output(self, result: Processed, frame) -> None:
        self.frames_out += 1
        self._latest = OutputFrame(result, cover_crop(frame.image, frame.output_size), self.frames_out)

    @property
    def latest(self) -> OutputFrame | None:
        return self._latest

    def sample_cpu(self) -> float:
        """This process's CPU use since the last call, in % of one core."""
        now, cpu = time.monotonic(), time.process_time()
        wall = now - self._cpu_mark[0]
        if wall > 0.2:
            self.cpu_percent = 100.0 * (cpu - self._cpu_mark[1]) / wall
            self._cpu_mark = (now, cpu)
        return self.cpu_percent

    def output_state(self) -> OutputState:
        """What the output panel shows: the output chosen, whether it works, who reads it, what is wrong."""
        spec = self._settings.output
        engine = self.engine
        if engine is None:
            if isinstance(self.start_error, OutputError):
                return self._output_problem(spec, self.start_error)
            return OutputState(spec, starting=True)
        status = engine.output_status()
        if status.problem is not None:
            return self._output_problem(spec, status.problem)
        watcher = self.idle.watcher if self.idle is not None else None
        return OutputState(
            spec,
            working=status.attached,
            camera_name=self._camera_name(spec, engine.sink),
            readers=tuple(status.readers),
            watched=watcher.reader_present if watcher is not None else None,
            idle=engine.pause_reason is PauseReason.IDLE,
        )

    def _output_problem(self, spec: str, problem: OutputError) -> OutputState:
        key = (spec, problem.message)
        if key not in self._problem_kinds:  # it probes devices and libraries: once per problem
            self._problem_kinds[key] = problem_kind(spec, problem)
        return OutputState(spec, problem=problem, problem_kind=self._problem_kinds[key])

    def _camera_name(self, spec: str, sink: Sink | None) -> str:
        """The name apps list the output under: the v4l2loopback device's label, the PipeWire node's name,
        OBS's camera; a file's path."""
        kind = output_kind(spec)
        if kind == "file":
            return spec
        sink = sink.attached() if sink is not None else None
        if kind == "pipewire":
            return getattr(sink, "name", "")
        device = getattr(sink, "device", "")
        if device not in self._camera_names:
            from haikei.devices import linux_devices

            labels = {d.id: d.name for d in linux_devices() if d.kind == "virtual-camera"}
            self._camera_names[device] = labels.get(device, device)
        return self._camera_names[device]

    def source_problem(self) -> str | None:
        """What keeps the source from giving pictures (it could not be opened, or it stopped), or ``None``."""
        if self.engine is None:
            return str(self.start_error) if isinstance(self.start_error, SourceError) else None
        return self.engine.source_error
