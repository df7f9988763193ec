"""A user's file is replaced only by a complete new version, and the signals that stop Haikei cannot
cut that in half.

:class:`PendingFile` is the new version, written beside the target under a unique hidden name
(``.NAME.XXXX.haikei-partial``: two writers never share one) and renamed over it by :meth:`commit`
after an fsync, or removed by :meth:`discard`: an interruption, a write error or a full disk leaves
the target byte for byte as it was. The stop signals (SIGINT, SIGTERM, SIGHUP) are held while the
temporary file is created and recorded, and while it is renamed, so that no signal lands between
the two steps; :func:`stop_signals_raise` turns them into :class:`Interrupted` for a command that
cleans up on the way out (``haikei process``).

SIGKILL and a power cut cannot be caught: the target is still intact, and the hidden temporary file
stays behind.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

#: The signals that stop Haikei cleanly: Ctrl+C, ``kill``, the terminal closing.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
TEMP_SUFFIX = ".haikei-partial"


class Interrupted(Exception):
    """A stop signal arrived; a command ends with exit status ``128 + signum``."""

    def __init__(self, signum: int):
        self.signum = signum
        self.name = signal.Signals(signum).name
        super().__init__(self.name)


class StopSignals:
    """While installed, a stop signal raises :class:`Interrupted` in the main thread (where Python runs
    handlers), until :meth:`settle`: the work is done, and a late signal changes nothing any more."""

    def __init__(self) -> None:
        self.settled = False

    def settle(self) -> None:
        self.settled = True

    def _interrupt(self, signum: int, _frame: object) -> None:
        if not self.settled:
            raise Interrupted(signum)


@contextlib.contextmanager
def stop_signals_raise() -> Iterator[StopSignals]:
    """Stop signals raise :class:`Interrupted` inside (see :class:`StopSignals`); the previous handlers after."""
    stops = StopSignals()
    previous = {sig: signal.signal(sig, stops._interrupt) for sig in STOP_SIGNALS}
    try:
        yield stops
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def stop_signals_held() -> Iterator[None]:
    """Stop signals wait (blocked, not lost) until the block is left."""
    old = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _new_file_mode(target: Path) -> int:
    """The target's permissions, or what a new file gets under the umask (mkstemp makes it 0600)."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


class PendingFile:
    """The next version of ``target``, at :attr:`path` until :meth:`commit`. A context manager:
    leaving it without a commit removes the temporary file."""

    def __init__(self, target: Path):
        self.target = target
        self.path: Path | None = None
        #: The new version is in place (a stop signal held during the rename is delivered after it).
        self.committed = False
        with stop_signals_held():  # no signal between creating the file and recording its name
            fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TEMP_SUFFIX, dir=target.parent)
            os.close(fd)
            self.path = Path(name)

    def commit(self) -> None:
        """fsync the new version, give it the target's permissions and rename it over the target.
        An ``OSError`` leaves the target as it was (and the temporary file removed)."""
        try:
            _fsync(self.path)
            with stop_signals_held():
                os.chmod(self.path, _new_file_mode(self.target))
                os.replace(self.path, self.target)
                self.path = None
                self.committed = True
            _fsync(self.target.parent)  # the rename itself reaches the disk
        finally:
            self.discard()

    def discard(self) -> None:
        """Remove the temporary file (safe to call twice, and after :meth:`commit`)."""
        with stop_signals_held():
            if self.path is not None:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self.path)
                self.path = None

    def __enter__(self) -> PendingFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.discard()
