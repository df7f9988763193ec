"""The tray icon and its menu: effect on/off, background (radio), pause camera, show/hide, quit.

The menu exists even where no tray does (so the same actions serve tests and the window); the icon
is only created when the desktop has a system tray."""

from __future__ import annotations

from PySide6.QtCore import QObject, QRectF, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QColor, QIcon, QLinearGradient, QPainter, QPainterPath, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from haikei.gui.gallery import Entry
from haikei.gui.i18n import tr


def app_icon(size: int = 64) -> QIcon:
    """A rounded tile with a figure in front of a soft background (drawn, no image files needed)."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    gradient = QLinearGradient(0, 0, size, size)
    gradient.setColorAt(0, QColor("#5b8def"))
    gradient.setColorAt(1, QColor("#8e5bd8"))
    tile = QPainterPath()
    tile.addRoundedRect(QRectF(0, 0, size, size), size * 0.22, size * 0.22)
    painter.fillPath(tile, gradient)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(255, 255, 255, 235))
    painter.drawEllipse(QRectF(size * 0.36, size * 0.18, size * 0.28, size * 0.28))
    painter.drawRoundedRect(QRectF(size * 0.22, size * 0.52, size * 0.56, size * 0.40), size * 0.2, size * 0.2)
    painter.end()
    return QIcon(pixmap)


class Tray(QObject):
    """Its toggles name what they do ("Turn effect off", "Resume camera"), as the window's buttons do."""

    effect_toggled = Signal(bool)
    background_chosen = Signal(str)
    pause_toggled = Signal(bool)
    window_toggled = Signal()
    quit_requested = Signal()

    def __init__(self, parent: QObject | None = None, use_system_tray: bool = True):
        super().__init__(parent)
        self.menu = QMenu()
        self._effect_on = True
        self._paused = False
        self.effect_action = QAction(tr("Turn effect off"), self)
        self.effect_action.triggered.connect(lambda: self.effect_toggled.emit(not self._effect_on))
        self.background_menu = self.menu.addMenu(tr("Background"))
        self.background_group = QActionGroup(self)
        self.background_group.setExclusive(True)
        self.pause_action = QAction(tr("Pause camera"), self)
        self.pause_action.triggered.connect(lambda: self.pause_toggled.emit(not self._paused))
        self.window_action = QAction(tr("Show window"), self)
        self.window_action.triggered.connect(self.window_toggled)
        self.quit_action = QAction(tr("Quit Haikei"), self)
        self.quit_action.triggered.connect(self.quit_requested)
        self.menu.insertAction(self.background_menu.menuAction(), self.effect_action)
        self.menu.addAction(self.pause_action)
        self.menu.addSeparator()
        self.menu.addAction(self.window_action)
        self.menu.addAction(self.quit_action)
        self.icon: QSystemTrayIcon | None = None
        if use_system_tray and QSystemTrayIcon.isSystemTrayAvailable():
            self.icon = QSystemTrayIcon(app_icon(), self)
            self.icon.setContextMenu(self.menu)
            self.icon.activated.connect(self._activated)
            self.icon.show()

    @property
    def available(self) -> bool:
        return self.icon is not None

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.window_toggled.emit()

    def set_backgrounds(self, entries: list[Entry]) -> None:
        for action in self.background_group.actions():
            self.background_group.removeAction(action)
            self.background_menu.removeAction(action)
            action.deleteLater()
        for entry in entries:
            action = QAction(entry.label, self, checkable=True)
            action.setData(entry.spec)
            action.triggered.connect(lambda checked, spec=entry.spec: self.background_chosen.emit(spec))
            self.background_group.addAction(action)
            self.background_menu.addAction(action)

    def background_action(self, key: str) -> QAction | None:
        return next((a for a in self.background_group.actions() if a.data() == key), None)

    def show_state(
        self, *, effect_on: bool, background_key: str, paused: bool, window_visible: bool, tooltip: str
    ) -> None:
        self._effect_on, self._paused = effect_on, paused
        self.effect_action.setText(tr("Turn effect off") if effect_on else tr("Turn effect on"))
        action = self.background_action(background_key)
        if action is not None:
            action.setChecked(True)
        self.pause_action.setText(tr("Resume camera") if paused else tr("Pause camera"))
        self.window_action.setText(tr("Hide window") if window_visible else tr("Show window"))
        if self.icon is not None:
            self.icon.setToolTip(tooltip)
