"""Test helper around the fake_v4l2 LD_PRELOAD shim (see fake_v4l2.c).

Typical use in a test::

    shim = build_shim(tmp_path)                  # needs gcc
    dev = FakeDevice(shim, tmp_path)              # fake /dev/video0
    out = dev.run_camera(frames, 320, 240)        # pyvirtualcam in a subprocess
    rgb = dev.frames_rgb(320, 240)                # what it wrote, back as RGB

LD_PRELOAD only works on a fresh process, so anything that should see the
fake device must run in a subprocess started with ``dev.env()``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

SOURCE = Path(__file__).with_name("fake_v4l2.c")

# Format names accepted by FakeDevice.frames(): pyvirtualcam name, V4L2 fourcc
# or libyuv fourcc all map to one canonical V4L2 fourcc.
_ALIASES = {
    "I420": "YU12",
    "YU12": "YU12",
    "YUV420": "YU12",
    "NV12": "NV12",
    "YUYV": "YUYV",
    "YUY2": "YUYV",
    "UYVY": "UYVY",
    "GRAY": "GREY",
    "GREY": "GREY",
    "J400": "GREY",
}


def gcc_available() -> bool:
    return shutil.which("gcc") is not None


def build_shim(tmp_dir: os.PathLike | str) -> Path:
    """Compile fake_v4l2.c into tmp_dir (cached by source hash); return the .so."""
    if not gcc_available():
        raise RuntimeError("gcc not found: cannot build the fake_v4l2 shim")
    src = SOURCE.read_bytes()
    digest = hashlib.sha256(src).hexdigest()[:16]
    out = Path(tmp_dir) / f"fake_v4l2-{digest}.so"
    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f"{out.name}.{os.getpid()}.tmp")
    subprocess.run(
        ["gcc", "-shared", "-fPIC", "-O2", "-o", str(tmp), str(SOURCE), "-ldl"],
        check=True,
        capture_output=True,
        text=True,
    )
    os.replace(tmp, out)  # atomic: safe with parallel test workers
    return out


def _frame_view(buf: np.ndarray, w: int, h: int, fourcc: str) -> np.ndarray:
    if fourcc in ("YU12", "NV12"):
        return buf.reshape(h * 3 // 2, w)  # cv2-ready planar layout
    if fourcc in ("YUYV", "UYVY"):
        return buf.reshape(h, w, 2)
    if fourcc == "GREY":
        return buf.reshape(h, w)
    raise ValueError(f"unsupported format {fourcc}")


def _frame_size(w: int, h: int, fourcc: str) -> int:
    return {"YU12": w * h * 3 // 2, "NV12": w * h * 3 // 2, "YUYV": w * h * 2, "UYVY": w * h * 2, "GREY": w * h}[fourcc]


@dataclass
class FakeDevice:
    """Configuration of the shim for one test, plus read-back of what was written.

    ``path`` is the device under test; ``extra_devices`` are further fake
    devices.  Each device records to ``workdir/<basename>.raw`` with the
    sidecar ``workdir/<basename>.raw.fmt``.
    """

    shim: Path
    workdir: Path
    path: str = "/dev/video0"
    extra_devices: Sequence[str] = ()
    busy: bool = False  # FAKE_V4L2_BUSY
    open_errno: str | None = None  # FAKE_V4L2_OPEN_ERRNO, e.g. "EACCES"
    sfmt_errno: str | None = None  # FAKE_V4L2_SFMT_ERRNO
    driver: str | None = None  # FAKE_V4L2_DRIVER
    capture_only: bool = False  # FAKE_V4L2_CAPTURE_ONLY
    hide_real: bool = True  # FAKE_V4L2_HIDE_REAL
    mirror_open: bool = False  # FAKE_V4L2_MIRROR_OPEN
    extra_env: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.workdir = Path(self.workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.readers_file.touch()

    # -- paths ---------------------------------------------------------------
    @property
    def devices(self) -> list[str]:
        return [self.path, *self.extra_devices]

    def record_path(self, device: str | None = None) -> Path:
        return self.workdir / f"{os.path.basename(device or self.path)}.raw"

    @property
    def record(self) -> Path:
        return self.record_path()

    @property
    def readers_file(self) -> Path:
        """Real file standing in for the device node in inotify-based tests."""
        return self.workdir / "readers"

    # -- environment -----------------------------------------------------------
    def env(self, base: dict | None = None) -> dict:
        env = dict(os.environ if base is None else base)
        preload = env.get("LD_PRELOAD")
        env["LD_PRELOAD"] = f"{self.shim}:{preload}" if preload else str(self.shim)
        env["FAKE_V4L2_DEVICES"] = ",".join(self.devices)
        env["FAKE_V4L2_RECORD"] = str(self.workdir / "{dev}.raw")
        env["FAKE_V4L2_READERS_FILE"] = str(self.readers_file)
        env["FAKE_V4L2_HIDE_REAL"] = "1" if self.hide_real else "0"
        for key, on in (
            ("FAKE_V4L2_BUSY", self.busy),
            ("FAKE_V4L2_CAPTURE_ONLY", self.capture_only),
            ("FAKE_V4L2_MIRROR_OPEN", self.mirror_open),
        ):
            if on:
                env[key] = "1"
        for key, val in (
            ("FAKE_V4L2_OPEN_ERRNO", self.open_errno),
            ("FAKE_V4L2_SFMT_ERRNO", self.sfmt_errno),
            ("FAKE_V4L2_DRIVER", self.driver),
        ):
            if val is not None:
                env[key] = val
        env.update(self.extra_env)
        return env

    def run(self, args: Sequence[str], timeout: float = 60, **kw) -> subprocess.CompletedProcess:
        """Run ``python *args`` (this interpreter) with the shim preloaded."""
        return subprocess.run(
            [sys.executable, *args], env=self.env(), timeout=timeout, capture_output=True, text=True, **kw
        )

    def run_camera(
        self,
        frames: np.ndarray | None,
        width: int,
        height: int,
        *,
        fmt: str = "RGB",
        device: str | None = "default",
        fps: float = 30,
        timeout: float = 60,
    ) -> dict:
        """Open pyvirtualcam.Camera(backend='v4l2loopback') in a subprocess and
        send ``frames`` (array of N frames, or None for none).

        ``device="default"`` means this FakeDevice's path; ``None`` lets
        pyvirtualcam pick.  Returns {"device", "native_fmt", "sent"} or
        {"error": str(exception)}.
        """
        npy = ""
        if frames is not None:
            npy = str(self.workdir / "frames_in.npy")
            np.save(npy, np.ascontiguousarray(frames))
        cfg = dict(
            width=width, height=height, fps=fps, fmt=fmt, npy=npy, device=self.path if device == "default" else device
        )
        proc = self.run(["-c", _CHILD, json.dumps(cfg)], timeout=timeout)
        lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
        if proc.returncode != 0 or not lines:
            raise RuntimeError(f"child failed rc={proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
        return json.loads(lines[-1])

    # -- read-back -------------------------------------------------------------
    def read_fmt(self, device: str | None = None) -> dict:
        """Parsed sidecar: width/height/bytesperline/sizeimage[/frames/bad_writes]
        as ints, device and pixelformat (V4L2 fourcc, e.g. "YU12") as str."""
        text = Path(f"{self.record_path(device)}.fmt").read_text()
        out: dict = {}
        for line in text.splitlines():
            key, _, val = line.partition("=")
            out[key] = val if key in ("device", "pixelformat") else int(val)
        return out

    def raw(self, device: str | None = None) -> bytes:
        path = self.record_path(device)
        return path.read_bytes() if path.exists() else b""

    def frames(
        self,
        width: int | None = None,
        height: int | None = None,
        fmt: str | None = None,
        device: str | None = None,
    ) -> list[np.ndarray]:
        """Recorded frames as uint8 arrays.  Missing width/height/fmt are taken
        from the sidecar.  I420/NV12 -> (h*3/2, w), YUYV/UYVY -> (h, w, 2),
        GREY -> (h, w).  Raises if the recording is not a whole number of frames."""
        if width is None or height is None or fmt is None:
            meta = self.read_fmt(device)
            width = width or meta["width"]
            height = height or meta["height"]
            fmt = fmt or meta["pixelformat"]
        fourcc = _ALIASES[fmt.upper()]
        size = _frame_size(width, height, fourcc)
        data = np.frombuffer(self.raw(device), dtype=np.uint8)
        if data.size % size:
            raise ValueError(
                f"recording of {data.size} bytes is not a multiple of the {fourcc} {width}x{height} frame size {size}"
            )
        return [_frame_view(data[i : i + size], width, height, fourcc) for i in range(0, data.size, size)]

    def frames_rgb(
        self,
        width: int | None = None,
        height: int | None = None,
        fmt: str | None = None,
        device: str | None = None,
    ) -> list[np.ndarray]:
        """Recorded frames converted to (h, w, 3) RGB with OpenCV."""
        import cv2

        if fmt is None:
            fmt = self.read_fmt(device)["pixelformat"]
        code = {
            "YU12": cv2.COLOR_YUV2RGB_I420,
            "NV12": cv2.COLOR_YUV2RGB_NV12,
            "YUYV": cv2.COLOR_YUV2RGB_YUYV,
            "UYVY": cv2.COLOR_YUV2RGB_UYVY,
            "GREY": cv2.COLOR_GRAY2RGB,
        }[_ALIASES[fmt.upper()]]
        return [cv2.cvtColor(f, code) for f in self.frames(width, height, fmt, device)]

    # -- consumers ---------------------------------------------------------------
    @contextlib.contextmanager
    def reader(self) -> Iterator[None]:
        """Simulate an app watching the camera: hold ``readers_file`` open
        read-only (inotify: IN_OPEN now, IN_CLOSE_NOWRITE on exit)."""
        fd = os.open(self.readers_file, os.O_RDONLY)
        try:
            yield
        finally:
            os.close(fd)


# Child process body for FakeDevice.run_camera.
_CHILD = r"""
import json, sys
import numpy as np
import pyvirtualcam
cfg = json.loads(sys.argv[1])
fmt = pyvirtualcam.PixelFormat[cfg["fmt"]]
try:
    cam = pyvirtualcam.Camera(cfg["width"], cfg["height"], cfg["fps"], fmt=fmt,
                              backend="v4l2loopback", device=cfg["device"])
except Exception as e:
    print(json.dumps({"error": str(e), "type": type(e).__name__}))
    sys.exit(0)
sent = 0
with cam:
    if cfg["npy"]:
        for frame in np.load(cfg["npy"]):
            cam.send(frame)
            sent += 1
    res = {"device": cam.device, "sent": sent,
           "native_fmt": cam.native_fmt.name if cam.native_fmt else None}
print(json.dumps(res))
"""
