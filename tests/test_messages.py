"""One line, the real cause (issue #15): size limits state the allowed range, a valid but huge JPEG is
"too large" (not "incomplete"), a ``vcam:`` path that is no device says so, a huge camera index is a
range, a saved background that is gone says it came from the settings and falls back to the default
(as a saved model does), and ``haikei models | head`` ends without a traceback. Each case checks the
exit status, the one line, and that the files there before are byte for byte unchanged."""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import PIL.Image
import pytest

from haikei import cli
from haikei.config import save_settings, settings_path
from haikei.settings import Settings
from support.media import sha


def gray_jpeg(width: int, height: int) -> bytes:
    """A valid baseline grayscale JPEG of mid-grey at any size, built without a raster: every 8x8
    block is "DC unchanged (00), end of block (1010)" under the standard Huffman tables."""
    small = io.BytesIO()
    PIL.Image.new("L", (8, 8), 128).save(small, "JPEG", quality=90)
    data = bytearray(small.getvalue())
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, height, width)
    sos = data.index(b"\xff\xda")
    header = bytes(data[: sos + 2 + struct.unpack_from(">H", data, sos + 2)[0]])
    blocks = -(-width // 8) * -(-height // 8)
    body = b"\x28\xa2\x8a" * (blocks // 4)  # four blocks: 001010 x 4
    tail = "001010" * (blocks % 4)
    if tail:
        tail += "1" * (-len(tail) % 8)
        body += int(tail, 2).to_bytes(len(tail) // 8, "big")
    return header + body + b"\xff\xd9"


def test_the_jpeg_builder_makes_decodable_files():
    image = cv2.imdecode(np.frombuffer(gray_jpeg(804, 90), np.uint8), cv2.IMREAD_GRAYSCALE)
    assert image.shape == (90, 804) and image.min() == image.max() == 128


@pytest.fixture
def still(tmp_path) -> Path:
    path = tmp_path / "still.png"
    cv2.imwrite(str(path), np.full((90, 160, 3), 120, np.uint8))
    return path


def run(still: Path, *args: str) -> list[str]:
    return ["run", "--source", str(still), "--output", "none", "--frames", "2", "--size", "160x90", *args]


def error_line(capsys) -> str:
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


@pytest.mark.parametrize(
    "size, message",
    [
        ("99999x50", "unsupported size 99999x50; the width goes from 16 to 7680 and the height from 16 to 4320"),
        ("640x8", "unsupported size 640x8; the width goes from 16 to 7680 and the height from 16 to 4320"),
        ("101x51", "unsupported size 101x51 (odd); use even numbers such as 102x52"),
        ("640x361", "unsupported size 640x361 (odd); use even numbers such as 640x362"),
    ],
)
def test_a_size_error_gives_the_range_or_the_even_size(private_home, still, capsys, size, message):
    assert cli.main([*run(still)[:-2], "--size", size]) == 2
    assert error_line(capsys).startswith(f"haikei: error: {message}")


def test_a_valid_huge_jpeg_is_too_large_not_incomplete(private_home, tmp_path, still, capsys):
    big = tmp_path / "big.jpg"
    big.write_bytes(gray_jpeg(20000, 20000))  # 4.7 MB, 400 megapixels
    before = sha(big)
    for argv in (run(still, "--background", f"image:{big}"), run(big)):
        assert cli.main(argv) == 2
        assert error_line(capsys) == (
            f"haikei: error: image {big} is too large (400,000,000 pixels); use an image below 50 megapixels"
        )
    medium = tmp_path / "medium.jpg"  # over Haikei's limit, under PIL's: the size read from the header
    medium.write_bytes(gray_jpeg(8000, 7000))
    assert cli.main(run(still, "--background", f"image:{medium}")) == 2
    assert error_line(capsys) == (
        f"haikei: error: image {medium} is too large (8000x7000 pixels); use an image below 50 megapixels"
    )
    assert sha(big) == before


@pytest.mark.parametrize("what", ["file", "folder"])
def test_a_vcam_path_that_is_no_device_says_so(private_home, tmp_path, still, capsys, what):
    path = tmp_path / "passwd"
    path.mkdir() if what == "folder" else path.write_text("root:x:0:0\n")
    before = sha(path) if what == "file" else None
    argv = run(still)
    argv[argv.index("none")] = f"vcam:{path}"
    assert cli.main(argv) == 2
    assert error_line(capsys) == (
        f"haikei: error: {path} is not a video device (it is a {what}); name a virtual camera as "
        "vcam:/dev/videoN; `haikei devices` lists them"
    )
    if before:
        assert sha(path) == before


@pytest.mark.parametrize("index", ["100", "99999999999999999999"])
def test_a_huge_camera_index_is_a_range_not_a_traceback(private_home, capsys, index):
    argv = ["run", "--source", index, "--output", "none", "--frames", "1"]
    assert cli.main(argv) == 2
    shown = index if len(index) <= 12 else index[:12] + "…"
    assert error_line(capsys) == (
        f"haikei: error: camera index {shown} is out of range (0 to 99); name the camera as /dev/videoN, or see "
        "`haikei devices`"
    )


def test_a_saved_background_that_is_gone_falls_back_and_says_it_came_from_the_settings(
    private_home, tmp_path, still, capsys
):
    gone = tmp_path / "holiday.png"
    save_settings(Settings(background=f"image:{gone}"))
    before = sha(settings_path())
    assert cli.main(run(still)) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (
        f"haikei: warning: the saved background 'image:{gone}' (from the settings) cannot be used: image file not "
        f"found: {gone}; using blur instead"
    )
    assert err[1].endswith("(blur, selfie-general)") and err[-1] == "haikei: 2 frames sent"
    assert sha(settings_path()) == before  # the user's choice is kept for when the file is back
    # named on the command line, it is an error, as a model named there is
    assert cli.main(run(still, "--background", f"image:{gone}")) == 2
    assert error_line(capsys) == f"haikei: error: image file not found: {gone}"


def test_models_into_a_closed_pipe_ends_without_a_traceback(private_home):
    reader = subprocess.Popen(
        [sys.executable, "-m", "haikei", "models"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=os.environ
    )
    reader.stdout.close()  # `| head -0`: the reader is gone before a line is written
    stderr = reader.stderr.read().decode()
    assert reader.wait(timeout=120) == 141 and stderr == ""  # 128 + SIGPIPE, as a shell pipeline says
    shell = subprocess.run(  # `| head -3`, as users type it: no traceback, whenever head leaves
        f"{sys.executable} -m haikei models | head -3",
        shell=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shell.stdout.startswith("NAME") and len(shell.stdout.splitlines()) == 3 and shell.stderr == ""


def test_a_damaged_video_source_prints_no_native_library_lines_and_is_said_once(private_home, tmp_path, doctor_video):
    data = bytearray(doctor_video.read_bytes())
    at = len(data) // 10
    data[at : at + 4096] = bytes(4096)  # FFmpeg says "Invalid NAL unit size" here; OpenCV then stops the pass
    damaged = tmp_path / "damaged.mp4"
    damaged.write_bytes(bytes(data))
    env = {k: v for k, v in os.environ.items() if k != "OPENCV_FFMPEG_LOGLEVEL"}
    argv = ["run", "--source", str(damaged), "--output", "none", "--background", "none", "--frames", "150"]
    result = subprocess.run(
        [sys.executable, "-m", "haikei", *argv, "--size", "320x180"], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0
    assert result.stderr.splitlines() == [  # two short passes, one warning
        "haikei: video damaged.mp4 → no output (none, selfie-general)",
        "haikei: warning: video damaged.mp4 ended after 70 of 760 frames (the file is cut short or damaged); it "
        "plays from the start again",
        "haikei: 150 frames sent",
    ]


@pytest.mark.parametrize("command", ["run", "process", "bench"])
@pytest.mark.parametrize("frames", ["-3", "0", "many"])
def test_frames_must_be_one_or_more(private_home, still, tmp_path, capsys, command, frames):
    argv = {
        "run": run(still),
        "process": ["process", str(still), str(tmp_path / "out.mp4")],
        "bench": ["bench", "--source", str(still)],
    }[command]
    with pytest.raises(SystemExit) as ended:
        cli.main([*argv, "--frames", frames])
    assert ended.value.code == 2
    assert error_line(capsys) == (
        f"haikei: error: argument --frames: must be a whole number from 1 up, not '{frames}'; see `haikei {command} "
        "--help`"
    )
    assert list(tmp_path.iterdir()) == [still]
