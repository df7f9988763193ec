"""The effects' controls (issue #18): an Effects group in the window (auto-framing, light, touch-up,
style and where it goes) and auto-framing and light as tray toggles. Each control changes its
setting through the controller and follows the settings the engine runs with (its
``settings_changed``), so the window and the tray hook these up in one line each."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QSlider, QWidget

from haikei.gui.controller import EngineController
from haikei.gui.i18n import tr
from haikei.settings import Settings


def style_names() -> dict[str, str]:
    """The styles (``--style``) as the window names them."""
    return {"none": tr("None"), "painting": tr("Painting"), "cartoon": tr("Cartoon"), "pencil": tr("Pencil drawing")}


def style_layers() -> dict[str, str]:
    """Where a style goes (``--style-on``), as the window names it."""
    return {"background": tr("Background"), "picture": tr("Whole picture")}


def _on_auto(checked: bool) -> str:
    return "auto" if checked else "off"


class EffectsPanel(QGroupBox):
    """Auto-framing and light (on/off), touch-up (0–100), style and what it is drawn on."""

    def __init__(self, controller: EngineController, parent: QWidget | None = None):
        super().__init__(tr("Effects"), parent)
        self.controller = controller
        form = QFormLayout(self)
        self.framing_box = QCheckBox(tr("Auto-framing"))
        self.framing_box.setToolTip(tr("Keep you centred and sized in the picture"))
        self.framing_box.toggled.connect(lambda on: self._change(framing=_on_auto(on)))
        form.addRow(self.framing_box)
        self.light_box = QCheckBox(tr("Light"))
        self.light_box.setToolTip(tr("Brighten and colour-balance a dark picture"))
        self.light_box.toggled.connect(lambda on: self._change(light=_on_auto(on)))
        form.addRow(self.light_box)

        row = QHBoxLayout()
        self.touch_up_slider = QSlider(Qt.Orientation.Horizontal)
        self.touch_up_slider.setRange(0, 100)
        self.touch_up_slider.setToolTip(tr("Smooth the skin of the face (0 = off)"))
        self.touch_up_value = QLabel("0")
        self.touch_up_value.setMinimumWidth(24)
        self.touch_up_slider.valueChanged.connect(lambda v: self.touch_up_value.setText(str(v)))
        # on release (and keyboard steps), not on every pixel of a drag
        self.touch_up_slider.sliderReleased.connect(lambda: self._change(touch_up=self.touch_up_slider.value()))
        self.touch_up_slider.valueChanged.connect(
            lambda v: None if self.touch_up_slider.isSliderDown() else self._change(touch_up=v)
        )
        row.addWidget(self.touch_up_slider, 1)
        row.addWidget(self.touch_up_value)
        form.addRow(tr("Touch-up"), row)

        self.style_box = QComboBox()
        for key, label in style_names().items():
            self.style_box.addItem(label, key)
        self.style_box.activated.connect(lambda i: self._change(style=self.style_box.itemData(i)))
        form.addRow(tr("Style"), self.style_box)
        self.style_on_box = QComboBox()
        for key, label in style_layers().items():
            self.style_on_box.addItem(label, key)
        self.style_on_box.activated.connect(lambda i: self._change(style_on=self.style_on_box.itemData(i)))
        form.addRow(tr("Style on"), self.style_on_box)

        self._filling = False
        controller.settings_changed.connect(self.show_settings)
        self.show_settings(controller.settings)

    def _change(self, **changes) -> None:
        if not self._filling and any(getattr(self.controller.settings, k) != v for k, v in changes.items()):
            self.controller.change(**changes)

    def show_settings(self, settings: Settings) -> None:
        self._filling = True
        try:
            self.framing_box.setChecked(settings.framing == "auto")
            self.light_box.setChecked(settings.light == "auto")
            self.touch_up_slider.setValue(settings.touch_up)
            self.style_box.setCurrentIndex(max(0, self.style_box.findData(settings.style)))
            self.style_on_box.setCurrentIndex(max(0, self.style_on_box.findData(settings.style_on)))
            self.style_on_box.setEnabled(settings.style != "none")
        finally:
            self._filling = False


class EffectToggles(QObject):
    """Auto-framing and light as checkable actions in the tray's menu (before "Pause camera")."""

    def __init__(self, tray, controller: EngineController):
        super().__init__(tray)
        self.controller = controller
        self.framing_action = QAction(tr("Auto-framing"), self, checkable=True)
        self.framing_action.triggered.connect(lambda on: controller.change(framing=_on_auto(on)))
        self.light_action = QAction(tr("Light"), self, checkable=True)
        self.light_action.triggered.connect(lambda on: controller.change(light=_on_auto(on)))
        tray.menu.insertActions(tray.pause_action, [self.framing_action, self.light_action])
        controller.settings_changed.connect(self.show_settings)
        self.show_settings(controller.settings)

    def show_settings(self, settings: Settings) -> None:
        self.framing_action.setChecked(settings.framing == "auto")
        self.light_action.setChecked(settings.light == "auto")
