"""The main window: live preview, background gallery, source/model/preset pickers, Advanced
section, output status. It only shows state and forwards choices to :class:`HaikeiGui`."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
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
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from haikei.gui.advanced import AdvancedForm
from haikei.gui.controller import EngineController
from haikei.gui.effects_panel import EffectsPanel
from haikei.gui.gallery import Gallery
from haikei.gui.i18n import tr
from haikei.gui.preview import PreviewWidget
from haikei.settings import CUSTOM, PRESETS

STYLE = """
QMainWindow, QWidget#panel { background: #f4f5f7; }
QGroupBox {
    font-weight: 600; border: 1px solid #dcdfe4; border-radius: 8px; margin-top: 14px; padding: 10px 8px 8px 8px;
    background: white;
}
QGroupBox#plain { margin-top: 0; }
QGroupBox::title { subcontrol-origin: margin; left: 10px; padding: 0 4px; color: #3a3f47; }
QFrame#banner { background: #fff4d6; border: 1px solid #e8c66a; border-radius: 6px; }
QLabel#outputOk { color: #1f7a4a; font-weight: 600; }
QLabel#outputBad { color: #b3261e; font-weight: 600; }
QLabel#fix { color: #3a3f47; }
QToolButton { padding: 4px 10px; border: 1px solid #c9ced6; background: white; }
QToolButton:checked { background: #2f6fde; color: white; border-color: #2f6fde; }
QToolButton#disclosure { border: none; background: transparent; font-weight: 600; color: #3a3f47; padding: 6px 2px; }
QPushButton#effect:checked { background: #2f6fde; color: white; }
QListWidget { background: white; border: 1px solid #dcdfe4; border-radius: 8px; }
QListWidget::item:selected { background: #dbe7fd; color: #1b3f86; border-radius: 6px; }
"""


def preset_labels() -> dict[str, str]:
    return {"quality": tr("Quality"), "balanced": tr("Balanced"), "speed": tr("Speed"), CUSTOM: tr("Custom")}


def view_modes() -> dict[str, str]:
    return {"processed": tr("Processed"), "original": tr("Original"), "mask": tr("Mask")}


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
        self.resize(1200, 800)

        root = QWidget()
        outer = QVBoxLayout(root)
        outer.setContentsMargins(12, 12, 12, 12)
        self.banner = QFrame(objectName="banner")
        banner_row = QHBoxLayout(self.banner)
        self.banner_text = QLabel(wordWrap=True)
        self.banner_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        dismiss = QToolButton(text="✕", autoRaise=True)
        dismiss.clicked.connect(self.banner.hide)
        banner_row.addWidget(self.banner_text, 1)
        banner_row.addWidget(dismiss, 0, Qt.AlignmentFlag.AlignTop)
        self.banner.hide()
        outer.addWidget(self.banner)

        body = QHBoxLayout()
        outer.addLayout(body, 1)
        body.addLayout(self._build_left(), 1)
        body.addWidget(self._build_panel())
        self.setCentralWidget(root)

    # -- layout -------------------------------------------------------------------------
    def _build_left(self) -> QVBoxLayout:
        left = QVBoxLayout()
        self.preview = PreviewWidget(self.controller)
        left.addWidget(self.preview, 1)

        bar = QHBoxLayout()
        self.view_group = QButtonGroup(self)
        self.view_buttons = {}
        for mode, label in view_modes().items():
            button = QToolButton(text=label, checkable=True)
            self.view_group.addButton(button)
            self.view_buttons[mode] = button
            bar.addWidget(button)
        self.stats_box = QCheckBox(tr("Show stats"))
        bar.addSpacing(12)
        bar.addWidget(self.stats_box)
        bar.addStretch(1)
        self.pause_button = QPushButton(tr("Pause camera"), checkable=True)
        self.effect_button = QPushButton(tr("Effect on"), checkable=True, objectName="effect")
        bar.addWidget(self.pause_button)
        bar.addWidget(self.effect_button)
        left.addLayout(bar)

        gallery_box = QGroupBox(tr("Background"))
        column = QVBoxLayout(gallery_box)
        self.gallery = Gallery()
        column.addWidget(self.gallery)
        row = QHBoxLayout()
        self.add_button = QPushButton(tr("Add image or video…"))
        self.remove_button = QPushButton(tr("Remove"))
        self.colour_button = QPushButton(tr("Colour…"))
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addWidget(self.colour_button)
        row.addSpacing(16)
        row.addWidget(QLabel(tr("Blur strength")))
        self.blur_slider = QSlider(Qt.Orientation.Horizontal, minimum=0, maximum=100)
        self.blur_value = QLabel(minimumWidth=28)
        self.blur_slider.valueChanged.connect(lambda v: self.blur_value.setText(str(v)))
        row.addWidget(self.blur_slider, 1)
        row.addWidget(self.blur_value)
        column.addLayout(row)
        left.addWidget(gallery_box)
        return left

    def _build_panel(self) -> QScrollArea:
        panel = QWidget(objectName="panel")
        column = QVBoxLayout(panel)
        column.setContentsMargins(4, 0, 4, 0)

        camera = QGroupBox(tr("Camera and model"))
        form = QVBoxLayout(camera)
        form.addWidget(QLabel(tr("Source")))
        self.source_box = QComboBox()
        form.addWidget(self.source_box)
        form.addWidget(QLabel(tr("Model")))
        self.model_box = QComboBox()
        form.addWidget(self.model_box)
        form.addWidget(QLabel(tr("Preset")))
        self.preset_box = QComboBox()
        for key, label in preset_labels().items():
            if key == CUSTOM or key in PRESETS:
                self.preset_box.addItem(label, key)
        form.addWidget(self.preset_box)
        column.addWidget(camera)
        self.effects = EffectsPanel(self.controller)
        column.addWidget(self.effects)

        self.advanced_toggle = QToolButton(text=tr("Advanced"), checkable=True, objectName="disclosure")
        self.advanced_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.advanced_group = QGroupBox(objectName="plain")
        advanced_layout = QVBoxLayout(self.advanced_group)
        self.advanced = AdvancedForm(self.controller.change)
        advanced_layout.addWidget(self.advanced)
        self.advanced_group.setVisible(False)
        self.advanced_toggle.toggled.connect(self.show_advanced)
        column.addWidget(self.advanced_toggle)
        column.addWidget(self.advanced_group)

        output = QGroupBox(tr("Virtual camera"))
        out_layout = QVBoxLayout(output)
        self.output_state = QLabel(wordWrap=True)
        self.output_fix = QLabel(wordWrap=True, objectName="fix")
        self.output_fix.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        out_layout.addWidget(self.output_state)
        out_layout.addWidget(self.output_fix)
        column.addWidget(output)

        self.tray_box = QCheckBox(tr("Keep running in the tray when closed"))
        column.addWidget(self.tray_box)
        column.addStretch(1)

        scroll = QScrollArea()
        scroll.setWidget(panel)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFixedWidth(340)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        return scroll

    # -- state → widgets -----------------------------------------------------------------
    def show_warning(self, text: str) -> None:
        """Show ``text`` in the yellow bar on top (added to what it already says until dismissed)."""
        current = self.banner_text.text() if not self.banner.isHidden() else ""
        self.banner_text.setText(f"{current}\n{text}".strip())
        self.banner.show()

    def show_output_status(self, working: bool, state: str, fix: str) -> None:
        self.output_state.setObjectName("outputOk" if working else "outputBad")
        self.output_state.setText(("● " if working else "○ ") + state)
        self.output_state.setStyleSheet("")  # re-polish for the new object name
        self.output_fix.setText(tr("To fix: %1").replace("%1", fix) if fix else "")
        self.output_fix.setVisible(bool(fix))

    def set_source_items(self, items: list[tuple[str, str]], current: str) -> None:
        """``items`` are (label, source spec); a "Video file…" entry is added last."""
        self.source_box.blockSignals(True)
        self.source_box.clear()
        for label, spec in items:
            self.source_box.addItem(label, spec)
        if self.source_box.findData(current) < 0:
            self.source_box.addItem(Path(current).name or current, current)
        self.source_box.addItem(tr("Video file…"), None)
        self.source_box.setCurrentIndex(self.source_box.findData(current))
        self.source_box.blockSignals(False)

    def show_advanced(self, shown: bool) -> None:
        self.advanced_toggle.setChecked(shown)
        self.advanced_toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        self.advanced_group.setVisible(shown)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.visibility_changed.emit(True)

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self.visibility_changed.emit(False)

    def closeEvent(self, event: QCloseEvent) -> None:
        event.ignore()
        self.close_requested.emit()
