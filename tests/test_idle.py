"""Idle when nobody watches: the engine releases its source and stops inference while no other
process reads the virtual camera, and resumes when one does. Through pyvirtualcam's real
v4l2loopback code on the fake device (a reader = a process holding the device node open), and in
process for the rules (a user's pause is theirs; the setting turns it off)."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time

import numpy as np
import pytest

from haikei.live import Engine, IdleController, PauseReason, idle
from haikei.outputs.null import NullSink
from haikei.outputs.vcam import InotifyReaderWatcher
from haikei.settings import Settings
from support.fake_v4l2 import FakeDevice, build_shim, gcc_available

W, H = 320, 240

# Runs in a child process with the shim preloaded: the engine writes to the fake /dev/video0 and
# watches the stand-in file for readers; prints every change of (idle, reading its source).
CHILD = r"""
import json, select, sys, time
from haikei.live import Engine, IdleController
from haikei.settings import Settings
from haikei.outputs.vcam import VirtualCameraSink
cfg = json.loads(sys.argv[1])
sink = VirtualCameraSink((cfg["w"], cfg["h"]), 30, device="/dev/video0", watch_path=cfg["watch"])
sent = []
engine = Engine(Settings(source=cfg["video"], width=cfg["w"], height=cfg["h"], background="color:#0000ff"),
                sink=sink, on_output=lambda result, frame: sent.append(frame.index)).start()
idle = IdleController(engine).start()
last = None
while not select.select([sys.stdin], [], [], 0.01)[0]:  # until the test closes our stdin
    state = {"idle": idle.idle, "reading": engine.source is not None}
    if state != last:
        print(json.dumps({**state, "t": time.monotonic()}), flush=True)
        last = state
idle.stop()
engine.stop()
sink.close()
print(json.dumps({"sent": len(sent), "sink": sink.description}), flush=True)
"""


def next_state(child: subprocess.Popen, timeout: float = 30.0, **wanted) -> dict:
    """The child's next reported state matching ``wanted``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if select.select([child.stdout], [], [], max(0.0, deadline - time.monotonic()))[0]:
            line = child.stdout.readline()
            assert line, f"child ended: {child.stderr.read()}"
            state = json.loads(line)
            if wanted.items() <= state.items():
                return state
    pytest.fail(f"child never reported {wanted}")


def classify(frame: np.ndarray) -> str:
    if np.abs(frame[5:40, 5:60].astype(int) - (0, 0, 255)).max() <= 3:
        return "picture"
    if abs(float(np.median(frame)) - 40) <= 3:
        return "status"
    return "other"


@pytest.mark.skipif(not gcc_available(), reason="gcc is needed to build the fake v4l2loopback shim")
def test_v4l2loopback_idles_until_a_reader_opens_the_device(tmp_path, doctor_video, record_property):
    device = FakeDevice(build_shim(tmp_path / "shim"), tmp_path / "device", mirror_open=True)
    cfg = {"w": W, "h": H, "video": str(doctor_video), "watch": str(device.readers_file)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, json.dumps(cfg)],
        env=device.env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        next_state(child, idle=False, reading=True)  # starts working
        next_state(child, idle=True, reading=False)  # nobody reads: source released
        resumes = []
        for _ in range(2):
            with device.reader():
                opened = time.monotonic()
                resumed = next_state(child, timeout=5, idle=False, reading=True)
                resumes.append(resumed["t"] - opened)
                time.sleep(0.5)
            next_state(child, timeout=idle.IDLE_AFTER_S + 5, idle=True, reading=False)
        child.stdin.close()
        summary = json.loads(child.stdout.readline())
        child.wait(30)
    finally:
        child.kill()
        child.wait()
    assert child.returncode == 0, child.stderr.read()
    assert summary["sink"] == "virtual camera /dev/video0 (v4l2loopback, YUYV)"
    meta = device.read_fmt()
    assert (meta["width"], meta["height"], meta["pixelformat"], meta["bad_writes"]) == (W, H, "YUYV", 0)
    frames = device.frames_rgb(W, H)
    assert len(frames) == meta["frames"] == summary["sent"]
    kinds = [classify(frame) for frame in frames]
    assert "other" not in kinds
    runs = [kind for i, kind in enumerate(kinds) if i == 0 or kind != kinds[i - 1]]
    assert runs == ["picture", "status", "picture", "status", "picture", "status"]
    record_property("v4l2_resume_s", [round(t, 3) for t in resumes])
    print(f"\nv4l2loopback: reader opened → source reading again after {', '.join(f'{t:.3f}' for t in resumes)} s")


class WatchedSink(NullSink):
    """No device, but readers of ``path`` count as viewers (this process included)."""

    def __init__(self, path):
        self.path = path

    def reader_watcher(self):
        return InotifyReaderWatcher(self.path, exclude_pid=0)


def wait_for(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.02)


def test_idle_leaves_a_users_pause_alone_and_can_be_turned_off(tmp_path, doctor_video, monkeypatch):
    monkeypatch.setattr(idle, "IDLE_AFTER_S", 0.3)
    watched = tmp_path / "node"
    watched.touch()
    engine = Engine(
        Settings(source=str(doctor_video), width=W, height=H, background="color:#0000ff"), sink=WatchedSink(watched)
    ).start()
    idler = IdleController(engine).start()
    try:
        wait_for(lambda: engine.pause_reason is PauseReason.IDLE)
        fd = os.open(watched, os.O_RDONLY)
        wait_for(lambda: not engine.paused)
        engine.pause(PauseReason.USER)
        os.close(fd)
        time.sleep(0.8)
        assert engine.pause_reason is PauseReason.USER  # not replaced by idle...
        fd = os.open(watched, os.O_RDONLY)
        time.sleep(0.5)
        assert engine.pause_reason is PauseReason.USER  # ...nor resumed by a reader
        os.close(fd)
        engine.resume()
        wait_for(lambda: engine.pause_reason is PauseReason.IDLE)
        idler.set_local_viewer(True)  # the GUI shows its preview
        wait_for(lambda: not engine.paused)
        idler.set_local_viewer(False)
        wait_for(lambda: engine.pause_reason is PauseReason.IDLE)
        engine.update(idle_when_unwatched=False)
        wait_for(lambda: not engine.paused)
        time.sleep(0.6)
        assert not engine.paused
    finally:
        idler.stop()
        engine.stop()


def test_a_device_that_cannot_be_watched_counts_as_watched(tmp_path):
    changes = []
    watcher = InotifyReaderWatcher(tmp_path / "missing-node", exclude_pid=0).start(lambda: changes.append(1))
    try:
        wait_for(lambda: watcher.reader_present)
    finally:
        watcher.stop()


def test_the_engine_names_the_apps_reading_a_v4l2loopback_device(tmp_path, doctor_video):
    """Readers are the processes holding the node open, named by their program (a script by its name)."""
    watched = tmp_path / "node"
    watched.touch()
    script = tmp_path / "meeting_app.py"
    script.write_text(f"import sys, time\nf = open({str(watched)!r})\nprint('open', flush=True)\nsys.stdin.read()\n")
    engine = Engine(
        Settings(source=str(doctor_video), width=W, height=H, background="color:#0000ff"), sink=WatchedSink(watched)
    ).start()
    idler = IdleController(engine).start()
    try:
        assert engine.output_status().readers == ()
        tail = subprocess.Popen(["tail", "-f", str(watched)], stdout=subprocess.DEVNULL)
        app = subprocess.Popen([sys.executable, str(script)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            assert app.stdout.readline() == "open\n"
            wait_for(lambda: engine.output_status().readers == ("meeting_app", "tail"))
        finally:
            tail.kill()
            tail.wait()
            app.stdin.close()
            app.wait(10)
        wait_for(lambda: engine.output_status().readers == ())
    finally:
        idler.stop()
        engine.stop()
