"""Files Haikei reads and writes without losing, hanging or exhausting anything.

Reading (settings, window state, model manifests and models): :func:`read_file` opens only regular
files (a FIFO would hang, ``/dev/zero`` never ends) and checks the size before reading;
:func:`parse_json` refuses non-finite numbers and nesting too deep to handle, as one ``ValueError``.

Writing: a user's file is replaced only by a complete new version, and the signals that stop Haikei
cannot cut that in half.

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
import json
import math
import os
import signal
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from haikei.stopping import STOP_SIGNALS, stop_signals_to

TEMP_SUFFIX = ".haikei-partial"


class RefusedFile(Exception):
    """A file that is not read, and why ("it is not a regular file"); ``regular``: it is a file, too large."""

    def __init__(self, why: str, regular: bool = False):
        super().__init__(why)
        self.regular = regular


def reason(error: Exception) -> str:
    """Why reading a file failed, in words: an ``OSError``'s system message, else the error itself
    (a :class:`RefusedFile`'s refusal, a parse error)."""
    return str(error.strerror or error if isinstance(error, OSError) else error)


def read_file(path: Path, limit: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them; :class:`RefusedFile` for
    anything else, ``OSError`` where it cannot be opened or read."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)  # a FIFO opens without waiting for a writer
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise RefusedFile("it is a folder" if stat.S_ISDIR(info.st_mode) else "it is not a regular file")
        if info.st_size > limit:
            raise RefusedFile(f"it is too large ({info.st_size:,} bytes; at most {limit:,})", regular=True)
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:  # it grew while read
            raise RefusedFile(f"it is too large (over {limit:,} bytes)", regular=True)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number Haikei takes")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999
        _no_constant(text)
    return value


def parse_json(raw: bytes) -> object:
    """JSON text as Python values; ``ValueError`` for bad UTF-8 or JSON, ``NaN``/``Infinity``, or
    nesting deeper than Python can follow."""
    try:
        return json.loads(raw, parse_constant=_no_constant, parse_float=_finite)
    except RecursionError:
        raise ValueError("it is nested too deeply") from None


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
        if self.settled:
            return
        if _held:  # another thread took the signal that this one blocks: it waits all the same
            _deferred.append(signum)
            return
        raise Interrupted(signum)


@contextlib.contextmanager
def stop_signals_raise() -> Iterator[StopSignals]:
    """Stop signals raise :class:`Interrupted` inside (see :class:`StopSignals`); the previous handlers after."""
    stops = StopSignals()
    with stop_signals_to(stops._interrupt):
        yield stops


#: Depth of :func:`stop_signals_held` blocks in the main thread, and the signals that came meanwhile.
_held: list[None] = []
_deferred: list[int] = []


@contextlib.contextmanager
def stop_signals_held() -> Iterator[None]:
    """Stop signals wait (blocked, not lost) until the block is left. Blocking covers this thread
    only: a signal the kernel hands to another thread (an encoder's) still runs the Python handler
    here, which then defers it too (:class:`StopSignals`); where signals cannot be blocked (Windows
    has no signal masks) that deferral is all there is."""
    masks = hasattr(signal, "pthread_sigmask")
    old = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS) if masks else None
    _held.append(None)
    try:
        yield
    finally:
        _held.pop()
        if masks:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)
        if not _held and _deferred:
            signal.raise_signal(_deferred.pop(0))  # delivered now, to whatever handler is in place
            _deferred.clear()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    """fsync ``folder`` where it can be opened: Windows opens no folder (its file system journals the
    rename itself), nor does Linux one without read permission; the new version is in place either way."""
    with contextlib.suppress(PermissionError):
        _fsync(folder)


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
            _fsync_folder(self.target.parent)  # the rename itself reaches the disk
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
