"""Big buffers go back to the system once used.

glibc's malloc serves an allocation above its mmap threshold (128 KB at first) with a mapping
of its own, which ``free`` returns at once; but each time such a block is freed it raises the
threshold to that size (up to 32 MB), after which buffers of a few MB (an upload's pieces,
a file's rows) come from the heap and stay with the process. Which library freed what first
decides a server's peak: importing one more (cryptography) put the import of a 64 MB file
70 MB higher. A fixed threshold ends the dynamic one.

And each thread that allocates gets an arena of its own (up to eight per core), which keeps
what it freed: the more requests a server works on at once (the thread pool of the sync
routes), the higher its resident memory settles, so the same upload peaked 15 MB higher on
a busy machine than on a quiet one. Two arenas are plenty for a server of short requests."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import sys

_M_MMAP_THRESHOLD = -3  # glibc's malloc.h
_M_ARENA_MAX = -8
MMAP_THRESHOLD = 1024 * 1024
ARENA_MAX = 2


def return_big_buffers() -> bool:
    """Set the fixed threshold; False where the C library has no such setting."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
            libc.mallopt(_M_ARENA_MAX, ARENA_MAX)
        )
    except (OSError, AttributeError):
        return False


def give_back() -> None:
    """Before a file import: the garbage of the requests before it collected (cycles that
    held a last upload's pieces) and the heap's free memory given back to the system, so
    that the last file does not add to this one's peak (#17: 285 → 274 MB in the worst
    case). Not for every upload: a full collection walks every object of the process."""
    gc.collect()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
