"""How segkit's own processes take memory: once per process, not once per array (``docs/architecture.md`` item 14).

A batch's processes are short and read, build and free large arrays one after the other. Two allocators' defaults
made them pay for that in page faults, each page zeroed by the system (``bench/README.md``, "Now: memory taken
once per process"):

* **pyarrow's mimalloc** commits its arenas up front, and Linux backs them with transparent huge pages on request
  (the ``madvise`` mode of Debian's and Ubuntu's kernels). The first touch of each 2 MB page then waits while the
  system finds, and often compacts, contiguous memory: 0.02-0.54 s of system time, at random, on the first
  Parquet read of every process. :data:`ALLOCATOR_ENV` turns that off; mimalloc reads it when pyarrow loads, so
  it goes into the environment of a process before it starts (the fork server's) or before it imports pandas
  (the ``segkit`` command's: :func:`own_process`).
* **glibc** hands an array above its mapping threshold (128 KB at first, raised up to 32 MB as mapped blocks are
  freed) a mapping of its own and returns it when the array is freed, and trims the free top of its heap beyond
  128 KB: the next array faults its pages in again. :data:`KEEP_FREED` keeps freed memory for the next arrays.
  It is applied with ``mallopt`` inside the process (:func:`keep_freed_memory`: by the fork server before its
  imports, by a kernel started without it during its start-up, by the ``segkit`` command), not through the
  environment, so that programs a kernel starts (Spark's JVM, with a heap per thread) keep glibc's defaults.

A value the user set (the same environment variable, or glibc's ``GLIBC_TUNABLES``) wins over each of them.
Results are the same either way.
This module imports only the standard library: the fork server loads it before anything else.
"""

from __future__ import annotations

import ctypes
import os

__all__ = ["ALLOCATOR_ENV", "KEEP_FREED", "allocator_env", "keep_freed_memory", "own_process", "libc_function"]

#: pyarrow's mimalloc commits memory page by page as it is used, not its arenas up front.
ALLOCATOR_ENV = {"MIMALLOC_ARENA_EAGER_COMMIT": "0"}
#: glibc's settings, by the environment variable that sets each at a process's start: arrays below 32 MB come from
#: the heap; the free top of the heap goes back to the system only beyond 256 MB; the heap grows 64 MB at a time.
KEEP_FREED = {"MALLOC_MMAP_THRESHOLD_": 32 * 2**20, "MALLOC_TRIM_THRESHOLD_": 256 * 2**20,
              "MALLOC_TOP_PAD_": 64 * 2**20}
#: ``mallopt``'s parameter for each setting of :data:`KEEP_FREED` (glibc's ``malloc.h``), and its name in
#: ``GLIBC_TUNABLES``, the other way a user sets it.
_MALLOPT = {"MALLOC_TRIM_THRESHOLD_": (-1, "glibc.malloc.trim_threshold"),
            "MALLOC_TOP_PAD_": (-2, "glibc.malloc.top_pad"),
            "MALLOC_MMAP_THRESHOLD_": (-3, "glibc.malloc.mmap_threshold")}


def allocator_env() -> dict[str, str]:
    """:data:`ALLOCATOR_ENV` without what this process's environment already sets (the user's values win)."""
    return {var: value for var, value in ALLOCATOR_ENV.items() if var not in os.environ}


def keep_freed_memory() -> bool:
    """Apply :data:`KEEP_FREED` to this process through glibc's ``mallopt``, except the settings the user gave in
    the environment (its variable, or ``GLIBC_TUNABLES``: glibc applied those at start). False where the C library
    has no ``mallopt`` (not glibc) or refuses a setting; the others are applied all the same."""
    mallopt = libc_function("mallopt")
    if mallopt is None:
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    tunables = os.environ.get("GLIBC_TUNABLES", "")
    applied = [mallopt(_MALLOPT[var][0], value) == 1 for var, value in KEEP_FREED.items()
               if var not in os.environ and _MALLOPT[var][1] not in tunables]
    return all(applied)


def own_process() -> None:
    """Both, for a process of segkit's own that has not imported pandas or pyarrow yet (the ``segkit`` command)."""
    os.environ.update(allocator_env())
    keep_freed_memory()


def libc_function(name: str):
    """The C library's function ``name``, or None where there is none: a C library without it (``mallopt`` is
    glibc's), or Windows, where ``ctypes.CDLL(None)`` is a TypeError."""
    try:
        return getattr(ctypes.CDLL(None), name)
    except (OSError, AttributeError, TypeError):
        return None
