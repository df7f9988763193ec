"""Finding cameras and virtual-camera devices.

On Linux every ``/dev/videoN`` is asked ``VIDIOC_QUERYCAP``: v4l2loopback devices are virtual
cameras, other capture devices are cameras. Elsewhere cameras are probed through OpenCV.
"""

from __future__ import annotations

import errno
import fcntl
import os
import struct
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass

VIDIOC_QUERYCAP = 0x80685600  # _IOR('V', 0, struct v4l2_capability), 104 bytes
V4L2_CAP_VIDEO_CAPTURE = 0x00000001
V4L2_CAP_DEVICE_CAPS = 0x80000000
LOOPBACK_DRIVER = "v4l2 loopback"
MAX_VIDEO_NODES = 64


@dataclass(frozen=True)
class Device:
    kind: str  # "camera" | "virtual-camera"
    id: str  # what --source / --output vcam: takes
    name: str
    driver: str = ""
    #: Why the device cannot be used right now ("" if it can).
    problem: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def query_v4l2(path: str) -> tuple[str, str, int] | None:
    """(driver, card, device capabilities) of a V4L2 node, or ``None`` if there is no such node."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENODEV, errno.ENXIO):
            return None
        return ("", f"cannot open: {exc.strerror}", 0)
    try:
        buf = bytearray(104)
        fcntl.ioctl(fd, VIDIOC_QUERYCAP, buf)
    except OSError:
        return None
    finally:
        os.close(fd)
    driver, card = (bytes(buf[a:b]).split(b"\0", 1)[0].decode(errors="replace") for a, b in ((0, 16), (16, 48)))
    capabilities, device_caps = struct.unpack_from("=II", buf, 84)
    return driver, card, device_caps if capabilities & V4L2_CAP_DEVICE_CAPS else capabilities


def v4l2_nodes() -> Iterator[tuple[str, str, str, int]]:
    """(path, driver, card, capabilities) of each ``/dev/videoN`` there is; a node that cannot be
    opened has driver "" and the reason as its card."""
    for index in range(MAX_VIDEO_NODES):
        path = f"/dev/video{index}"
        info = query_v4l2(path)
        if info is not None:
            yield (path, *info)


def linux_devices() -> list[Device]:
    found = []
    for path, driver, card, caps in v4l2_nodes():
        if not driver:
            found.append(Device("camera", path, path, problem=card))
        elif driver == LOOPBACK_DRIVER:
            found.append(Device("virtual-camera", path, card, driver))
        elif caps & V4L2_CAP_VIDEO_CAPTURE:
            found.append(Device("camera", path, card, driver))
    return found


def probed_cameras(limit: int = 4) -> list[Device]:
    import cv2

    found = []
    for index in range(limit):
        capture = cv2.VideoCapture(index)
        if capture.isOpened():
            found.append(Device("camera", str(index), f"camera {index}"))
        capture.release()
    return found


def list_devices() -> list[Device]:
    if sys.platform.startswith("linux"):
        return linux_devices()
    return probed_cameras()
