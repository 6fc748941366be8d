"""Big buffers go back to the system once used.

glibc's malloc serves an allocation above its mmap threshold (128 KB at first) with a mapping
of its own, which ``free`` returns at once; but each time such a block is freed it raises the
threshold to that size (up to 32 MB), after which buffers of a few MB (an upload's pieces,
a file's rows) come from the heap and stay with the process. Which library freed what first
decides a server's peak: importing one more (cryptography) put the import of a 64 MB file
70 MB higher. A fixed threshold ends the dynamic one."""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

_M_MMAP_THRESHOLD = -3  # glibc's malloc.h
MMAP_THRESHOLD = 1024 * 1024


def return_big_buffers() -> bool:
    """Set the fixed threshold; False where the C library has no such setting."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD))
    except (OSError, AttributeError):
        return False
