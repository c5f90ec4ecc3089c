"""Kernels started ahead of their notebooks, with segkit already imported.

A kernel's start-up (the interpreter, ipykernel, then ``import segkit`` with pandas, scikit-learn and
matplotlib) takes about 4 s of CPU. :class:`KernelPool` forks each kernel from a
:class:`~.forkserver.ForkServer` that has imported all of it once, and starts the kernel of a notebook as
soon as the batch knows it will run next, while other notebooks still execute. Without a server (where
processes cannot fork) a kernel starts on its own and runs the imports during its start-up (IPython's
``exec_lines``, which leave no name behind and no history). When the notebook's turn comes its kernel is
ready, and :func:`execute` runs the notebook in it through papermill (the ``segkit`` engine below hands the
started kernel to papermill's client, which shuts it down after the last cell).

Every notebook still gets a fresh kernel of its own, started with its own environment (its name for the
progress lines), so nothing leaks from one notebook to the next, and each notebook runs alone in
JupyterLab as before: the preloaded modules are the ones its first cell imports.
"""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from queue import Empty
from pathlib import Path
from typing import Any, Callable

from .forkserver import ForkedProcess, ForkServer

__all__ = ["KernelPool", "PRELOAD", "KERNEL_ARGS", "execute"]

#: Run during a pre-started kernel's start-up: the memory settings of a forked kernel (:mod:`.allocator`), and the
#: modules every report notebook imports first.
PRELOAD = ("import segkit.report.allocator as a; a.keep_freed_memory(); "
           "import segkit.stages, segkit.report.cards, matplotlib.pyplot; del a, segkit, matplotlib")
#: Kernel options: quiet, and an in-memory IPython history (no shared SQLite file between kernels).
KERNEL_ARGS = ["--IPKernelApp.log_level=CRITICAL", "--HistoryManager.hist_file=:memory:"]
_ENGINE = "segkit"


def _manager(env: dict[str, str], server: ForkServer | None = None):
    """A kernel manager whose kernel starts with ``env`` added to this process's environment, forked from
    ``server`` when one is given (its provisioner asks the server for a child instead of starting a process).

    The kernel talks over Unix sockets with a name of its own (``transport="ipc"``), not over TCP ports: a TCP port
    is chosen by binding and releasing it, and with kernels starting ahead in parallel runs another process took
    one in between now and then ("Kernel died before replying to kernel_info")."""
    from jupyter_client import AsyncKernelClient, AsyncKernelManager
    from jupyter_client.provisioning import LocalProvisioner

    class _Manager(AsyncKernelManager):
        async def _async_pre_start_kernel(self, **kw):
            kw["env"] = {**os.environ, **(kw.get("env") or {}), **env}
            return await super()._async_pre_start_kernel(**kw)

    class _Client(AsyncKernelClient):
        async def wait_for_ready(self, timeout: float | None = None) -> None:
            """Ready once the kernel has answered ``kernel_info`` and IOPub carries its messages, as for
            jupyter_client, without listening 0.2 s more for stray IOPub messages to drop (a fifth of a second per
            notebook): nbclient reads only the messages that answer its own requests."""
            deadline = time.monotonic() + (60.0 if timeout is None else timeout)
            while True:
                self.kernel_info()
                try:
                    reply = await self.shell_channel.get_msg(timeout=1)
                    if reply["msg_type"] == "kernel_info_reply":
                        await self.iopub_channel.get_msg(timeout=0.2)  # IOPub is connected (else ask again)
                        self._handle_kernel_info_reply(reply)
                        return
                except Empty:
                    pass
                if not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")

    class _Forked(LocalProvisioner):
        async def launch_kernel(self, cmd: list[str], **kw: Any) -> Any:
            cwd = kw.get("cwd") or os.getcwd()
            try:
                pid = server.spawn(cmd, kw.get("env") or dict(os.environ), cwd)
            except (OSError, RuntimeError, ValueError):  # no server (it stopped or never started), or not a
                return await super().launch_kernel(cmd, **kw)  # Python kernel: a kernel of its own, as without one
            self.process, self.pid, self.pgid, self.cwd = ForkedProcess(pid), pid, pid, cwd  # it leads its own group
            return self.connection_info

    sockets = os.path.join(tempfile.gettempdir(), f"segkit-kernel-{uuid.uuid4().hex}")
    km = _Manager(kernel_name="python3", transport="ipc", ip=sockets)
    km.client_factory = _Client
    if server is not None:
        km.kernel_id = str(uuid.uuid4())
        km.provisioner = _Forked(kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km)
    return km


class KernelPool:
    """Kernels started ahead, one per notebook name; :meth:`take` hands one over, :meth:`close` stops the rest.

    Parameters
    ----------
    preload : bool
        Import :data:`PRELOAD` during the kernel's start-up.
    server : ForkServer, optional
        Fork the kernels from it (it has imported the scientific stack once for all of them); its owner stops
        it. Without one, each kernel starts on its own.
    """

    def __init__(self, *, preload: bool = True, server: ForkServer | None = None):
        self.preload, self.server = preload, server
        self._started: dict[str, Any] = {}

    def __contains__(self, name: str) -> bool:
        return name in self._started

    def __len__(self) -> int:
        return len(self._started)

    def start(self, name: str, env: dict[str, str], cwd: str | Path) -> None:
        """Start the kernel for notebook ``name`` in the folder ``cwd`` now (it loads in the background)."""
        from jupyter_core.utils import run_sync

        if name in self._started:
            return
        km = _manager(env, self.server)
        args = [*KERNEL_ARGS, f"--IPKernelApp.exec_lines={PRELOAD}"] if self.preload else list(KERNEL_ARGS)
        run_sync(km.start_kernel)(extra_arguments=args, cwd=str(cwd))
        self._started[name] = km

    def take(self, name: str, env: dict[str, str], cwd: str | Path):
        """The started kernel manager of ``name`` (started now when it was not); the caller owns it."""
        if name not in self._started:
            self.start(name, env, cwd)
        return self._started.pop(name)

    def close(self) -> None:
        """Stop every kernel that was started but not taken."""
        from jupyter_core.utils import run_sync

        while self._started:
            _, km = self._started.popitem()
            try:
                run_sync(km.shutdown_kernel)(now=True)
            except Exception:  # already gone
                pass


def _register_engine() -> None:
    """Register papermill's engine ``segkit``: nbclient in a kernel that was started ahead (``km``)."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.utils import merge_kwargs, remove_args

    if _ENGINE in papermill_engines._engines:
        return

    class GatedClient(PapermillNotebookClient):
        """Papermill's client that calls ``gate(cell)`` before it runs each cell and ``passed(cell)`` after each cell
        that ran without an error (see :func:`execute`)."""

        def __init__(self, nb_man, gate=None, passed=None, **kw):
            super().__init__(nb_man, **kw)
            self.gate, self.passed = gate, passed

        def execute_cell(self, cell, cell_index, *args, **kw):
            if self.gate is not None:
                self.gate(cell)
            out = super().execute_cell(cell, cell_index, *args, **kw)
            if self.passed is not None:
                self.passed(cell)
            return out

    class StartedKernelEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None, stderr_file=None,
                                     start_timeout=60, execution_timeout=None, **kwargs):
            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            final = merge_kwargs(kwargs, timeout=execution_timeout, startup_timeout=start_timeout,
                                 kernel_name=kernel_name, log_output=log_output, stdout_file=stdout_file,
                                 stderr_file=stderr_file)
            # papermill writes the whole notebook (its figures included) before and after every cell; here it is
            # written when the notebook is done (also when a cell failed), by papermill's notebook_complete
            path, nb_man.output_path = nb_man.output_path, None
            try:
                # cleanup_kc: shut the kernel down after the last cell although the client did not start it
                return GatedClient(nb_man, **final).execute(cleanup_kc=True)
            finally:
                nb_man.output_path = path

    papermill_engines.register(_ENGINE, StartedKernelEngine)


def execute(notebook, output: Path, *, parameters: dict[str, Any], km, cwd: str,
            gate: Callable[[Any], None] | None = None, passed: Callable[[Any], None] | None = None) -> None:
    """Run ``notebook`` (a NotebookNode) with papermill in the started kernel ``km``, writing ``output``.

    ``gate(cell)`` is called before each cell runs: it may wait (for other notebooks' outputs) or raise, which
    stops the notebook there and shuts its kernel down; ``passed(cell)`` after each cell that ran without an
    error. Raises papermill's ``PapermillExecutionError`` when a cell fails (the output is written first).
    """
    import papermill as pm

    _register_engine()
    pm.execute_notebook(notebook, str(output), parameters=parameters, kernel_name="python3", progress_bar=False,
                        log_output=False, cwd=cwd, engine_name=_ENGINE, km=km, gate=gate, passed=passed)
