"""The desktop app's test helpers: the portrait it runs on, an output that records what it is sent,
the pipeline's own result to compare with, and the ``make_app`` fixture (registered in conftest)."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from haikei.frames import Frame
from haikei.frames.files import load_image
from haikei.frames.fit import cover_fit
from haikei.outputs.base import Sink
from haikei.pipeline import FrameProcessor
from support.data import SHARED, need_shared

PORTRAIT = SHARED / "data" / "portraits" / "woman-5883428_1280.jpg"
SIZE = (640, 360)
#: Frames to wait after a change: it applies on the next frame, the mask's moving average then settles.
SETTLE_FRAMES = 20


class RecordingSink(Sink):
    """The output the engine sends to, keeping the newest frame."""

    description = "test recorder"

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.count = 0
        self.last: np.ndarray | None = None

    def send(self, frame: np.ndarray) -> None:
        with self.lock:
            self.last = frame.copy()
            self.count += 1


def settled(qtbot, sink: RecordingSink) -> np.ndarray:
    start = sink.count
    qtbot.waitUntil(lambda: sink.count >= start + SETTLE_FRAMES, timeout=20000)
    with sink.lock:
        return sink.last


def expected(settings, frames: int = SETTLE_FRAMES) -> np.ndarray:
    """What the pipeline makes of the portrait with ``settings``, run directly (no GUI, no threads)."""
    image = cover_fit(load_image(PORTRAIT), (settings.width, settings.height))
    processor = FrameProcessor(settings)
    try:
        for i in range(frames):
            out = processor.process(Frame(image.copy(), i, i / 30)).image
    finally:
        processor.close()
    return out


def close_to(got: np.ndarray, want: np.ndarray) -> bool:
    return got.shape == want.shape and np.abs(got.astype(int) - want.astype(int)).mean() < 1.0


def assert_output(qtbot, app, sink: RecordingSink) -> np.ndarray:
    got = settled(qtbot, sink)
    assert close_to(got, expected(app.controller.settings)), app.controller.settings
    return got


@pytest.fixture
def make_app(qtbot):
    need_shared(PORTRAIT)
    apps = []

    from haikei.gui.app import HaikeiGui

    def make(source: Path | str = PORTRAIT, sink: Sink | None | bool = True, **overrides) -> tuple[HaikeiGui, Sink]:
        """The app on ``source``, sending to a :class:`RecordingSink` (``sink=None``: the output its
        settings name, as the app does)."""
        sink = RecordingSink() if sink is True else sink
        overrides = {"source": str(source), "output": "none", "width": SIZE[0], "height": SIZE[1], **overrides}
        app = HaikeiGui(overrides, sink=sink, use_system_tray=False, on_quit=lambda: None)
        qtbot.addWidget(app.window)
        app.show()
        apps.append(app)
        qtbot.waitUntil(
            lambda: app.controller.engine is not None or app.controller.start_error is not None, timeout=20000
        )
        return app, sink

    yield make
    for app in apps:
        app.shutdown()
