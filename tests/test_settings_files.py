"""Settings are never lost: a settings file that cannot be read is never written over, a folder that
cannot be written leaves the app running with one warning, a newer version's keys are kept, huge or
deeply nested files are set aside cleanly, and every command says so when it sets a file aside.

Permissions are real: as root (CI) the case runs in a forked child that has become ``nobody``, for
whom the kernel refuses what root would be allowed."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from haikei import cli
from haikei.config import load_settings, save_settings, settings_path
from haikei.errors import SettingsError
from haikei.gui.state import GuiState, load_gui_state, save_gui_state
from haikei.settings import Settings
from support.media import sha

NOBODY = 65534


def as_nobody(work) -> dict:
    """``work()`` (returning JSON-able values) in a forked child without root's power over files."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: everything it needs is imported already
        os.close(read_end)
        try:
            if os.geteuid() == 0:
                os.setgid(NOBODY)
                os.setuid(NOBODY)
            result = {"result": work()}
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            result = {"error": f"{type(exc).__name__}: {exc}"}
        os.write(write_end, json.dumps(result).encode())
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    return json.loads(data)


def load_and_save_mirrored() -> dict:
    """Load the settings and save them with one change, as the app does: what it loaded and said."""
    loaded, warnings = load_settings()
    try:
        save_settings(loaded.replace(mirror=True))
    except SettingsError as exc:
        return {"background": loaded.background, "warnings": warnings, "save": str(exc)}
    return {"saved": True}


@pytest.fixture
def open_folder(monkeypatch):
    """A config folder that ``nobody`` can reach (pytest's own are root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="haikei-config-"))
    folder.chmod(0o755)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))
    (folder / "haikei").mkdir()
    yield folder / "haikei"
    subprocess.run(["rm", "-rf", str(folder)], check=True)


def test_a_settings_file_that_cannot_be_read_is_never_written_over(open_folder):
    if os.geteuid() == 0:
        os.chown(open_folder, NOBODY, NOBODY)  # the folder itself is writable: only the file is not readable
    save_settings(Settings(background="blur:55"))
    path = settings_path()
    path.chmod(0o000)
    before = sha(path)

    result = as_nobody(load_and_save_mirrored)["result"]
    assert result["background"] == "blur"  # defaults for this run
    assert result["warnings"] == [
        f"cannot read settings file {path} (Permission denied); using defaults, and it is not written over"
    ]
    assert result["save"] == (
        f"cannot read {path} (Permission denied), so it is not written over; settings will not be saved"
    )
    assert sha(path) == before and sorted(p.name for p in open_folder.iterdir()) == ["settings.json"]


def test_a_folder_that_cannot_be_written_keeps_the_file_and_says_settings_will_not_be_saved(open_folder):
    save_settings(Settings(background="blur:55"))  # the folder is root's: nobody cannot write in it
    before = sha(settings_path())

    result = as_nobody(load_and_save_mirrored)["result"]
    assert result["background"] == "blur:55" and result["warnings"] == []
    assert result["save"] == f"cannot write {settings_path()} (Permission denied); settings will not be saved"
    assert sha(settings_path()) == before


@pytest.mark.parametrize("save", [save_settings, save_gui_state], ids=["settings.json", "gui.json"])
def test_a_newer_versions_keys_are_kept_in_the_file_and_the_known_ones_used(private_home, save):
    settings_file = save is save_settings
    path = settings_path() if settings_file else settings_path().with_name("gui.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    known = {"background": "blur:35"} if settings_file else {"blur": 35}
    path.write_text(json.dumps({**known, "hologram": {"depth": 3}}))
    loaded, warnings = load_settings() if settings_file else load_gui_state()
    assert (loaded.background if settings_file else loaded.blur) == list(known.values())[0]
    assert warnings == [
        f"settings file {path} has settings this version does not know (hologram); they are ignored and kept in "
        "the file"
    ]
    assert not list(path.parent.glob("*.broken-*"))  # not set aside
    save(loaded.replace(mirror=True) if settings_file else GuiState(blur=60))
    written = json.loads(path.read_text())
    assert written["hologram"] == {"depth": 3} and written["mirror" if settings_file else "blur"] in (True, 60)


@pytest.mark.parametrize(
    "content, why",
    [
        (b" " * (2 << 20), "it is too large (2,097,152 bytes; at most 1,048,576)"),
        (b"[" * 100_000, "it is nested too deeply"),
        (b'{"smoothing": NaN}', "NaN is not a number Haikei takes"),
        (b'{"feather": 1e999}', "1e999 is not a number Haikei takes"),
    ],
    ids=["huge", "deep", "NaN", "overflow"],
)
@pytest.mark.parametrize("name", ["settings.json", "gui.json"])
def test_huge_deep_or_non_finite_files_are_set_aside_cleanly(private_home, name, content, why):
    path = settings_path().with_name(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    loaded, warnings = load_settings() if name == "settings.json" else load_gui_state()
    assert loaded == (Settings() if name == "settings.json" else GuiState())
    (backup,) = path.parent.glob("*.broken-*")
    assert warnings == [f"settings file {path} was unusable ({why}); using defaults, the old file is kept as {backup}"]
    assert backup.read_bytes() == content


def test_a_settings_file_that_is_not_a_file_is_left_alone(private_home):
    path = settings_path()
    path.parent.mkdir(parents=True)
    os.mkfifo(path)  # opening it to read would wait forever for a writer
    loaded, warnings = load_settings()
    assert loaded == Settings()
    assert warnings == [f"settings file {path} is not used (it is not a regular file); using defaults"]
    with pytest.raises(SettingsError, match="so it is not written over; settings will not be saved"):
        save_settings(Settings())
    assert path.is_fifo()


@pytest.fixture
def clip(tmp_path) -> Path:
    path = tmp_path / "still.png"
    cv2.imwrite(str(path), np.full((90, 160, 3), 120, np.uint8))
    return path


COMMANDS = {
    "run": lambda clip, tmp: ["run", "--source", str(clip), "--output", "none", "--frames", "2"],
    "process": lambda clip, tmp: ["process", str(clip.with_name("clip.mp4")), str(tmp / "o.mp4"), "--no-progress"],
    "doctor": lambda clip, tmp: ["doctor"],
    "bench": lambda clip, tmp: ["bench", "--source", str(clip), "--frames", "2", "--size", "160x90"],
}


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_says_it_set_a_broken_settings_file_aside(private_home, clip, tmp_path, capsys, command):
    from support.media import sync_clip

    sync_clip(clip.with_name("clip.mp4"), "mp4", seconds=0.2)
    path = settings_path()
    path.parent.mkdir(parents=True)
    path.write_text('{"fps": "fast"}')
    code = cli.main(COMMANDS[command](clip, tmp_path))
    assert code in ((0, 1) if command == "doctor" else (0,))  # doctor: 1 where there is no camera here
    (backup,) = path.parent.glob("settings.broken-*.json")
    line = (
        f"haikei: warning: settings file {path} was unusable (setting 'fps' must be int, not 'fast'); using "
        f"defaults, the old file is kept as {backup}"
    )
    assert capsys.readouterr().err.splitlines()[0] == line
    assert backup.read_text() == '{"fps": "fast"}'


@pytest.fixture
def read_only_config(private_home):
    """The config folder with a settings file in it, then made read-only (a read-only mount as root)."""
    folder = private_home / "config" / "haikei"
    folder.mkdir(parents=True)
    if os.geteuid() == 0:
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)]).returncode:
            pytest.skip("cannot mount a tmpfs here")
    save_settings(Settings(background="blur:33"))
    if os.geteuid() == 0:
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
    else:
        folder.chmod(0o555)
    yield folder
    if os.geteuid() == 0:
        subprocess.run(["umount", str(folder)], check=True)
    else:
        folder.chmod(0o755)


def test_the_window_runs_on_with_one_warning_when_settings_cannot_be_saved(qtbot, read_only_config, clip):
    pytest.importorskip("pytestqt")
    from haikei.gui.app import HaikeiGui
    from haikei.outputs.null import NullSink

    before = sha(settings_path())
    quits = []
    app = HaikeiGui(
        {"source": str(clip), "output": "none", "width": 160, "height": 90},
        sink=NullSink(),
        use_system_tray=False,
        on_quit=lambda: quits.append(True),
    )
    qtbot.addWidget(app.window)
    app.show()
    qtbot.waitUntil(lambda: app.controller.frames_out > 2, timeout=20000)
    for strength in (40, 50, 60):  # each change saves the window state and (after a moment) the settings
        app.window.blur_slider.setValue(strength)
        app.controller.save()
    banner = app.window.banner_text.text().splitlines()
    folder = re.escape(str(settings_path().parent))
    assert len(banner) == 1 and re.fullmatch(  # the window's state or the settings, whichever was saved first
        rf"Your settings cannot be saved: {folder}/(settings|gui)\.json cannot be written \(Read-only file system\)\. "
        r"Haikei runs on; changes you make last until you quit\.",
        banner[0],
    )
    assert app.window.banner.isVisibleTo(app.window)
    app.quit()  # Quit always quits
    assert quits == [True] and app.controller.engine is None
    assert sha(settings_path()) == before


def test_bench_auto_on_a_read_only_config_folder_says_it_once_and_succeeds(read_only_config, clip, capsys):
    before = sha(settings_path())
    argv = ["bench", "--auto", "--seconds", "0.3", "--source", str(clip), "--size", "160x90", "--json"]
    assert cli.main(argv) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["preset"]
    assert err.splitlines() == [
        f"haikei: warning: cannot write {settings_path()} (Read-only file system); settings will not be saved"
    ]
    assert sha(settings_path()) == before


def handlers_in_place(pid: int) -> bool:
    """The window's stop-signal handlers wake Qt through a socket pair (gui/stop_signals.py): there
    are no sockets before it (offscreen)."""
    sockets = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            sockets += os.readlink(fd).startswith("socket:")
        except FileNotFoundError:  # closed meanwhile
            pass
    return sockets >= 2


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=lambda s: s.name)
def test_a_stop_signal_quits_the_window_as_quit_does(private_home, clip, sig):
    """Ctrl+C, `kill` and a closed terminal save the window state and quit cleanly (a real window
    process, offscreen); the settings file there before is as it was."""
    save_settings(Settings(background="blur:44"))
    before = sha(settings_path())
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    window = subprocess.Popen(
        [sys.executable, "-m", "haikei", "gui", "--source", str(clip), "--output", "none"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    deadline = time.monotonic() + 120
    try:
        while not handlers_in_place(window.pid):
            assert window.poll() is None and time.monotonic() < deadline, "the window never started"
            time.sleep(0.05)
    except BaseException:
        window.kill()
        window.communicate()
        raise
    window.send_signal(sig)
    _, err = window.communicate(timeout=60)
    assert window.returncode == 128 + sig, err
    offscreen = "This plugin does not support propagateSizeHints()"  # Qt's offscreen platform, not ours
    assert [line for line in err.splitlines() if line != offscreen] == [
        f"haikei: interrupted ({sig.name}); saving and quitting"
    ]
    assert json.loads(settings_path().with_name("gui.json").read_text())["geometry"]  # saved on the way out
    assert sha(settings_path()) == before
    assert not list(settings_path().parent.glob(".*"))  # no temporary file left


@pytest.mark.parametrize("masks", [True, False], ids=["signal masks", "no signal masks (Windows)"])
def test_a_stop_signal_during_the_rename_comes_after_it(tmp_path, monkeypatch, masks):
    """A Ctrl+C that lands while a new version is renamed over a file is delivered once the rename is
    done: the file is whole (the new version) and no temporary file is left. Where signals cannot be
    blocked (no ``signal.pthread_sigmask``: Windows) the handler defers it itself."""
    from haikei.safefiles import Interrupted, PendingFile, stop_signals_raise

    if not masks:
        monkeypatch.delattr(signal, "pthread_sigmask")
    real_replace = os.replace

    def replace_while_interrupted(source, target):
        signal.raise_signal(signal.SIGINT)
        real_replace(source, target)

    target = tmp_path / "settings.json"
    target.write_text("old")
    with pytest.raises(Interrupted), stop_signals_raise():
        pending = PendingFile(target)
        pending.path.write_text("new")
        monkeypatch.setattr(os, "replace", replace_while_interrupted)
        pending.commit()
    assert target.read_text() == "new" and pending.committed
    assert [p.name for p in tmp_path.iterdir()] == ["settings.json"]


def test_a_folder_that_cannot_be_opened_still_gets_the_new_version(tmp_path, monkeypatch):
    """Windows refuses to open a folder (so does Linux without read permission on it): the rename
    cannot be fsynced there, but the save is whole and reported as done, not as a failure."""
    from haikei.safefiles import PendingFile

    real_open = os.open

    def open_no_folder(path, flags, *args):
        if os.path.isdir(path):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args)

    target = tmp_path / "settings.json"
    target.write_text("old")
    monkeypatch.setattr(os, "open", open_no_folder)
    with PendingFile(target) as pending:
        pending.path.write_text("new")
        pending.commit()
    assert target.read_text() == "new" and pending.committed
    assert [p.name for p in tmp_path.iterdir()] == ["settings.json"]
