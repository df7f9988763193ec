"""UI languages: English in the source, others from Qt ``.qm`` files in this folder
(``haikei_ja.qm`` is compiled from ``haikei_ja.ts`` by ``pyside6-lrelease``; ``make translations``)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

FOLDER = Path(__file__).resolve().parent
CONTEXT = "haikei"


def tr(text: str) -> str:
    """``text`` in the UI language (every UI string goes through here, in one context)."""
    return QCoreApplication.translate(CONTEXT, text)


def install_translator(app: QCoreApplication, locale: QLocale | None = None) -> QTranslator | None:
    """Load the translation for ``locale`` (default: the system's); ``None`` if English or none exists."""
    translator = QTranslator(app)
    if translator.load(locale or QLocale.system(), "haikei", "_", str(FOLDER)):
        app.installTranslator(translator)
        return translator
    return None
