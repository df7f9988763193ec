"""A PipeWire camera (Linux): no kernel module; browsers and OBS on PipeWire desktops list it.

GStreamer ``appsrc → pipewiresink mode=provide`` publishes a ``Video/Source`` node with
``media.role=Camera``. Frames go in as I420 (composed in it by the pipeline, or converted here from
BGR), so GStreamer converts nothing. Needs the optional extra (``pip install haikei[pipewire]``: PyGObject) and the
system's GStreamer PipeWire plugin.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess

import numpy as np

from haikei.errors import OutputError
from haikei.frames import I420
from haikei.frames.i420 import to_i420
from haikei.outputs.base import ReaderWatcher, Sink

DEFAULT_NAME = "Haikei"
MISSING_FIX = (
    "install the PipeWire extra: pip install 'haikei[pipewire]', and the system packages "
    "(Debian/Ubuntu: sudo apt install gstreamer1.0-pipewire gir1.2-gstreamer-1.0 gir1.2-gst-plugins-base-1.0)"
)
NOT_RUNNING_FIX = "start PipeWire and WirePlumber (systemctl --user start pipewire wireplumber), or use --output vcam"


def load_gstreamer():
    """GStreamer's Python module, initialised, or an :class:`OutputError` saying how to get it."""
    try:
        import gi

        gi.require_version("Gst", "1.0")
        from gi.repository import Gst
    except (ImportError, ValueError):
        raise OutputError("the PipeWire camera needs PyGObject and GStreamer", MISSING_FIX) from None
    Gst.init(None)
    if Gst.ElementFactory.find("pipewiresink") is None:
        raise OutputError("GStreamer's PipeWire plugin (pipewiresink) is not installed", MISSING_FIX)
    return Gst


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
    def __init__(self, size: tuple[int, int], fps: float, name: str = DEFAULT_NAME):
        Gst = load_gstreamer()
        if not pipewire_running():
            raise OutputError(f"PipeWire is not running (no socket at {pipewire_socket()})", NOT_RUNNING_FIX)
        self._Gst = Gst
        self.size = size
        self.name = name
        self.node_name = name.lower().replace(" ", "-")
        width, height = size
        fps_num = round(fps)
        # identity drop-allocation: pipewiresink's provide mode fails allocation queries from upstream.
        self.pipeline = Gst.parse_launch(
            f"appsrc name=src is-live=true format=time do-timestamp=true max-buffers=2 leaky-type=downstream "
            f"caps=video/x-raw,format=I420,width={width},height={height},framerate={fps_num}/1 "
            f"! identity drop-allocation=true "
            f"! pipewiresink name=sink mode=provide sync=false"
        )
        properties = Gst.Structure.new_empty("props")
        for key, value in (
            ("media.class", "Video/Source"),
            ("media.role", "Camera"),
            ("node.name", self.node_name),
            ("node.description", name),
        ):
            properties.set_value(key, value)
        sink = self.pipeline.get_by_name("sink")
        sink.set_property("client-name", self.node_name)
        sink.set_property("stream-properties", properties)
        self.appsrc = self.pipeline.get_by_name("src")
        if self.pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
            problem = self._bus_error() or "the pipeline did not start"
            self.pipeline.set_state(Gst.State.NULL)
            raise OutputError(f"cannot publish the PipeWire camera ({problem})", NOT_RUNNING_FIX)
        # pipewiresink crashes the process on the first buffer pushed after a consumer linked to a node that
        # never had one: prime it with a black frame before any consumer can link.
        self.send(np.zeros((height, width, 3), np.uint8))
        self.pixel_format = I420
        self.description = f'PipeWire camera "{name}" (I420)'

    @classmethod
    def from_spec(cls, arg: str, size: tuple[int, int], fps: float) -> PipeWireCameraSink:
        return cls(size, fps, name=arg or DEFAULT_NAME)

    def _bus_error(self) -> str | None:
        bus = self.pipeline.get_bus()
        while (message := bus.pop_filtered(self._Gst.MessageType.ERROR)) is not None:
            error, _ = message.parse_error()
            return error.message
        return None

    def send(self, frame: np.ndarray) -> None:
        problem = self._bus_error()
        if problem is not None:
            raise OutputError(f"the PipeWire camera stopped ({problem})", NOT_RUNNING_FIX)
        data = to_i420(frame) if frame.ndim == 3 else frame
        self.appsrc.emit("push-buffer", self._Gst.Buffer.new_wrapped(data.tobytes()))

    def reader_watcher(self) -> PipeWireReaderWatcher | None:
        return PipeWireReaderWatcher(self.node_name) if PipeWireReaderWatcher.available() else None

    def close(self) -> None:
        self.appsrc.emit("end-of-stream")
        self.pipeline.set_state(self._Gst.State.NULL)


class PipeWireReaderWatcher(ReaderWatcher):
    """Consumers of our PipeWire node: its state is ``running`` exactly while it is linked to one.

    Follows ``pw-dump --monitor`` (one subprocess, event driven) for the node with our
    ``node.name`` owned by ``pid``.
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
        buffer = ""
        our_clients: set[int] = set()
        nodes: dict[int, tuple[str, int, str]] = {}  # id → (node.name, client.id, state)
        for line in self._process.stdout:
            if self._stop.is_set():
                break
            buffer += line
            try:
                update, end = decoder.raw_decode(buffer.lstrip())
            except json.JSONDecodeError:
                continue  # the array is not complete yet
            buffer = buffer.lstrip()[end:]
            for obj in update:
                info, kind = obj.get("info"), str(obj.get("type", ""))
                if info is None:  # removed
                    nodes.pop(obj.get("id"), None)
                    our_clients.discard(obj.get("id"))
                    continue
                props = info.get("props") or {}
                if kind.endswith(":Client") and props.get("application.process.id") == self.pid:
                    our_clients.add(obj["id"])
                elif kind.endswith(":Node"):
                    name, client, state = nodes.get(obj["id"], ("", -1, ""))
                    nodes[obj["id"]] = (
                        props.get("node.name", name),
                        props.get("client.id", client),
                        info.get("state") or state,
                    )
            self._set(
                any(
                    name == self.node_name and client in our_clients and state == "running"
                    for name, client, state in nodes.values()
                )
            )
