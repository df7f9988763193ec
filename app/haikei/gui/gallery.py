"""The background gallery: None, Blur, Colour, the shipped backgrounds and the user's own images and
videos, as thumbnails. Thumbnails are made on a thread pool and cached; the GUI thread never decodes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
from PySide6.QtCore import QObject, QRunnable, QSize, Qt, QThreadPool, Signal
from PySide6.QtGui import QBrush, QColor, QIcon, QImage, QLinearGradient, QPainter, QPixmap, QRadialGradient
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem

from haikei import paths
from haikei.compose.backgrounds import BackgroundSpec
from haikei.errors import BackgroundError
from haikei.frames.files import IMAGE_SUFFIXES, VIDEO_SUFFIXES
from haikei.gui.i18n import tr

THUMB = QSize(128, 72)
SPEC_ROLE = Qt.ItemDataRole.UserRole


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


def shipped_entries() -> list[Entry]:
    folder = paths.shipped_backgrounds_dir()
    files = (
        sorted(p for p in folder.glob("*") if p.suffix.lower() in IMAGE_SUFFIXES | VIDEO_SUFFIXES)
        if folder.is_dir()
        else []
    )
    return [Entry(spec_for_file(p), p.stem.replace("-", " ").capitalize()) for p in files]


def gallery_entries(user_specs: list[str]) -> list[Entry]:
    fixed = [Entry("none", tr("None")), Entry("blur", tr("Blur")), Entry("color", tr("Colour"))]
    user = []
    for spec in user_specs:
        file = file_spec(spec)
        user.append(Entry(spec, file.path.stem if file is not None else spec, user=True))
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


class Gallery(QListWidget):
    """Emits :attr:`chosen` with an entry key (``none``, ``blur``, ``color`` or a file spec)."""

    chosen = Signal(str)
    files_dropped = Signal(list)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setViewMode(QListWidget.ViewMode.IconMode)
        self.setFlow(QListWidget.Flow.LeftToRight)
        self.setWrapping(False)
        self.setIconSize(THUMB)
        self.setGridSize(QSize(THUMB.width() + 14, THUMB.height() + 30))
        self.setMovement(QListWidget.Movement.Static)
        self.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFixedHeight(THUMB.height() + 52)
        self.setAcceptDrops(True)
        self.setDragEnabled(False)
        self.entries: list[Entry] = []
        self._cache: dict[str, QPixmap] = {}
        self._relay = _Relay()
        self._relay.done.connect(self._thumbnail_ready)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self.currentItemChanged.connect(self._on_current)

    def stop_thumbnails(self) -> None:
        """Drop the thumbnails not started and wait for the one being made: no thread is left in
        OpenCV while the process exits (that aborts it)."""
        self._pool.clear()
        self._pool.waitForDone(5000)

    def set_entries(self, entries: list[Entry], colour: str) -> None:
        self.blockSignals(True)
        self.clear()
        self.entries = entries
        for entry in entries:
            item = QListWidgetItem(entry.label)
            item.setData(SPEC_ROLE, entry.spec)
            item.setToolTip(str(entry.path) if entry.path else entry.label)
            item.setSizeHint(self.gridSize())
            if entry.path is None:
                item.setIcon(QIcon(painted_icon(entry.kind, colour)))
            elif entry.spec in self._cache:
                item.setIcon(QIcon(self._cache[entry.spec]))
            else:
                item.setIcon(QIcon(painted_icon("blur", colour)))
                self._pool.start(_ThumbnailJob(entry, self._relay.done))
            self.addItem(item)
        self.blockSignals(False)

    def _thumbnail_ready(self, spec: str, image: QImage) -> None:
        if image.isNull():
            return
        self._cache[spec] = QPixmap.fromImage(image)
        for i in range(self.count()):
            if self.item(i).data(SPEC_ROLE) == spec:
                self.item(i).setIcon(QIcon(self._cache[spec]))

    def select_key(self, key: str) -> None:
        self.blockSignals(True)
        for i in range(self.count()):
            if self.item(i).data(SPEC_ROLE) == key:
                self.setCurrentRow(i)
                break
        else:
            self.setCurrentRow(-1)
        self.blockSignals(False)

    def current_entry(self) -> Entry | None:
        row = self.currentRow()
        return self.entries[row] if 0 <= row < len(self.entries) else None

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
