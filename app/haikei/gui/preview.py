"""The live preview: paints the newest frame from the controller's slot at display rate.

A timer polls the slot; if no new frame arrived nothing is repainted, and frames that arrived
between two repaints are never shown (dropped, not queued), so the window cannot fall behind.
"""

from __future__ import annotations

import cv2
import numpy as np
from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPainterPath
from PySide6.QtWidgets import QSizePolicy, QWidget

from haikei.gui.controller import EngineController
from haikei.gui.i18n import tr
from haikei.settings import Settings
from haikei.stats import EFFECT_STAGES, STAGES

REPAINT_MS = 16
STATS_MS = 500


def to_qimage(array: np.ndarray) -> QImage:
    """A QImage viewing ``array`` (BGR uint8, or a float/uint8 single-channel mask); keep ``array`` alive."""
    if array.ndim == 2:
        if array.dtype != np.uint8:
            array = (np.clip(array, 0.0, 1.0) * 255).astype(np.uint8)
        return QImage(array.data, array.shape[1], array.shape[0], array.strides[0], QImage.Format.Format_Grayscale8)
    return QImage(array.data, array.shape[1], array.shape[0], array.strides[0], QImage.Format.Format_BGR888)


def stage_names() -> dict[str, str]:
    """The stats overlay's names of the stages, in the UI language."""
    return {
        "capture": tr("capture"),
        "preprocess": tr("preprocess"),
        "inference": tr("model"),
        "refine": tr("edge"),
        "compose": tr("compose"),
        "output": tr("output"),
        "total": tr("total"),
        "framing": tr("auto-framing"),
        "light": tr("light"),
        "face": tr("face"),
        "touch_up": tr("touch-up"),
        "style": tr("style"),
    }


def effects_on(settings: Settings) -> tuple[str, ...]:
    """The effects' stages (:data:`~haikei.stats.EFFECT_STAGES`) that ``settings`` turn on."""
    on = {
        "framing": settings.framing != "off",
        "light": settings.light != "off",
        "face": settings.touch_up > 0,
        "touch_up": settings.touch_up > 0,
        "style": settings.style != "none",
    }
    return tuple(name for name in EFFECT_STAGES if on[name])


class PreviewWidget(QWidget):
    def __init__(self, controller: EngineController, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.mode = "processed"
        self.show_stats = True
        self.message = tr("Starting…")
        self.painted = 0
        self._shown_number = 0
        self._stats_lines: list[tuple[str, str]] = []
        self.setMinimumSize(288, 162)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._repaint_timer = QTimer(self, interval=REPAINT_MS, timeout=self._poll)
        self._repaint_timer.start()
        self._stats_timer = QTimer(self, interval=STATS_MS, timeout=self._refresh_stats)
        self._stats_timer.start()

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        self.update()

    def set_show_stats(self, show: bool) -> None:
        self.show_stats = show
        self.update()

    def _poll(self) -> None:
        latest = self.controller.latest
        if latest is not None and latest.number != self._shown_number:
            self.update()

    def _refresh_stats(self) -> None:
        cpu = self.controller.sample_cpu()
        engine = self.controller.engine
        if engine is None:
            self._stats_lines = []
            return
        snap = engine.snapshot()
        stages = snap["stages"]
        lines = [(tr("FPS %1   CPU %2 %").replace("%1", f"{snap['fps']:.1f}").replace("%2", f"{cpu:.0f}"), "")]
        names = stage_names()
        on = effects_on(self.controller.settings)
        for name in (*STAGES[:-1], *on, STAGES[-1]):  # the effects that are on, before the total
            if name in stages:
                lines.append((names[name], f"{stages[name]['p50']:.1f} ms"))
        lines.append((tr("dropped"), str(snap["dropped"])))
        self._stats_lines = lines
        if self.show_stats:
            self.update()

    def _image_for_mode(self) -> np.ndarray | None:
        latest = self.controller.latest
        if latest is None:
            return None
        self._shown_number = latest.number
        if self.mode == "original":
            original = latest.original  # may be a view cropped from the camera picture: QImage needs whole rows
            return cv2.flip(original, 1) if self.controller.settings.mirror else np.ascontiguousarray(original)
        if self.mode == "mask":
            if latest.alpha is None:  # no segmentation running (effect off, paused): all person
                return np.full(latest.image.shape[:2], 255, np.uint8)
            return latest.alpha
        return latest.image

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(24, 26, 30))
        array = self._image_for_mode()
        if array is None:
            painter.setPen(QColor(200, 200, 205))
            painter.drawText(
                self.rect().adjusted(24, 24, -24, -24),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self.message,
            )
            painter.end()
            return
        image = to_qimage(array)
        target = QRectF(self.rect())
        scale = min(target.width() / image.width(), target.height() / image.height())
        w, h = image.width() * scale, image.height() * scale
        frame_rect = QRectF(target.x() + (target.width() - w) / 2, target.y() + (target.height() - h) / 2, w, h)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(frame_rect, image)
        self.painted += 1
        if self.show_stats and self._stats_lines:
            self._paint_stats(painter, frame_rect)
        painter.end()

    def _paint_stats(self, painter: QPainter, frame_rect: QRectF) -> None:
        """The stats as a table: names on the left, figures right-aligned (any script, any font)."""
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSizeF(8.5)
        painter.setFont(font)
        metrics = painter.fontMetrics()
        names = max(metrics.horizontalAdvance(name) for name, value in self._stats_lines if value)
        values = max(metrics.horizontalAdvance(value) for _, value in self._stats_lines)
        width = max([names + 16 + values] + [metrics.horizontalAdvance(name) for name, _ in self._stats_lines]) + 20
        height = metrics.height() * len(self._stats_lines) + 14
        box = QRectF(frame_rect.x() + 10, frame_rect.y() + 10, width, height)
        path = QPainterPath()
        path.addRoundedRect(box, 8, 8)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillPath(path, QColor(0, 0, 0, 150))
        painter.setPen(QColor(235, 238, 240))
        right = int(box.right() - 10)
        for i, (name, value) in enumerate(self._stats_lines):
            y = int(box.y() + 7 + metrics.ascent() + i * metrics.height())
            painter.drawText(int(box.x() + 10), y, name)
            if value:
                painter.drawText(right - metrics.horizontalAdvance(value), y, value)
