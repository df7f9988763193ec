"""A PipeWire camera (Linux): no kernel module; browsers (through the xdg-desktop-portal Camera
portal) and OBS on PipeWire desktops list it.

The node offers several native modes (:func:`camera_modes`: the configured size first, then the
usual webcam sizes, at 30 and 15 fps); the first consumer to link picks one, and the engine then
renders at that size (:attr:`PipeWireCameraSink.negotiated`), so no app has to rescale. A consumer
linking while another one reads gets the current mode: switching would renegotiate every link.
Frames go out as I420 (composed in it by the pipeline, or converted here from BGR).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
from collections.abc import Iterable

import numpy as np

from haikei.errors import OutputError
from haikei.frames import I420
from haikei.frames.i420 import to_i420
from haikei.outputs.base import ReaderWatcher, Sink
from haikei.outputs.readers import app_name, sorted_names

DEFAULT_NAME = "Haikei"
#: The sizes webcams offer and meeting apps ask for, largest first; each at every rate of RATES.
SIZES = ((1920, 1080), (1280, 720), (960, 540), (640, 480), (640, 360))
RATES = (30, 15)
MISSING_FIX = (
    "install PipeWire's client library (Debian/Ubuntu: sudo apt install libpipewire-0.3-0), or use --output vcam"
)
NOT_RUNNING_FIX = "start PipeWire and WirePlumber (systemctl --user start pipewire wireplumber), or use --output vcam"

Mode = tuple[int, int, int]


def camera_modes(size: tuple[int, int], fps: float) -> list[Mode]:
    """The modes the camera offers: ``size`` at ``fps`` first (what a consumer gets when it leaves the
    choice to us), then ``size`` and each of :data:`SIZES` at each of :data:`RATES`."""
    first = (*size, round(fps))
    modes = [first] + [(*s, rate) for s in dict.fromkeys((tuple(size), *SIZES)) for rate in RATES]
    return list(dict.fromkeys(modes))


def pipewire_socket() -> str:
    runtime = os.environ.get("PIPEWIRE_RUNTIME_DIR") or os.environ.get("XDG_RUNTIME_DIR") or ""
    return os.path.join(runtime, os.environ.get("PIPEWIRE_REMOTE", "pipewire-0"))


def pipewire_running() -> bool:
    """Whether the PipeWire daemon answers on its socket."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        try:
            sock.connect(pipewire_socket())
        except OSError:
            return False
    return True


class PipeWireCameraSink(Sink):
    pixel_format = I420

    def __init__(self, size: tuple[int, int], fps: float, name: str = DEFAULT_NAME):
        from haikei.outputs import libpipewire

        try:
            libpipewire.load()
        except OSError:
            raise OutputError(
                "the PipeWire camera needs libpipewire-0.3, which is not installed", MISSING_FIX
            ) from None
        if not pipewire_running():
            raise OutputError(f"PipeWire is not running (no socket at {pipewire_socket()})", NOT_RUNNING_FIX)
        self.name = name
        self.node_name = name.lower().replace(" ", "-")
        self.modes = camera_modes(size, fps)
        properties = {
            # What the portal's camera monitor counts (media.class + media.role) and browsers list.
            "media.class": "Video/Source",
            "media.role": "Camera",
            "media.type": "Video",
            "media.category": "Capture",
            "node.name": self.node_name,
            "node.description": name,
            "application.name": "Haikei",
        }
        try:
            self.stream = libpipewire.VideoSourceStream(self.node_name, properties, self.modes)
        except OSError as exc:
            raise OutputError(f"cannot publish the PipeWire camera ({exc.strerror})", NOT_RUNNING_FIX) from None

    @classmethod
    def from_spec(cls, arg: str, size: tuple[int, int], fps: float) -> PipeWireCameraSink:
        return cls(size, fps, name=arg or DEFAULT_NAME)

    @property
    def negotiated(self) -> Mode | None:
        return self.stream.mode

    @property
    def description(self) -> str:
        mode = self.stream.mode
        if mode is not None and self.stream.state == "streaming":
            return f'PipeWire camera "{self.name}" (I420, sending {mode[0]}x{mode[1]} at {mode[2]} fps)'
        width, height, fps = self.modes[0]
        return f'PipeWire camera "{self.name}" (I420, {len(self.modes)} modes, first {width}x{height} at {fps} fps)'

    def send(self, frame: np.ndarray) -> None:
        if self.stream.error is not None:
            raise OutputError(f"the PipeWire camera stopped ({self.stream.error})", NOT_RUNNING_FIX)
        self.stream.write(np.ascontiguousarray(to_i420(frame) if frame.ndim == 3 else frame))

    def reader_watcher(self) -> PipeWireReaderWatcher | None:
        return PipeWireReaderWatcher(self.node_name) if PipeWireReaderWatcher.available() else None

    def close(self) -> None:
        self.stream.close()


class PipeWireGraph:
    """Just enough of the PipeWire graph to know who reads our node, merged from ``pw-dump`` output
    (``--monitor`` sends an object whole when it appears, then only what changed; ``info: null``
    when it goes)."""

    def __init__(self) -> None:
        self.clients: dict[int, dict] = {}  # id → props
        self.nodes: dict[int, dict] = {}  # id → {"props": …, "state": …}
        self.links: dict[int, tuple[int | None, int | None]] = {}  # id → (output node, input node)

    def update(self, objects: Iterable[dict]) -> None:
        for obj in objects:
            oid, info, kind = obj.get("id"), obj.get("info"), str(obj.get("type", ""))
            if info is None:
                for table in (self.clients, self.nodes, self.links):
                    table.pop(oid, None)
            elif kind.endswith(":Client"):
                self.clients[oid] = {**self.clients.get(oid, {}), **(info.get("props") or {})}
            elif kind.endswith(":Node"):
                node = self.nodes.setdefault(oid, {"props": {}, "state": ""})
                node["props"].update(info.get("props") or {})
                node["state"] = info.get("state") or node["state"]
            elif kind.endswith(":Link"):
                before = self.links.get(oid, (None, None))
                self.links[oid] = (info.get("output-node-id", before[0]), info.get("input-node-id", before[1]))

    def our_nodes(self, node_name: str, pid: int) -> set[int]:
        """Nodes called ``node_name`` whose client is process ``pid``."""
        return {
            oid
            for oid, node in self.nodes.items()
            if node["props"].get("node.name") == node_name
            and self.clients.get(node["props"].get("client.id"), {}).get("application.process.id") == pid
        }

    def running(self, nodes: set[int]) -> bool:
        return any(self.nodes[n]["state"] == "running" for n in nodes)

    def readers(self, nodes: set[int]) -> tuple[str, ...]:
        """The apps linked to ``nodes``: their clients' application names (else their programs)."""
        names = []
        for source, sink in self.links.values():
            if source in nodes and sink in self.nodes:
                props = self.nodes[sink]["props"]
                client = self.clients.get(props.get("client.id"), {})
                program = client.get("application.process.binary") or props.get("node.name", "")
                names.append(app_name(client.get("application.name") or props.get("application.name") or program))
        return sorted_names(names)


class PipeWireReaderWatcher(ReaderWatcher):
    """Consumers of our PipeWire node: its state is ``running`` exactly while one streams from it, and
    the links to it name the apps.

    Follows ``pw-dump --monitor`` (one subprocess, event driven) for the node with our ``node.name``
    owned by process ``pid``.
    """

    def __init__(self, node_name: str, pid: int | None = None, env: dict | None = None):
        super().__init__()
        self.node_name = node_name
        self.pid = os.getpid() if pid is None else pid
        self.env = env
        self._process: subprocess.Popen | None = None

    @staticmethod
    def available() -> bool:
        return shutil.which("pw-dump") is not None

    def stop(self) -> None:
        self._stop.set()
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
        super().stop()
        if self._process is not None:
            try:
                self._process.wait(2.0)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def _run(self) -> None:
        try:
            self._process = subprocess.Popen(
                ["pw-dump", "--monitor", "--no-colors"],
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=self.env,
                text=True,
            )
        except OSError:
            return
        decoder = json.JSONDecoder()
        graph = PipeWireGraph()
        pending = ""
        for line in self._process.stdout:
            if self._stop.is_set():
                break
            pending += line
            try:
                update, end = decoder.raw_decode(pending.lstrip())
            except json.JSONDecodeError:
                continue  # the array is not complete yet
            pending = pending.lstrip()[end:]
            graph.update(update)
            ours = graph.our_nodes(self.node_name, self.pid)
            self._set(graph.running(ours), graph.readers(ours))
