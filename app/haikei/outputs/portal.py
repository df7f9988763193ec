"""What the xdg-desktop-portal says about cameras: browsers reach a PipeWire camera only through its
Camera portal, which needs a backend for its Access dialog and asks the permission store whether
host (non-Flatpak) apps may use cameras.

Asked on the session bus with ``gdbus`` (libglib2.0-bin), the same tool the fixes it suggests use;
nothing here starts a service that is not already running or D-Bus-activatable.
"""

from __future__ import annotations

import ast
import configparser
import os
import re
import shutil
import subprocess
from pathlib import Path

PORTAL = "org.freedesktop.portal.Desktop"
PORTAL_PATH = "/org/freedesktop/portal/desktop"
CAMERA = "org.freedesktop.portal.Camera"
STORE = "org.freedesktop.impl.portal.PermissionStore"
STORE_PATH = "/org/freedesktop/impl/portal/PermissionStore"
#: The backend interface the Camera portal needs: without one, the portal has no Camera interface.
ACCESS = "org.freedesktop.impl.portal.Access"
NOT_FOUND = "org.freedesktop.portal.Error.NotFound"
#: The first release that sees cameras appearing after it started (PR #1319, backported to 1.18.3).
CAMERA_MONITOR_FIXED = (1, 18, 3)

#: Forget the stored answer for host apps: the next app that asks gets the portal's question again.
RESET_CAMERA_COMMAND = (
    f"gdbus call --session --dest {STORE} --object-path {STORE_PATH} "
    f"--method {STORE}.DeletePermission devices camera ''"
)
#: Or allow the camera to host apps outright.
GRANT_CAMERA_COMMAND = (
    f"gdbus call --session --dest {STORE} --object-path {STORE_PATH} "
    f"--method {STORE}.SetPermission devices true camera '' \"['yes']\""
)
RESTART_PORTAL_COMMAND = "systemctl --user restart xdg-desktop-portal"
GDBUS_FIX = "install gdbus (Debian/Ubuntu: sudo apt install libglib2.0-bin; Fedora: glib2; Arch: glib2)"


class DBusError(Exception):
    """A failed call: ``name`` is the D-Bus error name (``org.freedesktop.DBus.Error.ServiceUnknown``)."""

    def __init__(self, name: str, message: str):
        super().__init__(f"{name}: {message}" if message else name)
        self.name = name


def call(destination: str, path: str, method: str, *args: str, timeout: float = 10.0):
    """One method call on the session bus (``method`` is ``interface.Method``); the reply as Python values."""
    if shutil.which("gdbus") is None:
        raise DBusError("NoClient", "gdbus is not installed")
    argv = ["gdbus", "call", "--session", "--dest", destination, "--object-path", path, "--method", method, *args]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise DBusError("Timeout", f"{destination} did not answer within {timeout:g} s") from None
    if done.returncode:
        found = re.search(r"GDBus\.Error:([\w.]+):\s*(.*)", done.stderr)
        raise DBusError(*(found.groups() if found else ("Failed", done.stderr.strip())))
    return parse_gvariant(done.stdout)


def parse_gvariant(text: str):
    """gdbus's text of a reply of booleans, numbers, strings, arrays and dicts, as Python values
    (``({'': ['no']}, <byte 0x00>)`` → ``({'': ['no']}, 0)``); variants are unwrapped."""
    text = re.sub(r"@[a-z{}()]+\s+", "", text.strip())  # type annotations of empty values: @as []
    text = re.sub(r"\b(?:byte|u?int16|u?int32|u?int64|uint16|double|objectpath|signature)\s+", "", text)
    text = re.sub(r"\btrue\b", "True", re.sub(r"\bfalse\b", "False", text))
    return ast.literal_eval(text.replace("<", "(").replace(">", ")"))


def property_value(interface: str, name: str):
    """A property of the portal's ``interface``."""
    return call(PORTAL, PORTAL_PATH, "org.freedesktop.DBus.Properties.Get", interface, name)[0]


def portal_state() -> tuple[bool, bool]:
    """(running, D-Bus-activatable) of xdg-desktop-portal on the session bus."""
    running = call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner", PORTAL)[0]
    names = call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus.ListActivatableNames")[0]
    return running, PORTAL in names


def data_dirs() -> list[Path]:
    home = os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share")
    system = os.environ.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share"
    return [Path(home)] + [Path(folder) for folder in system.split(":") if folder]


def portal_service_file() -> Path | None:
    """The D-Bus service file that starts xdg-desktop-portal (it is installed), or ``None``."""
    found = [d / "dbus-1" / "services" / f"{PORTAL}.service" for d in data_dirs()]
    return next((f for f in found if f.is_file()), None)


def portal_version() -> tuple[int, ...] | None:
    """The installed xdg-desktop-portal's version (its ``--version``, found through the service file)."""
    service = portal_service_file()
    if service is None:
        return None
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(service)
        program = parser.get("D-BUS Service", "Exec").split()[0]
        said = subprocess.run([program, "--version"], capture_output=True, text=True, timeout=10).stdout
    except (configparser.Error, IndexError, OSError, subprocess.TimeoutExpired):
        return None
    found = re.search(r"(\d+)\.(\d+)\.(\d+)", said)
    return tuple(int(part) for part in found.groups()) if found else None


def backends() -> dict[str, list[str]]:
    """The installed portal backends: ``*.portal`` file name → the interfaces it implements. Where
    xdg-desktop-portal looks: ``$XDG_DESKTOP_PORTAL_DIR``, else the data dirs (1.16 only
    /usr/share/xdg-desktop-portal/portals, a data dir)."""
    configured = os.environ.get("XDG_DESKTOP_PORTAL_DIR")
    folders = [Path(configured)] if configured else [d / "xdg-desktop-portal" / "portals" for d in data_dirs()]
    found: dict[str, list[str]] = {}
    for folder in folders:
        for path in sorted(folder.glob("*.portal")) if folder.is_dir() else []:
            parser = configparser.ConfigParser(interpolation=None)
            try:
                parser.read(path)
                interfaces = parser.get("portal", "Interfaces", fallback="")
            except configparser.Error:
                interfaces = ""
            found.setdefault(path.name, [name for name in interfaces.split(";") if name])
    return found


def camera_permission() -> list[str] | None:
    """What the permission store holds for host apps' camera use (table ``devices``, id ``camera``,
    app id ""): ``["yes"]``, ``["no"]``, or ``None`` if nothing is stored (the first app gets asked)."""
    try:
        permissions, _data = call(STORE, STORE_PATH, f"{STORE}.Lookup", "devices", "camera")
    except DBusError as exc:
        if exc.name == NOT_FOUND:
            return None
        raise
    return permissions.get("")
