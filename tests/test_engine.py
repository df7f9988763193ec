"""The threaded engine: frames flow off the caller's thread, stale frames are dropped, settings
change live, failures are reported without stopping the output, and stop() releases everything."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from haikei.errors import BackgroundError, HaikeiError
from haikei.frames.i420 import to_i420
from haikei.live import Engine, PauseReason
from haikei.outputs.base import ReconnectingSink, Sink
from haikei.outputs.null import NullSink
from haikei.settings import Settings
from haikei.stats import STAGES
from support.data import is_status

SIZE = (640, 360)


class CollectingSink(Sink):
    description = "collecting"

    def __init__(self, delay: float = 0.0):
        self.frames: list[np.ndarray] = []
        self.threads: set[str] = set()
        self.delay = delay
        self.closed = False

    def send(self, frame):
        self.threads.add(threading.current_thread().name)
        self.frames.append(frame.copy())
        if self.delay:
            time.sleep(self.delay)

    def close(self):
        self.closed = True


def settings(video, **changes):
    return Settings(source=str(video), width=SIZE[0], height=SIZE[1], **changes)


def wait_until(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_frames_flow_on_worker_threads_with_stage_timings(doctor_video):
    sink = CollectingSink()
    engine = Engine(settings(doctor_video), sink=sink, paced=False, max_frames=30).start()
    assert engine.wait(30)
    snap = engine.snapshot()
    engine.stop()
    assert len(sink.frames) == 30 and sink.frames[0].shape == (360, 640, 3)
    assert sink.threads == {"haikei-process"}
    assert set(STAGES) <= snap["stages"].keys()
    assert all(
        snap["stages"][s]["p50"] > 0 for s in ("capture", "preprocess", "inference", "refine", "compose", "total")
    )
    assert snap["fps"] > 0 and snap["frames"] == 30


def test_stale_frames_are_dropped_not_queued(doctor_video):
    indexes = []
    sink = CollectingSink(delay=0.08)  # a sink slower than the 30 fps source
    engine = Engine(
        settings(doctor_video),
        sink=sink,
        paced=True,
        max_frames=15,
        on_output=lambda result, frame: indexes.append(frame.index),
    ).start()
    assert engine.wait(30)
    snap = engine.snapshot()
    engine.stop()
    assert snap["dropped"] > 0
    assert indexes == sorted(indexes) and indexes[-1] - indexes[0] > len(indexes)  # skipped ahead
    # The newest frame each time: the typical gap is one sink delay (80 ms ≈ 2.4 frames), not growing.
    # (The median, not the max: one scheduling hiccup on a loaded machine is not a queue.)
    assert np.median(np.diff(indexes)) <= 4


def test_settings_change_live(doctor_video):
    sink = CollectingSink()
    engine = Engine(settings(doctor_video, background="color:#ff0000"), sink=sink, paced=True).start()
    try:
        wait_until(lambda: len(sink.frames) >= 3)
        assert tuple(sink.frames[-1][10, 10]) == (0, 0, 255)
        engine.update(background="color:#0000ff", mirror=True, model="selfie-landscape", preset="quality")
        wait_until(lambda: tuple(sink.frames[-1][10, 10]) == (255, 0, 0))
        wait_until(lambda: engine.settings.model == "selfie-landscape")
        assert engine.processor.segmenter.manifest.name == "selfie-landscape"
        assert engine.settings.upsample == "guided" and engine.settings.guide_scale == 0.5
        engine.update(background="none")
        wait_until(lambda: tuple(sink.frames[-1][10, 10]) != (255, 0, 0))
    finally:
        engine.stop()


def test_a_failed_change_is_reported_and_the_old_value_kept(doctor_video, tmp_path):
    errors: list[HaikeiError] = []
    kept: list[Settings] = []  # what the engine says it kept instead
    sink = CollectingSink()
    engine = Engine(
        settings(doctor_video, background="color:#00ff00"), sink=sink, on_error=errors.append, on_settings=kept.append
    ).start()
    try:
        wait_until(lambda: len(sink.frames) >= 2)
        engine.update(background=f"image:{tmp_path}/missing.png")
        wait_until(lambda: errors)
        assert isinstance(errors[0], BackgroundError) and "image file not found" in str(errors[0])
        wait_until(lambda: kept)
        assert kept == [engine.settings] and kept[0].background == "color:#00ff00"
        count = len(sink.frames)
        wait_until(lambda: len(sink.frames) > count + 3)  # frames keep coming
        assert tuple(sink.frames[-1][10, 10]) == (0, 255, 0)
    finally:
        engine.stop()


def test_lost_source_shows_a_paused_frame_and_recovers(doctor_video, tmp_path):
    errors: list[HaikeiError] = []
    sink = CollectingSink()
    engine = Engine(settings(doctor_video, background="color:#00ff00"), sink=sink, on_error=errors.append).start()
    try:
        wait_until(lambda: len(sink.frames) >= 2)
        engine.update(source=str(tmp_path / "unplugged.mp4"))
        wait_until(lambda: errors and "video file not found" in str(errors[0]))
        wait_until(lambda: is_status(sink.frames[-1]))
        assert "not found" in engine.snapshot()["source_error"]
        engine.update(source=str(doctor_video))
        wait_until(lambda: tuple(sink.frames[-1][10, 10]) == (0, 255, 0))
        assert engine.snapshot()["source_error"] is None
    finally:
        engine.stop()


def test_stop_releases_everything_quickly(doctor_video):
    sink = CollectingSink()
    engine = Engine(settings(doctor_video), sink=sink).start()
    wait_until(lambda: len(sink.frames) >= 2)
    threads = list(engine._threads)
    started = time.monotonic()
    engine.stop()
    assert time.monotonic() - started < 1.0
    assert not any(t.is_alive() for t in threads)
    assert engine.source is None and engine.processor is None


def test_engine_owned_sink_is_closed_on_stop(doctor_video, tmp_path):
    out = tmp_path / "run.mp4"
    engine = Engine(settings(doctor_video, output=str(out)), paced=False, max_frames=5).start()
    assert engine.wait(30)
    engine.stop()
    assert out.exists() and out.stat().st_size > 0


def test_start_errors_raise_in_the_caller(doctor_video):
    with pytest.raises(BackgroundError, match="bad background"):
        Engine(settings(doctor_video, background="sparkles"), sink=CollectingSink()).start()


def test_pause_releases_the_camera_and_shows_a_still(doctor_video):
    sink = CollectingSink()
    engine = Engine(settings(doctor_video, background="color:#00ff00"), sink=sink).start()
    try:
        wait_until(lambda: len(sink.frames) >= 2)
        engine.pause(PauseReason.USER)
        wait_until(lambda: engine.source is None and is_status(sink.frames[-1]))
        inferences = engine.stats.frames
        time.sleep(0.5)
        assert engine.paused and len(sink.frames) > 2  # status frames keep the output alive
        engine.resume()
        wait_until(lambda: tuple(sink.frames[-1][10, 10]) == (0, 255, 0))
        assert engine.source is not None and engine.stats.frames > inferences
    finally:
        engine.stop()


def test_waiting_output_attaches_when_the_device_appears(doctor_video, monkeypatch):
    from haikei.errors import OutputError
    from haikei.live import engine as engine_module

    attempts = []
    late_sink = CollectingSink()

    def open_sink(spec, size, fps, vcam_format="yuyv"):
        attempts.append(time.monotonic())
        if len(attempts) < 3:
            raise OutputError("no virtual camera device found", "load v4l2loopback")
        return late_sink

    monkeypatch.setattr(engine_module, "open_sink", open_sink)
    errors = []
    engine = Engine(settings(doctor_video), wait_for_output=True, on_error=errors.append).start()
    engine.sink.retry_every = 0.1
    try:
        assert "waiting for output: no virtual camera device found" in engine.sink.description
        wait_until(lambda: len(late_sink.frames) >= 3)
        assert engine.sink.problem is None and len(attempts) == 3
        assert [str(e) for e in errors] == ["no virtual camera device found; load v4l2loopback"]
    finally:
        engine.stop()


def test_reconnecting_sink_takes_its_inner_sinks_format_and_converts_a_stale_one():
    """The engine composes for the sink's format; a frame composed for an I420 sink that reconnects
    as a BGR one is converted, not sent as garbage."""
    opened = [NullSink(), CollectingSink()]  # NullSink takes I420, CollectingSink BGR only
    sink = ReconnectingSink(lambda: opened.pop(0), retry_every=0.0)
    assert sink.pixel_format == "I420"
    picture = np.full((36, 64, 3), (40, 120, 200), np.uint8)
    i420 = to_i420(picture)
    sink.send(i420)
    sink.inner, bgr_sink = None, opened[0]  # the device went away; it comes back as a BGR sink
    assert sink.pixel_format == "BGR"
    sink.send(i420)
    assert sink.inner is bgr_sink and sink.pixel_format == "BGR"
    (got,) = bgr_sink.frames
    assert got.shape == picture.shape and np.abs(got.astype(int) - picture).max() <= 2
