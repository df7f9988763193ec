"""The virtual camera: pyvirtualcam (v4l2loopback on Linux, OBS Virtual Camera or Unity Capture on
Windows, OBS on macOS), and who reads a v4l2loopback device."""

from __future__ import annotations

import ctypes
import os
import select
import sys
import threading
import time
from pathlib import Path

import cv2
import numpy as np

from haikei.errors import OutputError
from haikei.frames import I420
from haikei.frames.i420 import i420_to_yuyv
from haikei.outputs.base import ReaderWatcher, Sink
from haikei.outputs.readers import process_name, sorted_names

IN_OPEN, IN_CLOSE_WRITE, IN_CLOSE_NOWRITE = 0x20, 0x08, 0x10


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
    """A virtual webcam through pyvirtualcam: on Linux a v4l2loopback device in ``v4l2_format`` (YUYV,
    what webcams offer and picky apps need, or I420); elsewhere the backend's native pixel format.
    Frames composed in I420 are taken as they are and repacked for a YUYV device (no colour maths).

    Frame pacing: frames go out as the engine makes them (it is paced by its source, and sleeping
    here would only add latency); if none comes for ``STALL_AFTER`` s (a camera hanging in a read,
    a slow model) the last one is repeated every ``REPEAT_INTERVAL`` s, so apps reading the device
    keep getting frames instead of timing out and dropping the camera.
    """

    #: Formats OpenCV converts BGR into directly; anything else is sent as BGR for pyvirtualcam to convert.
    CONVERSIONS = {
        "YUYV": cv2.COLOR_BGR2YUV_YUY2,
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
        v4l2_format: str = "yuyv",
    ):
        """``watch_path``: the file whose readers count as viewers (default: the v4l2loopback node)."""
        import pyvirtualcam

        self._pv = pyvirtualcam
        if sys.platform.startswith("linux") and backend in (None, "v4l2loopback"):
            # v4l2loopback passes on the format it is opened with: open it in the one apps need at once.
            self.camera = self._open(size, fps, device, backend, pyvirtualcam.PixelFormat[v4l2_format.upper()])
        else:
            self.camera = self._open(size, fps, device, backend, pyvirtualcam.PixelFormat.BGR)
            native = self.camera.native_fmt
            if native is not None and native.name in self.CONVERSIONS:
                opened_device, opened_backend = self.camera.device, self.camera.backend
                self.camera.close()
                self.camera = self._open(size, fps, opened_device, opened_backend, native)
        self.device_format = self.camera.fmt.name
        self.pixel_format = I420 if self.device_format == "YUYV" else self.device_format
        self._conversion = self.CONVERSIONS.get(self.device_format)
        self._converted: np.ndarray | None = None  # the device-format frame, reused
        self.description = f"virtual camera {self.camera.device} ({self.camera.backend}, {self.device_format})"
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

    @classmethod
    def from_spec(cls, arg: str, size: tuple[int, int], fps: float, v4l2_format: str = "yuyv") -> VirtualCameraSink:
        if arg:
            check_device_path(arg)
        return cls(size, fps, device=arg or None, v4l2_format=v4l2_format)

    @property
    def device(self) -> str:
        return self.camera.device

    def send(self, frame: np.ndarray) -> None:
        with self._lock:  # the keep-alive thread resends ``_last``: never while it is being rewritten
            if self.device_format == "YUYV" and frame.ndim == 2:  # composed in I420
                frame = self._converted = i420_to_yuyv(frame, self._converted)
            elif self._conversion is not None and frame.ndim == 3:
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

    def reader_watcher(self) -> ReaderWatcher | None:
        """Who reads the device: known on v4l2loopback (inotify on its node), not on other backends."""
        if self.camera.backend != "v4l2loopback":
            return None
        return InotifyReaderWatcher(self.watch_path or self.camera.device)

    def close(self) -> None:
        self._closed.set()
        self._keep_alive_thread.join()
        self.camera.close()


def check_device_path(device: str) -> None:
    """Refuse a ``vcam:PATH`` that is there but is no device node (``vcam:/etc/passwd``): installing
    v4l2loopback would not help. A path that is not there is left to the backend ("not found")."""
    import stat

    try:
        mode = os.stat(device).st_mode
    except OSError:
        return
    if not stat.S_ISCHR(mode):
        what = "a folder" if stat.S_ISDIR(mode) else "a file" if stat.S_ISREG(mode) else "not a device"
        raise OutputError(
            f"{device} is not a video device (it is {what})",
            "name a virtual camera as vcam:/dev/videoN; `haikei devices` lists them",
        )


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


def processes_holding(path: str | os.PathLike, exclude_pid: int | None = None) -> list[int]:
    """Ids of processes with ``path`` open (like ``fuser``), other than ``exclude_pid``.

    Processes we may not inspect are skipped; on a desktop those are other users' services.
    """
    target = os.path.realpath(path)
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == exclude_pid:
            continue
        try:
            fds = os.scandir(f"/proc/{entry.name}/fd")
        except OSError:
            continue
        with fds:
            for fd in fds:
                try:
                    if os.readlink(fd.path) == target:
                        found.append(int(entry.name))
                        break
                except OSError:
                    continue
    return found


class InotifyReaderWatcher(ReaderWatcher):
    """Readers of a v4l2loopback device node (or of a stand-in file, for tests).

    inotify's IN_OPEN / IN_CLOSE wake it up (no polling, as Linux-Fake-Background-Webcam does); the
    readers are then found in /proc, which leaves out our own process: the writer's own opens of
    the node, and reopening it, are not readers. They are named by their programs.
    """

    def __init__(self, path: str | os.PathLike, exclude_pid: int | None = None):
        super().__init__()
        self.path = Path(path)
        self.exclude_pid = os.getpid() if exclude_pid is None else exclude_pid

    def _look(self) -> None:
        pids = processes_holding(self.path, self.exclude_pid)
        self._set(bool(pids), sorted_names(process_name(pid) for pid in pids))

    def _run(self) -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if fd < 0:
            return
        try:
            if libc.inotify_add_watch(fd, os.fsencode(self.path), IN_OPEN | IN_CLOSE_WRITE | IN_CLOSE_NOWRITE) < 0:
                return
            self._look()
            while not self._stop.is_set():
                ready, _, _ = select.select([fd], [], [], 0.25)
                if not ready:
                    continue
                try:
                    os.read(fd, 65536)  # the events only wake us; /proc has the truth
                except BlockingIOError:
                    continue
                self._look()
        finally:
            os.close(fd)
