"""The Advanced section, generated from the settings' own :class:`~haikei.settings.Knob` metadata:
resolution, frame rate, mirror, and every knob of the preset table, each with its label, range and
choices, so knobs added to :class:`~haikei.settings.Settings` appear here without GUI edits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QSpinBox, QWidget

from haikei.gui.i18n import tr
from haikei.settings import KNOBS, PRESET_KNOBS, Settings

SIZES = ((640, 360), (960, 540), (1280, 720), (1920, 1080))
#: The preset table's knobs, in the settings' order, and the virtual camera's format.
FORM_KNOBS = (*(name for name in KNOBS if name in PRESET_KNOBS), "vcam_format")
#: Every setting the form shows (its labels are translated).
SHOWN = ("width", "fps", "mirror", *FORM_KNOBS)


class AdvancedForm(QWidget):
    """Calls ``change(**{knob: value})`` when the user edits a field; :meth:`show_settings` fills it."""

    def __init__(self, change: Callable[..., Any], parent: QWidget | None = None):
        super().__init__(parent)
        self._change = change
        self.fields: dict[str, QWidget] = {}
        form = QFormLayout(self)
        form.setContentsMargins(0, 4, 0, 0)
        defaults = Settings()

        self.size_box = QComboBox()
        for w, h in SIZES:
            self.size_box.addItem(f"{w} × {h}", (w, h))
        self.size_box.activated.connect(
            lambda _: self._emit(dict(zip(("width", "height"), self.size_box.currentData())))
        )
        form.addRow(tr(KNOBS["width"].label), self.size_box)
        self.fps_box = QSpinBox(suffix=KNOBS["fps"].unit)
        self.fps_box.setRange(*(int(v) for v in KNOBS["fps"].spin_range()))
        self.fps_box.valueChanged.connect(lambda v: self._emit({"fps": v}))
        form.addRow(tr(KNOBS["fps"].label), self.fps_box)
        self.mirror_box = QCheckBox(tr(KNOBS["mirror"].label))
        self.mirror_box.toggled.connect(lambda v: self._emit({"mirror": v}))
        form.addRow("", self.mirror_box)

        for name in FORM_KNOBS:
            kind, knob = type(getattr(defaults, name)), KNOBS[name]
            if kind is bool:
                widget = QCheckBox()
                widget.toggled.connect(lambda v, n=name: self._emit({n: v}))
            elif knob.choices:
                widget = QComboBox()
                widget.addItems(list(knob.choices))
                widget.activated.connect(lambda _, n=name, w=widget: self._emit({n: w.currentText()}))
            else:
                widget = QDoubleSpinBox(decimals=2) if kind is float else QSpinBox()
                low, high = knob.spin_range()
                widget.setRange(low, high)
                widget.setSingleStep(knob.step or 1)
                widget.setKeyboardTracking(False)
                widget.valueChanged.connect(lambda v, n=name, k=kind: self._emit({n: k(v)}))
            self.fields[name] = widget
            form.addRow(tr(knob.label), widget)
        self._filling = False

    def _emit(self, changes: dict) -> None:
        if not self._filling:
            self._change(**changes)

    def show_settings(self, s: Settings) -> None:
        self._filling = True
        try:
            index = self.size_box.findData((s.width, s.height))
            if index < 0:
                self.size_box.addItem(f"{s.width} × {s.height}", (s.width, s.height))
                index = self.size_box.count() - 1
            self.size_box.setCurrentIndex(index)
            self.fps_box.setValue(s.fps)
            self.mirror_box.setChecked(s.mirror)
            for name, widget in self.fields.items():
                value = getattr(s, name)
                if isinstance(widget, QCheckBox):
                    widget.setChecked(value)
                elif isinstance(widget, (QSpinBox, QDoubleSpinBox)):
                    widget.setValue(value)
                else:
                    if widget.findText(str(value)) < 0:
                        widget.addItem(str(value))
                    widget.setCurrentText(str(value))
        finally:
            self._filling = False
