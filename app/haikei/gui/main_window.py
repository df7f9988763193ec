"""The main window: the live preview (it takes the room the window gives), the background gallery with
the controls of the chosen background, and a side column of panels: Camera, Output, Look (model and
preset), Advanced, then the app's own switches. It only shows state and forwards choices to
:class:`~haikei.gui.app.HaikeiGui`.

Other features add their panel to the side column with :meth:`MainWindow.add_panel` (one line).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QBoxLayout,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSlider,
    QSpacerItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from haikei.gui.advanced import AdvancedForm
from haikei.gui.controller import EngineController
from haikei.gui.effects_panel import EffectsPanel
from haikei.gui.gallery import Gallery
from haikei.gui.i18n import tr
from haikei.gui.output_panel import OutputPanel
from haikei.gui.preview import PreviewWidget
from haikei.settings import CUSTOM, KNOBS, PRESETS

#: The side column's width: a share of the window's, within these bounds (px).
SIDE_MIN, SIDE_MAX, SIDE_SHARE = 340, 440, 0.3
EFFECT_SHORTCUT = "Ctrl+E"
PAUSE_SHORTCUT = "Ctrl+P"

STYLE = """
QMainWindow, QWidget#page, QWidget#panel { background: #f3f4f6; }
QGroupBox {
    font-weight: 600; border: 1px solid #dcdfe4; border-radius: 8px; margin-top: 16px; padding: 12px 10px 10px 10px;
    background: white;
}
QGroupBox#plain { margin-top: 0; }
QGroupBox::title { subcontrol-origin: margin; left: 10px; padding: 0 4px; color: #30353d; }
QGroupBox QLabel, QGroupBox QCheckBox, QGroupBox QRadioButton { font-weight: normal; }
QLabel#fieldLabel { color: #4a505a; }
QLabel#formHeading { color: #4a505a; font-weight: 600; padding-top: 8px; }
QFrame#banner { background: #fff4d6; border: 1px solid #e8c66a; border-radius: 6px; }
QFrame#notice { background: #e6efff; border: 1px solid #9dbaf0; border-radius: 6px; }
QLabel#outputHeadline { font-weight: 600; }
QLabel#outputHeadline[tone="ok"] { color: #1f7a4a; }
QLabel#outputHeadline[tone="bad"] { color: #b3261e; }
QLabel#outputHeadline[tone="wait"] { color: #5b616b; }
QLabel#advice { color: #3a3f47; }
QLabel#problem { color: #b3261e; }
QLabel#hint { color: #6b717b; }
QToolButton#view { padding: 4px 10px; border: 1px solid #c9ced6; background: white; }
QToolButton#view:checked { background: #2f6fde; color: white; border-color: #2f6fde; }
QToolButton#disclosure { border: none; background: transparent; font-weight: 600; color: #30353d; padding: 6px 2px; }
QPushButton#effect { font-weight: 600; }
QListWidget { background: white; border: 1px solid #dcdfe4; border-radius: 8px; }
QListWidget::item { border-radius: 6px; padding-top: 4px; }
QListWidget::item:selected { background: #dbe7fd; color: #1b3f86; }
"""


def preset_labels() -> dict[str, str]:
    return {"quality": tr("Quality"), "balanced": tr("Balanced"), "speed": tr("Speed"), CUSTOM: tr("Custom")}


def preset_tips() -> dict[str, str]:
    return {
        "quality": tr("The finest edge, with the background's light on your outline: for a fast computer."),
        "balanced": tr("A fine edge at a moderate cost: right for most computers."),
        "speed": tr("The lightest: for an older or busy computer."),
        CUSTOM: tr("Your own settings under Advanced."),
    }


def view_modes() -> dict[str, tuple[str, str]]:
    return {
        "processed": (tr("Result"), tr("What your meeting app receives.")),
        "original": (tr("Camera"), tr("The camera's own picture, untouched.")),
        "mask": (tr("Cut-out"), tr("What the model sees as you (white) and as background (black).")),
    }


def field_label(text: str) -> QLabel:
    return QLabel(text, objectName="fieldLabel")


def narrow_combo() -> QComboBox:
    """A combo box that fits the side column whatever its entries' length (long ones are elided)."""
    box = QComboBox()
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(12)
    return box


class WrapBar(QWidget):
    """Two groups of controls side by side (the second at the right end, or with ``stretch`` each taking
    half), or one above the other where the width does not hold both: the window may be narrower than
    one row of them."""

    GAP = 16

    def __init__(self, first: QHBoxLayout, second: QHBoxLayout, stretch: bool = False):
        super().__init__()
        self.rows = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self.rows.setContentsMargins(0, 0, 0, 0)
        self._groups = (first, second)
        self.rows.addLayout(first, 1 if stretch else 0)
        self.gap = QSpacerItem(self.GAP, 0, QSizePolicy.Policy.Fixed if stretch else QSizePolicy.Policy.Expanding)
        self.rows.addItem(self.gap)
        self.rows.addLayout(second, 1 if stretch else 0)
        # as narrow as each group alone: the rows are stacked below the width of both
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(max(group.minimumSize().width() for group in self._groups))

    def one_row_width(self) -> int:
        first, second = self._groups
        return first.sizeHint().width() + second.sizeHint().width() + self.GAP + self.rows.spacing() * 2

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        wide = self.width() >= self.one_row_width()
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self.rows.direction() != direction:
            self.rows.setDirection(direction)
            self.gap.changeSize(self.GAP if wide else 0, 0, self.gap.sizePolicy().horizontalPolicy())
            self.rows.invalidate()
            self.updateGeometry()


class MainWindow(QMainWindow):
    #: The user closed the window (the app decides: hide to tray, or quit).
    close_requested = Signal()
    #: The window was shown (True) or hidden (False): a visible preview counts as someone watching.
    visibility_changed = Signal(bool)

    def __init__(self, controller: EngineController):
        super().__init__()
        self.controller = controller
        self.setWindowTitle("Haikei")
        self.setStyleSheet(STYLE)

        root = QWidget(objectName="page")
        outer = QVBoxLayout(root)
        outer.setContentsMargins(12, 12, 12, 12)
        outer.setSpacing(8)
        self.banner, self.banner_text, _ = self._message_bar("banner")
        self.notice, self.notice_text, self.notice_button = self._message_bar("notice")
        self._notice_action: Callable[[], None] | None = None
        self.notice_button.clicked.connect(self._notice_clicked)
        outer.addWidget(self.banner)
        outer.addWidget(self.notice)

        body = QHBoxLayout()
        body.setSpacing(12)
        outer.addLayout(body, 1)
        body.addLayout(self._build_left(), 1)
        self.side = self._build_side()
        body.addWidget(self.side)
        self.setCentralWidget(root)

        self.effect_shortcut = QShortcut(QKeySequence(EFFECT_SHORTCUT), self)
        self.effect_shortcut.activated.connect(self.effect_button.click)
        self.pause_shortcut = QShortcut(QKeySequence(PAUSE_SHORTCUT), self)
        self.pause_shortcut.activated.connect(self.pause_button.click)

    def _message_bar(self, name: str) -> tuple[QFrame, QLabel, QPushButton]:
        bar = QFrame(objectName=name)
        row = QHBoxLayout(bar)
        row.setContentsMargins(10, 6, 6, 6)
        text = QLabel(wordWrap=True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        action = QPushButton()
        action.hide()
        dismiss = QToolButton(text="✕", autoRaise=True)
        dismiss.setToolTip(tr("Dismiss"))
        dismiss.clicked.connect(bar.hide)
        row.addWidget(text, 1)
        row.addWidget(action, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(dismiss, 0, Qt.AlignmentFlag.AlignTop)
        bar.hide()
        return bar, text, action

    # -- layout -------------------------------------------------------------------------
    def _build_left(self) -> QVBoxLayout:
        left = QVBoxLayout()
        left.setSpacing(8)
        self.preview = PreviewWidget(self.controller)
        left.addWidget(self.preview, 1)

        view_row = QHBoxLayout()
        self.view_group = QButtonGroup(self)
        self.view_buttons = {}
        for mode, (label, tip) in view_modes().items():
            button = QToolButton(text=label, checkable=True, objectName="view")
            button.setToolTip(tip)
            self.view_group.addButton(button)
            self.view_buttons[mode] = button
            view_row.addWidget(button)
        self.stats_box = QCheckBox(tr("Show stats"))
        self.stats_box.setToolTip(tr("Frame rate, the time each step takes and the processor use, over the preview."))
        view_row.addSpacing(12)
        view_row.addWidget(self.stats_box)
        action_row = QHBoxLayout()
        self.pause_button = QPushButton(tr("Pause camera"))
        self.effect_button = QPushButton(tr("Turn effect off"), objectName="effect")
        action_row.addWidget(self.pause_button)
        action_row.addWidget(self.effect_button)
        self.toolbar = WrapBar(view_row, action_row)
        left.addWidget(self.toolbar)

        gallery_box = QGroupBox(tr("Background"))
        column = QVBoxLayout(gallery_box)
        column.setSpacing(8)
        self.gallery = Gallery()
        self.gallery.setToolTip(tr("Click a background to use it. Drop your own pictures and videos here."))
        column.addWidget(self.gallery)
        files_row = QHBoxLayout()
        self.add_button = QPushButton(tr("Add picture or video…"))
        self.add_button.setToolTip(tr("Add your own pictures and videos to the gallery (or drop them on it)."))
        self.rename_button = QPushButton(tr("Rename"))
        self.rename_button.setToolTip(tr("Give the selected background of yours another name (F2)."))
        self.remove_button = QPushButton(tr("Remove"))
        self.remove_button.setToolTip(tr("Take the selected background of yours out of the gallery (the file stays)."))
        for button in (self.add_button, self.rename_button, self.remove_button):
            files_row.addWidget(button)
        colour_row = QHBoxLayout()
        self.colour_button = QPushButton(tr("Choose colour…"))
        self.colour_button.setToolTip(tr("Pick the colour of the Colour background."))
        colour_row.addWidget(self.colour_button)
        column.addWidget(WrapBar(files_row, colour_row))

        self.blur_label = QLabel(tr("Blur strength"))
        self.blur_slider = QSlider(Qt.Orientation.Horizontal, minimum=0, maximum=100)
        self.blur_value = QLabel(minimumWidth=28)
        self.blur_slider.valueChanged.connect(lambda v: self.blur_value.setText(str(v)))
        blur_tip = tr("How strongly the room behind you is blurred (Blur background only).")
        self.soften_label = QLabel(tr(KNOBS["soften"].label))
        self.soften_slider = QSlider(Qt.Orientation.Horizontal, minimum=0, maximum=100)
        self.soften_value = QLabel(minimumWidth=28)
        self.soften_slider.valueChanged.connect(lambda v: self.soften_value.setText(str(v)))
        soften_tip = tr("%1 (pictures and videos only).").replace("%1", tr(KNOBS["soften"].help).capitalize())
        for widget, tip in (
            (self.blur_label, blur_tip),
            (self.blur_slider, blur_tip),
            (self.soften_label, soften_tip),
            (self.soften_slider, soften_tip),
        ):
            widget.setToolTip(tip)
        blur_row, soften_row = QHBoxLayout(), QHBoxLayout()
        blur_row.addWidget(self.blur_label)
        blur_row.addWidget(self.blur_slider, 1)
        blur_row.addWidget(self.blur_value)
        soften_row.addWidget(self.soften_label)
        soften_row.addWidget(self.soften_slider, 1)
        soften_row.addWidget(self.soften_value)
        column.addWidget(WrapBar(blur_row, soften_row, stretch=True))
        left.addWidget(gallery_box)
        return left

    def _build_side(self) -> QScrollArea:
        panel = QWidget(objectName="panel")
        self.side_column = QVBoxLayout(panel)
        self.side_column.setContentsMargins(0, 0, 6, 6)
        self.side_column.setSpacing(4)

        camera = QGroupBox(tr("Camera"))
        form = QVBoxLayout(camera)
        self.source_box = narrow_combo()
        self.source_box.setToolTip(tr("The camera Haikei reads (or a video file, to try it out)."))
        self.source_problem = QLabel(wordWrap=True, objectName="problem")
        self.source_problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.source_problem.hide()
        form.addWidget(self.source_box)
        form.addWidget(self.source_problem)
        self.side_column.addWidget(camera)

        output = QGroupBox(tr("Output"))
        output_layout = QVBoxLayout(output)
        self.output_panel = OutputPanel()
        output_layout.addWidget(self.output_panel)
        self.side_column.addWidget(output)

        look = QGroupBox(tr("Look"))
        look_form = QVBoxLayout(look)
        look_form.addWidget(field_label(tr("Model")))
        self.model_box = narrow_combo()
        look_form.addWidget(self.model_box)
        look_form.addWidget(field_label(tr("Preset")))
        preset_row = QHBoxLayout()
        self.preset_box = narrow_combo()
        self.preset_box.setToolTip(tr(KNOBS["preset"].help).capitalize() + ".")
        for key, label in preset_labels().items():
            if key == CUSTOM or key in PRESETS:
                self.preset_box.addItem(label, key)
                self.preset_box.setItemData(
                    self.preset_box.count() - 1, preset_tips()[key], Qt.ItemDataRole.ToolTipRole
                )
        self.reset_button = QPushButton(tr("Reset"))
        preset_row.addWidget(self.preset_box, 1)
        preset_row.addWidget(self.reset_button)
        look_form.addLayout(preset_row)
        self.side_column.addWidget(look)
        self.effects = EffectsPanel(self.controller)
        self.side_column.addWidget(self.effects)

        self.advanced_toggle = QToolButton(text=tr("Advanced"), checkable=True, objectName="disclosure")
        self.advanced_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.advanced_toggle.setToolTip(tr("Resolution, frame rate and every setting of the edge."))
        self.advanced_group = QGroupBox(objectName="plain")
        advanced_layout = QVBoxLayout(self.advanced_group)
        self.advanced = AdvancedForm(self.controller.change)
        advanced_layout.addWidget(self.advanced)
        self.advanced_group.setVisible(False)
        self.advanced_toggle.toggled.connect(self.show_advanced)
        self.side_column.addWidget(self.advanced_toggle)
        self.side_column.addWidget(self.advanced_group)

        self.side_column.addStretch(1)
        self.autostart_box = QCheckBox(tr("Start Haikei when I log in"))
        self.autostart_box.setToolTip(tr("Haikei starts in the tray when you log in, ready for your next meeting."))
        self.tray_box = QCheckBox(tr("Keep running in the tray when closed"))
        self.tray_box.setToolTip(tr("Closing the window leaves Haikei in the tray, so the camera keeps working."))
        self.side_column.addWidget(self.autostart_box)
        self.side_column.addWidget(self.tray_box)

        scroll = QScrollArea()
        scroll.setWidget(panel)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFixedWidth(SIDE_MIN)
        return scroll

    def add_panel(self, widget: QWidget) -> None:
        """Add a feature's panel to the side column, after Advanced."""
        self.side_column.insertWidget(self.side_column.indexOf(self.advanced_group) + 1, widget)

    # -- state → widgets -----------------------------------------------------------------
    def show_warning(self, text: str) -> None:
        """Show ``text`` in the yellow bar on top (added to what it already says until dismissed)."""
        current = self.banner_text.text() if not self.banner.isHidden() else ""
        self.banner_text.setText(f"{current}\n{text}".strip())
        self.banner.show()

    def show_notice(self, text: str, action: str = "", on_action: Callable[[], None] | None = None) -> None:
        """Tell the user something Haikei did (blue bar), with a button to undo it or act on it."""
        self.notice_text.setText(text)
        self.notice_button.setText(action)
        self.notice_button.setVisible(bool(action))
        self._notice_action = on_action
        self.notice.show()

    def _notice_clicked(self) -> None:
        self.notice.hide()
        if self._notice_action is not None:
            self._notice_action()

    def show_source_problem(self, text: str) -> None:
        self.source_problem.setText(text)
        self.source_problem.setVisible(bool(text))

    def set_source_items(self, items: list[tuple[str, str]], current: str, current_label: str) -> None:
        """``items`` are (label, source spec); the current source is added if missing, under
        ``current_label``; a "Video file…" entry comes last."""
        self.source_box.blockSignals(True)
        self.source_box.clear()
        for label, spec in items:
            self.source_box.addItem(label, spec)
        if self.source_box.findData(current) < 0:
            self.source_box.addItem(current_label, current)
        self.source_box.addItem(tr("Video file…"), None)
        self.source_box.setCurrentIndex(self.source_box.findData(current))
        self.source_box.blockSignals(False)

    def show_advanced(self, shown: bool) -> None:
        self.advanced_toggle.setChecked(shown)
        self.advanced_toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        self.advanced_group.setVisible(shown)

    def show_toggles(self, effect_on: bool, paused: bool) -> None:
        """The buttons say what they will do; their tooltips name the shortcut."""
        self.effect_button.setText(tr("Turn effect off") if effect_on else tr("Turn effect on"))
        self.effect_button.setToolTip(
            tr("Send the camera picture as it is, or with the background again (%1).").replace(
                "%1", QKeySequence(EFFECT_SHORTCUT).toString(QKeySequence.SequenceFormat.NativeText)
            )
        )
        self.pause_button.setText(tr("Resume camera") if paused else tr("Pause camera"))
        self.pause_button.setToolTip(
            tr("Release the camera; apps see a still “paused” picture meanwhile (%1).").replace(
                "%1", QKeySequence(PAUSE_SHORTCUT).toString(QKeySequence.SequenceFormat.NativeText)
            )
        )

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.side.setFixedWidth(max(SIDE_MIN, min(SIDE_MAX, round(self.width() * SIDE_SHARE))))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.visibility_changed.emit(True)

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self.visibility_changed.emit(False)

    def closeEvent(self, event: QCloseEvent) -> None:
        event.ignore()
        self.close_requested.emit()


def source_label(spec: str, cameras: list[tuple[str, str]]) -> str:
    """How the Source list names a source that is not among the cameras found: a camera by number
    ("Camera 1 (not connected)"), never a bare ``0``; a file by its name."""
    from haikei.capture import camera_device

    device = camera_device(spec)
    if device is None:
        return Path(spec).name or spec
    number = device if isinstance(device, int) else int(device.removeprefix("/dev/video") or 0)
    if sys.platform.startswith("linux") and isinstance(device, int):
        match = next((label for label, id_ in cameras if id_ == f"/dev/video{device}"), None)
        if match is not None:
            return match
    return tr("Camera %1 (not connected)").replace("%1", str(number + 1))
