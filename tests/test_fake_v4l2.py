"""The fake_v4l2 LD_PRELOAD shim drives pyvirtualcam's real native
v4l2loopback backend end to end (in a subprocess) and records its frames."""

import ctypes
import os
import struct
import sys
import textwrap

import numpy as np
import pytest

try:
    from support.fake_v4l2 import FakeDevice, build_shim, gcc_available
except ImportError:  # tests/ imported as a package
    from tests.fake_v4l2 import FakeDevice, build_shim, gcc_available

pytestmark = [
    pytest.mark.skipif(
        not sys.platform.startswith("linux"), reason="LD_PRELOAD shim and v4l2loopback backend are Linux-only"
    ),
    pytest.mark.skipif(not gcc_available(), reason="gcc not found: cannot build the fake_v4l2 LD_PRELOAD shim"),
]

W, H = 320, 240
PREFIX = "'v4l2loopback' backend: "  # pyvirtualcam.Camera wraps backend errors
NO_DEVICE = (
    PREFIX + "No v4l2 loopback device found at /dev/video[0-99]. "
    "Did you run 'modprobe v4l2loopback'? See also pyvirtualcam's documentation."
)
COLOURS = [
    (0, 0, 0),
    (255, 255, 255),
    (255, 0, 0),
    (0, 255, 0),
    (0, 0, 255),
    (128, 128, 128),
    (200, 100, 50),
    (30, 180, 220),
    (255, 255, 0),
    (90, 20, 160),
]
# RGB -> I420 (libyuv, BT.601 limited range) -> RGB (OpenCV): observed max 2.
SOLID_TOLERANCE = 3


@pytest.fixture(scope="session")
def shim(tmp_path_factory):
    return build_shim(tmp_path_factory.mktemp("shim"))


@pytest.fixture
def make_dev(shim, tmp_path):
    count = iter(range(1000))
    return lambda **kw: FakeDevice(shim, tmp_path / f"dev{next(count)}", **kw)


def solid_frames(order="RGB"):
    frames = np.array([np.full((H, W, 3), c, np.uint8) for c in COLOURS])
    return frames[..., ::-1].copy() if order == "BGR" else frames


# -- frames -------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["RGB", "BGR"])
def test_rgb_frames_are_recorded_as_i420(make_dev, fmt):
    dev = make_dev()
    out = dev.run_camera(solid_frames(fmt), W, H, fmt=fmt)
    assert out == {"device": "/dev/video0", "sent": 10, "native_fmt": "I420"}

    meta = dev.read_fmt()
    assert meta == {
        "device": "/dev/video0",
        "width": W,
        "height": H,
        "pixelformat": "YU12",
        "bytesperline": W,
        "sizeimage": W * H * 3 // 2,
        "frames": 10,
        "bad_writes": 0,
    }
    assert dev.record.stat().st_size == 10 * W * H * 3 // 2

    got = dev.frames_rgb(W, H, "I420")
    assert len(got) == 10
    for colour, frame in zip(COLOURS, got):
        err = np.abs(frame.astype(int) - np.array(colour)).max()
        assert err <= SOLID_TOLERANCE, (colour, frame[0, 0], err)


def test_gradient_survives_conversion(make_dev):
    ramp = np.linspace(0, 255, W).astype(np.uint8)
    frame = np.repeat(np.repeat(ramp[None, :, None], H, 0), 3, 2)
    dev = make_dev()
    dev.run_camera(frame[None], W, H)
    (got,) = dev.frames_rgb()
    assert np.abs(got.astype(int) - frame).max() <= SOLID_TOLERANCE


@pytest.mark.parametrize(
    "fmt, fourcc, size",
    [
        ("I420", "YU12", W * H * 3 // 2),
        ("NV12", "NV12", W * H * 3 // 2),
        ("YUYV", "YUYV", W * H * 2),
        ("UYVY", "UYVY", W * H * 2),
        ("GRAY", "GREY", W * H),
    ],
)
def test_native_formats_pass_through_unchanged(make_dev, fmt, fourcc, size):
    rng = np.random.default_rng(0)
    frames = rng.integers(0, 256, (3, size), dtype=np.uint8)
    if fmt == "GRAY":
        frames = frames.reshape(3, H, W)
    dev = make_dev()
    out = dev.run_camera(frames, W, H, fmt=fmt)
    assert out["native_fmt"] == fmt and out["sent"] == 3
    meta = dev.read_fmt()
    assert (meta["pixelformat"], meta["sizeimage"], meta["frames"]) == (fourcc, size, 3)
    assert dev.raw() == frames.tobytes()
    assert len(dev.frames()) == 3


def test_unsupported_format_rgba(make_dev):
    out = make_dev().run_camera(None, W, H, fmt="RGBA")
    assert out["error"] == PREFIX + "Unsupported image format."


# -- device selection ---------------------------------------------------------


def test_auto_selection_finds_fake_device(make_dev):
    dev = make_dev(path="/dev/video7")
    out = dev.run_camera(solid_frames()[:2], W, H, device=None)
    assert out["device"] == "/dev/video7"
    assert dev.read_fmt()["frames"] == 2


def test_auto_selection_skips_device_in_use(make_dev):
    dev = make_dev(path="/dev/video2", extra_devices=["/dev/video5"])
    code = textwrap.dedent("""
        import pyvirtualcam
        a = pyvirtualcam.Camera(64, 48, 30, backend='v4l2loopback')
        b = pyvirtualcam.Camera(64, 48, 30, backend='v4l2loopback')
        print(a.device, b.device)
        try:
            pyvirtualcam.Camera(64, 48, 30, backend='v4l2loopback', device=a.device)
        except RuntimeError as e:
            print(e)
    """)
    proc = dev.run(["-c", code])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "/dev/video2 /dev/video5",
        PREFIX + "Device /dev/video2 is already in use.",
    ]


def test_no_device_at_all(make_dev):
    out = make_dev(path="/not/a/video/node").run_camera(None, W, H, device=None)
    assert out["error"] == NO_DEVICE


def test_named_device_missing(make_dev):
    out = make_dev().run_camera(None, W, H, device="/dev/video9")
    assert out["error"] == PREFIX + "Device /dev/video9 does not exist."


# -- error paths ----------------------------------------------------------------


def test_busy_device(make_dev):
    dev = make_dev(busy=True)
    out = dev.run_camera(None, W, H)
    assert out["error"] == PREFIX + "Device /dev/video0 could not be opened: Device or resource busy"
    # With device=None a busy device is silently skipped.
    assert dev.run_camera(None, W, H, device=None)["error"] == NO_DEVICE
    assert not dev.record.exists()


def test_permission_denied(make_dev):
    out = make_dev(open_errno="EACCES").run_camera(None, W, H)
    assert out["error"] == PREFIX + (
        "Could not access /dev/video0 due to missing permissions. Did you add your user "
        "to the 'video' group? Run 'usermod -a -G video myusername' and log out and in again."
    )


def test_non_loopback_driver_rejected(make_dev):
    dev = make_dev(driver="uvcvideo")
    assert dev.run_camera(None, W, H)["error"] == PREFIX + "Device /dev/video0 is not a V4L2 device."
    assert dev.run_camera(None, W, H, device=None)["error"] == NO_DEVICE


def test_capture_only_device_rejected(make_dev):
    out = make_dev(capture_only=True).run_camera(None, W, H)
    assert out["error"] == PREFIX + "Device /dev/video0 is not a video output device."


def test_set_format_failure(make_dev):
    out = make_dev(sfmt_errno="EBUSY").run_camera(None, W, H)
    assert out["error"] == PREFIX + (
        "Virtual camera device /dev/video0 could not be configured: Device or resource busy"
    )


# -- reader simulation (inotify) ----------------------------------------------------

IN_OPEN, IN_CLOSE_WRITE, IN_CLOSE_NOWRITE = 0x20, 0x08, 0x10


def _inotify_events(fd):
    names = {IN_OPEN: "OPEN", IN_CLOSE_WRITE: "CLOSE_WRITE", IN_CLOSE_NOWRITE: "CLOSE_NOWRITE"}
    events = []
    try:
        data = os.read(fd, 65536)
    except BlockingIOError:
        return events
    off = 0
    while off < len(data):
        _, mask, _, length = struct.unpack_from("iIII", data, off)
        events += [n for bit, n in names.items() if mask & bit]
        off += 16 + length
    return events


def test_reader_and_writer_opens_visible_to_inotify(make_dev):
    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
    if fd < 0:
        pytest.skip("inotify unavailable")
    try:
        dev = make_dev(mirror_open=True)
        wd = libc.inotify_add_watch(fd, bytes(dev.readers_file), IN_OPEN | IN_CLOSE_WRITE | IN_CLOSE_NOWRITE)
        assert wd >= 0
        dev.run_camera(solid_frames()[:1], W, H)  # the writer (pyvirtualcam)
        assert _inotify_events(fd) == ["OPEN", "CLOSE_WRITE"]
        with dev.reader():  # a consumer app
            assert _inotify_events(fd) == ["OPEN"]
        assert _inotify_events(fd) == ["CLOSE_NOWRITE"]
    finally:
        os.close(fd)
