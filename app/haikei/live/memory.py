"""Keep freed frame-sized buffers in the process instead of handing them back to the kernel.

Every frame allocates a few frame-sized arrays (0.9–8 MB). By default glibc serves blocks that
large with mmap, or trims them off the heap once freed, so each new one arrives as fresh pages:
mapping, faulting in and zeroing them then costs more than the arithmetic done in them (the
quality preset refining one 720p mask on the main thread: 6.7 ms, 2.7 ms with the buffers kept). Raising
glibc's mmap and trim thresholds keeps that memory for the next frame; the resident size stays at the working set.
"""

from __future__ import annotations

import ctypes
import sys

#: glibc's mallopt() parameters (malloc.h).
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
#: Blocks up to this size come from the heap (glibc's largest allowed value on 64-bit).
MMAP_THRESHOLD = 32 << 20
#: Free memory at the top of the heap kept before any is given back.
TRIM_THRESHOLD = 64 << 20


def keep_freed_buffers() -> bool:
    """Raise glibc's thresholds; ``False`` where the C library is not glibc (macOS, Windows, musl)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
