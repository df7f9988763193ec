"""Shutdown on SIGINT/SIGTERM within a second, with the device closed; and no network use at all."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time

import pytest

from support.fake_v4l2 import FakeDevice, build_shim, gcc_available


@pytest.mark.skipif(not gcc_available(), reason="gcc is needed to build the fake v4l2loopback shim")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signal_closes_camera_and_device_within_a_second(tmp_path, doctor_video, sig):
    device = FakeDevice(build_shim(tmp_path / "shim"), tmp_path / "device")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "haikei",
            "run",
            "--source",
            str(doctor_video),
            "--output",
            "vcam:/dev/video0",
            "--size",
            "640x360",
        ],
        env=device.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not (device.record.exists() and device.record.stat().st_size > 640 * 360 * 3 // 2 * 3):
            assert process.poll() is None, process.communicate()[1]
            assert time.monotonic() < deadline, "no frames reached the device"
            time.sleep(0.05)
        sent = time.monotonic()
        process.send_signal(sig)
        process.wait(timeout=10)
        elapsed = time.monotonic() - sent
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, process.stderr.read()
    assert elapsed < 1.0, f"took {elapsed:.2f} s to shut down"
    assert "frames sent" in process.stderr.read()
    assert device.read_fmt()["frames"] >= 3  # the shim writes its frame count when the device is closed


BLOCK_NETWORK = textwrap.dedent(
    """
    import socket, sys
    attempts = []
    def refuse(*args, **kwargs):
        attempts.append(args)
        raise PermissionError("network use is blocked in this test")
    class NoSocket(socket.socket):
        def __init__(self, *args, **kwargs):
            refuse(*args)
    socket.socket = NoSocket
    socket.create_connection = socket.getaddrinfo = socket.socketpair = refuse
    from haikei.cli import main
    code = main(sys.argv[1:])
    print("NETWORK ATTEMPTS:", len(attempts), file=sys.stderr)
    raise SystemExit(code)
    """
)


@pytest.mark.parametrize("command", ["process", "run", "models", "devices"])
def test_no_network_use(tmp_path, doctor_video, command):
    args = {
        "process": ["process", str(doctor_video), str(tmp_path / "out.mp4"), "--frames", "20", "--no-progress"],
        "run": [
            "run",
            "--source",
            str(doctor_video),
            "--output",
            "none",
            "--frames",
            "20",
            "--model",
            "selfie-general-tflite",
        ],
        "models": ["models"],
        "devices": ["devices"],
    }[command]
    result = subprocess.run([sys.executable, "-c", BLOCK_NETWORK, *args], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "NETWORK ATTEMPTS: 0" in result.stderr
