"""Outputs, in a registry keyed by the ``--output`` spec: ``vcam[:DEVICE]``, ``pipewire[:NAME]``,
a video file path, ``none``.

Every sink takes frame-sized BGR uint8 frames, and those whose :attr:`Sink.pixel_format` is I420
(the cameras, the null output) frames composed in I420 too. :class:`PreviewSink` (a callback) is for the GUI.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from haikei.compose import BGR, I420, from_i420
from haikei.errors import OutputError


class Sink:
    description = ""
    #: The format ``send`` takes besides BGR: a camera's native one (I420), so that the picture can
    #: be composed in it (:meth:`haikei.pipeline.FrameProcessor.compose`) rather than converted here.
    pixel_format = BGR

    def send(self, frame: np.ndarray) -> None:
        """Output ``frame``: BGR (HxWx3), or a 2-D frame already in :attr:`pixel_format` (I420)."""
        raise NotImplementedError

    def close(self) -> None:
        pass


class NullSink(Sink):
    """Drops every frame. Takes I420 like a virtual camera, so that a bench with no output still
    times the picture in the format a camera would get."""

    description = "no output"
    pixel_format = I420

    def send(self, frame: np.ndarray) -> None:
        pass


class PreviewSink(Sink):
    """Hands each frame to a callback (the GUI's preview); the callback must not block."""

    description = "preview"

    def __init__(self, callback: Callable[[np.ndarray], None]):
        self.callback = callback

    def send(self, frame: np.ndarray) -> None:
        self.callback(frame)


def virtual_camera_fix() -> str:
    """The exact step that makes a virtual camera device exist on this OS."""
    if sys.platform.startswith("linux"):
        return (
            "install v4l2loopback (Debian/Ubuntu: sudo apt install v4l2loopback-dkms) and run "
            'sudo modprobe v4l2loopback devices=1 exclusive_caps=1 card_label="Haikei"; '
            "to load it at every boot, copy packaging/linux/haikei-v4l2loopback.conf to /etc/modprobe.d/ "
            "and packaging/linux/haikei-modules-load.conf to /etc/modules-load.d/; "
            "if modprobe says 'Key was rejected by service', Secure Boot refuses the unsigned module: enroll "
            "the DKMS signing key (Debian: sudo mokutil --import /var/lib/dkms/mok.pub; Ubuntu: "
            "sudo update-secureboot-policy --enroll-key) and reboot, or use --output pipewire, which needs no module"
        )
    if sys.platform == "win32":
        return "install OBS Studio and click Start Virtual Camera once (or install Unity Capture)"
    if sys.platform == "darwin":
        return "install OBS Studio 30 or later and click Start Virtual Camera once to install its camera extension"
    return "this OS has no virtual camera backend in pyvirtualcam"


class VirtualCameraSink(Sink):
    """A virtual webcam through pyvirtualcam, fed in the backend's native pixel format.

    Frame pacing: frames go out as the engine makes them (it is paced by its source, and sleeping
    here would only add latency); if none comes for ``STALL_AFTER`` s (a camera hanging in a read,
    a slow model) the last one is repeated every ``REPEAT_INTERVAL`` s, so apps reading the device
    keep getting frames instead of timing out and dropping the camera.
    """

    #: Formats OpenCV converts BGR into directly; anything else is sent as BGR for pyvirtualcam to convert.
    CONVERSIONS = {
        "I420": cv2.COLOR_BGR2YUV_I420,
        "RGB": cv2.COLOR_BGR2RGB,
        "RGBA": cv2.COLOR_BGR2RGBA,
        "GRAY": cv2.COLOR_BGR2GRAY,
    }
    STALL_AFTER = 1.0
    REPEAT_INTERVAL = 0.2

    def __init__(
        self,
        size: tuple[int, int],
        fps: float,
        device: str | None = None,
        backend: str | None = None,
        watch_path: str | None = None,
    ):
        """``watch_path``: the file whose readers count as viewers (default: the v4l2loopback node)."""
        import pyvirtualcam

        self._pv = pyvirtualcam
        self.camera = self._open(size, fps, device, backend, pyvirtualcam.PixelFormat.BGR)
        native = self.camera.native_fmt
        if native is not None and native.name in self.CONVERSIONS:
            opened_device, opened_backend = self.camera.device, self.camera.backend
            self.camera.close()
            self.camera = self._open(size, fps, opened_device, opened_backend, native)
        self.pixel_format = self.camera.fmt.name
        self._conversion = self.CONVERSIONS.get(self.pixel_format)
        self._converted: np.ndarray | None = None  # the native-format frame, reused
        self.description = f"virtual camera {self.camera.device} ({self.camera.backend}, {self.pixel_format})"
        self.watch_path = watch_path
        self.repeated = 0
        self._lock = threading.Lock()
        self._last: np.ndarray | None = None
        self._last_sent = 0.0
        self._closed = threading.Event()
        self._keep_alive_thread = threading.Thread(target=self._keep_alive, name="haikei-vcam-keepalive", daemon=True)
        self._keep_alive_thread.start()

    def _open(self, size, fps, device, backend, fmt):
        try:
            return self._pv.Camera(size[0], size[1], fps, fmt=fmt, device=device, backend=backend)
        except Exception as exc:  # noqa: BLE001 - pyvirtualcam raises RuntimeError listing every backend's complaint
            raise describe_virtual_camera_error(str(exc), device) from None

    @property
    def device(self) -> str:
        return self.camera.device

    def send(self, frame: np.ndarray) -> None:
        with self._lock:  # the keep-alive thread resends ``_last``: never while it is being rewritten
            if self._conversion is not None and frame.ndim == 3:
                frame = self._converted = cv2.cvtColor(frame, self._conversion, dst=self._converted)
            self.camera.send(frame)
            self._last, self._last_sent = frame, time.monotonic()

    def _keep_alive(self) -> None:
        while not self._closed.wait(self.REPEAT_INTERVAL):
            with self._lock:
                if self._last is None or time.monotonic() - self._last_sent < self.STALL_AFTER:
                    continue
                try:
                    self.camera.send(self._last)
                except Exception:  # noqa: BLE001 - the device went away: the engine's next send reports it
                    return
                self.repeated += 1

    def reader_watcher(self):
        """Who reads the device: known on v4l2loopback (inotify on its node), not on other backends."""
        if self.camera.backend != "v4l2loopback":
            return None
        from haikei.idle import InotifyReaderWatcher

        return InotifyReaderWatcher(self.watch_path or self.camera.device)

    def close(self) -> None:
        self._closed.set()
        self._keep_alive_thread.join()
        self.camera.close()


def describe_virtual_camera_error(text: str, device: str | None) -> OutputError:
    """Turn pyvirtualcam's backend errors into one sentence with the fix for this OS."""
    lowered = text.lower()
    name = device or "the virtual camera"
    if "busy" in lowered or "already in use" in lowered:
        return OutputError(
            f"{name} is busy: another program is already sending video to it",
            "close that program, or pick another device with --output vcam:/dev/videoN",
        )
    if "missing permissions" in lowered:
        return OutputError(
            f"no permission to write to {name}",
            "add yourself to the video group (sudo usermod -a -G video $USER), then log out and in again",
        )
    if device and "is not a v4l2 device" in lowered:
        return OutputError(
            f"{device} is not a v4l2loopback device", "pick a loopback device; `haikei devices` lists them"
        )
    if device and "not a video output device" in lowered:
        return OutputError(
            f"{device} is a camera, not a virtual camera", "pick a loopback device; `haikei devices` lists them"
        )
    if device and "does not exist" in lowered:
        return OutputError(f"virtual camera device {device} not found", virtual_camera_fix())
    if "no v4l2 loopback device found" in lowered:
        rejected = _rejected_devices()
        return OutputError(
            f"no usable virtual camera device found ({rejected})" if rejected else "no virtual camera device found",
            virtual_camera_fix(),
        )
    if "not available" in lowered or "not installed" in lowered:
        return OutputError("no virtual camera device found", virtual_camera_fix())
    detail = " ".join(text.split())
    return OutputError(f"the virtual camera cannot be opened ({detail})", virtual_camera_fix())


def _rejected_devices() -> str:
    """Why pyvirtualcam's automatic pick passed over each video node (it does not say); "" if none exist."""
    from haikei.devices import LOOPBACK_DRIVER, v4l2_nodes

    reasons = []
    for path, driver, card, _ in v4l2_nodes():
        if not driver:
            reasons.append(f"{path}: {card}")
        elif driver == LOOPBACK_DRIVER:
            reasons.append(f"{path}: in use by another program")
        else:
            reasons.append(f"{path}: {card} ({driver}) is not a loopback device")
    return "; ".join(reasons)


class FileSink(Sink):
    """A video file, written beside the target and renamed into place when complete."""

    CODECS = {".mp4": "mp4v", ".m4v": "mp4v", ".mov": "mp4v", ".avi": "MJPG", ".mkv": "FFV1", ".webm": "VP80"}

    def __init__(self, path: Path, size: tuple[int, int], fps: float):
        codec = self.CODECS.get(path.suffix.lower())
        if codec is None:
            raise OutputError(
                f"unsupported output file type {path.suffix or path.name!r}", f"use one of {', '.join(self.CODECS)}"
            )
        if not path.parent.is_dir():
            raise OutputError(f"output folder {path.parent} does not exist")
        if not os.access(path.parent, os.W_OK):
            raise OutputError(f"output folder {path.parent} is not writable")
        self.path = path
        self.partial = path.with_name(f".{path.stem}.partial{path.suffix}")
        self.writer = cv2.VideoWriter(str(self.partial), cv2.VideoWriter_fourcc(*codec), fps, size)
        if not self.writer.isOpened():
            raise OutputError(f"cannot write {codec} video to {path}", "try another file type, e.g. .avi or .mkv")
        self.description = f"file {path}"
        self.frames = 0

    def send(self, frame: np.ndarray) -> None:
        self.writer.write(frame)
        self.frames += 1

    def close(self) -> None:
        self.writer.release()
        if self.frames:
            os.replace(self.partial, self.path)
        else:
            self.partial.unlink(missing_ok=True)


class ReconnectingSink(Sink):
    """Wraps a sink that may be missing (no virtual camera yet, device busy): frames are dropped
    while it is, and it is reopened every ``retry_every`` seconds until it attaches.

    ``problem`` holds the error that keeps it detached (``None`` once attached), for the GUI.
    """

    def __init__(
        self,
        open_sink: Callable[[], Sink],
        retry_every: float = 2.0,
        on_change: Callable[[OutputError | None], None] | None = None,
    ):
        self._open = open_sink
        self.retry_every = retry_every
        self._on_change = on_change or (lambda problem: None)
        self.inner: Sink | None = None
        self.problem: OutputError | None = None
        self._next_try = 0.0
        self._attach()

    def _attach(self) -> None:
        try:
            self.inner = self._open()
        except OutputError as exc:
            changed = self.problem is None or str(self.problem) != str(exc)
            self.problem = exc
            self._next_try = time.monotonic() + self.retry_every
            if changed:
                self._on_change(exc)
        else:
            self.problem = None
            self._on_change(None)

    @property
    def description(self) -> str:
        return self.inner.description if self.inner else f"waiting for output: {self.problem}"

    @property
    def pixel_format(self) -> str:
        return self.inner.pixel_format if self.inner else BGR

    def send(self, frame: np.ndarray) -> None:
        if self.inner is None:
            if time.monotonic() < self._next_try:
                return
            self._attach()
            if self.inner is None:
                return
        if frame.ndim == 2 and self.inner.pixel_format != I420:  # composed for the sink before a reconnect
            frame = from_i420(frame)
        self.inner.send(frame)

    def close(self) -> None:
        if self.inner is not None:
            self.inner.close()
            self.inner = None


SinkFactory = Callable[[str, tuple[int, int], float], Sink]
SINKS: dict[str, SinkFactory] = {
    "none": lambda arg, size, fps: NullSink(),
    "vcam": lambda arg, size, fps: VirtualCameraSink(size, fps, device=arg or None),
    "pipewire": lambda arg, size, fps: _pipewire_camera(size, fps, arg),
}


def _pipewire_camera(size: tuple[int, int], fps: float, name: str) -> Sink:
    from haikei.pipewire import DEFAULT_NAME, PipeWireCameraSink

    return PipeWireCameraSink(size, fps, name=name or DEFAULT_NAME)


def open_sink(spec: str, size: tuple[int, int], fps: float) -> Sink:
    """``none`` | ``vcam`` | ``vcam:DEVICE`` | ``pipewire`` | ``pipewire:NAME`` | a file path."""
    kind, _, arg = spec.partition(":")
    if kind in SINKS:
        return SINKS[kind](arg, size, fps)
    return FileSink(Path(spec).expanduser(), size, fps)
