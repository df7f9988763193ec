"""The automatic preset: a short bench on synthetic frames that picks the best preset this machine
sustains (on the first start with a camera, ``haikei run --auto-preset``, ``haikei bench --auto``).
It returns the preset; the caller saves it."""

from __future__ import annotations

import time

import cv2
import numpy as np

from haikei.capture import camera_device
from haikei.config import settings_path
from haikei.frames import I420, Frame
from haikei.live import Engine, PauseReason
from haikei.live.engine import OPENCV_THREADS
from haikei.pipeline import FrameProcessor
from haikei.segment.catalog import Catalog, load_catalog
from haikei.settings import Settings

#: Presets from the best looking to the lightest: :func:`pick_preset` takes the first that fits.
PRESET_ORDER = ("quality", "balanced", "speed")
#: A preset "sustains" a frame rate when its p95 work per frame fits in this share of the frame
#: interval: at most one core busy at that rate, the rest left for the camera and the call app.
CORE_SHARE = 1.0


def synthetic_frames(size: tuple[int, int], count: int) -> list[Frame]:
    """Textured frames that change every time (the cost of the stages barely depends on content)."""
    w, h = size
    rng = np.random.default_rng(7)
    frames = []
    for i in range(count):
        small = rng.integers(0, 256, (h // 16 + 1, w // 16 + 1, 3), np.uint8)
        frames.append(Frame(cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC), i, i / 30.0))
    return frames


def preset_cost_ms(settings: Settings, seconds: float, catalog: Catalog | None = None) -> float:
    """p95 CPU time of the work on one frame (segment + compose) with ``settings``, over ``seconds``.

    CPU time, not wall time: what the preset costs, whatever else the machine is busy with now.
    Composed in I420, as for the virtual camera the picked preset is for."""
    cv2.setNumThreads(OPENCV_THREADS)  # as in the engine: all the work in this thread, all counted
    processor = FrameProcessor(settings.replace(mask_reuse=0.0), catalog)
    frames = synthetic_frames((settings.width, settings.height), 4)
    costs: list[float] = []
    try:
        for frame in frames[:2]:  # warm-up
            processor.process(frame, I420)
        deadline = time.monotonic() + seconds
        budget = 1000.0 / settings.fps
        while time.monotonic() < deadline or len(costs) < 5:
            started = time.thread_time()
            processor.process(frames[len(costs) % len(frames)], I420)
            costs.append((time.thread_time() - started) * 1e3)
            if len(costs) >= 5 and np.median(costs) > 3 * budget:  # hopeless: stop early
                break
    finally:
        processor.close()
    return float(np.percentile(costs, 95))


def pick_preset(
    settings: Settings, seconds: float = 3.0, catalog: Catalog | None = None, costs: dict[str, float] | None = None
) -> str:
    """The best preset whose p95 CPU work per frame fits in one core at ``settings``' size and fps.

    Runs the model on synthetic frames for about ``seconds`` in all, no camera or output needed.
    Falls back to "speed" when none fits. ``costs``, if given, receives the measured ms per preset.
    """
    catalog = catalog if catalog is not None else load_catalog()
    budget = CORE_SHARE * 1000.0 / settings.fps
    for name in PRESET_ORDER:
        cost = preset_cost_ms(settings.replace(preset=name), seconds / len(PRESET_ORDER), catalog)
        if costs is not None:
            costs[name] = round(cost, 2)
        if cost <= budget:
            return name
    return PRESET_ORDER[-1]


def first_start() -> bool:
    """No settings saved yet: the moment to pick a preset automatically."""
    return not settings_path().exists()


def auto_preset(
    settings: Settings,
    seconds: float = 3.0,
    catalog: Catalog | None = None,
    costs: dict[str, float] | None = None,
    engine: Engine | None = None,
) -> str:
    """The preset for ``settings`` (:func:`pick_preset`); the caller saves it.

    A running ``engine`` is paused meanwhile (its output says so, the measurement is not disturbed)
    and resumes with the chosen preset."""
    if engine is not None:
        engine.pause(PauseReason.MEASURING)
    try:
        chosen = pick_preset(settings, seconds, catalog, costs)
        if engine is not None:
            engine.update(preset=chosen)
    finally:
        if engine is not None:
            engine.resume()
    return chosen


def wants_auto_preset(settings: Settings, asked: bool, preset_given: bool) -> bool:
    """``--auto-preset``, or the first start with a camera and no ``--preset`` (files are not live)."""
    return asked or (first_start() and not preset_given and camera_device(settings.source) is not None)
