"""Giving memory that a step has freed back to the system.

Loading a million checklist rows, and scoring them, free hundreds of
megabytes of transient columns. Python and NumPy free them, but the C
allocators keep the pages for reuse: glibc's heap keeps holes that later
arrays of tens of megabytes (allocated with mmap) never fill, and Arrow's
pool keeps its own. The process then holds that memory to the end, on top of
what the next steps need. Releasing it between steps lowers the peak of a
run (measured in benchmarks/bench_run.py). Dask's workers trim glibc's heap
for the same reason.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys
from collections.abc import Callable

import pyarrow as pa


def release_freed_memory() -> None:
    """Return memory the allocators hold free to the system; a no-op where nothing can."""
    pa.default_memory_pool().release_unused()
    trim = _glibc_malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _glibc_malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, on Linux with glibc; None elsewhere (musl, macOS, Windows)."""
    if not sys.platform.startswith("linux"):
        return None
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name or "libc.so.6")
        trim: Callable[[int], int] = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    return trim
