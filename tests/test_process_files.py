"""`haikei process` never loses a file: an output is replaced only by a complete new one, whatever
stops the run (real signals to a real subprocess, a full tmpfs, a file size limit, an input that
fails midway); and what it writes keeps every frame's time and the sound, in sync, measured by
decoding the output. Every case checks the exit status, the one line and the files that were there.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import av
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from haikei import cli
from haikei.capture.video import VideoReader
from haikei.errors import SourceError
from support.media import (
    doctor_with_sound,
    frame_count,
    leftovers,
    remux,
    rotated,
    sha,
    streams,
    sync_clip,
    sync_report,
    top_atoms,
)

FAST = ["--background", "none", "--no-progress"]  # no model: decode and encode only
FEW = settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def media(tmp_path_factory, doctor_video) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("media")
    clips = {
        "sync.mp4": sync_clip(folder / "sync.mp4", "mp4"),
        "doctor.mp4": doctor_with_sound(doctor_video, folder / "doctor.mp4"),  # 760 frames, AAC
    }
    return clips


def haikei(*args: object, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "haikei", "process", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,
    )


def start(*args: object) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "haikei", "process", *map(str, args), *FAST],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_until_writing(folder: Path, count: int = 1, size: int = 50_000) -> None:
    """Until ``count`` temporary files in ``folder`` hold ``size`` bytes: the runs are midway."""
    deadline = time.monotonic() + 120
    while len([p for p in folder.glob("*.haikei-partial") if p.stat().st_size >= size]) < count:
        assert time.monotonic() < deadline, "the run never started writing"
        time.sleep(0.05)


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


@pytest.fixture
def old(tmp_path, media) -> Path:
    """An output the user cares about: a small complete video, there before the run."""
    target = tmp_path / "out.mp4"
    assert haikei(media["sync.mp4"], target, "--frames", "10", *FAST).returncode == 0
    return target


# -- interruptions --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sig, existing",
    [(signal.SIGINT, True), (signal.SIGTERM, True), (signal.SIGHUP, True), (signal.SIGINT, False)],
    ids=["SIGINT", "SIGTERM", "SIGHUP", "SIGINT-new-file"],
)
def test_a_signal_midway_leaves_the_output_as_it_was(tmp_path, media, old, sig, existing):
    target = old if existing else tmp_path / "new.mp4"
    before = sha(old)
    run = start(media["doctor.mp4"], target, "-y")
    wait_until_writing(tmp_path)
    run.send_signal(sig)
    _, err = run.communicate(timeout=60)
    assert run.returncode == 128 + sig
    kept = "is unchanged" if existing else "was not written"
    assert re.fullmatch(rf"haikei: interrupted \({sig.name}\) after \d+ of 760 frames; {target} {kept}", one_line(err))
    assert sha(old) == before and (existing or not target.exists())
    assert leftovers(tmp_path) == []


@FEW
@given(delay=st.floats(0.0, 3.0), sig=st.sampled_from([signal.SIGINT, signal.SIGTERM, signal.SIGHUP]))
@example(delay=0.02, sig=signal.SIGINT)  # here: inside the interpreter's start-up (CI met it once by chance)
@example(delay=0.1, sig=signal.SIGINT)  # here: while the modules import, before Haikei's handlers
def test_a_signal_at_any_moment_gives_the_old_file_or_a_complete_new_one(old, media, delay, sig):
    """Start-up, encoding, the check, the rename: exit 0 and a complete file, or 128+N (-N before
    Python's handlers exist; 1 for a SIGINT while the interpreter itself still starts) and the old
    file byte for byte; never a leftover."""
    before = sha(old)
    run = start(media["sync.mp4"], old, "-y")
    time.sleep(delay)
    run.send_signal(sig)
    _, err = run.communicate(timeout=60)
    if run.returncode == 0:
        assert frame_count(old) == 60
    elif run.returncode == -sig:  # before Python's handlers exist, or after they are gone as it exits
        assert sha(old) == before or frame_count(old) == 60
    elif run.returncode == 1 and sig == signal.SIGINT and "init_import_site" in err:
        # CPython's KeyboardInterrupt inside its own start-up (the site module, ~10-40 ms in): a fatal
        # error of the interpreter before any of Haikei runs
        assert sha(old) == before
    else:
        assert run.returncode == 128 + sig, err
        assert sha(old) == before
        assert len(err.strip().splitlines()) == 1, err
    assert leftovers(old.parent) == []


def test_sigkill_cannot_be_caught_but_the_output_is_intact(tmp_path, media, old):
    before = sha(old)
    run = start(media["doctor.mp4"], old, "-y")
    wait_until_writing(tmp_path)
    run.kill()
    run.communicate(timeout=60)
    assert sha(old) == before
    assert len(leftovers(tmp_path)) == 1  # what SIGKILL leaves: one hidden temporary file


def test_two_runs_into_one_output_never_share_a_temporary_file(tmp_path, media, old):
    runs = [start(media["doctor.mp4"], old, "-y", "--frames", "300") for _ in range(2)]
    wait_until_writing(tmp_path, count=2)  # one each, side by side
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
        assert one_line(err) == f"haikei: wrote 300 frames (H.264, aac copied) to {old}"
    assert frame_count(old) == 300 and leftovers(tmp_path) == []


# -- what may be written where ----------------------------------------------------------------------


def test_an_existing_output_needs_overwrite(media, old, capsys):
    before = sha(old)
    assert cli.main(["process", str(media["sync.mp4"]), str(old), *FAST]) == 2
    assert one_line(capsys.readouterr().err) == (
        f"haikei: error: output {old} already exists; add --overwrite (-y) to replace it"
    )
    assert sha(old) == before
    old.chmod(0o640)
    assert cli.main(["process", str(media["sync.mp4"]), str(old), "--overwrite", *FAST]) == 0
    assert one_line(capsys.readouterr().err) == f"haikei: wrote 60 frames (H.264, aac copied) to {old}"
    assert frame_count(old) == 60 and old.stat().st_mode & 0o777 == 0o640  # replaced, its permissions kept


@pytest.mark.parametrize("how", ["same path", "hard link", "symlink", "dotted path"])
def test_an_output_that_is_the_input_is_refused_before_anything_is_written(tmp_path, media, capsys, how):
    source = tmp_path / "in.mp4"
    shutil.copy(media["sync.mp4"], source)
    before = sha(source)
    out = {"same path": source, "dotted path": tmp_path / ".." / tmp_path.name / "in.mp4"}.get(how, tmp_path / "o.mp4")
    if how == "hard link":
        os.link(source, out)
    elif how == "symlink":
        out.symlink_to(source)
    assert cli.main(["process", str(source), str(out), "-y", *FAST]) == 2
    assert one_line(capsys.readouterr().err) == f"haikei: error: output {out} is the input video; write to another file"
    assert sha(source) == before and leftovers(tmp_path) == []


def test_a_symlink_as_output_is_followed(tmp_path, media, old):
    link = tmp_path / "link.mp4"
    link.symlink_to(old)
    assert cli.main(["process", str(media["sync.mp4"]), str(link), "-y", *FAST]) == 0
    assert link.is_symlink() and frame_count(old) == 60


@pytest.mark.parametrize(
    "name, message",
    [
        ("/dev/null", "unsupported output file type 'null'; use one of .mp4, .m4v, .mov, .mkv, .webm"),
        ("folder.mp4", "output {out} is a folder; give a file name, e.g. out.mp4"),
        ("fifo.mp4", "output {out} is not a regular file; write to a file, e.g. out.mp4"),
        ("out.avi", "unsupported output file type '.avi'; use one of .mp4, .m4v, .mov, .mkv, .webm"),
        ("missing/out.mp4", "output folder {out.parent} does not exist"),
    ],
)
def test_outputs_that_are_not_files_are_refused(tmp_path, media, capsys, name, message):
    (tmp_path / "folder.mp4").mkdir()
    os.mkfifo(tmp_path / "fifo.mp4")  # never opened: no hang
    out = tmp_path / name
    assert cli.main(["process", str(media["sync.mp4"]), str(out), "-y", *FAST]) == 2
    assert one_line(capsys.readouterr().err) == "haikei: error: " + message.format(out=out)
    assert leftovers(tmp_path) == []


# -- write errors ------------------------------------------------------------------------------------


@pytest.fixture
def mount(tmp_path):
    """Mount a small tmpfs (root only: CI runs as root), unmounted afterwards whatever happens."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a tmpfs needs root (CI runs as root)")
    mounted = []

    def make(name: str, options: str) -> Path:
        folder = tmp_path / name
        folder.mkdir()
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True)
        if result.returncode:
            pytest.skip(f"cannot mount a tmpfs here: {result.stderr.decode().strip()}")
        mounted.append(folder)
        return folder

    yield make
    for folder in mounted:
        subprocess.run(["umount", str(folder)], check=True)


@pytest.mark.parametrize("existing", [True, False], ids=["over-existing", "new-file"])
def test_a_full_disk_leaves_the_output_as_it_was(mount, media, existing):
    disk = mount("disk", "size=1m")
    target = disk / "out.mp4"
    if existing:
        assert haikei(media["sync.mp4"], target, "--frames", "10", *FAST).returncode == 0
        before = sha(target)
    result = haikei(media["doctor.mp4"], target, "-y", *FAST)  # about 2.5 MB: does not fit
    assert result.returncode == 2
    kept = "is unchanged" if existing else "was not written"
    assert re.fullmatch(
        rf"haikei: error: the disk of {disk} is full after \d+ of 760 frames; free some space or write elsewhere; "
        rf"{target} {kept}",
        one_line(result.stderr),
    )
    assert (sha(target) == before) if existing else not target.exists()
    assert leftovers(disk) == []


def test_a_read_only_folder_is_refused_before_anything_is_written(mount, media):
    folder = mount("ro", "size=1m,ro")
    result = haikei(media["sync.mp4"], folder / "out.mp4", *FAST)
    assert result.returncode == 2
    assert one_line(result.stderr) == f"haikei: error: output folder {folder} is not writable"


def test_a_file_size_limit_is_a_clear_write_error(tmp_path, media, old):
    before = sha(old)

    def limit() -> None:  # Python ignores SIGXFSZ: writes past the limit fail with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (500_000, 500_000))

    result = haikei(media["doctor.mp4"], old, "-y", *FAST, preexec_fn=limit)
    assert result.returncode == 2
    assert re.fullmatch(
        rf"haikei: error: cannot write {old} \(File too large\) after \d+ of 760 frames; {old} is unchanged",
        one_line(result.stderr),
    )
    assert sha(old) == before and leftovers(tmp_path) == []


# -- inputs that fail -------------------------------------------------------------------------------


def damaged(media: dict[str, Path], folder: Path, kind: str) -> Path:
    data = bytearray(media["doctor.mp4"].read_bytes())
    half = len(data) // 2
    if kind == "cut in half":
        data = data[:half]
    elif kind == "4 KiB zeroed":  # from the start of a video packet midway
        with av.open(str(media["doctor.mp4"])) as source:
            at = next(p.pos for p in source.demux(video=0) if p.pos and p.pos > half)
        data[at : at + 4096] = bytes(4096)
    elif kind == "index damaged":
        data[5000:5400] = bytes(range(256)) + bytes(range(144))  # inside the sample tables
    path = folder / f"{kind.replace(' ', '-')}.mp4"
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize(
    "kind, message",
    [
        ("cut in half", r"is damaged at frame \d+ of 760 \(a damaged packet\)"),
        ("4 KiB zeroed", r"is damaged at frame \d+ of 760 \(Invalid data found when processing input\)"),
        ("index damaged", r"(ended after \d+ of 760 frames \(the file is cut short or damaged\)|is damaged at .*)"),
    ],
)
def test_an_input_that_fails_midway_is_an_error(tmp_path, media, old, capsys, kind, message):
    before = sha(old)
    source = damaged(media, tmp_path, kind)
    assert cli.main(["process", str(source), str(old), "-y", *FAST]) == 2
    line = one_line(capsys.readouterr().err)
    assert re.fullmatch(rf"haikei: error: {source.name} {message}; {old} is unchanged", line), line
    assert sha(old) == before and leftovers(tmp_path) == []


def test_an_input_cut_while_it_is_read_is_an_error(tmp_path, media, old):
    source = tmp_path / "growing.mp4"
    shutil.copy(media["doctor.mp4"], source)
    before = sha(old)
    run = start(source, old, "-y")
    wait_until_writing(tmp_path)
    os.truncate(source, source.stat().st_size // 2)  # overwritten by another program, say
    _, err = run.communicate(timeout=120)
    assert run.returncode == 2
    assert re.fullmatch(
        rf"haikei: error: growing.mp4 (is damaged at|ended after) .*; {old} is unchanged", one_line(err)
    )
    assert sha(old) == before and leftovers(tmp_path) == []


def test_a_cut_matroska_file_is_noticed_by_its_duration(tmp_path, media, capsys):
    whole = remux(media["doctor.mp4"], tmp_path / "whole.mkv", "matroska").read_bytes()
    cut = tmp_path / "cut.mkv"
    cut.write_bytes(whole[: len(whole) // 2])
    assert cli.main(["process", str(cut), str(tmp_path / "out.mp4"), *FAST]) == 2
    assert re.fullmatch(
        r"haikei: error: cut.mkv ended at 1\d\.\d s of 25\.\d s after \d+ frames \(the file is cut short or damaged\); "
        rf"{tmp_path / 'out.mp4'} was not written",
        one_line(capsys.readouterr().err),
    )


def test_a_file_without_video_is_refused(tmp_path, media, capsys):
    sound = tmp_path / "sound.m4a"
    with av.open(str(media["sync.mp4"])) as source, av.open(str(sound), "w", format="mp4") as out:
        stream = out.add_stream_from_template(source.streams.audio[0])
        for packet in source.demux(source.streams.audio[0]):
            if packet.dts is not None:
                packet.stream = stream
                out.mux(packet)
    assert cli.main(["process", str(sound), str(tmp_path / "out.mp4"), *FAST]) == 2
    assert one_line(capsys.readouterr().err) == (
        f"haikei: error: {sound} has no video stream; give a video file, not a sound or image file"
    )


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_damaged_input_never_ends_quietly_short(tmp_path, media, data):
    """Cut anywhere past the index, bytes changed anywhere: every announced frame comes (the decoder
    may conceal damage), or a SourceError naming the file; never fewer frames, quietly."""
    original = media["sync.mp4"].read_bytes()
    cut = data.draw(st.integers(len(original) // 10, len(original)))
    changes = data.draw(st.lists(st.tuples(st.integers(0, cut - 1), st.integers(0, 255)), max_size=4))
    clip = bytearray(original[:cut])
    for at, value in changes:
        clip[at] = value
    path = tmp_path / "clip.mp4"
    path.write_bytes(bytes(clip))
    try:
        reader = VideoReader(path)
        try:
            count = sum(1 for _ in reader.frames())
        finally:
            reader.close()
    except SourceError as exc:
        assert "clip.mp4" in str(exc)
    else:
        assert count == 60


# -- what is written -------------------------------------------------------------------------------


SYNC_CASES = {  # input clip → (output type, video codec, audio codec written)
    "aac.mp4 → mp4": ("mp4", {"muxer": "mp4"}, "h264", "aac"),
    "aac.mp4 → webm": ("webm", {"muxer": "mp4"}, "vp9", "opus"),
    "opus.webm → mp4": ("mp4", {"muxer": "webm", "vcodec": "libvpx-vp9", "acodec": "libopus"}, "h264", "aac"),
    "pcm.mov → mkv": ("mkv", {"muxer": "mov", "acodec": "pcm_s16le"}, "h264", "pcm_s16le"),
    "mp3 mono.mkv → webm": (
        "webm",
        {"muxer": "matroska", "acodec": "libmp3lame", "layout": "mono", "audio_rate": 44100},
        "vp9",
        "opus",
    ),
    "mp3 mono.mkv → mp4": (
        "mp4",
        {"muxer": "matroska", "acodec": "libmp3lame", "layout": "mono", "audio_rate": 44100},
        "h264",
        "mp3",
    ),
    "vfr.mp4 → webm": ("webm", {"muxer": "mp4", "vfr": True}, "vp9", "opus"),
    "late audio.mp4 → mp4": ("mp4", {"muxer": "mp4", "audio_start": 0.5}, "h264", "aac"),
    "no audio.mp4 → mov": ("mov", {"muxer": "mp4", "acodec": None}, "h264", None),
}


@pytest.mark.parametrize("case", SYNC_CASES)
def test_the_output_keeps_every_frames_time_and_the_sound_in_sync(tmp_path, capsys, case):
    suffix, clip, video, audio = SYNC_CASES[case]
    source = sync_clip(tmp_path / f"in.{ {'matroska': 'mkv'}.get(clip['muxer'], clip['muxer']) }", **clip)
    out = tmp_path / f"out.{suffix}"
    assert cli.main(["process", str(source), str(out), *FAST]) == 0
    assert one_line(capsys.readouterr().err).startswith("haikei: wrote ")
    written = streams(out)
    assert written["video"]["codec"] == video and written["video"]["pix_fmt"] == "yuv420p"
    assert written.get("audio", {}).get("codec") == audio
    before, after = sync_report(source), sync_report(out)
    assert after["frames"] == before["frames"]
    assert after["times"] == pytest.approx(before["times"], abs=0.0011)  # WebM and Matroska count in ms
    if audio:
        frame = 1 / 30
        assert after["offsets_ms"] == pytest.approx(before["offsets_ms"], abs=1.5)
        assert abs(after["audio_start"] - before["audio_start"]) < frame
        assert abs((after["audio_end"] - after["video_end"]) - (before["audio_end"] - before["video_end"])) < frame
    if suffix in ("mp4", "mov"):
        atoms = top_atoms(out)
        assert atoms.index("moov") < atoms.index("mdat")  # the index first: browsers start at once


def test_frames_cuts_the_sound_with_the_picture(tmp_path, media, capsys):
    out = tmp_path / "short.mp4"
    assert cli.main(["process", str(media["sync.mp4"]), str(out), "--frames", "45", *FAST]) == 0
    report = sync_report(out)
    assert report["frames"] == 45
    assert 0 <= report["audio_end"] - (report["video_end"] + 1 / 30) <= 0.025  # within one AAC packet


def test_a_phone_video_comes_out_upright(tmp_path, capsys):
    import cv2

    source = rotated(sync_clip(tmp_path / "flat.mp4", "mp4", acodec=None, size=(320, 180)), tmp_path / "phone.mp4")
    out = tmp_path / "upright.mp4"
    assert cli.main(["process", str(source), str(out), *FAST]) == 0
    with av.open(str(out)) as written:
        frame = next(written.decode(video=0))
        assert (frame.width, frame.height, frame.rotation) == (180, 320, 0)
        picture = frame.to_ndarray(format="bgr24")
    capture = cv2.VideoCapture(str(source))  # OpenCV turns it upright itself
    ok, shown = capture.read()
    capture.release()
    assert ok and shown.shape == picture.shape and abs(shown.astype(int) - picture).mean() < 3


def test_odd_sizes_become_even_for_h264(tmp_path, capsys):
    source = sync_clip(tmp_path / "odd.mp4", "mp4", size=(321, 181))
    out = tmp_path / "even.mp4"
    assert cli.main(["process", str(source), str(out), *FAST]) == 0
    assert capsys.readouterr().err.strip().splitlines() == [
        "haikei: note: odd.mp4 is 321x181; even.mp4 is 322x182 (H.264 needs even sides: the last column or row is "
        "repeated)",
        f"haikei: wrote 60 frames (H.264, aac copied) to {out}",
    ]
    assert streams(out)["video"]["size"] == (322, 182)


def test_a_failed_run_leaves_the_settings_alone(tmp_path, media, old, private_home, capsys):
    from haikei.config import save_settings, settings_path
    from haikei.settings import Settings

    save_settings(Settings(background="blur:40"))
    before = sha(settings_path())
    assert cli.main(["process", str(damaged(media, tmp_path, "cut in half")), str(old), "-y", *FAST]) == 2
    assert sha(settings_path()) == before


def test_run_records_into_a_file_only_with_overwrite_over_an_existing_one(tmp_path, old, private_home, capsys):
    import cv2
    import numpy as np

    still = tmp_path / "still.png"
    cv2.imwrite(str(still), np.full((90, 160, 3), 120, np.uint8))
    before = sha(old)
    recording = ["run", "--source", str(still), "--output", str(old), "--frames", "3", "--size", "160x90", *FAST[:2]]
    assert cli.main(recording) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"haikei: error: output {old} already exists; add --overwrite (-y) to replace it"
    )
    assert sha(old) == before
    assert cli.main([*recording, "-y"]) == 0
    assert capsys.readouterr().err.splitlines()[-1] == f"haikei: wrote 3 frames (H.264, no sound) to {old}"
    assert frame_count(old) == 3 and leftovers(tmp_path) == []
