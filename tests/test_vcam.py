"""The virtual-camera output: through pyvirtualcam's backend registry, and through pyvirtualcam's
real v4l2loopback code writing to a fake /dev/video0 (an LD_PRELOAD shim, tests/fake_v4l2)."""

from __future__ import annotations

import json
import time

import cv2
import numpy as np
import pytest
import pyvirtualcam

from haikei.frames.i420 import to_i420
from haikei.live import Engine
from haikei.outputs.vcam import VirtualCameraSink
from haikei.pipeline import FrameProcessor
from haikei.settings import Settings
from support.data import captured_frames
from support.fake_v4l2 import FakeDevice, build_shim, gcc_available


def run_engine(settings, sink, frames):
    composited = []
    engine = Engine(
        settings,
        sink=sink,
        paced=False,
        max_frames=frames,
        on_output=lambda result, frame: composited.append(result.image.copy()),
    ).start()
    assert engine.wait(timeout=60)
    engine.stop()
    return composited


def test_sink_receives_exactly_the_composited_frames(recording_backend, doctor_video):
    settings = Settings(source=str(doctor_video), background="color:#3366cc", width=640, height=360)
    sink = VirtualCameraSink((640, 360), 30, backend="recording")
    composited = run_engine(settings, sink, frames=10)
    sink.close()
    received = recording_backend.last.frames
    assert len(received) == len(composited) == 10
    assert sink.pixel_format == "BGR"  # this backend names no native format: no conversion
    for sent, got in zip(composited, received):
        assert np.array_equal(got.reshape(sent.shape), sent)
    assert recording_backend.last.closed


def test_sink_feeds_the_backends_native_i420(recording_backend, doctor_video):
    recording_backend.native = pyvirtualcam.camera.encode_fourcc("I420")
    settings = Settings(source=str(doctor_video), background="color:#3366cc", width=640, height=360)
    sink = VirtualCameraSink((640, 360), 30, backend="recording")
    assert sink.pixel_format == "I420"
    composited = run_engine(settings, sink, frames=5)
    sink.close()
    received = recording_backend.last.frames
    assert len(received) == len(composited) == 5
    for sent, got in zip(composited, received):
        assert sent.shape == (540, 640)  # composed in I420, not converted in the sink
        assert np.array_equal(got.reshape(sent.shape), sent)
    # The picture is the BGR composition's, converted: blended in I420, the same within ±2 levels,
    # but for chroma on the matte's edge (mixed there before the 2x2 average, not after).
    processor = FrameProcessor(settings)
    try:
        for index, frame in enumerate(captured_frames(doctor_video, 5, size=(640, 360))):
            composed = processor.process(frame)
            difference = np.abs(received[index].reshape(540, 640).astype(int) - to_i420(composed.image))
            assert difference[:360].max() <= 2  # Y
            half = cv2.resize(composed.alpha, (320, 180), interpolation=cv2.INTER_AREA)
            edge = cv2.dilate(((half > 0.01) & (half < 0.99)).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
            for chroma in difference[360:].reshape(2, 180, 320):  # U, V
                assert edge.mean() < 0.1 and not (chroma[~edge] > 2).any()
    finally:
        processor.close()


def test_sink_repeats_the_last_frame_while_the_engine_stalls(recording_backend, monkeypatch):
    monkeypatch.setattr(VirtualCameraSink, "STALL_AFTER", 0.3)
    monkeypatch.setattr(VirtualCameraSink, "REPEAT_INTERVAL", 0.05)
    sink = VirtualCameraSink((64, 48), 30, backend="recording")
    frames = recording_backend.last.frames
    first, second = (np.full((48, 64, 3), value, np.uint8) for value in (10, 200))
    try:
        sink.send(first)
        time.sleep(0.2)
        assert len(frames) == 1  # frames keep coming: nothing repeated
        time.sleep(0.5)
        repeats = len(frames) - 1
        assert repeats >= 3 and sink.repeated == repeats
        assert all(np.array_equal(f.reshape(first.shape), first) for f in frames)
        sink.send(second)
        time.sleep(0.15)
        assert len(frames) == repeats + 2  # a fresh frame stops the repeats until the next stall
    finally:
        sink.close()
    settled = len(frames)
    time.sleep(0.5)
    assert len(frames) == settled and recording_backend.last.closed


needs_gcc = pytest.mark.skipif(not gcc_available(), reason="gcc is needed to build the fake v4l2loopback shim")


@pytest.fixture
def fake_device(tmp_path):
    return FakeDevice(build_shim(tmp_path / "shim"), tmp_path / "device")


@needs_gcc
@pytest.mark.parametrize(
    ("output", "options", "written"),
    [
        ("vcam", [], ("YUYV", 640 * 2)),  # the default: what webcams give and every app takes
        ("vcam:/dev/video0", ["--vcam-format", "i420"], ("I420", 640)),
        ("vcam", ["--vcam-format", "yuyv", "--preset", "quality"], ("YUYV", 640 * 2)),  # composed in BGR
    ],
)
def test_run_writes_its_format_to_a_v4l2loopback_device(fake_device, doctor_video, output, options, written):
    """pyvirtualcam's real v4l2loopback code sets the device to the chosen format and writes whole frames
    in it (the fake device records the format set and the bytes written)."""
    result = fake_device.run(
        [
            "-m",
            "haikei",
            "run",
            "--source",
            str(doctor_video),
            "--output",
            output,
            "--size",
            "640x360",
            "--frames",
            "15",
            "--background",
            "color:#0000ff",
            *options,
        ],
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    name, bytes_per_line = written
    assert f"virtual camera /dev/video0 (v4l2loopback, {name})" in result.stderr
    fmt = fake_device.read_fmt()
    fourcc = {"YUYV": "YUYV", "I420": "YU12"}[name]
    assert (fmt["width"], fmt["height"], fmt["pixelformat"], fmt["bytesperline"]) == (640, 360, fourcc, bytes_per_line)
    frames = fake_device.frames_rgb(640, 360)
    assert len(frames) == 15
    blue = np.array([0, 0, 255])
    for frame in frames:
        corner = frame[10:60, 10:100].astype(int)
        assert np.abs(corner - blue).max() <= 4  # a pure colour survives BGR → I420 → BGR within a few levels
        face = frame[75:110, 385:415].astype(int)  # her face, scaled from the 960x540 video
        assert np.abs(face - blue).max(axis=2).min() > 60


@needs_gcc
def test_devices_lists_the_loopback_device(fake_device):
    result = fake_device.run(["-m", "haikei", "devices", "--json"])
    assert result.returncode == 0, result.stderr
    devices = json.loads(result.stdout)["devices"]
    assert {"kind": "virtual-camera", "id": "/dev/video0"}.items() <= devices[0].items()


@needs_gcc
@pytest.mark.parametrize(
    "device_options, output, message",
    [
        ({"busy": True}, "vcam:/dev/video0", "/dev/video0 is busy: another program is already sending video to it"),
        ({"driver": "uvcvideo"}, "vcam:/dev/video0", "/dev/video0 is not a v4l2loopback device"),
        ({}, "vcam:/dev/video7", "virtual camera device /dev/video7 not found; install v4l2loopback"),
        (
            {"open_errno": "EACCES"},
            "vcam:/dev/video0",
            "no permission to write to /dev/video0; add yourself to the video group",
        ),
        (
            {"busy": True},
            "vcam",
            "no usable virtual camera device found (/dev/video0: cannot open: Device or resource busy)",
        ),
        (
            {"driver": "uvcvideo"},
            "vcam",
            "no usable virtual camera device found "
            "(/dev/video0: Haikei fake loopback (uvcvideo) is not a loopback device)",
        ),
    ],
)
def test_virtual_camera_problems_are_explained(tmp_path, doctor_video, device_options, output, message):
    device = FakeDevice(build_shim(tmp_path / "shim"), tmp_path / "device", **device_options)
    result = device.run(["-m", "haikei", "run", "--source", str(doctor_video), "--output", output, "--frames", "1"])
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("haikei: error: ") and message in lines[0], result.stderr


# The device is missing when the engine starts and appears a second later (as after modprobe): the
# shim reads FAKE_V4L2_OPEN_ERRNO at every open, so dropping it from the environment "loads" it.
LATE_DEVICE_CHILD = r"""
import json, os, sys, time
from haikei.live import Engine
from haikei.settings import Settings
errors = []
engine = Engine(Settings(source=sys.argv[1], width=320, height=240, output="vcam:/dev/video0",
                         background="color:#0000ff"), wait_for_output=True, on_error=errors.append).start()
engine.sink.retry_every = 0.2
waiting = engine.sink.description
time.sleep(1.0)
del os.environ["FAKE_V4L2_OPEN_ERRNO"]
deadline = time.monotonic() + 20
while engine.sink.inner is None and time.monotonic() < deadline:
    time.sleep(0.05)
attached = engine.sink.description
time.sleep(0.5)
engine.stop()
print(json.dumps({"waiting": waiting, "attached": attached, "errors": [str(e) for e in errors]}))
"""


@needs_gcc
def test_engine_attaches_to_a_virtual_camera_that_appears_later(tmp_path, doctor_video):
    device = FakeDevice(build_shim(tmp_path / "shim"), tmp_path / "device", open_errno="ENOENT")
    result = device.run(["-c", LATE_DEVICE_CHILD, str(doctor_video)], timeout=120)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["waiting"].startswith(
        "waiting for output: virtual camera device /dev/video0 not found; install v4l2loopback"
    )
    assert report["attached"] == "virtual camera /dev/video0 (v4l2loopback, YUYV)"
    assert len(report["errors"]) == 1 and report["errors"][0].startswith("virtual camera device /dev/video0 not found")
    frames = device.frames_rgb(320, 240)
    assert frames and all(np.abs(f[5:40, 5:60].astype(int) - (0, 0, 255)).max() <= 3 for f in frames)
