"""Private sessions for tests, in a temporary XDG_RUNTIME_DIR: a D-Bus session bus, pipewire and
wireplumber; and for a desktop session also Xvfb, the portal's permission store (the camera granted
to host apps), xdg-desktop-portal-gtk and xdg-desktop-portal.

The bus has no service directories: nothing is D-Bus-activated behind the tests' back (WirePlumber
would otherwise start an xdg-permission-store that outlives the test). Every process is a child
started here, ended by its PID (newest first, TERM then KILL), and it dies with the test process if
that crashes.

``PipeWireSession.env`` is what a client (this process or a child) needs to reach it.
"""

from __future__ import annotations

import ctypes
import json
import os
import select
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

PROGRAMS = ("dbus-daemon", "pipewire", "wireplumber", "pw-dump")
PORTAL = "/usr/libexec/xdg-desktop-portal"
PORTAL_GTK = "/usr/libexec/xdg-desktop-portal-gtk"
PERMISSION_STORE = "/usr/libexec/xdg-permission-store"
DESKTOP_PROGRAMS = ("Xvfb", "gdbus", PORTAL, PORTAL_GTK, PERMISSION_STORE)
#: Python code that makes libpipewire look uninstalled to the process running it.
HIDE_LIBPIPEWIRE = (
    "import ctypes, ctypes.util, sys; real_cdll = ctypes.CDLL; ctypes.util.find_library = lambda name: None; "
    "ctypes.CDLL = lambda name, *a, **k: real_cdll(name.replace('pipewire', 'missing'), *a, **k)"
)
#: A session bus that starts no services (no <servicedir>) and lets its clients do anything.
BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""
STORE = "org.freedesktop.impl.portal.PermissionStore"
STORE_PATH = "/org/freedesktop/impl/portal/PermissionStore"
PORTAL_NAME = "org.freedesktop.portal.Desktop"


def missing_programs(desktop: bool = False) -> list[str]:
    wanted = PROGRAMS + (DESKTOP_PROGRAMS if desktop else ())
    return [p for p in wanted if shutil.which(p) is None]


def gstreamer_problem() -> str | None:
    """Why the in-process GStreamer PipeWire elements cannot be used, or ``None``."""
    try:
        import gi

        gi.require_version("Gst", "1.0")
        from gi.repository import Gst
    except (ImportError, ValueError) as exc:
        return f"PyGObject/GStreamer missing ({exc}): make pipewire (or pip install 'PyGObject>=3.42,<3.51')"
    Gst.init(None)
    for element in ("pipewiresink", "pipewiresrc", "videoconvert", "appsink"):
        if Gst.ElementFactory.find(element) is None:
            return f"GStreamer element {element} missing (gstreamer1.0-pipewire / -plugins-base)"
    return None


def die_with_parent() -> None:
    """Even if the test process crashes, the session's processes end with it (PR_SET_PDEATHSIG); each
    in its own process group, so a Ctrl-C reaches the test process alone, which stops them in order."""
    ctypes.CDLL(None).prctl(1, signal.SIGTERM)
    os.setpgrp()


def stop_process(process: subprocess.Popen, timeout: float = 5.0) -> None:
    """End ``process`` by its PID: TERM, then KILL if it is still there after ``timeout`` s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for stream in (process.stdout, process.stderr, process.stdin):
        if stream:
            stream.close()


class PipeWireSession:
    def __init__(self, root: Path, desktop: bool = False):
        self.root = root
        self.desktop = desktop
        self.runtime = root / "runtime"
        self.runtime.mkdir(mode=0o700, parents=True)
        self.processes: dict[str, subprocess.Popen] = {}
        self.env = {
            "XDG_RUNTIME_DIR": str(self.runtime),
            "XDG_CONFIG_HOME": str(root / "config"),
            "XDG_STATE_HOME": str(root / "state"),
            "PIPEWIRE_RUNTIME_DIR": str(self.runtime),
        }
        if desktop:
            (root / "home").mkdir()
            self.env |= {
                "HOME": str(root / "home"),
                "XDG_DATA_HOME": str(root / "data"),
                "XDG_CACHE_HOME": str(root / "cache"),
                "XDG_CURRENT_DESKTOP": "GNOME",  # portal 1.16 picks gtk.portal by its UseIn=gnome
                "GSETTINGS_BACKEND": "memory",  # no dconf service to activate
                "NO_AT_BRIDGE": "1",  # GTK would look for the accessibility bus
                "GTK_A11Y": "none",
            }

    @property
    def client_env(self) -> dict[str, str]:
        """What a PipeWire client (and, in a desktop session, a browser) needs to reach this session."""
        keys = ("XDG_RUNTIME_DIR", "PIPEWIRE_RUNTIME_DIR", "DBUS_SESSION_BUS_ADDRESS")
        return dict(self.env) if self.desktop else {k: self.env[k] for k in keys}

    def start(self) -> PipeWireSession:
        try:
            socket = self.runtime / "bus"
            config = self.root / "bus.conf"
            config.write_text(BUS_CONFIG.format(socket=socket))
            self.spawn("dbus-daemon", ["dbus-daemon", f"--config-file={config}", "--nofork"])
            self.env["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={socket}"
            self.wait(socket.exists, "the D-Bus socket")
            if self.desktop:
                self._start_display()
                # Before WirePlumber, whose portal-permissionstore module reads it at start.
                self.spawn("xdg-permission-store", [PERMISSION_STORE, "--replace"])
                self.wait(lambda: self.has_name(STORE), "the permission store")
                self.set_camera_permission("yes")
            self.spawn("pipewire", ["pipewire"])
            self.wait(lambda: (self.runtime / "pipewire-0").exists(), "the pipewire socket")
            self.spawn("wireplumber", ["wireplumber"])
            self.wait(lambda: "WirePlumber" in self.client_names(), "wireplumber to connect")
            if self.desktop:
                self.spawn("xdg-desktop-portal-gtk", [PORTAL_GTK, "--replace"])
                self.wait(lambda: self.has_name("org.freedesktop.impl.portal.desktop.gtk"), "the portal backend", 30)
                self.start_portal()
        except BaseException:
            self.stop()
            raise
        return self

    def _start_display(self) -> None:
        read, write = os.pipe()
        argv = ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"]
        self.spawn("Xvfb", argv, pass_fds=(write,))
        os.close(write)
        with os.fdopen(read) as pipe:
            ready, _, _ = select.select([pipe], [], [], 30)  # Xvfb writes its display number once it listens
            number = pipe.readline().strip() if ready else ""
        if not number:
            raise RuntimeError(f"Xvfb printed no display number (logs in {self.root})")
        self.env["DISPLAY"] = f":{number}"

    def start_portal(self, **env: str) -> None:
        """Start xdg-desktop-portal (again, after :meth:`stop_portal`), with ``env`` added to its environment."""
        self.spawn("xdg-desktop-portal", [PORTAL, "--replace"], env=env)
        self.wait(lambda: self.has_name(PORTAL_NAME), "xdg-desktop-portal", 30)

    def stop_portal(self) -> None:
        self.stop_process("xdg-desktop-portal")
        self.wait(lambda: not self.has_name(PORTAL_NAME), "xdg-desktop-portal to leave the bus")

    def spawn(self, name: str, argv: list[str], env: dict[str, str] | None = None, **kw) -> subprocess.Popen:
        """Start ``argv`` in the session as ``name`` (its log: ROOT/NAME.log)."""
        log = open(self.root / f"{name}.log", "ab")
        process = subprocess.Popen(
            argv,
            env={**os.environ, **self.env, **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            preexec_fn=die_with_parent,
            **kw,
        )
        log.close()
        self.processes[name] = process
        return process

    def stop_process(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process is not None:
            stop_process(process)

    def stop(self) -> None:
        for name in reversed(list(self.processes)):
            self.stop_process(name)

    def wait(self, ready, what: str, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            dead = [name for name, p in self.processes.items() if p.poll() is not None]
            if dead or time.monotonic() > deadline:
                raise RuntimeError(
                    f"waiting for {what}: {'exited: ' + ', '.join(dead) if dead else 'timed out'} (logs in {self.root})"
                )
            time.sleep(0.05)

    # -- PipeWire ------------------------------------------------------------------------------
    def dump(self) -> list[dict]:
        out = subprocess.run(
            ["pw-dump", "--no-colors"], env={**os.environ, **self.env}, capture_output=True, text=True, timeout=10
        ).stdout
        return json.loads(out or "[]")

    def client_names(self) -> list[str]:
        return [
            ((o.get("info") or {}).get("props") or {}).get("application.name", "")
            for o in self.dump()
            if o.get("type", "").endswith(":Client")
        ]

    def nodes(self) -> list[dict]:
        return [o["info"] for o in self.dump() if o.get("type", "").endswith(":Node") and o.get("info")]

    def links_from(self, node_name: str) -> list[dict]:
        """The links whose output is a node called ``node_name``."""
        dump = self.dump()
        ours = {
            o["id"]
            for o in dump
            if o.get("type", "").endswith(":Node")
            and ((o.get("info") or {}).get("props") or {}).get("node.name") == node_name
        }
        return [
            o
            for o in dump
            if o.get("type", "").endswith(":Link") and (o.get("info") or {}).get("output-node-id") in ours
        ]

    # -- D-Bus (gdbus: the tool the fixes Haikei gives use) ------------------------------------
    def gdbus(self, destination: str, path: str, method: str, *args: str) -> str:
        argv = ["gdbus", "call", "--session", "--dest", destination, "--object-path", path, "--method", method]
        done = subprocess.run(
            [*argv, *args], env={**os.environ, **self.env}, capture_output=True, text=True, timeout=10
        )
        if done.returncode:
            raise RuntimeError(done.stderr.strip())
        return done.stdout.strip()

    def has_name(self, name: str) -> bool:
        return self.gdbus(
            "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner", name
        ) == ("(true,)")

    def set_camera_permission(self, answer: str) -> None:
        """Store ``answer`` ("yes", "no") for host apps' camera use, as the portal does after asking."""
        self.gdbus(STORE, STORE_PATH, f"{STORE}.SetPermission", "devices", "true", "camera", "", f"['{answer}']")

    def is_camera_present(self) -> bool:
        reply = self.gdbus(
            PORTAL_NAME,
            "/org/freedesktop/portal/desktop",
            "org.freedesktop.DBus.Properties.Get",
            "org.freedesktop.portal.Camera",
            "IsCameraPresent",
        )
        return reply == "(<true>,)"


def _session(tmp_path_factory, desktop: bool):
    missing = missing_programs(desktop)
    # The PipeWire tests read the camera with GStreamer; the desktop's clients are a browser and the portal.
    problem = (None if desktop else gstreamer_problem()) or (
        f"PipeWire tests need {', '.join(missing)} (apt install pipewire wireplumber pipewire-bin dbus"
        + (" xvfb libglib2.0-bin xdg-desktop-portal xdg-desktop-portal-gtk)" if desktop else ")")
        if missing
        else None
    )
    if problem:
        if os.environ.get("HAIKEI_REQUIRE_PIPEWIRE"):  # CI: a missing PipeWire is a failure, not a skip
            pytest.fail(problem)
        pytest.skip(problem)
    session = PipeWireSession(tmp_path_factory.mktemp("desktop" if desktop else "pipewire"), desktop).start()
    with pytest.MonkeyPatch.context() as patch:
        for key, value in session.client_env.items():
            patch.setenv(key, value)
        yield session
    session.stop()


@pytest.fixture(scope="session")
def pipewire(tmp_path_factory):
    """A running private PipeWire session; this process's environment points at it meanwhile."""
    yield from _session(tmp_path_factory, desktop=False)


@pytest.fixture(scope="module")
def desktop(tmp_path_factory):
    """A private desktop session (PipeWire, Xvfb, the portal with its gtk backend, the camera granted
    to host apps) for one test module; this process's environment points at it meanwhile."""
    yield from _session(tmp_path_factory, desktop=True)
