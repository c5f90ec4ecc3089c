"""How segkit's own processes take memory (``segkit/report/allocator.py``, ``docs/architecture.md`` item 14).

The ``segkit`` command's process and the batch's kernels (forked from the server, or started on their own) keep the
memory they free for their next arrays (glibc's settings, applied with ``mallopt``), and pyarrow's allocator
commits memory as it is used (an environment variable read when pyarrow loads). A value the user set wins;
programs a kernel starts keep glibc's defaults.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

from jupyter_core.utils import run_sync

from segkit.report.allocator import ALLOCATOR_ENV, KEEP_FREED, allocator_env, libc_function
from segkit.report.kernels import KernelPool

from test_kernels import _run_in  # pytest puts tests/ on sys.path

VAR = "MIMALLOC_ARENA_EAGER_COMMIT"
MiB = 2**20
#: Prints the bytes glibc mapped for four 24 MB arrays, and the size of its heap's free top once they are gone.
PROBE = """
import ctypes, numpy as np
class Info(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
                                               "uordblks", "fordblks", "keepcost")]
libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Info
mapped = libc.mallinfo2().hblkhd
arrays = [np.ones(3 * 2**20) for _ in range(4)]
mapped = libc.mallinfo2().hblkhd - mapped
del arrays
print(mapped, libc.mallinfo2().keepcost)
"""


def _has_mallinfo2() -> bool:
    import ctypes

    return platform.libc_ver()[0] == "glibc" and hasattr(ctypes.CDLL(None), "mallinfo2")


glibc = pytest.mark.skipif(not _has_mallinfo2(),
                           reason="the memory settings and their probe are glibc's (2.33 or later)")


def _kept(printed: str) -> bool:
    """The four arrays came from the heap, and their 96 MB stayed at its top once freed (the trim threshold: with
    glibc's, the top shrinks to the 64 MB top pad)."""
    mapped, top = (int(v) for v in printed.split()[-2:])
    return mapped == 0 and top >= 96 * MiB


def test_a_value_the_user_set_wins():
    assert allocator_env() == {k: v for k, v in ALLOCATOR_ENV.items() if k not in os.environ}
    env = {k: v for k, v in os.environ.items() if k != VAR}
    script = "from segkit.report.allocator import allocator_env; print(allocator_env())"
    for given, expected in ((None, "{'MIMALLOC_ARENA_EAGER_COMMIT': '0'}"), ("1", "{}")):
        run_env = env if given is None else {**env, VAR: given}
        out = subprocess.run([sys.executable, "-c", script], env=run_env, capture_output=True, text=True, check=True)
        assert out.stdout.strip() == expected


COMMAND = """
import os, sys
import segkit.cli as cli

def probe():
    print(os.environ.get({var!r}), "pyarrow" in sys.modules)
    exec({probe!r}, {{}})
    return 0

cli.main = probe
cli.console()
"""


@glibc
@pytest.mark.parametrize("given", [None, "1"])
def test_the_command_sets_both_before_pyarrow_loads(given):
    """``cli.console`` sets pyarrow's setting before ``main`` imports pandas (which loads pyarrow), unless the user
    set it, and keeps freed memory; its exit status is ``main``'s."""
    env = {k: v for k, v in os.environ.items() if k != VAR and k not in KEEP_FREED}
    if given is not None:
        env[VAR] = given
    done = subprocess.run([sys.executable, "-c", COMMAND.format(var=VAR, probe=PROBE)], env=env, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    first, _, probe = done.stdout.partition("\n")
    assert first.split() == [given or "0", "False"]
    assert _kept(probe)


@glibc
def test_a_forked_kernel_keeps_freed_memory_and_starts_programs_with_glibcs_defaults(tmp_path):
    from segkit.report.forkserver import fork_server

    with fork_server() as server:
        pool = KernelPool(preload=False, server=server)
        pool.start("05_profile", {}, tmp_path)
        km = pool.take("05_profile", {}, tmp_path)
        try:
            printed = _run_in(km, PROBE + f"import os\nprint(sorted(k for k in os.environ if k in {list(KEEP_FREED)}))")
        finally:
            run_sync(km.shutdown_kernel)(now=True)
            pool.close()
    *probe, inherited = printed.strip().splitlines()
    assert _kept(" ".join(probe))
    # nothing for a program the kernel starts (Spark's JVM) to inherit, but what the user set
    assert inherited == str(sorted(k for k in KEEP_FREED if k in os.environ))


@glibc
def test_a_kernel_started_without_the_fork_server_keeps_freed_memory_too(tmp_path):
    """Where there is no fork server (no ``fork``, or it stopped), a batch's kernel starts on its own and applies
    the same settings during its start-up (``kernels.PRELOAD``)."""
    from segkit.report.forkserver import ForkServer

    server = ForkServer()
    server.close()  # stopped: the kernel starts on its own
    pool = KernelPool(server=server)
    pool.start("02_features", {}, tmp_path)
    km = pool.take("02_features", {}, tmp_path)
    try:
        printed = _run_in(km, PROBE + "import os\nprint(os.getppid(), 'a' in dir())")
    finally:
        run_sync(km.shutdown_kernel)(now=True)
        pool.close()
    *probe, last = printed.strip().splitlines()
    parent, leftover = last.split()
    assert int(parent) == os.getpid() and leftover == "False"  # started here; nothing left in the namespace
    assert _kept(" ".join(probe))


@glibc
@pytest.mark.parametrize("given", [{"MALLOC_TRIM_THRESHOLD_": "131072"},
                                   {"GLIBC_TUNABLES": "glibc.malloc.trim_threshold=131072"}],
                         ids=["variable", "tunable"])
def test_a_glibc_setting_the_user_gave_is_kept(given):
    """The user's trim threshold (glibc's default, 128 KB) stays: the heap's top shrinks back to the top pad."""
    env = {k: v for k, v in os.environ.items() if k not in KEEP_FREED and k != "GLIBC_TUNABLES"}
    script = "from segkit.report.allocator import keep_freed_memory\nprint(keep_freed_memory())\n" + PROBE
    out = subprocess.run([sys.executable, "-c", script], env={**env, **given}, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out[0] == "True" and int(out[1]) == 0  # the other two settings were applied
    assert int(out[2]) < 96 * MiB


@glibc
def test_a_function_of_the_c_library_or_none():
    assert libc_function("mallopt") is not None and libc_function("fflush") is not None
    assert libc_function("segkit_no_such_function") is None
