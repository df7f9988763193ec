"""The PipeWire camera, end to end through a real PipeWire + WirePlumber session (private D-Bus,
private runtime dir): a pipewiresrc consumer reads Haikei's node and checks pixels, rate, latency,
and that Haikei idles while nobody reads and resumes when somebody does."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import cv2
import numpy as np

from haikei.settings import Settings
from support.pipewire_session import HIDE_LIBPIPEWIRE

W, H, FPS = 320, 240, 30
BITS, BLOCK = 20, 16  # a timestamp (ms, 20 bits) drawn as 16x16 black/white blocks along the top
COLOUR = (40, 180, 220)  # BGR below the timestamp strip


def stamped_frame(now: float) -> np.ndarray:
    frame = np.empty((H, W, 3), np.uint8)
    frame[:] = COLOUR
    ms = int(now * 1000) % (1 << BITS)
    for bit in range(BITS):
        frame[:BLOCK, bit * BLOCK : (bit + 1) * BLOCK] = 255 if ms >> bit & 1 else 0
    return frame


def read_stamp(frame: np.ndarray) -> int:
    centres = frame[BLOCK // 2, BLOCK // 2 :: BLOCK][:BITS].mean(axis=1)
    return sum(1 << bit for bit, value in enumerate(centres) if value > 128)


CONSUMER = Path(__file__).parent / "support" / "pipewire_consumer.py"


def consume(tmp_path: Path, count: int, target: str = "haikei", caps: str = "") -> dict:
    """Run the consumer app (its own process, as real apps are) until it has ``count`` frames; ``caps``
    narrows the modes it takes (``width=640,height=360``)."""
    out = tmp_path / f"consumed-{time.monotonic_ns()}.npz"
    result = subprocess.run(
        [sys.executable, str(CONSUMER), target, str(count), str(out), caps],
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, f"consumer failed: {result.stderr}"
    with np.load(out) as data:
        result = {key: data[key] for key in data.files}
    result["bgr"] = [cv2.cvtColor(f, cv2.COLOR_YUV2BGR_I420) for f in result["frames"]]  # BT.601, as libyuv
    return result


def test_consumer_reads_haikei_pixels_at_its_rate(pipewire, tmp_path, record_property):
    from haikei.outputs.pipewire import PipeWireCameraSink

    sink = PipeWireCameraSink((W, H), FPS)
    node = next(n for n in pipewire.nodes() if n["props"].get("node.description") == "Haikei")
    assert {"media.class": "Video/Source", "media.role": "Camera", "node.name": "haikei"}.items() <= node[
        "props"
    ].items()
    stop = threading.Event()

    def feed():
        start, index = time.monotonic(), 0
        while not stop.is_set():
            sink.send(stamped_frame(time.monotonic()))
            index += 1
            stop.wait(max(0.0, start + index / FPS - time.monotonic()))

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    try:
        got = consume(tmp_path, 60)
    finally:
        stop.set()
        feeder.join()
        sink.close()
    caps = str(got["caps"])
    assert "width=(int)320" in caps and "height=(int)240" in caps and "framerate=(fraction)30/1" in caps
    assert len(got["bgr"]) == 60
    for image in got["bgr"]:
        below = image[BLOCK + 4 :].astype(int)
        assert np.abs(below - COLOUR).max() <= 4  # BGR → I420 → BGR
    arrivals = got["arrivals"]
    latencies = [(int(t * 1000) - read_stamp(image)) % (1 << BITS) for t, image in zip(arrivals, got["bgr"])]
    steady = arrivals[10:]
    rate = (len(steady) - 1) / (steady[-1] - steady[0])
    assert 20 <= rate <= 40, f"consumer received {rate:.1f} fps from a 30 fps camera"
    p50, worst = float(np.median(latencies[10:])), max(latencies[10:])
    record_property("pipewire_fps", round(rate, 1))
    record_property("pipewire_latency_ms_p50", p50)
    print(f"\nPipeWire camera: {rate:.1f} fps at the consumer, latency p50 {p50:.0f} ms, max {worst} ms")
    assert p50 < 1000, "the timestamps decoded from the pixels make no sense"


def is_blue_frame(image: np.ndarray) -> bool:
    return np.abs(image[5:40, 5:60].astype(int) - (255, 0, 0)).max() <= 4


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def test_run_publishes_a_camera_that_idles_while_unwatched(pipewire, doctor_video, tmp_path, record_property):
    """Idle = the source file is closed (no reading, no inference) and the process uses ~no CPU."""
    import psutil

    from haikei.live.idle import IDLE_AFTER_S
    from haikei.outputs.vcam import processes_holding

    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "haikei",
            "run",
            "--source",
            str(doctor_video),
            "--output",
            "pipewire",
            "--size",
            f"{W}x{H}",
            "--background",
            "color:#0000ff",
        ],
        env=os.environ.copy(),
        stderr=subprocess.PIPE,
        text=True,
    )
    reading = lambda: process.pid in processes_holding(doctor_video)  # noqa: E731
    watch = psutil.Process(process.pid)
    resume_times, idle_cpu, busy_cpu = [], [], []
    try:
        wait_until(
            lambda: any(n["props"].get("node.name") == "haikei" for n in pipewire.nodes()),
            60,
            "Haikei's PipeWire node never appeared",
        )
        for _ in range(2):
            wait_until(lambda: not reading(), IDLE_AFTER_S + 3, "Haikei kept reading its source while nobody watched")
            before = sum(watch.cpu_times()[:2])
            time.sleep(1.0)
            idle_cpu.append(sum(watch.cpu_times()[:2]) - before)
            before = sum(watch.cpu_times()[:2])
            got = consume(tmp_path, 60)
            busy_cpu.append(sum(watch.cpu_times()[:2]) - before)
            blue = [i for i, image in enumerate(got["bgr"]) if is_blue_frame(image)]
            assert blue, "no composited (blue) frame in 60 frames: Haikei did not resume"
            assert all(is_blue_frame(image) for image in got["bgr"][blue[0] :])
            resume_times.append(got["arrivals"][blue[0]] - got["started"])
        assert process.poll() is None
    finally:
        process.send_signal(signal.SIGINT)
        try:
            _, stderr = process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            _, stderr = process.communicate()
    assert process.returncode == 0, stderr
    assert 'PipeWire camera "Haikei" (I420, 12 modes, first 320x240 at 30 fps)' in stderr
    record_property("pipewire_resume_s", [round(t, 2) for t in resume_times])
    print(
        f"\nPipeWire camera idle: {', '.join(f'{c:.2f}' for c in idle_cpu)} CPU s per s; "
        f"watched: {', '.join(f'{c:.2f}' for c in busy_cpu)} CPU s while a consumer read 60 frames; "
        f"consumer connect → first composited frame: {', '.join(f'{t:.2f}' for t in resume_times)} s"
    )


def test_doctor_reports_v4l2loopback_missing_and_pipewire_working(pipewire):
    result = subprocess.run(
        [sys.executable, "-m", "haikei", "doctor", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ.copy(),
    )
    checks = {c["name"]: c for c in json.loads(result.stdout)["checks"]}
    assert all(set(c) == {"name", "ok", "detail", "fix"} for c in checks.values())
    loopback = checks["virtual camera (v4l2loopback)"]
    assert not loopback["ok"] and "not loaded" in loopback["detail"]
    assert 'sudo modprobe v4l2loopback devices=1 exclusive_caps=1 card_label="Haikei"' in loopback["fix"]
    assert "/etc/modprobe.d/" in loopback["fix"]
    assert checks["PipeWire camera"]["ok"], checks["PipeWire camera"]
    assert "WirePlumber" in checks["PipeWire camera"]["detail"]
    assert checks["model selfie-landscape"]["ok"]
    assert not checks["camera"]["ok"]  # this machine has no camera: the default path cannot work
    assert result.returncode == 1


def test_run_says_what_to_install_when_libpipewire_is_missing(doctor_video):
    code = (
        f"{HIDE_LIBPIPEWIRE}; from haikei.cli import main; "
        f"sys.exit(main(['run', '--source', {str(doctor_video)!r}, '--output', 'pipewire', '--frames', '1']))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "haikei: error: the PipeWire camera needs libpipewire-0.3, which is not installed; install PipeWire's "
        "client library (Debian/Ubuntu: sudo apt install libpipewire-0.3-0), or use --output vcam"
    )


# Runs in its own process (a crash must fail the test, not end the suite): opens the PipeWire camera,
# says so, and sends frames only once the test has linked a consumer to it.
EARLY_CONSUMER_PRODUCER = r"""
import sys, time
import numpy as np
from haikei.outputs import open_sink
sink = open_sink("pipewire", (320, 240), 30)
print("open", flush=True)
sys.stdin.readline()  # the test links a consumer before the first frame
frame = np.full((240, 320, 3), (40, 180, 220), np.uint8)
for index in range(120):
    sink.send(frame)
    time.sleep(1 / 30)
sink.close()
print("closed", flush=True)
"""


def links_from_haikei(session) -> list[dict]:
    dump = session.dump()
    ours = {
        o["id"]
        for o in dump
        if o.get("type", "").endswith(":Node")
        and ((o.get("info") or {}).get("props") or {}).get("node.name") == "haikei"
    }
    return [
        o for o in dump if o.get("type", "").endswith(":Link") and (o.get("info") or {}).get("output-node-id") in ours
    ]


def test_a_consumer_that_links_before_the_first_frame_gets_frames(pipewire, tmp_path):
    """Regression: GStreamer's pipewiresink crashed the process (SIGSEGV) on the first frame pushed after
    a consumer had linked to a node that had never had a buffer."""
    producer = subprocess.Popen(
        [sys.executable, "-c", EARLY_CONSUMER_PRODUCER],
        env=os.environ.copy(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out = tmp_path / "early.npz"
    consumer = None
    try:
        assert producer.stdout.readline().strip() == "open", producer.stderr.read()
        consumer = subprocess.Popen(
            [sys.executable, str(CONSUMER), "haikei", "30", str(out)], env=os.environ.copy(), stderr=subprocess.PIPE
        )
        wait_until(lambda: links_from_haikei(pipewire), 30, "the consumer never linked to Haikei's node")
        producer.stdin.write("go\n")
        producer.stdin.flush()
        _, stderr = producer.communicate(timeout=60)
        assert producer.returncode == 0, f"the producer ended with {producer.returncode}: {stderr[-2000:]}"
        assert consumer.wait(30) == 0, consumer.stderr.read()
    finally:
        for process in (producer, consumer):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
    with np.load(out) as data:
        assert len(data["frames"]) == 30


def test_camera_modes_put_the_configured_one_first():
    from haikei.outputs.pipewire import camera_modes

    modes = camera_modes((1280, 720), 30)
    assert modes[0] == (1280, 720, 30)
    assert {(1920, 1080), (1280, 720), (960, 540), (640, 480), (640, 360)} == {m[:2] for m in modes}
    assert {(w, h, fps) for w, h in [(640, 360), (1920, 1080)] for fps in (30, 15)} <= set(modes)
    assert len(modes) == len(set(modes)) == 10
    assert camera_modes((800, 600), 25)[:3] == [(800, 600, 25), (800, 600, 30), (800, 600, 15)]


def test_a_format_pod_reads_back_as_its_mode():
    from haikei.outputs import spa

    offered = spa.i420_format(640, 360, 15)
    assert spa.video_mode(offered) == (640, 360, 15)
    props = spa.object_properties(offered)
    assert props[spa.FORMAT_MEDIA_TYPE] == spa.MEDIA_TYPE_VIDEO and props[spa.VIDEO_SIZE] == (640, 360)
    assert len(offered) % 8 == 0


def corner_is(image: np.ndarray, colour: tuple[int, int, int]) -> bool:
    return np.abs(image[4:12, 4:12].astype(int) - colour).max() <= 6


def test_each_consumer_gets_its_own_mode_rendered_natively(pipewire, doctor_video, tmp_path):
    """A consumer asking for a mode gets exactly it, made by the pipeline at that size (no rescaling), at
    its rate; the engine's settings (what the user chose and the GUI saves) do not move. A size the
    user picks meanwhile does not end the consumer's stream: it is offered first once the consumer
    has gone."""
    from haikei.live import Engine, IdleController

    made: list[tuple[tuple[int, int], float]] = []
    settings = Settings(source=str(doctor_video), output="pipewire", background="color:#00ff00")
    engine = Engine(settings, on_output=lambda result, frame: made.append((frame.output_size, time.monotonic())))
    engine.start()
    idle = IdleController(engine).start()
    readers_seen: set[tuple[str, ...]] = set()
    done = threading.Event()

    def watch_readers():
        while not done.wait(0.05):
            readers = engine.output_status().readers
            readers_seen.add(readers)
            if readers and engine.settings.width == 1280:
                engine.update(width=960, height=540)  # the user picks a size while the consumer reads

    watcher = threading.Thread(target=watch_readers)
    watcher.start()
    try:
        small = consume(tmp_path, 45, caps="width=640,height=360")
        deadline = time.monotonic() + 10
        while engine.sink.attached().modes[0] != (960, 540, 30) and time.monotonic() < deadline:
            time.sleep(0.05)  # the camera reopens with the user's size once the consumer is gone
        assert engine.sink.attached().modes[0] == (960, 540, 30)
        slow = consume(tmp_path, 30, caps="width=1920,height=1080,framerate=15/1")
    finally:
        done.set()
        watcher.join()
        idle.stop()
        engine.stop()
    assert "width=(int)640, height=(int)360, framerate=(fraction)30/1" in str(small["caps"])
    assert "width=(int)1920, height=(int)1080, framerate=(fraction)15/1" in str(slow["caps"])
    for got, size in ((small, (640, 360)), (slow, (1920, 1080))):
        assert all(image.shape[:2] == size[::-1] for image in got["bgr"])
        assert corner_is(got["bgr"][-1], (0, 255, 0)), got["bgr"][-1][4, 4]
    assert any(size == (640, 360) for size, _ in made) and any(size == (1920, 1080) for size, _ in made)
    # The engine made the 15 fps mode's frames at 15 fps, not the video's 30.
    times = [t for size, t in made if size == (1920, 1080)][5:]
    assert len(times) > 10 and (len(times) - 1) / (times[-1] - times[0]) < 18
    assert (engine.settings.width, engine.settings.height, engine.settings.fps) == (960, 540, 30)
    # The consumer's PipeWire client names the app as GStreamer does for a Python program.
    assert readers_seen == {(), (f"python{sys.version_info.major}.{sys.version_info.minor}",)}
