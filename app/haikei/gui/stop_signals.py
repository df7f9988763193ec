"""Stop signals end the window as Quit does: SIGINT (Ctrl+C in the terminal that started it), SIGTERM
(``kill``, a session logging out) and SIGHUP (the terminal closing) save the settings and the window
state, release camera and output, and end with ``128 + N``.

Qt's event loop runs in C++, where Python's signal handlers do not run: the signal's wake-up byte
(:func:`signal.set_wakeup_fd`) wakes the loop through a :class:`QSocketNotifier`, which lets the
Python handler run. A second signal while quitting ends the process at once.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
from collections.abc import Callable, Iterator

from PySide6.QtCore import QSocketNotifier, QTimer

from haikei.stopping import stop_signals_to


@contextlib.contextmanager
def quit_on_stop_signals(quit_: Callable[[], None]) -> Iterator[list[int]]:
    """Inside, a stop signal calls ``quit_`` from the event loop (once it runs, if it does not yet);
    yields the list the signal received is put in."""
    received: list[int] = []
    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read)

    def drain() -> None:  # Python code runs here: the handler below has run by now
        with contextlib.suppress(OSError):
            reader.recv(256)

    def handler(signum: int, _frame: object) -> None:
        if received:  # a second one: the user means it
            os._exit(128 + signum)
        received.append(signum)
        with contextlib.suppress(OSError):
            print(f"haikei: interrupted ({signal.Signals(signum).name}); saving and quitting", file=sys.stderr)
        QTimer.singleShot(0, quit_)

    notifier.activated.connect(drain)
    old_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    try:
        with stop_signals_to(handler):
            yield received
    finally:
        signal.set_wakeup_fd(old_fd)
        notifier.setEnabled(False)
        reader.close()
        writer.close()
