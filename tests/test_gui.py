"""The desktop app, offscreen: choices made in the window and the tray reach the frames that leave
the engine (compared with the pipeline run directly on the same still image), settings survive a
restart, broken settings files are kept and reported, Japanese UI."""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from support.data import REPO, SHARED, need_shared

pytest.importorskip("pytestqt")
from PySide6.QtCore import QLocale, QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from haikei.config import load_settings, settings_path
from haikei.frames import Frame
from haikei.frames.files import load_image
from haikei.frames.fit import cover_fit
from haikei.gui.advanced import SHOWN
from haikei.gui.app import HaikeiGui
from haikei.gui.gallery import entry_key
from haikei.gui.i18n import FOLDER, install_translator, tr
from haikei.gui.state import gui_state_path, load_gui_state
from haikei.outputs.base import Sink
from haikei.pipeline import FrameProcessor
from haikei.settings import KNOBS

PORTRAIT = SHARED / "data" / "portraits" / "woman-5883428_1280.jpg"
USER_BACKGROUND = SHARED / "data" / "backgrounds" / "office.jpg"
SIZE = (640, 360)
#: Frames to wait after a change: it applies on the next frame, the mask's moving average then settles.
SETTLE_FRAMES = 20


class RecordingSink(Sink):
    """The output the engine sends to, keeping the newest frame."""

    description = "test recorder"

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.count = 0
        self.last: np.ndarray | None = None

    def send(self, frame: np.ndarray) -> None:
        with self.lock:
            self.last = frame.copy()
            self.count += 1


def settled(qtbot, sink: RecordingSink) -> np.ndarray:
    start = sink.count
    qtbot.waitUntil(lambda: sink.count >= start + SETTLE_FRAMES, timeout=20000)
    with sink.lock:
        return sink.last


def expected(settings, frames: int = SETTLE_FRAMES) -> np.ndarray:
    """What the pipeline makes of the portrait with ``settings``, run directly (no GUI, no threads)."""
    image = cover_fit(load_image(PORTRAIT), (settings.width, settings.height))
    processor = FrameProcessor(settings)
    try:
        for i in range(frames):
            out = processor.process(Frame(image.copy(), i, i / 30)).image
    finally:
        processor.close()
    return out


def assert_output(qtbot, app: HaikeiGui, sink: RecordingSink) -> np.ndarray:
    got = settled(qtbot, sink)
    want = expected(app.controller.settings)
    assert np.abs(got.astype(int) - want.astype(int)).mean() < 1.0, app.controller.settings
    return got


@pytest.fixture
def make_app(qtbot):
    need_shared(PORTRAIT)
    apps = []

    def make(source: Path = PORTRAIT, **kwargs) -> tuple[HaikeiGui, RecordingSink]:
        sink = RecordingSink()
        overrides = {"source": str(source), "output": "none", "width": SIZE[0], "height": SIZE[1]}
        app = HaikeiGui(overrides, sink=sink, use_system_tray=False, on_quit=lambda: None, **kwargs)
        qtbot.addWidget(app.window)
        app.show()
        apps.append(app)
        qtbot.waitUntil(
            lambda: app.controller.engine is not None or app.controller.start_error is not None, timeout=20000
        )
        return app, sink

    yield make
    for app in apps:
        app.shutdown()


def select_in_gallery(app: HaikeiGui, key: str) -> None:
    row = next(i for i, e in enumerate(app.window.gallery.entries) if e.spec == key)
    app.window.gallery.setCurrentRow(row)


def test_window_and_tray_choices_change_the_output(qtbot, make_app):
    app, sink = make_app()
    original = cover_fit(load_image(PORTRAIT), SIZE)

    select_in_gallery(app, "color")  # window: colour background
    out = assert_output(qtbot, app, sink)
    colour = np.array([0x5B, 0x7D, 0x2E])  # the default #2e7d5b as BGR

    def coloured(image):
        return (np.abs(image.astype(int) - colour).max(axis=-1) < 8).mean()

    assert coloured(out) > 0.3 and coloured(original) < 0.01

    app.tray.effect_action.trigger()  # tray: effect off → the camera picture untouched
    assert np.array_equal(settled(qtbot, sink), original)
    assert app.controller.settings.background == "none"
    app.tray.effect_action.trigger()  # and back on: the colour it had
    assert app.controller.settings.background == "color:#2e7d5b"
    assert_output(qtbot, app, sink)

    app.tray.pause_action.trigger()  # tray: pause camera → the output says so on a dark frame
    paused = settled(qtbot, sink)
    assert app.controller.paused and np.median(paused) == 40 and paused.max() > 200
    app.tray.pause_action.trigger()
    assert_output(qtbot, app, sink)

    shipped = next(a for a in app.tray.background_group.actions() if "calm-room" in str(a.data()))
    shipped.trigger()  # tray: a shipped background
    assert_output(qtbot, app, sink)
    assert entry_key(app.controller.settings.background) == shipped.data()

    select_in_gallery(app, "blur")
    app.window.blur_slider.setValue(3)
    sharp = assert_output(qtbot, app, sink)
    app.window.blur_slider.setValue(90)
    soft = assert_output(qtbot, app, sink)
    assert app.controller.settings.background == "blur:90"

    def change(image):  # how far the frame is from the camera picture
        return np.abs(image.astype(int) - original.astype(int)).mean()

    assert change(soft) > 2 * change(sharp) > 0

    before = settled(qtbot, sink)
    w = app.window
    w.model_box.setCurrentIndex(w.model_box.findData("selfie-general"))
    w.model_box.activated.emit(w.model_box.currentIndex())
    after = assert_output(qtbot, app, sink)
    assert app.controller.settings.model == "selfie-general"
    assert np.abs(after.astype(int) - before.astype(int)).max() > 30  # a different mask edge

    w.preset_box.setCurrentIndex(w.preset_box.findData("speed"))
    w.preset_box.activated.emit(w.preset_box.currentIndex())
    assert_output(qtbot, app, sink)
    assert app.controller.settings.upsample == "bilinear"

    # Advanced: a knob edited in the generated form makes the preset Custom.
    w.advanced.fields["feather"].setValue(6.0)
    assert_output(qtbot, app, sink)
    assert app.controller.settings.preset == "custom"
    assert w.preset_box.currentData() == "custom"


def test_a_background_that_cannot_load_goes_back_in_the_window_too(qtbot, make_app, tmp_path):
    """The engine keeps the previous background and says so; the window follows at once (no polling)."""
    app, sink = make_app()
    select_in_gallery(app, "color")
    assert_output(qtbot, app, sink)
    problems = []
    app.controller.problem.connect(problems.append)
    app.controller.change(background=f"image:{tmp_path}/gone.png")
    qtbot.waitUntil(lambda: app.controller.settings.background == "color:#2e7d5b", timeout=10000)
    assert [type(p).__name__ for p in problems] == ["BackgroundError"]
    assert app.window.gallery.current_entry().spec == "color"
    assert_output(qtbot, app, sink)


def test_a_missing_source_is_shown_and_another_can_be_picked(qtbot, make_app, tmp_path):
    app, sink = make_app(source=tmp_path / "gone.mp4")
    assert app.controller.engine is None
    app.refresh_status()
    assert "gone.mp4" in app.window.preview.message and "not found" in app.window.preview.message
    assert not app.window.output_state.text().startswith("●")
    app.controller.change(source=str(PORTRAIT))  # what picking another source in the window does
    qtbot.waitUntil(lambda: app.controller.engine is not None, timeout=20000)
    select_in_gallery(app, "color")
    assert_output(qtbot, app, sink)


def test_preview_drops_frames_while_the_gui_thread_is_busy(qtbot, make_app):
    """A blocked GUI thread does not hold the engine up, and afterwards repaints once, not a backlog."""
    app, sink = make_app()
    preview = app.window.preview
    qtbot.waitUntil(lambda: preview.painted > 0, timeout=10000)
    painted, sent = preview.painted, sink.count
    time.sleep(1.0)  # the GUI thread is busy: no events processed
    assert sink.count >= sent + 5  # the engine kept sending (30 fps source; slack for a loaded machine)
    sent = sink.count
    qtbot.wait(40)
    # One repaint for the ~30 frames missed, plus at most one per frame that arrived meanwhile.
    assert preview.painted - painted <= 1 + (sink.count - sent)


def test_drop_a_user_background_and_remove_it(qtbot, make_app):
    need_shared(USER_BACKGROUND)
    app, sink = make_app()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(USER_BACKGROUND)), QUrl.fromLocalFile(str(REPO / "README.md"))])
    drop = QDropEvent(
        QPointF(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    app.window.gallery.dropEvent(drop)
    spec = f"image:{USER_BACKGROUND.resolve()}"
    assert app.state.user_backgrounds == [spec]  # the README is not an image: ignored
    assert app.controller.settings.background == spec
    assert app.tray.background_action(spec).isChecked()
    assert_output(qtbot, app, sink)
    assert load_gui_state()[0].user_backgrounds == [spec]

    app.window.remove_button.click()
    assert app.state.user_backgrounds == []
    assert entry_key(app.controller.settings.background) == "blur"
    assert app.tray.background_action(spec) is None


def test_settings_survive_a_restart(qtbot, make_app):
    app, _ = make_app()
    select_in_gallery(app, "blur")
    app.window.blur_slider.setValue(42)
    app.window.preset_box.setCurrentIndex(app.window.preset_box.findData("quality"))
    app.window.preset_box.activated.emit(app.window.preset_box.currentIndex())
    app.window.view_buttons["mask"].click()
    app.window.stats_box.setChecked(False)
    app.shutdown()

    saved, warnings = load_settings()
    assert warnings == []
    assert (saved.background, saved.preset, saved.guide_scale) == ("blur:42", "quality", 0.5)
    assert saved.source == "0" and saved.output == "vcam"  # command-line overrides are for one run

    again, sink = make_app()
    assert again.controller.settings.background == "blur:42"
    assert again.window.preset_box.currentData() == "quality"
    assert again.window.blur_slider.value() == 42
    assert again.window.preview.mode == "mask" and not again.window.preview.show_stats
    assert again.window.gallery.current_entry().spec == "blur"
    assert_output(qtbot, again, sink)


def test_corrupt_settings_give_defaults_a_warning_and_a_backup(qtbot, make_app):
    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text("{not json")
    gui_state_path().write_text(json.dumps({"hide_to_tray": "yes"}))
    app, sink = make_app()
    text = app.window.banner_text.text()
    assert app.window.banner.isVisibleTo(app.window)
    assert text.count("unusable") == 2 and "settings.broken-" in text and "gui.broken-" in text
    backups = sorted(p.name for p in settings_path().parent.glob("*.broken-*"))
    assert len(backups) == 2
    assert (settings_path().parent / backups[1]).read_text() == "{not json"
    assert app.controller.settings.model == "selfie-landscape" and app.state.hide_to_tray is True
    assert_output(qtbot, app, sink)


def test_closing_without_a_tray_quits(qtbot, make_app):
    quits = []
    app, _ = make_app()
    app.on_quit = lambda: quits.append(True)
    app.window.close()
    assert quits == [True] and app.controller.engine is None


def test_japanese_ui(qtbot):
    from PySide6.QtWidgets import QApplication

    translator = install_translator(QApplication.instance(), QLocale("ja_JP"))
    try:
        assert translator is not None
        assert tr("Background") == "背景"
        assert tr("Effect on") == "エフェクト オン"
    finally:
        QApplication.instance().removeTranslator(translator)
    assert tr("Background") == "Background"
    assert install_translator(QApplication.instance(), QLocale("en_US")) is None


def test_every_ui_string_is_translated():
    """Each tr("...") in the GUI code has a finished Japanese translation in the .ts file."""
    used = set()
    for path in (REPO / "app" / "haikei" / "gui").rglob("*.py"):
        used |= set(re.findall(r'\btr\(\s*["\x27]([^"\x27]*)["\x27]', path.read_text()))
    used |= {KNOBS[name].label for name in SHOWN}  # the Advanced form's labels, from the settings' metadata
    ts = (FOLDER / "haikei_ja.ts").read_text(encoding="utf-8")
    translated = set(re.findall(r"<source>(.*?)</source>\s*<translation>[^<]+</translation>", ts))
    assert sorted(used - translated) == []
    assert (FOLDER / "haikei_ja.qm").stat().st_mtime >= (FOLDER / "haikei_ja.ts").stat().st_mtime - 1


class NobodyReadsSink(RecordingSink):
    """An output no app reads (as a v4l2loopback device with no consumer): the engine may idle."""

    def reader_watcher(self):
        from haikei.outputs.base import ReaderWatcher

        class NoReader(ReaderWatcher):
            def _run(self) -> None:
                self._stop.wait()

        return NoReader()


def test_visible_window_keeps_the_camera_live_and_hidden_one_lets_it_idle(qtbot, make_app, monkeypatch):
    from haikei.live import PauseReason, idle

    monkeypatch.setattr(idle, "IDLE_AFTER_S", 0.2)
    app, _ = make_app()
    sink = NobodyReadsSink()
    app.controller.engine.sink = sink  # a fresh output that nobody reads, watched by the idle logic
    time.sleep(0.6)
    assert not app.controller.engine.paused  # the preview is on screen: someone watches
    app.window.hide()
    qtbot.waitUntil(lambda: app.controller.engine.pause_reason is PauseReason.IDLE, timeout=5000)
    assert not app.controller.paused  # an idle pause is not the user's pause
    app.tray.pause_action.trigger()  # the user pauses while idle: that is their pause now
    assert app.controller.paused
    app.window.show()
    time.sleep(0.5)
    assert app.controller.paused  # showing the window does not undo the user's pause
    app.tray.pause_action.trigger()
    qtbot.waitUntil(lambda: not app.controller.engine.paused, timeout=5000)


class ChromiumReadsSink(RecordingSink):
    """An output Chromium reads, as its watcher tells."""

    def reader_watcher(self):
        from haikei.outputs.base import ReaderWatcher

        class Chromium(ReaderWatcher):
            def _run(self) -> None:
                self._set(True, ("Chromium",))
                self._stop.wait()

        return Chromium()


def test_window_and_tray_name_the_apps_reading_the_camera(qtbot, make_app, monkeypatch):
    app, _ = make_app()
    tooltips = []
    monkeypatch.setattr(app.tray, "show_state", lambda **state: tooltips.append(state["tooltip"]))
    assert "In use by" not in app.window.output_state.text()
    app.controller.engine.sink = ChromiumReadsSink()
    qtbot.waitUntil(lambda: app.window.output_state.text().endswith("\nIn use by Chromium"), timeout=5000)
    qtbot.waitUntil(lambda: tooltips[-1].endswith("\nIn use by Chromium"), timeout=5000)


def test_first_start_with_a_camera_picks_the_preset_by_bench(qtbot, monkeypatch):
    from haikei.measure import autopreset

    need_shared(PORTRAIT)
    measured = []

    def pick(settings, seconds=3.0, catalog=None, costs=None):
        measured.append(engine_paused())
        return "speed"

    monkeypatch.setattr(autopreset, "pick_preset", pick)
    monkeypatch.setattr(autopreset, "camera_device", lambda spec: 0)  # the portrait stands in for a webcam
    sink = RecordingSink()
    app = HaikeiGui(
        {"source": str(PORTRAIT), "output": "none", "width": SIZE[0], "height": SIZE[1]},
        sink=sink,
        use_system_tray=False,
        on_quit=lambda: None,
    )
    engine_paused = lambda: app.controller.engine.paused  # noqa: E731
    qtbot.addWidget(app.window)
    try:
        assert app.controller.auto_preset_on_start
        app.show()
        qtbot.waitUntil(lambda: app.controller.settings.preset == "speed", timeout=20000)
        assert measured == [True]  # the engine was paused ("Measuring…") while the bench ran
        assert load_settings()[0].preset == "speed"  # chosen once, saved
        assert app.window.preset_box.currentData() == "speed"
        qtbot.waitUntil(lambda: not app.controller.engine.paused, timeout=5000)
    finally:
        app.shutdown()


def test_file_source_or_saved_settings_do_not_trigger_the_bench(make_app):
    app, _ = make_app()
    assert not app.controller.auto_preset_on_start
