"""The background gallery: None, Blur, Colour, the shipped backgrounds and the user's own images and
videos, as thumbnails in a grid that wraps to the gallery's width (whole tiles only: the columns share
the width, the height holds whole rows). Thumbnails are made on a thread pool and cached; the GUI thread
never decodes. The user's own entries carry the names the user gave them (a tidy one from the file at first)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import cv2
from PySide6.QtCore import QObject, QRunnable, QSize, Qt, QThreadPool, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QIcon,
    QImage,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPixmap,
    QRadialGradient,
)
from PySide6.QtWidgets import QAbstractItemView, QListView, QListWidget, QListWidgetItem

from haikei import paths
from haikei.compose.backgrounds import BackgroundSpec
from haikei.errors import BackgroundError
from haikei.frames.files import IMAGE_SUFFIXES, VIDEO_SUFFIXES
from haikei.gui.i18n import tr

THUMB = QSize(128, 72)
#: A tile: the thumbnail and one line of its name, with room around them.
CELL = QSize(THUMB.width() + 16, THUMB.height() + 30)
#: Rows of tiles the gallery shows (more scroll, whole rows at a time).
ROWS = 2
SPEC_ROLE = Qt.ItemDataRole.UserRole
#: How long a name may be (a longer one is cut, and the tile's tooltip has it whole).
MAX_NAME = 40


@dataclass(frozen=True)
class Entry:
    """A gallery entry: ``spec`` is its key (:func:`entry_key`): ``none``, ``blur``, ``color``, or the
    background spec of an image or video file."""

    spec: str
    label: str
    user: bool = False

    @property
    def file(self) -> BackgroundSpec | None:
        """The background spec of an image or video entry (``None`` for the others)."""
        return file_spec(self.spec)

    @property
    def kind(self) -> str:
        file = self.file
        return file.kind if file is not None else self.spec

    @property
    def path(self) -> Path | None:
        file = self.file
        return file.path if file is not None else None


def file_spec(spec: str) -> BackgroundSpec | None:
    """``spec`` parsed, if it names an image or a video file."""
    try:
        parsed = BackgroundSpec.parse(spec)
    except BackgroundError:
        return None
    return parsed if parsed.path is not None else None


def spec_for_file(path: Path) -> str | None:
    """The background spec of an image or video file, ``None`` for other files."""
    spec = BackgroundSpec.for_file(path)
    return str(spec) if spec is not None else None


def entry_key(background: str) -> str:
    """The gallery entry a background spec belongs to (``blur:35`` → ``blur``, a file: its resolved path)."""
    try:
        spec = BackgroundSpec.parse(background)
    except BackgroundError:
        return background
    if spec.path is not None:
        return str(BackgroundSpec(spec.kind, path=spec.path.resolve()))
    return spec.kind


def tidy_name(path: Path) -> str:
    """A name for a file as a person would write it: ``beach_house-2024.jpg`` → ``Beach house 2024``."""
    words = re.sub(r"[\s_\-.]+", " ", path.stem).strip() or path.name
    return (words[:1].upper() + words[1:])[:MAX_NAME]


def clean_name(text: str) -> str:
    """A name the user typed, on one line and not too long ("" if nothing is left)."""
    return " ".join(text.split())[:MAX_NAME]


def shipped_names() -> dict[str, str]:
    """The shipped backgrounds' names, in the UI language (by file stem)."""
    return {
        "aurora": tr("Aurora"),
        "calm-room": tr("Calm room"),
        "misty-hills": tr("Misty hills"),
        "night-city-bokeh": tr("City lights at night"),
        "soft-dawn": tr("Soft dawn"),
        "studio-grey": tr("Studio grey"),
        "warm-bokeh": tr("Warm lights"),
        "drifting-lights": tr("Drifting lights"),
        "colour-flow": tr("Colour flow"),
    }


def shipped_entries() -> list[Entry]:
    folder = paths.shipped_backgrounds_dir()
    files = (
        sorted(p for p in folder.glob("*") if p.suffix.lower() in IMAGE_SUFFIXES | VIDEO_SUFFIXES)
        if folder.is_dir()
        else []
    )
    names = shipped_names()
    return [Entry(spec_for_file(p), names.get(p.stem) or tidy_name(p)) for p in files]


def gallery_entries(user_specs: list[str], names: dict[str, str] | None = None) -> list[Entry]:
    """The fixed entries, the shipped backgrounds, then the user's (named as in ``names``, else tidily)."""
    fixed = [Entry("none", tr("None")), Entry("blur", tr("Blur")), Entry("color", tr("Colour"))]
    names = names or {}
    user = []
    for spec in user_specs:
        file = file_spec(spec)
        default = tidy_name(file.path) if file is not None else spec
        user.append(Entry(spec, names.get(spec) or default, user=True))
    return fixed + shipped_entries() + user


class _ThumbnailJob(QRunnable):
    def __init__(self, entry: Entry, done: Signal):
        super().__init__()
        self.entry, self.done = entry, done

    def run(self) -> None:
        path = self.entry.path
        image = None
        if self.entry.kind == "image":
            image = cv2.imread(str(path))
        else:
            capture = cv2.VideoCapture(str(path))
            ok, image = capture.read()
            capture.release()
            image = image if ok else None
        if image is None:
            self._emit(QImage())
            return
        h, w = image.shape[:2]
        scale = max(THUMB.width() / w, THUMB.height() / h)
        small = cv2.resize(image, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
        y0, x0 = (small.shape[0] - THUMB.height()) // 2, (small.shape[1] - THUMB.width()) // 2
        small = cv2.cvtColor(small[y0 : y0 + THUMB.height(), x0 : x0 + THUMB.width()], cv2.COLOR_BGR2RGB).copy()
        qimage = QImage(
            small.data, small.shape[1], small.shape[0], small.strides[0], QImage.Format.Format_RGB888
        ).copy()
        self._emit(qimage)

    def _emit(self, image: QImage) -> None:
        try:
            self.done.emit(self.entry.spec, image)
        except RuntimeError:  # the window closed while this thumbnail was made: nobody wants it
            pass


class _Relay(QObject):
    done = Signal(str, QImage)


def painted_icon(kind: str, colour: str) -> QPixmap:
    """Icons for the entries that are not files: a no-entry sign, a blur, a colour swatch."""
    pixmap = QPixmap(THUMB)
    pixmap.fill(QColor(48, 52, 58))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    rect = pixmap.rect()
    if kind == "color":
        painter.fillRect(rect, QColor(colour))
    elif kind == "blur":
        gradient = QLinearGradient(0, 0, rect.width(), rect.height())
        gradient.setColorAt(0, QColor(120, 140, 170))
        gradient.setColorAt(1, QColor(70, 80, 100))
        painter.fillRect(rect, gradient)
        for cx, cy, r, c in (
            (30, 28, 22, (255, 230, 180)),
            (84, 40, 28, (180, 220, 255)),
            (104, 18, 14, (255, 200, 220)),
        ):
            glow = QRadialGradient(cx, cy, r)
            glow.setColorAt(0, QColor(*c, 190))
            glow.setColorAt(1, QColor(*c, 0))
            painter.setBrush(QBrush(glow))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawEllipse(cx - r, cy - r, 2 * r, 2 * r)
    else:
        pen = painter.pen()
        pen.setColor(QColor(190, 195, 200))
        pen.setWidth(4)
        painter.setPen(pen)
        c = rect.center()
        painter.drawEllipse(c, 20, 20)
        painter.drawLine(c.x() - 14, c.y() + 14, c.x() + 14, c.y() - 14)
    painter.end()
    return pixmap


def with_play_badge(pixmap: QPixmap) -> QPixmap:
    """A video's thumbnail, marked with a small play sign in its corner: it moves."""
    marked = QPixmap(pixmap)
    painter = QPainter(marked)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(0, 0, 0, 150))
    x, y = marked.width() - 26, marked.height() - 22
    painter.drawRoundedRect(x, y, 20, 16, 4, 4)
    triangle = QPainterPath()
    triangle.moveTo(x + 7, y + 4)
    triangle.lineTo(x + 15, y + 8)
    triangle.lineTo(x + 7, y + 12)
    triangle.closeSubpath()
    painter.fillPath(triangle, QColor(255, 255, 255))
    painter.end()
    return marked


class Gallery(QListWidget):
    """Emits :attr:`chosen` with an entry key (``none``, ``blur``, ``color`` or a file spec),
    :attr:`files_dropped` with files dropped on it and :attr:`renamed` (spec, name) when the user
    renames one of their own entries in place."""

    chosen = Signal(str)
    files_dropped = Signal(list)
    renamed = Signal(str, str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setIconSize(THUMB)
        self.setGridSize(CELL)
        self.setUniformItemSizes(True)
        self.setMovement(QListView.Movement.Static)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)  # a steady width: columns never jump
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setSpacing(0)
        self.setAcceptDrops(True)
        self.setDragEnabled(False)
        self.entries: list[Entry] = []
        self._cache: dict[str, QPixmap] = {}
        self._relay = _Relay()
        self._relay.done.connect(self._thumbnail_ready)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._filling = False
        self.currentItemChanged.connect(self._on_current)
        self.itemChanged.connect(self._on_item_changed)
        self.setFixedHeight(ROWS * CELL.height() + 2 * self.frameWidth())

    # -- layout: the columns share the width, so that no tile is ever cut --------------------
    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_grid()

    def _fit_grid(self) -> None:
        width = self.viewport().width() - 2
        columns = max(1, width // CELL.width())
        cell = QSize(max(CELL.width(), width // columns), CELL.height())
        if cell != self.gridSize():
            self.setGridSize(cell)
            for i in range(self.count()):
                self.item(i).setSizeHint(cell)

    def columns(self) -> int:
        return max(1, self.viewport().width() // self.gridSize().width())

    def wheelEvent(self, event) -> None:
        """One row per notch, landing on whole rows: never half a tile at the top or bottom."""
        notches = event.angleDelta().y() / 120
        if not notches:
            return super().wheelEvent(event)
        bar, row = self.verticalScrollBar(), self.gridSize().height()
        target = (round(bar.value() / row) - round(notches)) * row
        bar.setValue(max(bar.minimum(), min(bar.maximum(), target)))
        event.accept()

    def stop_thumbnails(self) -> None:
        """Drop the thumbnails not started and wait for the one being made: no thread is left in
        OpenCV while the process exits (that aborts it)."""
        self._pool.clear()
        self._pool.waitForDone(5000)

    # -- entries ---------------------------------------------------------------------------
    def set_entries(self, entries: list[Entry], colour: str) -> None:
        self._filling = True
        self.blockSignals(True)
        self.clear()
        self.entries = entries
        for entry in entries:
            item = QListWidgetItem(entry.label)
            item.setData(SPEC_ROLE, entry.spec)
            item.setToolTip(self._tooltip(entry))
            item.setSizeHint(self.gridSize())
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
            if entry.user:
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
            if entry.path is None:
                item.setIcon(QIcon(painted_icon(entry.kind, colour)))
            elif entry.spec in self._cache:
                item.setIcon(QIcon(self._cache[entry.spec]))
            else:
                item.setIcon(QIcon(painted_icon("blur", colour)))
                self._pool.start(_ThumbnailJob(entry, self._relay.done))
            self.addItem(item)
        self.blockSignals(False)
        self._filling = False
        self._fit_grid()

    @staticmethod
    def _tooltip(entry: Entry) -> str:
        if entry.user:
            return (
                tr("%1\n%2\nDouble-click or press F2 to rename it.")
                .replace("%1", entry.label)
                .replace("%2", str(entry.path))
            )
        if entry.kind == "video":
            return tr("%1 (moving)").replace("%1", entry.label)
        return entry.label

    def _thumbnail_ready(self, spec: str, image: QImage) -> None:
        if image.isNull():
            return
        pixmap = QPixmap.fromImage(image)
        entry = next((e for e in self.entries if e.spec == spec), None)
        if entry is not None and entry.kind == "video":
            pixmap = with_play_badge(pixmap)
        self._cache[spec] = pixmap
        for i in range(self.count()):
            if self.item(i).data(SPEC_ROLE) == spec:
                self.item(i).setIcon(QIcon(pixmap))

    def select_key(self, key: str) -> None:
        self.blockSignals(True)
        for i in range(self.count()):
            if self.item(i).data(SPEC_ROLE) == key:
                self.setCurrentRow(i)
                self.scrollToItem(self.item(i))
                break
        else:
            self.setCurrentRow(-1)
        self.blockSignals(False)

    def current_entry(self) -> Entry | None:
        row = self.currentRow()
        return self.entries[row] if 0 <= row < len(self.entries) else None

    def rename_current(self) -> None:
        """Start editing the current entry's name in place (the user's own entries only)."""
        item = self.currentItem()
        entry = self.current_entry()
        if item is not None and entry is not None and entry.user:
            self.editItem(item)

    def mouseDoubleClickEvent(self, event) -> None:
        item = self.itemAt(event.position().toPoint())
        entry = self.entries[self.row(item)] if item is not None else None
        if entry is not None and entry.user:
            self.editItem(item)
        else:
            super().mouseDoubleClickEvent(event)

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        if self._filling:
            return
        spec = item.data(SPEC_ROLE)
        entry = next((e for e in self.entries if e.spec == spec), None)
        if entry is None or not entry.user:
            return
        name = clean_name(item.text())
        if not name or name == entry.label:
            self.blockSignals(True)
            item.setText(entry.label)  # an empty name keeps the old one
            self.blockSignals(False)
            return
        self.renamed.emit(spec, name)

    def _on_current(self, current, previous) -> None:
        if current is not None:
            self.chosen.emit(current.data(SPEC_ROLE))

    # -- drag and drop ------------------------------------------------------------------
    def _dropped_files(self, event) -> list[Path]:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        return [Path(u.toLocalFile()) for u in urls if u.isLocalFile() and spec_for_file(Path(u.toLocalFile()))]

    def dragEnterEvent(self, event) -> None:
        if self._dropped_files(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    dragMoveEvent = dragEnterEvent

    def dropEvent(self, event) -> None:
        files = self._dropped_files(event)
        if files:
            event.acceptProposedAction()
            self.files_dropped.emit(files)
