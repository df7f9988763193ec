"""Each bad input ends `haikei` with exit status 2 and one clear line on stderr."""

from __future__ import annotations

import json
import shutil
import signal
import struct
import subprocess
import sys
import zlib

import pytest

from haikei import cli
from haikei.segment.catalog import load_catalog


def png_header_only(path, width, height):
    """A PNG that claims to be ``width``x``height``: enough to test the size limit without the pixels."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", b"") + chunk(b"IEND", b""))
    return path


@pytest.fixture
def files(tmp_path, doctor_video):
    (tmp_path / "garbage.jpg").write_bytes(b"this is not a jpeg" * 100)
    (tmp_path / "truncated.mp4").write_bytes(doctor_video.read_bytes()[:20_000])
    png_header_only(tmp_path / "huge.png", 12_000, 9_000)
    tampered = tmp_path / "tampered"
    tampered.mkdir()
    shipped = load_catalog().get("selfie-landscape")
    data = bytearray(shipped.file.read_bytes())
    data[1000] ^= 0x55
    (tampered / shipped.file.name).write_bytes(bytes(data))
    manifest = json.loads(shipped.manifest_path.read_text())
    manifest["name"] = "tampered"
    (tampered / "tampered.json").write_text(json.dumps(manifest))
    return {"dir": tmp_path, "video": doctor_video}


def run_args(files, *extra):
    return ["run", "--source", str(files["video"]), "--output", "none", "--frames", "1", *extra]


CASES = [
    ("unknown model", lambda f: run_args(f, "--model", "nope"), "unknown model 'nope'; choose one of: "),
    (
        "tampered model",
        lambda f: run_args(f, "--model", "tampered", "--models-dir", str(f["dir"] / "tampered")),
        "fails its sha256 check",
    ),
    ("missing models dir", lambda f: run_args(f, "--models-dir", str(f["dir"] / "nowhere")), "models folder not found"),
    ("missing background", lambda f: run_args(f, "--background", f"image:{f['dir']}/none.jpg"), "image file not found"),
    (
        "corrupt background",
        lambda f: run_args(f, "--background", f"image:{f['dir']}/garbage.jpg"),
        "cannot decode image",
    ),
    (
        "huge background",
        lambda f: run_args(f, "--background", f"image:{f['dir']}/huge.png"),
        "is too large (12000x9000 pixels); use an image below 50 megapixels",
    ),
    ("bad blur", lambda f: run_args(f, "--background", "blur:lots"), "bad blur strength 'lots'"),
    ("bad colour", lambda f: run_args(f, "--background", "color:#12"), "write it as color:#RRGGBB"),
    (
        "bad spec",
        lambda f: run_args(f, "--background", "sparkles"),
        "bad background 'sparkles'; use blur[:STRENGTH], image:PATH, video:PATH, color:#RRGGBB or none",
    ),
    (
        "missing source",
        lambda f: ["run", "--source", f"{f['dir']}/none.mp4", "--output", "none"],
        "video file not found",
    ),
    (
        "truncated video",
        lambda f: ["run", "--source", f"{f['dir']}/truncated.mp4", "--output", "none"],
        "cannot decode video",
    ),
    (
        "corrupt image source",
        lambda f: ["run", "--source", f"{f['dir']}/garbage.jpg", "--output", "none"],
        "cannot decode image",
    ),
    ("no camera", lambda f: ["run", "--source", "7", "--output", "none"], "cannot open camera 7"),
    (
        "no virtual camera",
        lambda f: ["run", "--source", str(f["video"]), "--output", "vcam", "--frames", "1"],
        "no virtual camera device found; install v4l2loopback (Debian/Ubuntu: sudo apt install v4l2loopback-dkms) "
        'and run sudo modprobe v4l2loopback devices=1 exclusive_caps=1 card_label="Haikei"',
    ),
    ("bad size", lambda f: run_args(f, "--size", "720p"), "bad size '720p'; write it as WIDTHxHEIGHT"),
    ("odd size", lambda f: run_args(f, "--size", "641x361"), "unsupported size 641x361"),
    (
        "bad output type",
        lambda f: ["run", "--source", str(f["video"]), "--output", f"{f['dir']}/x.xyz"],
        "unsupported output file type '.xyz'",
    ),
    (
        "process missing input",
        lambda f: ["process", f"{f['dir']}/none.mp4", f"{f['dir']}/out.mkv"],
        "video file not found",
    ),
    ("process into missing folder", lambda f: ["process", str(f["video"]), f"{f['dir']}/no/out.mkv"], "output folder"),
]


@pytest.mark.parametrize("argv, message", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_gives_one_clear_line_and_exit_2(files, capsys, argv, message):
    assert cli.main(argv(files)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("haikei: error: ") and message in err[0], err[0]


def test_failed_process_leaves_no_output_file(files):
    out = files["dir"] / "out.mkv"
    assert cli.main(["process", str(files["video"]), str(out), "--model", "nope"]) == 2
    assert not out.exists() and not list(files["dir"].glob(".out*"))


def test_console_script_reports_errors_the_same_way(files):
    haikei = shutil.which("haikei", path=str(__import__("pathlib").Path(sys.executable).parent))
    result = subprocess.run([haikei, *run_args(files, "--model", "nope")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.startswith("haikei: error: unknown model 'nope'")


#: A process that gets ``SIG{sig}`` while the ``haikei`` command's modules import (as the command
#: started: the moment is pinned by an import hook), then runs the command as its entry point does.
STOP_WHILE_IMPORTING = """
import os, signal, sys

class StopOnImport:
    def find_spec(self, name, path=None, target=None):
        if name == "haikei.cli":
            os.kill(os.getpid(), signal.SIG{sig})
        return None

sys.meta_path.insert(0, StopOnImport())
from haikei.__main__ import main
sys.exit(main(["models"]))
"""


@pytest.mark.parametrize("sig", ["INT", "TERM", "HUP"])
def test_a_stop_signal_while_the_modules_import_is_one_line_too(sig):
    """Ctrl+C (or kill) in the first tenth of a second ends `haikei` as it does later: one line and
    128 + N, not a KeyboardInterrupt's traceback (or, for SIGTERM, a silent death)."""
    code = STOP_WHILE_IMPORTING.format(sig=sig)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 128 + getattr(signal, f"SIG{sig}"), result.stderr
    assert result.stderr == f"haikei: interrupted (SIG{sig})\n"


def test_saved_model_that_was_tampered_with_falls_back_to_the_default(files, private_home, capsys):
    from haikei.config import save_settings
    from haikei.settings import Settings

    user_models = private_home / "data" / "haikei" / "models"
    shutil.copytree(files["dir"] / "tampered", user_models)
    save_settings(Settings(model="tampered"))
    assert cli.main(["run", "--source", str(files["video"]), "--output", "none", "--frames", "5"]) == 0
    err = capsys.readouterr().err
    assert "haikei: warning: model 'tampered': " in err and "fails its sha256 check" in err
    assert "using selfie-general instead" in err and "5 frames sent" in err
