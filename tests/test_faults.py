"""Faults mid-stream: the camera disappears or errors and comes back; a stage raises. The output
keeps flowing with a clear frame, the engine retries with back-off and recovers by itself.

A camera cannot be unplugged here, so the fault is injected at the lowest layer: the Source."""

from __future__ import annotations

import time

import numpy as np
import pytest

from haikei.capture.base import Source
from haikei.errors import HaikeiError, SourceError
from haikei.frames import Frame
from haikei.live import Engine
from haikei.outputs.base import Sink
from haikei.settings import Settings
from support.data import is_status

SIZE = (320, 180)
GREEN = (0, 255, 0)


class Camera:
    """The state of a pretend USB camera shared by every FlakySource opened on it."""

    def __init__(self, image: np.ndarray):
        self.image = image
        self.present = True
        self.read_errors = 0  # reads that fail while present (a camera returning errors)
        self.opens = 0


class FlakySource(Source):
    def __init__(self, camera: Camera):
        camera.opens += 1
        if not camera.present:
            raise SourceError("cannot open camera 0", "check that it is plugged in")
        self.camera, self.fps, self.size, self.description = camera, 30.0, SIZE, "camera 0"
        self._index = 0

    def read(self) -> Frame:
        time.sleep(1 / 60)
        if not self.camera.present:
            raise SourceError("camera 0 stopped delivering frames")
        if self.camera.read_errors:
            self.camera.read_errors -= 1
            raise SourceError("camera 0 returned an error")
        self._index += 1
        return Frame(self.camera.image.copy(), self._index, time.monotonic())


class Recorder(Sink):
    def __init__(self):
        self.frames: list[tuple[float, np.ndarray]] = []

    def send(self, frame):
        self.frames.append((time.monotonic(), frame.copy()))

    def latest(self):
        return self.frames[-1][1]


def wait_until(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.fixture
def camera(doctor_video):
    import cv2

    capture = cv2.VideoCapture(str(doctor_video))
    image = cv2.resize(capture.read()[1], SIZE)
    capture.release()
    return Camera(image)


def is_composited(frame):
    return tuple(frame[5, 5]) == GREEN


def start(errors, sink, camera, settings=None):
    """The engine on ``camera``: every open of its source opens the pretend camera."""
    settings = settings or Settings(source="0", width=SIZE[0], height=SIZE[1], background="color:#00ff00")
    opener = lambda *args: FlakySource(camera)  # noqa: E731
    return Engine(settings, sink=sink, on_error=errors.append, source_opener=opener).start()


def test_camera_unplugged_and_back(camera):
    errors: list[HaikeiError] = []
    sink = Recorder()
    engine = start(errors, sink, camera)
    try:
        wait_until(lambda: sink.frames and is_composited(sink.latest()))
        camera.present = False
        wait_until(lambda: is_status(sink.latest()))
        time.sleep(2.5)  # away for a while: the output keeps flowing, the retries back off
        away = [f for t, f in sink.frames[-20:]]
        assert all(is_status(f) for f in away[-5:])
        opens_while_away = camera.opens
        assert opens_while_away <= 8, f"{opens_while_away} attempts in ~2.5 s: no back-off"
        assert len(errors) <= 2 and "camera 0" in str(errors[0])
        assert engine.snapshot()["source_error"]
        camera.present = True
        back = time.monotonic()
        wait_until(lambda: is_composited(sink.latest()), timeout=5)
        assert time.monotonic() - back <= 2.0  # the bound: recovered ≤ 2 s after it is back
        assert engine.snapshot()["source_error"] is None
    finally:
        engine.stop()


def test_camera_returning_errors_is_retried_with_back_off(camera):
    errors: list[HaikeiError] = []
    sink = Recorder()
    engine = start(errors, sink, camera)
    try:
        wait_until(lambda: sink.frames and is_composited(sink.latest()))
        opens = camera.opens
        camera.read_errors = 1000  # every read fails, though the camera still opens
        time.sleep(2.0)
        assert camera.opens - opens <= 8, "reopened in a tight loop"
        assert len(errors) <= 2, [str(e) for e in errors]
        assert is_status(sink.latest())
        camera.read_errors = 0
        wait_until(lambda: is_composited(sink.latest()), timeout=3)
    finally:
        engine.stop()


def test_a_stage_that_raises_does_not_stop_the_output(camera, monkeypatch):
    errors: list[HaikeiError] = []
    sink = Recorder()
    engine = start(errors, sink, camera)
    try:
        wait_until(lambda: sink.frames and is_composited(sink.latest()))
        segmenter = engine.processor.segmenter
        real_infer = segmenter.infer
        failures = {"left": 5}

        def broken_infer(prepared):
            if failures["left"]:
                failures["left"] -= 1
                raise RuntimeError("onnxruntime: out of memory")
            return real_infer(prepared)

        monkeypatch.setattr(segmenter, "infer", broken_infer)
        wait_until(lambda: failures["left"] == 0)
        count = len(sink.frames)
        wait_until(lambda: len(sink.frames) > count + 5 and is_composited(sink.latest()))
        assert errors and "out of memory" in str(errors[0])
        # while the model failed, the camera picture was never shown unprocessed (privacy)
        assert all(is_composited(f) or is_status(f) for _, f in sink.frames)
    finally:
        engine.stop()


def test_background_video_that_breaks_keeps_its_last_frame_and_recovers(camera, tmp_path):
    import cv2

    clip = tmp_path / "bg.mkv"
    writer = cv2.VideoWriter(str(clip), cv2.VideoWriter_fourcc(*"FFV1"), 30, SIZE)
    rng = np.random.default_rng(7)
    for _ in range(30):  # noise: megabytes that no decoder buffer holds whole, like a real clip
        writer.write(rng.integers(0, 256, (SIZE[1], SIZE[0], 3), dtype=np.uint8))
    writer.release()
    content = clip.read_bytes()
    errors: list[HaikeiError] = []
    sink = Recorder()
    settings = Settings(source="0", width=SIZE[0], height=SIZE[1], background=f"video:{clip}")
    engine = start(errors, sink, camera, settings)
    try:
        wait_until(lambda: len(sink.frames) > 5)
        clip.write_bytes(b"")  # the file breaks (a network share gone, a half-written download...)
        wait_until(lambda: errors, timeout=5)
        assert "stopped playing" in str(errors[0])
        count = len(sink.frames)
        time.sleep(1.5)
        corners = {tuple(f[5, 5]) for _, f in sink.frames[count:]}
        assert len(sink.frames) > count + 20 and len(corners) == 1  # output flowing, background frozen
        assert len(errors) == 1  # reported once, not on every retry
        clip.write_bytes(content)  # it comes back
        wait_until(lambda: len({tuple(f[5, 5]) for _, f in sink.frames[-10:]}) > 1, timeout=3)  # playing again
    finally:
        engine.stop()
