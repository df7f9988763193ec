"""The standalone bundle (PyInstaller) runs its commands with nothing from a developer's machine: no venv on PATH,
no PYTHONPATH, a fresh HOME, only what a desktop session gives a program.

Building the bundle takes minutes, so these run from ``make test-bundle`` (which builds it and sets
``HAIKEI_BUNDLE``) and in CI's bundle workflow on Linux, Windows and macOS, not in ``make test``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from support.data import DOCTOR_VIDEO

BUNDLE = os.environ.get("HAIKEI_BUNDLE", "")
pytestmark = pytest.mark.skipif(not BUNDLE, reason="no bundle: `make test-bundle` builds one and runs these")
FRAMES = 12


def executable(bundle: Path) -> Path:
    if bundle.suffix == ".app":
        return bundle / "Contents" / "MacOS" / "haikei"
    return bundle / ("haikei.exe" if sys.platform == "win32" else "haikei")


@pytest.fixture(scope="module")
def haikei() -> Path:
    path = executable(Path(BUNDLE).resolve())
    assert path.is_file(), f"{path} missing: build the bundle first (make bundle)"
    return path


def desktop_session_env(home: Path) -> dict[str, str]:
    """What a desktop session hands a program it starts (env -i plus these), with a fresh HOME."""
    home.mkdir(parents=True, exist_ok=True)
    if sys.platform == "win32":
        root = os.environ.get("SYSTEMROOT", r"C:\Windows")
        return {
            "SYSTEMROOT": root,
            "WINDIR": root,
            "PATH": rf"{root}\system32;{root}",
            "USERPROFILE": str(home),
            "APPDATA": str(home / "AppData" / "Roaming"),
            "LOCALAPPDATA": str(home / "AppData" / "Local"),
            "TEMP": str(home),
            "TMP": str(home),
        }
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", "TMPDIR": str(home)}
    if sys.platform.startswith("linux"):
        (home / ".runtime").mkdir(mode=0o700, exist_ok=True)
        env["XDG_RUNTIME_DIR"] = str(home / ".runtime")
    return env


def run(argv: list, cwd: Path, env: dict[str, str], timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def elsewhere(tmp_path) -> tuple[Path, dict[str, str]]:
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    return cwd, desktop_session_env(tmp_path / "home")


@pytest.fixture(scope="module")
def video(tmp_path_factory) -> Path:
    """The webcam-like test video when ../shared is there (here, CI on Linux); elsewhere (the bundle workflow on
    GitHub's runners) a clip made here: a moving figure over a shipped background."""
    if DOCTOR_VIDEO.exists():
        return DOCTOR_VIDEO
    path = tmp_path_factory.mktemp("video") / "clip.avi"
    repo = Path(__file__).resolve().parents[1]
    background = cv2.resize(cv2.imread(str(repo / "backgrounds" / "calm-room.jpg")), (640, 360))
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30, (640, 360))
    for i in range(60):
        frame = background.copy()
        cv2.ellipse(frame, (260 + 2 * i, 150), (45, 55), 0, 0, 360, (120, 150, 200), -1)
        cv2.rectangle(frame, (190 + 2 * i, 210), (330 + 2 * i, 360), (60, 60, 160), -1)
        writer.write(frame)
    writer.release()
    return path


def test_bundle_lists_its_models_verified(haikei, elsewhere):
    cwd, env = elsewhere
    result = run([haikei, "models", "--json"], cwd, env)
    assert result.returncode == 0, result.stderr
    listing = json.loads(result.stdout)
    assert {m["name"] for m in listing["models"]} == {"selfie-landscape", "selfie-general"}
    assert all(m["verified"] and m["engine"] == "onnxruntime" for m in listing["models"]) and not listing["problems"]
    bundle = Path(BUNDLE).resolve()
    assert all(Path(m["file"]).resolve().is_relative_to(bundle) for m in listing["models"])


def test_bundle_processes_a_video(haikei, elsewhere, video):
    cwd, env = elsewhere
    result = run(
        [haikei, "process", video, "out.mp4", "--frames", FRAMES, "--background", "blur:30", "--no-progress"], cwd, env
    )
    assert result.returncode == 0, result.stderr
    capture = cv2.VideoCapture(str(cwd / "out.mp4"))
    frames = 0
    while capture.read()[0]:
        frames += 1
    capture.release()
    assert frames == FRAMES


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the process's mapped libraries in /proc")
def test_ctrl_c_while_the_bundle_starts_qt_is_one_line(haikei, elsewhere, video):
    """Ctrl+C while the app still starts (PyInstaller's runtime hook is loading Qt's shiboken): one line and
    130, as later on; without the app's own first runtime hook it was a KeyboardInterrupt inside Qt's start-up
    and an abort (SIGABRT, a core dump)."""
    cwd, env = elsewhere
    out = cwd / "out.mp4"
    started = subprocess.Popen(
        [str(haikei), "process", str(video), str(out)], cwd=cwd, env=env, stderr=subprocess.PIPE, text=True
    )
    maps = Path(f"/proc/{started.pid}/maps")
    deadline = time.monotonic() + 60
    while "libshiboken6" not in maps.read_text() and time.monotonic() < deadline:
        time.sleep(0.001)
    started.send_signal(signal.SIGINT)
    _, err = started.communicate(timeout=60)
    assert started.returncode == 130, err
    assert re.fullmatch(r"haikei: interrupted \(SIGINT\)( after .*)?\n", err), err
    assert not out.exists()


def test_bundle_window_screenshot(haikei, elsewhere, video):
    cwd, env = elsewhere
    argv = [haikei, "gui", "--source", video, "--output", "none", "--frames", 10, "--screenshot", "shot.png"]
    if sys.platform.startswith("linux"):
        # A desktop has a display: a real X server (Xvfb), so the bundle's own xcb plugin and libraries are used.
        xvfb = shutil.which("xvfb-run")
        if xvfb:
            argv = [xvfb, "-a", "-s", "-screen 0 1280x1024x24", *argv]
        else:
            env["QT_QPA_PLATFORM"] = "offscreen"
    result = run(argv, cwd, env)
    assert result.returncode == 0, result.stderr
    shot = cv2.imread(str(cwd / "shot.png"))
    assert shot is not None and shot.shape[1] >= 800 and shot.shape[0] >= 500
    preview = shot[40 : shot.shape[0] * 2 // 3, 20 : shot.shape[1] * 2 // 3]
    assert preview.std() > 25  # a picture, not an empty or flat window
    assert len(np.unique(preview.reshape(-1, 3), axis=0)) > 2000


def test_bundle_carries_its_notices_and_not_the_tflite_engine():
    bundle = Path(BUNDLE).resolve()
    inside = bundle / ("Contents/Resources" if bundle.suffix == ".app" else "_internal")
    notices = (inside / "THIRD-PARTY-NOTICES.md").read_text(encoding="utf-8")
    for name in ("PySide6", "onnxruntime", "opencv-contrib-python", "numpy", "LGPL-3.0"):
        assert name in notices
    assert (inside / "LICENSE").is_file() and any((inside / "licenses").iterdir())
    assert not (inside / "mediapipe").exists() and not (inside / "matplotlib").exists()
