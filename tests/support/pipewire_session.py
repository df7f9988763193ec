"""A private PipeWire session for tests: dbus-daemon, pipewire and wireplumber in a temporary
XDG_RUNTIME_DIR, started and stopped by the fixture (every process it started is ended and reaped,
and they die with the test process if it crashes).

``PipeWireSession.env`` is what a client (this process or a child) needs to reach it.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

PROGRAMS = ("dbus-daemon", "pipewire", "wireplumber", "pw-dump")
#: Python code that makes libpipewire look uninstalled to the process running it.
HIDE_LIBPIPEWIRE = (
    "import ctypes, ctypes.util, sys; real_cdll = ctypes.CDLL; ctypes.util.find_library = lambda name: None; "
    "ctypes.CDLL = lambda name, *a, **k: real_cdll(name.replace('pipewire', 'missing'), *a, **k)"
)


def missing_programs() -> list[str]:
    return [p for p in PROGRAMS if shutil.which(p) is None]


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


def _die_with_parent() -> None:
    """Even if the test process crashes, the session's daemons end with it (PR_SET_PDEATHSIG)."""
    ctypes.CDLL(None).prctl(1, signal.SIGTERM)


class PipeWireSession:
    def __init__(self, root: Path):
        self.root = root
        self.runtime = root / "runtime"
        self.runtime.mkdir(mode=0o700, parents=True)
        self.processes: list[subprocess.Popen] = []
        self.env = {
            "XDG_RUNTIME_DIR": str(self.runtime),
            "XDG_CONFIG_HOME": str(root / "config"),
            "XDG_STATE_HOME": str(root / "state"),
            "PIPEWIRE_RUNTIME_DIR": str(self.runtime),
        }

    @property
    def client_env(self) -> dict[str, str]:
        """What a PipeWire client needs to reach this session."""
        return {k: self.env[k] for k in ("XDG_RUNTIME_DIR", "PIPEWIRE_RUNTIME_DIR", "DBUS_SESSION_BUS_ADDRESS")}

    def start(self) -> PipeWireSession:
        try:
            bus = self._spawn(["dbus-daemon", "--session", "--nofork", "--print-address=1"], stdout=subprocess.PIPE)
            address = bus.stdout.readline().strip()
            if not address:
                raise RuntimeError("dbus-daemon printed no address")
            self.env["DBUS_SESSION_BUS_ADDRESS"] = address
            self._spawn(["pipewire"])
            self._wait(lambda: (self.runtime / "pipewire-0").exists(), "the pipewire socket")
            self._spawn(["wireplumber"])
            self._wait(lambda: "WirePlumber" in self.client_names(), "wireplumber to connect")
        except BaseException:
            self.stop()
            raise
        return self

    def _spawn(self, argv: list[str], **kw) -> subprocess.Popen:
        log = open(self.root / f"{argv[0]}.log", "wb")
        process = subprocess.Popen(
            argv,
            env={**os.environ, **self.env},
            stdin=subprocess.DEVNULL,
            stderr=log,
            stdout=kw.pop("stdout", log),
            text=True,
            preexec_fn=_die_with_parent,
            **kw,
        )
        log.close()
        self.processes.append(process)
        return process

    def _wait(self, ready, what: str, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            dead = [p.args[0] for p in self.processes if p.poll() is not None]
            if dead or time.monotonic() > deadline:
                raise RuntimeError(
                    f"waiting for {what}: {'exited: ' + ', '.join(dead) if dead else 'timed out'} (logs in {self.root})"
                )
            time.sleep(0.05)

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

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout:
                process.stdout.close()
        self.processes.clear()


@pytest.fixture(scope="session")
def pipewire(tmp_path_factory):
    """A running private PipeWire session; this process's environment points at it meanwhile."""
    missing = missing_programs()
    problem = gstreamer_problem() or (
        f"PipeWire tests need {', '.join(missing)} (apt install pipewire wireplumber pipewire-bin dbus)"
        if missing
        else None
    )
    if problem:
        if os.environ.get("HAIKEI_REQUIRE_PIPEWIRE"):  # CI: a missing PipeWire is a failure, not a skip
            pytest.fail(problem)
        pytest.skip(problem)
    session = PipeWireSession(tmp_path_factory.mktemp("pipewire")).start()
    with pytest.MonkeyPatch.context() as patch:
        for key, value in session.client_env.items():
            patch.setenv(key, value)
        yield session
    session.stop()
