"""Kernels started ahead talk over Unix sockets of their own, so parallel batches never race for TCP ports."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from jupyter_core.utils import run_sync

from segkit.report.kernels import KernelPool


def test_a_started_kernel_uses_its_own_unix_sockets_and_leaves_none_behind(tmp_path):
    pool = KernelPool(preload=False)
    pool.start("01_eda", {}, tmp_path)
    km = pool.take("01_eda", {}, tmp_path)
    try:
        assert km.transport == "ipc" and os.path.isabs(km.ip)
        assert Path(km.ip).parent == Path(tempfile.gettempdir())
        client = km.client()
        client.start_channels()
        run_sync(client.wait_for_ready)(timeout=60)
        assert any(Path(km.ip).parent.glob(Path(km.ip).name + "-*"))  # the kernel's sockets, while it runs
        client.stop_channels()
    finally:
        run_sync(km.shutdown_kernel)(now=True)
    assert not any(Path(km.ip).parent.glob(Path(km.ip).name + "-*"))
    assert not any(tmp_path.iterdir())  # nothing written into the run folder
