"""The window as a meeting-goer meets it, offscreen: the Output panel (choices switched live, reaching
the real outputs; the words for each state; a missing device's way out), the gallery's grid at any size,
the window's size, a tooltip on every control, Japanese everywhere, start with the system."""

from __future__ import annotations

import ast
import re

import cv2
import numpy as np
import pytest

from support.data import REPO, need_shared

pytest.importorskip("pytestqt")
from PySide6.QtCore import QLocale, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QBoxLayout,
    QComboBox,
    QGroupBox,
    QLabel,
    QListWidget,
    QScrollBar,
    QWidget,
)

from haikei import desktop
from haikei.errors import OutputError
from haikei.gui import output_panel
from haikei.gui.app import HaikeiGui, start_app
from haikei.gui.gallery import CELL, ROWS
from haikei.gui.i18n import FOLDER, install_translator, remove_translator, tr
from haikei.gui.main_window import SIDE_MAX, SIDE_MIN
from haikei.gui.output_panel import OutputState, describe
from haikei.settings import KNOBS, Settings
from support.gui import PORTRAIT, SIZE, expected

GUI = REPO / "app" / "haikei" / "gui"


def frames_of(backend) -> int:
    return len(backend.last.frames) if backend.last is not None else 0


def test_output_choice_is_switched_live_and_reaches_the_output(qtbot, make_app, recording_backend):
    """Nowhere → virtual camera (pyvirtualcam's own code, a recording backend) → nowhere, from the panel."""
    app, _ = make_app(sink=None, background="color:#0000ff")
    panel = app.window.output_panel
    app.refresh_status()
    assert panel.none_radio.isChecked() and panel.headline.text() == "Nowhere: only this preview shows the picture."
    assert recording_backend.last is None
    vcam_format = app.window.advanced.fields["vcam_format"]
    assert not vcam_format.isEnabled()  # a setting of the virtual camera alone

    panel.vcam_radio.click()
    assert app.controller.settings.output == "vcam" and vcam_format.isEnabled()
    qtbot.waitUntil(lambda: frames_of(recording_backend) >= 20, timeout=20000)
    camera = recording_backend.last
    sent = cv2.cvtColor(camera.frames[-1].reshape(SIZE[1], SIZE[0], 2), cv2.COLOR_YUV2BGR_YUYV)  # the default format
    want = expected(app.controller.settings)
    assert np.abs(sent.astype(int) - want).mean() < 3  # the composed picture, in the virtual camera (through YUYV)
    app.refresh_status()
    assert panel.headline.text() == "● Ready: choose “Recording Camera” as the camera in your meeting app."
    assert panel.headline.property("tone") == "ok" and not panel.copy_button.isVisibleTo(panel)

    panel.none_radio.click()
    qtbot.waitUntil(lambda: camera.closed, timeout=10000)
    count = len(camera.frames)
    qtbot.wait(300)
    assert len(camera.frames) == count and app.controller.settings.output == "none"


def test_a_missing_virtual_camera_explains_copies_the_fix_and_offers_pipewire(qtbot, make_app, pipewire, tmp_path):
    """No v4l2loopback here: two sentences, the command to copy, and the PipeWire camera instead, whose
    frames a real PipeWire consumer then reads."""
    from test_pipewire import consume

    app, _ = make_app(sink=None, output="vcam", background="color:#0000ff")
    panel = app.window.output_panel
    qtbot.waitUntil(lambda: app.controller.output_state().problem is not None, timeout=10000)
    app.refresh_status()
    assert panel.vcam_radio.isChecked()
    assert panel.headline.text() == "⚠ No virtual camera on this computer yet"
    assert panel.advice.text().count(". ") + panel.advice.text().endswith(".") == 2  # two sentences
    assert "--" not in panel.advice.text() + panel.headline.text()  # no command-line options in the words
    panel.copy_button.click()
    assert QGuiApplication.clipboard().text() == output_panel.V4L2LOOPBACK_COMMAND
    assert panel.pipewire_button.isVisibleTo(panel)

    panel.pipewire_button.click()
    assert app.controller.settings.output == "pipewire" and panel.pipewire_radio.isChecked()
    qtbot.waitUntil(lambda: app.controller.output_state().working, timeout=20000)
    app.refresh_status()
    assert panel.headline.text() == "● Ready: choose “Haikei” as the camera in your meeting app."
    assert not panel.copy_button.isVisibleTo(panel) and not panel.pipewire_button.isVisibleTo(panel)
    panel.browser_toggle.click()
    help_text = panel.browser_help.text()
    assert output_panel.CHROME_FLAG in help_text and output_panel.FIREFOX_PREF in help_text
    assert "--" not in help_text
    panel.copy_flag_button.click()
    assert QGuiApplication.clipboard().text() == "chrome://flags/#enable-webrtc-pipewire-camera"
    got = consume(tmp_path, 10)  # another program reads the camera: it gets the composed picture
    want = expected(app.controller.settings)
    assert np.abs(got["bgr"][-1].astype(int) - want).mean() < 3  # through I420


def test_a_screenshot_shows_the_status_words_whole(qtbot, make_app):
    """The window's picture (``haikei gui --screenshot``) lays out the status words it has just set:
    grabbed before, the longest advice was cut to two of its four lines."""
    app, _ = make_app(sink=None, output="vcam")  # no v4l2loopback here: the longest words the panel has
    app._status_timer.stop()  # the status changes only where the test says
    app.window.resize(1280, 800)
    panel = app.window.output_panel
    qtbot.waitUntil(lambda: app.controller.output_state().problem is not None, timeout=10000)
    panel.show_state(OutputState("none"))  # laid out with the short words first
    qtbot.waitUntil(lambda: panel.advice.isHidden() and app.window.size() == QSize(1280, 800), timeout=2000)
    qtbot.wait(50)

    picture = app.picture()
    assert picture.size() == QSize(1280, 800)
    assert panel.headline.text().startswith("⚠ ") and panel.advice.isVisibleTo(app.window)
    for label in (panel.headline, panel.advice):
        assert label.height() >= label.heightForWidth(label.width()) > 0, label.text()


def test_the_panel_says_who_is_watching_and_what_is_wrong(qapp):
    """The words for each state the outputs can report (the readers' names where the backend can tell)."""
    ok = OutputState("vcam", working=True, camera_name="Haikei")
    assert describe(ok).headline == "Ready: choose “Haikei” as the camera in your meeting app."
    assert describe(OutputState("vcam", working=True, readers=("Zoom",))).headline == "Zoom is using the camera"
    both = describe(OutputState("pipewire", working=True, readers=("Firefox", "OBS Studio")))
    assert both.headline == "Firefox, OBS Studio are using the camera"
    assert describe(OutputState("vcam", working=True, camera_name="Haikei", watched=True)).headline == (
        "An app is using the camera “Haikei”."
    )
    busy = describe(OutputState("vcam:/dev/video4", problem=OutputError("x is busy"), problem_kind="busy"))
    assert busy.tone == "bad" and busy.advice.count(". ") == 1 and busy.command == ""
    denied = describe(OutputState("vcam", problem=OutputError("no permission"), problem_kind="permission"))
    assert denied.command == output_panel.VIDEO_GROUP_COMMAND
    missing = describe(OutputState("pipewire", problem=OutputError("x"), problem_kind="pipewire-missing"))
    assert missing.command == output_panel.PIPEWIRE_INSTALL_COMMAND and not missing.offer_pipewire
    stopped = describe(OutputState("pipewire", problem=OutputError("x"), problem_kind="pipewire-stopped"))
    assert stopped.command == output_panel.PIPEWIRE_START_COMMAND
    assert describe(OutputState("out.mp4", working=True, camera_name="out.mp4")).headline == "Recording to out.mp4"
    for state in (busy, denied, missing, stopped):
        assert "--" not in state.headline + state.advice


def visible_widgets(root: QWidget) -> list[QWidget]:
    return [w for w in root.findChildren(QWidget) if w.isVisibleTo(root)]


def test_every_control_has_a_plain_tooltip(make_app):
    app, _ = make_app()
    app.window.show_advanced(True)
    controls = [
        w
        for w in visible_widgets(app.window)
        if isinstance(w, (QAbstractButton, QComboBox, QAbstractSlider, QAbstractSpinBox, QListWidget))
        and not isinstance(w, QScrollBar)  # a scroll area's own bars
        and not isinstance(w.parent(), QAbstractSpinBox)  # a spin box's own arrows
    ]
    missing = [
        f"{type(w).__name__} {w.text()!r}"
        for w in controls
        if isinstance(w, QAbstractButton) and not w.toolTip() and w.text() != "✕"
    ] + [type(w).__name__ for w in controls if not isinstance(w, QAbstractButton) and not w.toolTip()]
    assert len(controls) > 35 and missing == []
    for name in ("feather", "smoothing", "mask_low", "upsample"):  # the settings' own help, in plain words
        assert app.window.advanced.fields[name].toolTip().startswith(tr(KNOBS[name].help)[:1].upper())
    assert [app.window.advanced.fields["upsample"].itemText(i) for i in range(2)] == [
        "Simple (lighter)",
        "Follows hair and edges",
    ]


def tiles_fit(gallery) -> bool:
    """Every tile of the visible rows lies whole inside the gallery: none cut at a side or the bottom."""
    viewport = gallery.viewport().rect()
    rects = [gallery.visualItemRect(gallery.item(i)) for i in range(gallery.count())]
    shown = [r for r in rects if r.intersects(viewport)]
    return bool(shown) and all(viewport.contains(r) for r in shown)


def test_the_gallery_wraps_to_whole_tiles_and_the_preview_takes_the_room(qtbot, make_app):
    app, _ = make_app()
    w, gallery = app.window, app.window.gallery
    assert sum(e.kind == "video" for e in gallery.entries) >= 2
    sizes = {}
    for size in ((760, 680), (1024, 700), (1280, 800), (1600, 1000), (1920, 1080)):
        w.resize(*size)
        qtbot.waitUntil(lambda size=size: (w.width(), w.height()) == size, timeout=2000)
        qtbot.wait(20)
        assert tiles_fit(gallery), size
        assert gallery.viewport().height() == ROWS * gallery.gridSize().height()
        assert gallery.gridSize().width() >= CELL.width()
        assert SIDE_MIN <= w.side.width() <= SIDE_MAX
        sizes[size] = (w.preview.width(), w.preview.height(), gallery.height(), gallery.columns())
        stacked = w.toolbar.rows.direction() == QBoxLayout.Direction.TopToBottom
        assert stacked == (size[0] < 1000), size  # the buttons under the preview: one row where they fit
        for button in (w.effect_button, w.pause_button, w.stats_box):  # never cut
            assert button.parentWidget() is w.toolbar and w.toolbar.rect().contains(button.geometry()), size
    gallery.verticalScrollBar().setValue(gallery.gridSize().height() // 2)  # half a row scrolled…
    gallery.wheelEvent(wheel_event(-120))  # …and one notch: whole rows again
    assert gallery.verticalScrollBar().value() % gallery.gridSize().height() == 0 and tiles_fit(gallery)
    small, large = sizes[(760, 680)], sizes[(1920, 1080)]
    assert large[0] > 2 * small[0] and large[1] > 2 * small[1]  # the preview grows with the window
    assert large[2] == small[2] and large[3] > small[3]  # the gallery keeps its rows, gains columns


def wheel_event(delta: int):
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent

    return QWheelEvent(
        QPointF(10, 10),
        QPointF(10, 10),
        QPoint(0, 0),
        QPoint(0, delta),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )


def test_the_first_window_fits_the_screen(make_app):
    app, _ = make_app()
    area = app.window.screen().availableGeometry()
    frame = app.window.geometry()
    assert area.contains(frame) and frame.width() <= 1280 and frame.height() <= 800
    assert frame.width() >= min(1280, 0.9 * area.width()) - 1  # as large as it may be


def test_start_with_the_system_writes_the_autostart_entry(make_app, private_home):
    app, _ = make_app()
    box = app.window.autostart_box
    assert box.isVisibleTo(app.window) and not box.isChecked()
    box.click()
    entry = private_home / "config" / "autostart" / f"{desktop.APP_ID}.desktop"
    assert desktop.autostart_enabled() and "gui --tray" in entry.read_text()
    box.click()
    assert not entry.exists() and not box.isChecked()


def test_in_tray_without_a_tray_shows_the_window(qtbot, make_app):
    need_shared(PORTRAIT)
    app = HaikeiGui({"source": str(PORTRAIT), "output": "none"}, use_system_tray=False, persist=False)
    qtbot.addWidget(app.window)
    try:
        app.show(in_tray=True)
        assert app.window.isVisible()  # no tray to live in: the window it is
    finally:
        app.shutdown()


def test_quitting_while_the_engine_starts_leaves_no_engine_running(qtbot):
    """Quit at once (as with --tray and Quit, or a window closed at start): the engine that was still
    opening stops as soon as it has opened; no thread keeps reading the camera or running the model."""
    import threading

    need_shared(PORTRAIT)
    app = HaikeiGui({"source": str(PORTRAIT), "output": "none"}, use_system_tray=False, persist=False)
    qtbot.addWidget(app.window)
    app.show()
    app.shutdown()

    def engine_threads():
        names = ("haikei-gui-start", "haikei-capture", "haikei-segment", "haikei-process", "haikei-idle")
        return [t.name for t in threading.enumerate() if t.name in names]

    qtbot.waitUntil(lambda: engine_threads() == [], timeout=20000)
    qtbot.wait(300)
    assert engine_threads() == [] and app.controller.engine is None


def test_the_app_names_its_desktop_file(qapp):
    app, warnings = start_app()
    assert app.desktopFileName() == desktop.APP_ID and warnings == []


# -- Japanese -------------------------------------------------------------------------------------

#: Words that stay as they are in Japanese: names of products, a device, units and abbreviations.
KEPT = {
    "Haikei", "PipeWire", "WirePlumber", "Chrome", "Chromium", "Firefox", "OBS", "Studio", "Zoom", "Meet",
    "Teams", "Chime", "ONNX", "Runtime", "TensorFlow", "Lite", "MediaPipe", "GStreamer", "PyGObject",
    "v4l2loopback", "FPS", "CPU", "fps", "px", "ms", "Ctrl", "about", "config", "chrome", "flags", "enable",
    "webrtc", "pipewire", "camera", "media", "allow", "onnx", "tflite", "selfie", "segmentation", "landscape",
    "mp4", "Doctor", "Recording", "Camera", "jpg", "webm", "video", "loopback", "Web", "yuyv",
    "support", "Enabled", "true",  # the names of the browsers' settings, as the browsers show them
}  # fmt: skip
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")


def english_in(text: str) -> list[str]:
    return [word for word in ENGLISH_WORD.findall(text) if word not in KEPT]


def widget_texts(widget: QWidget) -> list[str]:
    texts = [widget.toolTip()]
    if isinstance(widget, (QLabel, QAbstractButton)):
        texts.append(widget.text())
    if isinstance(widget, QGroupBox):
        texts.append(widget.title())
    if isinstance(widget, QComboBox):
        texts += [widget.itemText(i) for i in range(widget.count())]
        texts += [widget.itemData(i, 3) or "" for i in range(widget.count())]  # tooltips
    if isinstance(widget, QListWidget):
        texts += [widget.item(i).text() for i in range(widget.count())]
        texts += [widget.item(i).toolTip() for i in range(widget.count())]
    return [t for t in texts if t]


@pytest.fixture
def japanese(qapp):
    translator = install_translator(QApplication.instance(), QLocale("ja_JP"))
    assert translator is not None
    yield
    remove_translator(QApplication.instance(), translator)
    assert tr("Background") == "Background"


def test_no_visible_text_stays_english_in_japanese(qtbot, make_app, japanese):
    """Every label, button, title, list entry, menu item and tooltip the user can see, with the output in
    trouble (no virtual camera), the stats shown and Advanced open."""
    app, _ = make_app(sink=None, output="vcam", model="selfie-landscape", light="auto", touch_up=40)
    qtbot.waitUntil(lambda: app.controller.output_state().problem is not None, timeout=10000)
    w = app.window
    w.show_advanced(True)
    app.refresh_status()
    qtbot.waitUntil(lambda: len(w.preview._stats_lines) > 9, timeout=10000)  # with the effects' lines
    texts = [t for widget in [w, *visible_widgets(w)] for t in widget_texts(widget)]
    texts += [w.preview.message, *(name for name, _ in w.preview._stats_lines)]
    menus = [app.tray.menu, app.tray.background_menu]
    texts += [a.text() for menu in menus for a in menu.actions()]
    texts.remove(PORTRAIT.name)  # the source: a file, by its name
    leftovers = {t: english_in(t) for t in texts if english_in(t)}
    assert len(texts) > 150 and leftovers == {}
    assert "仮想カメラ" in w.output_panel.headline.text()


def translatable_strings() -> set[str]:
    """Every string literal passed to tr() in the GUI code, implicit concatenations joined (ast)."""
    found = set()
    for path in GUI.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "tr" and node.args:
                if isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                    found.add(node.args[0].value)
    return found


def test_every_ui_string_is_translated():
    """Each tr("...") in the GUI code and each setting's label, help and choice names shown in the window
    has a finished Japanese translation in the .ts file, and the .qm is compiled from it."""
    from xml.etree import ElementTree

    from haikei.gui.advanced import SHOWN

    used = translatable_strings()
    for name in (*SHOWN, "soften", "preset"):
        knob = KNOBS[name]
        used |= {knob.label, knob.help, *knob.choice_labels} | ({knob.unit} if knob.unit else set())
    ts = ElementTree.parse(FOLDER / "haikei_ja.ts")
    translated = {
        m.findtext("source"): m.findtext("translation")
        for m in ts.iter("message")
        if m.find("translation").get("type") not in ("unfinished", "vanished", "obsolete")
    }
    assert sorted(s for s in used if not translated.get(s)) == []
    assert (FOLDER / "haikei_ja.qm").stat().st_mtime >= (FOLDER / "haikei_ja.ts").stat().st_mtime - 1


def test_a_language_without_a_font_falls_back_to_english_and_says_how(qapp, monkeypatch):
    from haikei.gui import platform

    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    monkeypatch.setattr(QLocale, "system", staticmethod(lambda: QLocale("ja_JP")))
    monkeypatch.setattr(platform, "font_problem", lambda language: ("no font", "sudo apt install fonts-noto-cjk"))
    _, warnings = start_app()
    assert tr("Background") == "Background"
    assert len(warnings) == 1 and "fonts-noto-cjk" in warnings[0]


def test_doctor_checks_a_font_for_the_ui_language(monkeypatch):
    from haikei.cli import doctor
    from haikei.gui import platform
    from haikei.settings import Settings

    for key in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    (check,) = doctor.check_font(Settings())
    assert check.ok == (platform.font_problem("ja") is None)
    missing = ("none covers ja", "sudo apt install fonts-noto-cjk")
    monkeypatch.setattr(platform, "font_problem", lambda language: missing)
    (check,) = doctor.check_font(Settings())
    assert not check.ok and check.fix == "sudo apt install fonts-noto-cjk" and not check.required


def test_the_window_size_option_and_screenshot(tmp_path):
    """``haikei gui --screenshot`` at a size, as the README's pictures are made."""
    import subprocess
    import sys

    from support.data import DOCTOR_VIDEO

    need_shared(DOCTOR_VIDEO)
    shot = tmp_path / "shot.png"
    result = subprocess.run(
        [sys.executable, "-m", "haikei", "gui", "--source", str(DOCTOR_VIDEO), "--output", "none",
         "--frames", "5", "--screenshot", str(shot), "--window-size", "1000x700"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    from PySide6.QtGui import QImage

    assert QImage(str(shot)).size() == QSize(1000, 700)


def test_the_stats_list_the_effects_that_are_on():
    from haikei.gui.preview import effects_on

    assert effects_on(Settings()) == ()
    assert effects_on(Settings(light="auto", touch_up=30)) == ("light", "face", "touch_up")
    assert effects_on(Settings(framing="auto", style="pencil")) == ("framing", "style")


def test_the_banner_for_settings_that_cannot_be_saved_is_in_the_ui_language(japanese):
    from haikei.errors import SettingsNotSaved
    from haikei.gui.app import not_saved_text

    path = "/home/me/.config/haikei/settings.json"
    for unreadable in (True, False):
        text = not_saved_text(SettingsNotSaved("cannot …", path, "Permission denied", unreadable))
        assert path in text and "(Permission denied)" in text
        assert english_in(text.replace(path, "").replace("Permission denied", "")) == []
