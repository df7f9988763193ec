"""The Advanced section, generated from the preset table: every knob in
:data:`~haikei.settings.PRESET_KNOBS` gets a widget by its type, so knobs added there appear here
without GUI edits. Known knobs get a readable label and range; others a label made from the name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QSpinBox, QWidget

from haikei import settings as settings_module
from haikei.gui.i18n import tr
from haikei.settings import PRESET_KNOBS, PRESETS, Settings

SIZES = ((640, 360), (960, 540), (1280, 720), (1920, 1080))
#: knob → (label, minimum, maximum, step) for numbers; (label,) for the rest.
KNOBS: dict[str, tuple] = {
    "upsample": ("Mask upscaling",),
    "guide_scale": ("Refinement resolution", 0.05, 1.0, 0.05),
    "mask_low": ("Mask threshold (low)", 0.0, 0.95, 0.05),
    "mask_high": ("Mask threshold (high)", 0.05, 1.0, 0.05),
    "smoothing": ("Temporal smoothing", 0.0, 0.95, 0.05),
    "feather": ("Edge softness (px)", 0.0, 20.0, 0.5),
    "decontaminate": ("Edge colour cleanup", 0.0, 1.0, 0.1),
}
DEFAULT_RANGES = {float: (0.0, 100.0, 0.05), int: (0, 100, 1)}


def knob_label(name: str) -> str:
    known = KNOBS.get(name)
    return tr(known[0]) if known else name.replace("_", " ").capitalize()


def knob_choices(name: str) -> list[str]:
    """The values a text knob can take: a module-level tuple named after it (``upsample`` →
    ``UPSAMPLERS``), else the values the presets use."""
    for attr in (f"{name.upper()}S", f"{name.upper()}RS"):
        values = getattr(settings_module, attr, None)
        if isinstance(values, tuple):
            return list(values)
    return sorted({str(row[name]) for row in PRESETS.values() if name in row})


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
        form.addRow(tr("Resolution"), self.size_box)
        self.fps_box = QSpinBox(minimum=5, maximum=60, suffix=" fps")
        self.fps_box.valueChanged.connect(lambda v: self._emit({"fps": v}))
        form.addRow(tr("Frame rate"), self.fps_box)
        self.mirror_box = QCheckBox(tr("Mirror the picture"))
        self.mirror_box.toggled.connect(lambda v: self._emit({"mirror": v}))
        form.addRow("", self.mirror_box)

        for name in sorted(PRESET_KNOBS, key=lambda k: (k not in KNOBS, list(KNOBS).index(k) if k in KNOBS else 0, k)):
            kind = type(getattr(defaults, name))
            known = KNOBS.get(name, ())
            if kind is bool:
                widget = QCheckBox()
                widget.toggled.connect(lambda v, n=name: self._emit({n: v}))
            elif kind in (int, float):
                low, high, step = known[1:] if len(known) == 4 else DEFAULT_RANGES[kind]
                widget = QDoubleSpinBox(decimals=2) if kind is float else QSpinBox()
                widget.setRange(low, high)
                widget.setSingleStep(step)
                widget.setKeyboardTracking(False)
                widget.valueChanged.connect(lambda v, n=name, k=kind: self._emit({n: k(v)}))
            else:
                widget = QComboBox()
                widget.addItems(knob_choices(name))
                widget.activated.connect(lambda _, n=name, w=widget: self._emit({n: w.currentText()}))
            self.fields[name] = widget
            form.addRow(knob_label(name), widget)
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
