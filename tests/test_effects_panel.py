"""The effects' controls in the desktop app, offscreen: the window's Effects group and the tray's
toggles change the settings the engine runs with (and a style the frames it sends), follow changes
made elsewhere, and speak Japanese."""

from __future__ import annotations

import numpy as np
import pytest

from support.data import SHARED, need_shared

pytest.importorskip("pytestqt")
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication

from haikei.gui.app import HaikeiGui
from haikei.gui.effects_panel import style_names
from haikei.gui.i18n import install_translator, tr
from test_gui import RecordingSink, settled

PORTRAIT = SHARED / "data" / "portraits" / "woman-5883428_1280.jpg"


@pytest.fixture
def app(qtbot):
    sink = RecordingSink()
    overrides = {"source": str(need_shared(PORTRAIT)), "output": "none", "width": 640, "height": 360}
    app = HaikeiGui(overrides, sink=sink, use_system_tray=False, on_quit=lambda: None, persist=False)
    qtbot.addWidget(app.window)
    app.show()
    qtbot.waitUntil(lambda: app.controller.engine is not None or app.controller.start_error is not None, timeout=20000)
    app.sink = sink
    yield app
    app.shutdown()


def test_the_window_and_the_tray_switch_the_effects(qtbot, app):
    panel, toggles, c = app.window.effects, app.effect_toggles, app.controller
    before = settled(qtbot, app.sink)
    panel.framing_box.click()
    assert c.settings.framing == "auto" and toggles.framing_action.isChecked()  # the tray follows the window
    toggles.light_action.trigger()
    assert c.settings.light == "auto" and panel.light_box.isChecked()  # and the window the tray
    toggles.framing_action.trigger()
    assert c.settings.framing == "off" and not panel.framing_box.isChecked()
    panel.touch_up_slider.setValue(40)
    assert c.settings.touch_up == 40
    assert not panel.style_on_box.isEnabled()
    panel.style_box.setCurrentIndex(panel.style_box.findData("cartoon"))
    panel.style_box.activated.emit(panel.style_box.currentIndex())
    assert c.settings.style == "cartoon" and panel.style_on_box.isEnabled()
    after = settled(qtbot, app.sink)
    assert np.abs(after.astype(int) - before.astype(int)).mean() > 5  # the frames sent are drawn now
    c.change(style="pencil", touch_up=0)  # changed elsewhere (the command line, a preset): shown
    assert panel.style_box.currentData() == "pencil" and panel.touch_up_slider.value() == 0


def test_the_effects_speak_japanese(qtbot):
    translator = install_translator(QApplication.instance(), QLocale("ja_JP"))
    try:
        assert tr("Auto-framing") == "自動フレーミング"
        assert style_names()["pencil"] == "鉛筆画"
    finally:
        QApplication.instance().removeTranslator(translator)


def test_how_auto_framing_moves_is_set_in_advanced_while_it_is_on(qtbot):
    """The zoom limit and the speed (settings.json's framing_zoom and framing_settle) in the Advanced
    section: greyed, and saying why, while auto-framing is off; an edit changes the setting."""
    from haikei.gui.advanced import AdvancedForm
    from haikei.settings import Settings

    changes = {}
    form = AdvancedForm(lambda **change: changes.update(change))
    qtbot.addWidget(form)
    zoom, settle = form.fields["framing_zoom"], form.fields["framing_settle"]
    assert (zoom.minimum(), zoom.maximum(), settle.minimum(), settle.maximum()) == (1.0, 4.0, 0.3, 3.0)
    form.show_settings(Settings(), "blur")
    assert not zoom.isEnabled() and "Only while auto-framing is on." in zoom.toolTip()
    form.show_settings(Settings(framing="auto", framing_zoom=3.0), "blur")
    assert zoom.isEnabled() and settle.isEnabled() and zoom.value() == 3.0 and changes == {}
    zoom.setValue(2.5)
    settle.setValue(1.2)
    assert changes == {"framing_zoom": 2.5, "framing_settle": 1.2}
