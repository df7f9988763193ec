"""What a stop signal (Ctrl+C, ``kill``, the terminal closing) does while nothing is being written:
one line, and Haikei ends at once with ``128 + N``.

Apart from everything else, so that it can be in place before the other modules load: the command's
entry installs it while the command line imports (``haikei.__main__``), and the standalone app's
first runtime hook before even that (``packaging/pyinstaller/rthook_stop_signals.py``). A command
that has something to finish takes the signals over (``run`` stops its engine, ``process`` removes
its temporary file, the window saves and quits).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Callable, Iterator
from typing import Any

#: The signals that stop Haikei: Ctrl+C, ``kill``, the terminal closing (Windows has no SIGHUP).
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


def stop_now(signum: int, _frame: object) -> None:
    """A signal handler: say so in one line and end with ``128 + signum``, nothing run on the way out."""
    with contextlib.suppress(OSError):  # after SIGHUP the terminal may be gone
        print(f"haikei: interrupted ({signal.Signals(signum).name})", file=sys.stderr, flush=True)
    os._exit(128 + signum)


@contextlib.contextmanager
def stop_signals_to(handler: Callable[[int, Any], None]) -> Iterator[None]:
    """``handler`` for the stop signals inside; the previous handlers after."""
    previous = {sig: signal.signal(sig, handler) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def stop_at_once() -> contextlib.AbstractContextManager[None]:
    """:func:`stop_now` for the stop signals inside; the previous handlers after."""
    return stop_signals_to(stop_now)
