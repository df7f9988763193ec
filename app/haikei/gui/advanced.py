"""The Advanced section, generated from the settings' own :class:`~haikei.settings.Knob` metadata:
resolution, frame rate, mirror, resting the camera, every knob of the preset table and how auto-framing
moves, each with its
label, its help as a tooltip, its range and choices, so knobs added to :class:`~haikei.settings.Settings`
appear here without GUI edits. Knobs that do nothing for the current background are disabled, and say why.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QLabel, QSpinBox, QWidget

from haikei.gui.i18n import tr
from haikei.outputs import output_kind
from haikei.settings import KNOBS, PRESET_KNOBS, Settings

SIZES = ((640, 360), (960, 540), (1280, 720), (1920, 1080))
#: The preset table's knobs, in the settings' order.
FORM_KNOBS = tuple(name for name in KNOBS if name in PRESET_KNOBS)
#: Every setting the form shows (its labels and help are translated).
#: The virtual camera's own settings, shown with resolution and frame rate.
OUTPUT_KNOBS = ("vcam_format",)
#: How auto-framing moves (the window's Effects group turns it on).
FRAMING_KNOBS = ("framing_zoom", "framing_settle")
SHOWN = ("width", "fps", *OUTPUT_KNOBS, "mirror", "idle_when_unwatched", *FORM_KNOBS, *FRAMING_KNOBS)
#: The knobs that do nothing for a kind of background: the effect off skips the model and its edge,
#: a blur is made of the room itself (no colour of it to take out of the edge).
#: (Light and its noise reduction work with the effect off too.)
IDLE_FOR = {"none": frozenset(PRESET_KNOBS) - {"light_denoise"}, "blur": frozenset({"decontaminate"})}


def knob_tip(name: str) -> str:
    """The knob's help as a sentence, in the UI language."""
    text = tr(KNOBS[name].help)
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "。")) else ".")


class AdvancedForm(QWidget):
    """Calls ``change(**{knob: value})`` when the user edits a field; :meth:`show_settings` fills it."""

    def __init__(self, change: Callable[..., Any], parent: QWidget | None = None):
        super().__init__(parent)
        self._change = change
        self.fields: dict[str, QWidget] = {}
        self.labels: dict[str, QLabel] = {}
        form = QFormLayout(self)
        form.setContentsMargins(0, 4, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        defaults = Settings()

        self.size_box = QComboBox()
        for w, h in SIZES:
            self.size_box.addItem(f"{w} × {h}", (w, h))
        self.size_box.activated.connect(
            lambda _: self._emit(dict(zip(("width", "height"), self.size_box.currentData())))
        )
        self._add_row(form, "width", self.size_box)
        self.fps_box = QSpinBox(suffix=tr(KNOBS["fps"].unit))
        self.fps_box.setRange(*(int(v) for v in KNOBS["fps"].spin_range()))
        self.fps_box.setKeyboardTracking(False)
        self.fps_box.valueChanged.connect(lambda v: self._emit({"fps": v}))
        self._add_row(form, "fps", self.fps_box)
        for name in OUTPUT_KNOBS:
            self._add_row(form, name, self._knob_widget(name, defaults))
        for name in ("mirror", "idle_when_unwatched"):
            box = QCheckBox(tr(KNOBS[name].label))
            box.setToolTip(knob_tip(name))
            box.toggled.connect(lambda v, n=name: self._emit({n: v}))
            self.fields[name] = box
            form.addRow(box)

        heading = QLabel(tr("The edge around you (set by the preset)"), objectName="formHeading")
        form.addRow(heading)
        for name in FORM_KNOBS:
            self._add_row(form, name, self._knob_widget(name, defaults))
        form.addRow(QLabel(tr("Auto-framing"), objectName="formHeading"))
        for name in FRAMING_KNOBS:
            self._add_row(form, name, self._knob_widget(name, defaults))
        self._filling = False

    def _knob_widget(self, name: str, defaults: Settings) -> QWidget:
        """A check box, a list of its choices or a number field, as the knob's type and metadata say."""
        kind, knob = type(getattr(defaults, name)), KNOBS[name]
        if kind is bool:
            widget = QCheckBox()
            widget.toggled.connect(lambda v: self._emit({name: v}))
        elif knob.choices:
            widget = QComboBox()
            for value, label in zip(knob.choices, knob.choice_labels or knob.choices):
                widget.addItem(tr(label), value)
            widget.activated.connect(lambda _: self._emit({name: widget.currentData()}))
        else:
            widget = QDoubleSpinBox(decimals=2) if kind is float else QSpinBox()
            low, high = knob.spin_range()
            widget.setRange(low, high)
            widget.setSingleStep(knob.step or 1)
            widget.setKeyboardTracking(False)
            if knob.unit:
                widget.setSuffix(tr(knob.unit))
            widget.valueChanged.connect(lambda v: self._emit({name: kind(v)}))
        return widget

    def _add_row(self, form: QFormLayout, name: str, widget: QWidget) -> None:
        label = QLabel(tr(KNOBS[name].label))
        label.setWordWrap(True)
        for each in (label, widget):
            each.setToolTip(knob_tip(name))
        label.setBuddy(widget)
        self.fields.setdefault(name, widget)
        self.labels[name] = label
        form.addRow(label, widget)

    def _emit(self, changes: dict) -> None:
        if not self._filling:
            self._change(**changes)

    def show_settings(self, s: Settings, background_kind: str) -> None:
        """Show ``s``; the knobs that do nothing for a ``background_kind`` background are disabled."""
        self._filling = True
        try:
            index = self.size_box.findData((s.width, s.height))
            if index < 0:
                self.size_box.addItem(f"{s.width} × {s.height}", (s.width, s.height))
                index = self.size_box.count() - 1
            self.size_box.setCurrentIndex(index)
            self.fps_box.setValue(s.fps)
            for name, widget in self.fields.items():
                value = getattr(s, name)
                if isinstance(widget, QCheckBox):
                    widget.setChecked(value)
                elif isinstance(widget, (QSpinBox, QDoubleSpinBox)):
                    widget.setValue(value)
                elif isinstance(widget, QComboBox) and widget is not self.size_box:
                    if widget.findData(value) < 0:
                        widget.addItem(str(value), value)
                    widget.setCurrentIndex(widget.findData(value))
        finally:
            self._filling = False
        idle = IDLE_FOR.get(background_kind, frozenset())
        why = (
            tr("Does nothing while the effect is off.")
            if background_kind == "none"
            else tr("Does nothing for a blurred background.")
        )
        to_vcam = output_kind(s.output) == "vcam"
        for name in OUTPUT_KNOBS:  # the virtual camera's own settings
            self._enable(name, to_vcam, tr("Only for the virtual camera output."))
        for name in FORM_KNOBS:
            self._enable(name, name not in idle, why)
        for name in FRAMING_KNOBS:
            self._enable(name, s.framing != "off", tr("Only while auto-framing is on."))

    def _enable(self, name: str, enabled: bool, why: str) -> None:
        """The knob's field and label enabled or not; disabled, the tooltip also says ``why``."""
        tip = knob_tip(name) if enabled else f"{knob_tip(name)}\n{why}"
        for each in (self.fields[name], self.labels[name]):
            each.setEnabled(enabled)
            each.setToolTip(tip)
