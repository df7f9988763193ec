"""``haikei doctor``: is every part Haikei needs here, and if not, the exact fix.

Each check is a function in :data:`CHECKS` returning :class:`Check` results. The *default path* is
what ``haikei run`` does with the saved settings: read the configured camera, run the configured
model, write to the configured output. Doctor exits 0 when every check on that path is ok.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from haikei.cli.options import saved_settings
from haikei.errors import HaikeiError
from haikei.gui import platform as qt_platform
from haikei.outputs import output_kind
from haikei.segment.catalog import load_catalog
from haikei.settings import Settings

GL_LIBRARIES = ("libGL.so.1", "libEGL.so.1", "libGLESv2.so.2")
GL_FIX = "sudo apt install libgl1 libegl1 libgles2 (Fedora: sudo dnf install mesa-libGL mesa-libEGL mesa-libGLES)"
QT_FIX_LINUX = (
    f"sudo apt install {qt_platform.APT_PACKAGES}, or choose a platform with QT_QPA_PLATFORM=wayland (or xcb)"
)
TRAY_FIX = (
    "a tray needs a desktop with a status notifier area (GNOME: the AppIndicator extension); "
    "without one Haikei still works from its window"
)
_QT_PROBE = (
    "import json; from PySide6.QtWidgets import QApplication, QSystemTrayIcon; app = QApplication([]); "
    "print(json.dumps({'platform': app.platformName(), 'tray': QSystemTrayIcon.isSystemTrayAvailable()}))"
)


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    #: On the default path: a problem here means ``haikei run`` fails.
    required: bool = False

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k != "required"}


def check_camera(settings: Settings) -> list[Check]:
    from haikei.capture import camera_device
    from haikei.devices import list_devices

    name = "camera"
    if camera_device(settings.source) is None:
        exists = Path(settings.source).expanduser().is_file()
        return [
            Check(
                name,
                exists,
                f"source is the file {settings.source}" + ("" if exists else ", which does not exist"),
                "" if exists else "pick an existing file or a camera with --source",
                required=True,
            )
        ]
    cameras = [d for d in list_devices() if d.kind == "camera"]
    usable = [d for d in cameras if not d.problem]
    wanted = settings.source
    if wanted.isdigit() and sys.platform.startswith("linux"):
        wanted = f"/dev/video{wanted}"  # OpenCV's V4L2 camera N is /dev/videoN
    found = any(d.id == wanted for d in usable)
    listed = "; ".join(f"{d.id} {d.name}" + (f" ({d.problem})" if d.problem else "") for d in cameras) or "none found"
    fix = (
        ""
        if found
        else (
            "connect a webcam; if it is connected but cannot be opened, add yourself to the video group "
            "(sudo usermod -a -G video $USER) and log in again; or pick one with --source"
        )
    )
    return [Check(name, found, f"source {settings.source}; cameras: {listed}", fix, required=True)]


def check_virtual_camera(settings: Settings) -> list[Check]:
    from haikei.outputs.vcam import describe_virtual_camera_error, virtual_camera_fix

    required = output_kind(settings.output) == "vcam"
    if sys.platform.startswith("linux"):
        from haikei.devices import linux_devices

        loopbacks = [d for d in linux_devices() if d.kind == "virtual-camera"]
        if not loopbacks:
            loaded = Path("/sys/module/v4l2loopback").exists()
            detail = (
                "the v4l2loopback module is loaded but has no device"
                if loaded
                else "no v4l2loopback device (the kernel module is not loaded)"
            )
            return [Check("virtual camera (v4l2loopback)", False, detail, virtual_camera_fix(), required)]
        listed = "; ".join(f"{d.id} {d.name}" for d in loopbacks)
        return [Check("virtual camera (v4l2loopback)", True, listed, required=required)]
    import pyvirtualcam

    try:
        with pyvirtualcam.Camera(64, 48, 5) as camera:
            detail = f"{camera.device} ({camera.backend})"
    except Exception as exc:  # noqa: BLE001 - pyvirtualcam raises RuntimeError naming every backend's problem
        error = describe_virtual_camera_error(str(exc), None)
        return [Check("virtual camera", False, error.message, error.fix or virtual_camera_fix(), required)]
    return [Check("virtual camera", True, detail, required=required)]


def check_pipewire(settings: Settings) -> list[Check]:
    if not sys.platform.startswith("linux"):
        return []
    from haikei.outputs.pipewire import (
        NOT_RUNNING_FIX,
        PipeWireCameraSink,
        load_gstreamer,
        pipewire_running,
        pipewire_socket,
    )

    name = "PipeWire camera"
    required = output_kind(settings.output) == "pipewire"
    try:
        load_gstreamer()
    except HaikeiError as exc:
        return [Check(name, False, exc.message, exc.fix, required)]
    if not pipewire_running():
        return [
            Check(name, False, f"PipeWire is not running (no socket at {pipewire_socket()})", NOT_RUNNING_FIX, required)
        ]
    manager = session_manager()
    if manager is None:
        return [
            Check(
                name,
                False,
                "PipeWire runs but no session manager does: apps would wait forever for the camera",
                "start WirePlumber: systemctl --user start wireplumber",
                required,
            )
        ]
    try:
        PipeWireCameraSink((64, 48), 5, name="Haikei doctor").close()
    except HaikeiError as exc:
        return [Check(name, False, exc.message, exc.fix, required)]
    return [
        Check(name, True, f"can publish a camera (PipeWire with {manager}); use --output pipewire", required=required)
    ]


def session_manager() -> str | None:
    """The PipeWire session manager's name (WirePlumber), or ``None`` if none is connected."""
    try:
        dump = subprocess.run(["pw-dump", "--no-colors"], capture_output=True, text=True, timeout=10).stdout
        objects = json.loads(dump or "[]")
    except (OSError, subprocess.TimeoutExpired, json.JSONDecodeError):
        return None
    for obj in objects:
        props = (obj.get("info") or {}).get("props") or {}
        if obj.get("type", "").endswith(":Client"):
            app = props.get("application.name", "")
            if app.lower() in ("wireplumber", "pipewire-media-session"):
                return app
    return None


def check_models(settings: Settings) -> list[Check]:
    catalog = load_catalog()
    checks = [
        Check(
            f"model {m.name}",
            m.verified(),
            f"{m.file.name} ({m.engine})" + ("" if m.verified() else ": sha256 mismatch or unreadable"),
            "" if m.verified() else "reinstall Haikei or restore the original file",
            required=m.name == settings.model,
        )
        for m in catalog.models.values()
    ]
    if settings.model not in catalog.models:
        checks.append(
            Check(
                f"model {settings.model}",
                False,
                "the configured model is not installed",
                f"choose one of {', '.join(sorted(catalog.models))} (see `haikei models`)",
                required=True,
            )
        )
    checks += [Check("model manifests", False, problem, "fix or remove that manifest") for problem in catalog.problems]
    return checks


def check_qt(settings: Settings) -> list[Check]:
    """Qt's X11 plugin's system libraries first, found without Qt and whether or not there is a display
    here (a desktop session will need them); then a child process starts Qt for real, since Qt aborts
    a process whose platform plugin cannot load."""
    problem = qt_platform.library_problem("xcb") or qt_platform.window_problem()
    if problem is not None:
        return [
            Check("Qt platform plugin", False, problem[0], problem[1]),
            Check("system tray", False, "unknown: Qt does not start", problem[1]),
        ]
    environment = dict(os.environ)
    qt_platform.clean_environment(environment)
    try:
        probe = subprocess.run(
            [sys.executable, "-c", _QT_PROBE], capture_output=True, text=True, timeout=30, env=environment
        )
        result = json.loads(probe.stdout.strip().splitlines()[-1])
    except (subprocess.TimeoutExpired, json.JSONDecodeError, IndexError) as exc:
        why = "timed out" if isinstance(exc, subprocess.TimeoutExpired) else _qt_complaint(probe.stderr)
        fix = QT_FIX_LINUX if sys.platform.startswith("linux") else "reinstall PySide6-Essentials"
        return [
            Check("Qt platform plugin", False, f"Qt cannot start a GUI ({why})", fix),
            Check("system tray", False, "unknown: Qt does not start", fix),
        ]
    checks = [Check("Qt platform plugin", True, result["platform"])]
    tray = result["tray"]
    checks.append(
        Check(
            "system tray",
            tray,
            "available" if tray else f"not available on the {result['platform']} platform",
            "" if tray else TRAY_FIX,
        )
    )
    return checks


def _qt_complaint(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in lines:
        if "could not" in line.lower() or "cannot" in line.lower():
            return line
    return lines[-1] if lines else "no output"


def check_gl_libraries(settings: Settings) -> list[Check]:
    if not sys.platform.startswith("linux"):
        return []
    missing = []
    for library in GL_LIBRARIES:
        try:
            ctypes.CDLL(library)
        except OSError:
            missing.append(library)
    model = load_catalog().models.get(settings.model)
    required = model is not None and model.engine == "mediapipe"
    if missing:
        return [Check("GL libraries (mediapipe models)", False, f"missing {', '.join(missing)}", GL_FIX, required)]
    return [Check("GL libraries (mediapipe models)", True, ", ".join(GL_LIBRARIES), required=required)]


CHECKS: list[Callable[[Settings], list[Check]]] = [
    check_camera,
    check_virtual_camera,
    check_pipewire,
    check_models,
    check_qt,
    check_gl_libraries,
]


def run_checks(settings: Settings) -> list[Check]:
    results = []
    for check in CHECKS:
        try:
            results += check(settings)
        except Exception as exc:  # noqa: BLE001 - one broken probe must not hide the others
            results.append(
                Check(
                    check.__name__.removeprefix("check_"),
                    False,
                    f"the check itself failed: {exc!r}",
                    "please report this",
                )
            )
    return results


def default_path_works(checks: list[Check]) -> bool:
    return all(c.ok for c in checks if c.required)


def report(checks: list[Check], as_json: bool) -> str:
    if as_json:
        return json.dumps({"checks": [c.to_dict() for c in checks]}, indent=2)
    lines = []
    for c in checks:
        mark = "ok     " if c.ok else "PROBLEM"
        lines.append(f"{mark} {c.name}{' *' if c.required else ''}: {c.detail}")
        if not c.ok and c.fix:
            lines.append(f"        fix: {c.fix}")
    verdict = (
        "the default path works"
        if default_path_works(checks)
        else "the default path does not work: fix the problems marked *"
    )
    lines.append(f"\n* = needed by `haikei run` with your settings; {verdict}")
    return "\n".join(lines)


def add_parser(sub: argparse._SubParsersAction) -> None:
    doctor = sub.add_parser(
        "doctor", help="check cameras, outputs, models and the desktop; print the fix for each problem"
    )
    doctor.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    checks = run_checks(saved_settings())
    print(report(checks, args.json))
    return 0 if default_path_works(checks) else 1
