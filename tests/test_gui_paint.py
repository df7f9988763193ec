"""The Qt binding must not lose references to ``None`` while painting.

PySide6-Essentials 6.12.0 drops one reference to ``None`` on every QPainter call that returns nothing.
On Pythons whose ``None`` is not immortal (before 3.12) its count reaches zero after some tens of
seconds of painting the preview and the window aborts (``Fatal Python error: none_dealloc``). This
paints the real preview widget, stats overlay on, a thousand times, and watches the count: on a
broken binding it falls by some twenty a paint, and the loop stops long before ``None`` would be freed.
"""

from __future__ import annotations

import sys

import pytest

from support.data import need_shared

pytest.importorskip("pytestqt")

from haikei.gui.app import HaikeiGui
from support.gui import PORTRAIT, SIZE, RecordingSink

PAINTS = 1000
#: A fall this large is a leak, not noise (a healthy binding's count stays level or rises).
LEAK = 200


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12: its count never falls")
def test_painting_the_preview_keeps_references_to_none(qtbot):
    need_shared(PORTRAIT)
    overrides = {"source": str(PORTRAIT), "output": "none", "width": SIZE[0], "height": SIZE[1]}
    app = HaikeiGui(overrides, sink=RecordingSink(), use_system_tray=False, persist=False, on_quit=lambda: None)
    qtbot.addWidget(app.window)
    app.show()
    preview = app.window.preview
    try:
        qtbot.waitUntil(lambda: app.controller.engine is not None and preview.painted > 0, timeout=20000)
        preview.set_show_stats(True)
        qtbot.waitUntil(lambda: bool(preview._stats_lines), timeout=5000)
        app.controller.stop()  # the last frame and stats stay: only this thread touches None from here on
        before = sys.getrefcount(None)
        lowest, painted = before, preview.painted
        for _ in range(PAINTS):
            preview.repaint()
            lowest = min(lowest, sys.getrefcount(None))
            if lowest < before - LEAK:
                break
        assert preview.painted - painted == PAINTS or lowest < before - LEAK, "the preview did not paint"
        assert lowest >= before - LEAK, (
            f"painting the preview {preview.painted - painted} times lowered sys.getrefcount(None) by "
            f"{before - lowest}: this Qt binding drops references to None and the window will abort"
        )
    finally:
        app.shutdown()
