"""Kernels started ahead talk over Unix sockets of their own, so parallel batches never race for TCP ports."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

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


def _run_in(km, code: str) -> str:
    """What ``code`` prints in the kernel of ``km``."""
    client = km.client()
    client.start_channels()
    try:
        run_sync(client.wait_for_ready)(timeout=60)
        printed = []
        run_sync(client.execute_interactive)(code, timeout=60, output_hook=lambda m: printed.append(
            m["content"].get("text", "")) if m["msg_type"] == "stream" else None)
        return "".join(printed)
    finally:
        client.stop_channels()


def _wait_until_idle(pid: int, quiet_s: float = 1.0, at_most_s: float = 120.0) -> None:
    """Wait until process ``pid`` has used no CPU for ``quiet_s`` (its imports done), or ``at_most_s`` have passed."""
    import time

    def cpu() -> int:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime and stime, in clock ticks

    start, last, since = time.monotonic(), cpu(), time.monotonic()
    while time.monotonic() - start < at_most_s:
        time.sleep(0.25)
        now = cpu()
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            return


def test_a_forked_kernel_is_a_fresh_kernel_with_its_own_environment_folder_and_process_group(tmp_path, capfd):
    from segkit.report.forkserver import ForkServer

    server = ForkServer(env={"SEGKIT_SERVER_ONLY": "1"})
    pool = KernelPool(preload=False, server=server)
    try:
        (tmp_path / "segkit_test_fresh_module.py").write_text("VALUE = 1\n")
        # the server imports PRELOAD, then PRELOAD_LATER while no kernel is asked for: wait until it has gone idle (a
        # fixed 3 s was too short on a machine busy with other tests)
        _wait_until_idle(server.process.pid)
        pool.start("05_profile", {"SEGKIT_NOTEBOOK": "05_profile"}, tmp_path)
        km = pool.take("05_profile", {}, tmp_path)
        try:
            out = _run_in(km, "import gc, os, sys, matplotlib\n"
                              "print(os.environ['SEGKIT_NOTEBOOK'], os.environ.get('SEGKIT_SERVER_ONLY'),\n"
                              "      os.getcwd(), sys.path[0], os.getpgid(0) == os.getpid(), os.getppid(),\n"
                              "      matplotlib.get_backend(),\n"
                              "      'segkit.stages.eda' in sys.modules and 'ipykernel.ipkernel' in sys.modules,\n"
                              "      'skops.io' in sys.modules or 'segkit.stages.features' in sys.modules,\n"
                              "      gc.isenabled(), gc.get_freeze_count())\n"
                              # a module the server imported is inherited, frozen (gc.get_objects leaves the frozen
                              # out); one the cell imports (written for this test) is the kernel's own
                              "import segkit_test_fresh_module\n"
                              "own = {id(o) for o in gc.get_objects()}\n"
                              "print(*(id(sys.modules[m].__dict__) not in own for m in\n"
                              "        ('ipykernel.debugger', 'pyarrow.dataset', 'segkit_test_fresh_module')))")
            (notebook, server_only, cwd, path0, leader, ppid, backend, preloaded, later, gc_on, frozen,
             debugger, dataset, fresh) = out.split()
            assert (notebook, cwd, path0) == ("05_profile", str(tmp_path), str(tmp_path))
            assert server_only == "None"  # the environment is the kernel manager's, not the server's
            assert leader == "True" and int(ppid) == server.process.pid  # forked, in a group of its own
            # what the server imported before its first fork (PRELOAD), and, idle for 3 s before the first request,
            # the rest too (PRELOAD_LATER: it imports them while `segkit run` checks the input)
            assert backend == "module://matplotlib_inline.backend_inline" and preloaded == "True"
            assert later == "True"
            # the kernel collects its own garbage, but not the objects it inherited from the server's imports
            assert gc_on == "True" and int(frozen) > 100_000
            # what a kernel imports as it starts (KERNEL_START) and in most notebooks, it inherits
            assert (debugger, dataset, fresh) == ("True", "True", "False")
            assert km.provisioner.pid != server.process.pid
        finally:
            run_sync(km.shutdown_kernel)(now=True)
        assert not run_sync(km.is_alive)()
    finally:
        pool.close()
        server.close()
    assert not server.alive()
    assert "Debugger warning" not in capfd.readouterr().err  # debugpy's, on import in the server: nothing to warn of


def test_a_module_the_environment_lacks_is_left_to_the_kernels():
    from segkit.report.forkserver import _import

    _import("segkit_no_such_module")  # no error: the server goes on
    assert "segkit_no_such_module" not in sys.modules


def test_every_module_the_server_imports_ahead_exists():
    """The server skips a module it cannot import (:func:`_import`): a name that went stale would cost every kernel
    its import again, silently. This environment has them all."""
    import importlib.util

    from segkit.report.forkserver import PRELOAD, PRELOAD_LATER

    assert [m for m in (*PRELOAD, *PRELOAD_LATER) if importlib.util.find_spec(m) is None] == []


@pytest.fixture
def forked(tmp_path):
    """A kernel forked from a server of its own, that has run a cell: (server, kernel manager, kernel process).
    Afterwards the kernel is killed if it still runs and its files are removed, as a shutdown would."""
    from segkit.report.forkserver import ForkServer, ForkedProcess

    server = ForkServer()
    pool = KernelPool(preload=False, server=server)
    pool.start("03_select_k", {}, tmp_path)
    km = pool.take("03_select_k", {}, tmp_path)
    kernel = ForkedProcess(km.provisioner.pid)
    try:
        assert _run_in(km, "print(1 + 1)").strip() == "2"
        yield server, km, kernel
    finally:
        kernel.kill()
        km.cleanup_connection_file()
        km.cleanup_ipc_files()
        server.close()
        pool.close()


def test_kernels_forked_from_a_server_exit_when_the_server_is_gone(forked):
    import signal
    import time

    server, _, kernel = forked
    server.process.send_signal(signal.SIGKILL)  # the server dies: it can neither stop its kernels nor clear up
    deadline = time.monotonic() + 20
    while kernel.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert kernel.poll() is not None, "the kernel outlived its server"


def test_when_the_batch_is_gone_the_server_stops_its_kernels_and_removes_their_files(forked):
    server, km, kernel = forked
    files = [Path(km.connection_file), *_sockets(km)]
    assert len(files) == 6 and all(f.exists() for f in files)
    server._sock.close()  # as when the batch is killed: no manager shuts the kernel down
    server.process.wait(timeout=20)
    assert kernel.poll() is not None, "the kernel outlived the batch"
    assert [f for f in files if f.exists()] == [], "a killed batch's kernel left its files behind"


def _sockets(km) -> list[Path]:
    return sorted(Path(km.ip).parent.glob(Path(km.ip).name + "-*"))


def test_only_an_ipython_kernel_command_is_forked():
    from segkit.report.forkserver import kernel_args

    assert kernel_args([sys.executable, "-m", "ipykernel_launcher", "-f", "k.json"]) == ["-f", "k.json"]
    with pytest.raises(ValueError, match="not an IPython kernel command"):
        kernel_args(["R", "--slave", "-e", "IRkernel::main()"])


def test_without_a_running_server_a_kernel_starts_on_its_own(tmp_path):
    from segkit.report.forkserver import ForkServer

    server = ForkServer()
    server.close()  # stopped (or, the same for the batch, it never managed to start)
    pool = KernelPool(preload=False, server=server)
    pool.start("02_features", {"SEGKIT_NOTEBOOK": "02_features"}, tmp_path)
    km = pool.take("02_features", {}, tmp_path)
    try:
        out = _run_in(km, "import os; print(os.environ['SEGKIT_NOTEBOOK'], os.getppid())").split()
        assert out[0] == "02_features" and int(out[1]) == os.getpid()  # started by this process, not forked
    finally:
        run_sync(km.shutdown_kernel)(now=True)
        pool.close()


def test_fork_server_uses_a_server_it_is_given_and_leaves_it_to_its_owner():
    from segkit.report.forkserver import ForkServer, fork_server

    server = ForkServer()
    try:
        with fork_server(server) as given:
            assert given is server
        assert server.alive()  # its owner stops it
        with fork_server() as own:
            assert own is not None and own is not server and own.alive()
        assert not own.alive()  # one started here stops here
    finally:
        server.close()


def test_the_server_removes_the_files_of_a_kernel_that_exited_without_its_manager(tmp_path):
    """A kernel its manager had just shut down when the batch was killed has exited, but nobody removed its connection
    file and sockets: the server's clearing up removes them too (a flaky leftover of the killed-run test)."""
    import json
    import subprocess

    from segkit.report.forkserver import _clear_up

    ip = tmp_path / "segkit-kernel-abc"
    connection = tmp_path / "kernel-1.json"
    ports = {f"{name}_port": i for i, name in enumerate(("shell", "iopub", "stdin", "control", "hb"), 1)}
    connection.write_text(json.dumps({"key": "k", "transport": "ipc", "ip": str(ip), **ports}))
    sockets = [Path(f"{ip}-{i}") for i in range(1, 6)]
    for s in sockets:
        s.write_text("")
    exited = subprocess.Popen([sys.executable, "-c", "pass"])
    exited.wait()  # collected: no longer a running child
    _clear_up([{"pid": exited.pid, "args": ["-f", str(connection)]}])
    assert not connection.exists() and not any(s.exists() for s in sockets)
