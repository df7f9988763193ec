"""UI languages: English in the source, others from Qt ``.qm`` files in this folder
(``haikei_ja.qm`` is compiled from ``haikei_ja.ts`` by ``pyside6-lrelease``; ``make translations``),
with Qt's own translation of its dialogs (file, colour) in the same language."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

FOLDER = Path(__file__).resolve().parent
CONTEXT = "haikei"


def tr(text: str) -> str:
    """``text`` in the UI language (every UI string goes through here, in one context)."""
    return QCoreApplication.translate(CONTEXT, text)


def install_translator(app: QCoreApplication, locale: QLocale | None = None) -> QTranslator | None:
    """Load the translation for ``locale`` (default: the system's), and Qt's for its dialogs; ``None`` if
    English or none exists. :func:`remove_translator` takes both out again."""
    locale = locale or QLocale.system()
    translator = QTranslator(app)
    if not translator.load(locale, "haikei", "_", str(FOLDER)):
        return None
    app.installTranslator(translator)
    qt = QTranslator(translator)
    if qt.load(locale, "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
    return translator


def remove_translator(app: QCoreApplication, translator: QTranslator) -> None:
    for child in translator.findChildren(QTranslator):
        app.removeTranslator(child)
    app.removeTranslator(translator)
