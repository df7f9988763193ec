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
import time
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
    from haikei.outputs import libpipewire
    from haikei.outputs.pipewire import (
        MISSING_FIX,
        NOT_RUNNING_FIX,
        PipeWireCameraSink,
        pipewire_running,
        pipewire_socket,
    )

    name = "PipeWire camera"
    required = output_kind(settings.output) == "pipewire"
    try:
        libpipewire.load()
    except OSError:
        return [Check(name, False, "PipeWire's client library libpipewire-0.3 is not installed", MISSING_FIX, required)]
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


PORTAL_INSTALL_FIX = (
    "install the desktop portal and a backend for its dialogs: Debian/Ubuntu: sudo apt install xdg-desktop-portal "
    "xdg-desktop-portal-gtk (GNOME: xdg-desktop-portal-gnome, KDE: xdg-desktop-portal-kde); Fedora: sudo dnf "
    "install xdg-desktop-portal xdg-desktop-portal-gtk; Arch: sudo pacman -S xdg-desktop-portal "
    "xdg-desktop-portal-gtk; then log out and in"
)
PORTAL_BACKEND_FIX = (
    "install a portal backend that provides the Access dialog: Debian/Ubuntu: sudo apt install "
    "xdg-desktop-portal-gtk (or xdg-desktop-portal-gnome, xdg-desktop-portal-kde on those desktops), then "
    "systemctl --user restart xdg-desktop-portal"
)
#: How long a portal that sees new cameras may take to count the probe camera.
CAMERA_PRESENT_WAIT_S = 1.0


def check_camera_portal(settings: Settings) -> list[Check]:
    """What browsers need to use the PipeWire camera: the xdg-desktop-portal, its Camera portal (a
    backend with the Access dialog), no stored "no" for host apps, and the portal seeing the camera.
    None of it is on the default path: ``haikei run`` and OBS do not go through the portal."""
    if not sys.platform.startswith("linux"):
        return []
    from haikei.outputs import portal

    name = "camera portal (browsers)"
    try:
        running, activatable = portal.portal_state()
    except portal.DBusError as exc:
        detail = f"cannot ask the session bus ({exc}); browsers reach PipeWire cameras through it"
        no_bus = "run Haikei in a desktop session (DBUS_SESSION_BUS_ADDRESS)"
        return [Check(name, False, detail, portal.GDBUS_FIX if exc.name == "NoClient" else no_bus)]
    version = portal.portal_version()
    called = "xdg-desktop-portal" + (f" {'.'.join(map(str, version))}" if version else "")
    if not (running or activatable):
        if portal.portal_service_file() is not None:
            return [Check(name, False, f"{called} is installed but this session cannot start it", "log out and in")]
        detail = "xdg-desktop-portal is not installed: browsers cannot use the PipeWire camera"
        return [Check(name, False, detail, PORTAL_INSTALL_FIX)]
    checks = [Check(name, True, f"{called} {'runs' if running else 'starts on demand'}")]
    name = "camera portal backend"
    backends = portal.backends()
    with_access = ", ".join(file for file, interfaces in backends.items() if portal.ACCESS in interfaces)
    try:
        camera_version = portal.property_value(portal.CAMERA, "version")
    except portal.DBusError as exc:
        if with_access:
            detail = f"a backend is installed ({with_access}) but the portal has no Camera portal ({exc.name})"
            return [*checks, Check(name, False, detail, portal.RESTART_PORTAL_COMMAND)]
        detail = (
            "no portal backend provides the Access dialog the Camera portal needs "
            f"(backends: {', '.join(backends) or 'none'})"
        )
        return [*checks, Check(name, False, detail, PORTAL_BACKEND_FIX)]
    checks.append(Check(name, True, f"Camera portal version {camera_version} ({with_access or 'a backend'})"))
    return [*checks, check_camera_permission(), *check_camera_present(version)]


def check_camera_permission() -> Check:
    from haikei.outputs import portal

    name = "camera permission (browsers)"
    try:
        answer = portal.camera_permission()
    except portal.DBusError as exc:
        return Check(name, False, f"cannot read the portal's permission store ({exc})", PORTAL_INSTALL_FIX)
    if answer is None:
        return Check(name, True, "nothing stored yet: the first app to ask for a camera gets the portal's question")
    if answer[:1] == ["no"]:
        detail = (
            'the portal stored "no" for host apps\' camera use (a permission dialog was refused, closed or never '
            "shown): browsers wait forever for the camera list"
        )
        fix = f"forget it: {portal.RESET_CAMERA_COMMAND} (or allow it: {portal.GRANT_CAMERA_COMMAND})"
        return Check(name, False, detail, fix)
    return Check(name, True, f"host apps may use cameras ({', '.join(answer) or 'empty answer'})")


def check_camera_present(version: tuple[int, ...] | None) -> list[Check]:
    """The portal's IsCameraPresent while Haikei's camera exists (doctor publishes one to ask, when
    Haikei does not run). xdg-desktop-portal before 1.18.3 counts only the cameras that existed when it
    connected to PipeWire (its camera monitor drops PipeWire's registry after the first round-trip)."""
    from haikei.outputs import portal
    from haikei.outputs.pipewire import PipeWireCameraSink, pipewire_running

    if not pipewire_running():
        return []  # check_pipewire says what to do
    name = "camera portal sees Haikei"
    probe = None
    if not any(n.get("node.name") == "haikei" and n.get("media.role") == "Camera" for n in pipewire_nodes()):
        try:
            probe = PipeWireCameraSink((64, 48), 5, name="Haikei doctor")
        except HaikeiError:
            return []  # check_pipewire says why
    try:
        deadline = time.monotonic() + CAMERA_PRESENT_WAIT_S
        while not (present := portal.property_value(portal.CAMERA, "IsCameraPresent")) and time.monotonic() < deadline:
            time.sleep(0.1)
    except portal.DBusError as exc:
        return [Check(name, False, f"cannot ask the Camera portal ({exc})", portal.RESTART_PORTAL_COMMAND)]
    finally:
        if probe is not None:
            probe.close()
    if present:
        return [Check(name, True, "IsCameraPresent is true while Haikei's camera exists")]
    called = f"xdg-desktop-portal {'.'.join(map(str, version))}" if version else "the portal"
    why = (
        f"{called} counts only the cameras that existed when it started (fixed in 1.18.3)"
        if version is None or version < portal.CAMERA_MONITOR_FIXED
        else f"{called} does not count Haikei's camera"
    )
    detail = (
        f"the portal says no camera is present although Haikei's exists: {why}; apps that ask it first (libportal's "
        "xdp_portal_is_camera_present, many Flatpak apps) find no camera. Chromium and Firefox do not ask"
    )
    fix = (
        f"restart the portal once Haikei is running: {portal.RESTART_PORTAL_COMMAND} (this ends screen shares in "
        "progress), or upgrade xdg-desktop-portal to 1.18.3 or later"
    )
    return [Check(name, False, detail, fix)]


def pipewire_nodes() -> list[dict]:
    """The properties of each PipeWire node (``pw-dump``); empty if it cannot be read."""
    try:
        dump = subprocess.run(["pw-dump", "--no-colors"], capture_output=True, text=True, timeout=10).stdout
        objects = json.loads(dump or "[]")
    except (OSError, subprocess.TimeoutExpired, json.JSONDecodeError):
        return []
    return [(o.get("info") or {}).get("props") or {} for o in objects if o.get("type", "").endswith(":Node")]


def check_font(settings: Settings) -> list[Check]:
    """A font that covers the window's language (Japanese without a CJK font is all empty boxes)."""
    language = qt_platform.ui_language()
    name = f"font for the window's language ({language})"
    if language not in qt_platform.FONT_PACKAGES:
        return [Check(name, True, "the window speaks English here: any font shows it")]
    problem = qt_platform.font_problem(language)
    if problem is not None:
        return [Check(name, False, problem[0], problem[1])]
    return [Check(name, True, "an installed font covers it")]


CHECKS: list[Callable[[Settings], list[Check]]] = [
    check_camera,
    check_virtual_camera,
    check_pipewire,
    check_models,
    check_qt,
    check_gl_libraries,
    check_camera_portal,
    check_font,
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
