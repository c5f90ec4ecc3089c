"""Notebook kernels forked from one process that has imported the scientific stack once.

Every notebook of a batch runs in a kernel of its own, and every kernel needs pandas, scikit-learn,
scipy, matplotlib and segkit: about 4 s of CPU per kernel to import, eight kernels per default run, on a
two-core machine. :class:`ForkServer` is a plain Python process that imports all of it once (its
:data:`PRELOAD`, then :data:`PRELOAD_LATER` while no kernel is asked for) and forks
one child per kernel; the child becomes an ordinary IPython kernel (``ipykernel``'s own entry point) in its
own session, with the environment and folder the kernel manager asked for. Each notebook still runs alone in
a fresh process, as in JupyterLab; nothing a notebook does reaches the server or another kernel. Only what
importing does is shared.

The server imports with the garbage collector off (importing leaves next to no garbage) and freezes what it
holds before each fork (:func:`gc.freeze`, as Python's documentation advises for a server that forks): a kernel's
collections then skip the half million objects it inherited. Otherwise every kernel's first full collection
walks them all, at 0.1-0.3 s of CPU, and writes to every page they lie on, which copies those pages.

The kernel manager's side is a jupyter_client provisioner in :mod:`segkit.report.kernels` that asks the
server for a child instead of starting a process. This module imports only the standard library, so
``segkit run`` can start the server first and let it import while the command itself loads and checks
the input (:func:`fork_server`).

The server takes requests only over a socket pair it inherits from the batch (no address another process
could reach), one JSON line per kernel (its argv, environment and folder), and answers with the child's
process id. It exits when the batch closes the socket or ends; then it stops the kernels still running (none
after a normal run) and removes the connection files and sockets a killed batch would leave behind.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .allocator import allocator_env, keep_freed_memory

__all__ = ["ForkServer", "ForkedProcess", "PRELOAD", "KERNEL_START", "PRELOAD_LATER", "ONE_THREAD", "fork_server"]

#: Imported by the server before it forks its first kernel: what every report notebook imports in its first cell.
#: The matplotlib backend is not among them: it loads in the kernel, where IPython is running, so the inline
#: backend hooks into the kernel as it does in a kernel started on its own.
PRELOAD = ("ipykernel.kernelapp", "ipykernel.ipkernel", "segkit.stages.eda", "segkit.report.cards", "matplotlib.pyplot")
#: What an IPython kernel imports during its start-up (``IPKernelApp.initialize``), after its fork.
KERNEL_START = ("ipykernel.debugger", "IPython.core.debugger", "IPython.core.completerlib", "IPython.core.oinspect",
                "IPython.core.logger", "IPython.extensions.storemagic", "sqlite3", "tornado.queues",
                "matplotlib.backends.backend_agg")
#: Imported next, one module at a time while no kernel is asked for: the other stages (those of the notebooks that
#: start after ``01_eda`` first) and what the notebooks import inside their calls.
PRELOAD_LATER = (
    # what every kernel imports as it starts, after the fork (half of its 0.11 CPU s from fork to ready): ipykernel's
    # debugger (debugpy, about 140 modules) and IPython's shell parts; the matplotlib backend module, not the backend
    *KERNEL_START,
    # what the notebooks' calls import in most kernels, 0.03 s in all: reading Parquet through pandas, a frame's
    # text and HTML, seaborn's frames (narwhals), saving a PNG (Pillow's plugins)
    "pyarrow.dataset", "pyarrow.pandas_compat", "pandas.core.arrays.arrow.extension_types", "pandas.io.formats.html",
    "pandas.io.formats.string", "pandas.core.methods.to_dict", "narwhals._pandas_like.dataframe",
    "narwhals._pandas_like.namespace", "narwhals._interchange.dataframe", "narwhals.stable.v2._namespace",
    "PIL.BmpImagePlugin", "PIL.GifImagePlugin", "PIL.JpegImagePlugin", "PIL.PpmImagePlugin", "PIL.features",
    # most of segkit.stages.features (0.9 s), in pieces a kernel's request can come between
    "scipy.stats", "sklearn.base",
    "segkit.stages.features", "segkit.stages.churn", "segkit.stages.select_k", "segkit.stages.value",
    "segkit.stages.dendrogram", "segkit.stages.profile", "segkit.stages.explain", "segkit.stages.score",
    "segkit.stages.compare", "pyarrow.parquet", "seaborn", "scipy.cluster.hierarchy", "sklearn.cluster",
    "sklearn.ensemble", "sklearn.inspection", "sklearn.metrics", "sklearn.mixture", "sklearn.model_selection",
    "sklearn.pipeline", "sklearn.preprocessing", "sklearn.decomposition", "sklearn.calibration", "sklearn.impute",
    "segkit.kinds.transactions.churn", "segkit.kinds.transactions.value", "segkit.kinds.transactions.lifetime",
    "segkit.kinds.transactions.features", "segkit.kinds.transactions.clean", "segkit.kinds.transactions.naming",
    "skops.io",
)
#: A kernel's threads: one BLAS/OpenMP thread, so that two kernels on two cores do not fight. Read when the
#: numeric libraries load, so the server's own environment has it.
ONE_THREAD = {var: "1" for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")}
#: The inline backend, as ipykernel sets it when ``MPLBACKEND`` is unset; the server must agree before it imports
#: pyplot.
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
_LAUNCHER = ["-m", "ipykernel_launcher"]


class ForkServer:
    """The server process; :meth:`spawn` forks a kernel from it, :meth:`close` stops it.

    Parameters
    ----------
    env : dict, optional
        Environment of the server, added to this process's (thread counts, for instance: they are read when
        the numeric libraries load, so every kernel keeps the server's). Each kernel's own environment is
        given to :meth:`spawn`.
    cwd : path, optional
        The server's folder (also the first entry of its ``sys.path``, as for a kernel started there).
    """

    def __init__(self, env: dict[str, str] | None = None, cwd: str | Path | None = None):
        ours, theirs = socket.socketpair()
        code = "from segkit.report.forkserver import serve; serve()"
        # debugpy, which the server imports for its kernels (KERNEL_START), warns on import that Python's frozen
        # modules may hide breakpoints from a debugger, and reads its settings then: the kernels share them, as they
        # do when ipykernel's kernel spec sets this (a batch's kernels are not debugged)
        full_env = {"PYDEVD_DISABLE_FILE_VALIDATION": "1", **os.environ, "MPLBACKEND": INLINE_BACKEND, **(env or {}),
                    "SEGKIT_FORKSERVER_FD": str(theirs.fileno())}
        self.process = subprocess.Popen([sys.executable, "-c", code], env=full_env, cwd=cwd, pass_fds=[theirs.fileno()],
                                        stdin=subprocess.DEVNULL, start_new_session=True)
        theirs.close()
        self._sock, self._buffer, self._lock, self._spawned = ours, b"", threading.Lock(), 0

    def spawn(self, argv: list[str], env: dict[str, str], cwd: str | Path) -> int:
        """Fork a kernel running ``ipykernel`` with the arguments after ``-m ipykernel_launcher`` in ``argv``.

        Raises ``RuntimeError`` when the server is not running (it stopped, or failed to start), ``OSError`` when
        the socket to it is gone, and ``ValueError`` for a command that is not an IPython kernel's.
        """
        request = {"args": kernel_args(argv), "env": dict(env), "cwd": str(cwd)}
        if not self.alive():
            raise RuntimeError(f"the kernel fork server is not running (exit status {self.process.poll()})")
        with self._lock:
            self._sock.sendall(json.dumps(request).encode() + b"\n")
            while b"\n" not in self._buffer:
                chunk = self._sock.recv(4096)
                if not chunk:
                    raise RuntimeError(f"the kernel fork server stopped (exit status {self.process.poll()})")
                self._buffer += chunk
            line, self._buffer = self._buffer.split(b"\n", 1)
            self._spawned += 1
        return int(json.loads(line)["pid"])

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        """Stop the server (the kernels forked from it are stopped by their managers; any left notice and exit).

        A server that forked no kernel is stopped at once (a run refused before its notebooks, for instance, does
        not wait for its imports); one that did ends its loop, collects its exited kernels and leaves.
        """
        self._sock.close()
        if not self._spawned:
            self.process.kill()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@contextlib.contextmanager
def fork_server(server: ForkServer | None = None) -> Iterator[ForkServer | None]:
    """``server`` itself when one is given (its owner stops it), else a server for kernels with one thread each
    (:data:`ONE_THREAD`) and the allocators' settings of :mod:`.allocator`, stopped at the end; None where
    processes cannot fork (the kernels then start on their own, and apply them during their start-up)."""
    if server is not None or not hasattr(os, "fork"):
        yield server
        return
    server = ForkServer(env={**ONE_THREAD, **allocator_env()})
    try:
        yield server
    finally:
        server.close()


def kernel_args(argv: list[str]) -> list[str]:
    """The kernel's own arguments in a kernel command ``[python, -m, ipykernel_launcher, ...]``.

    Raises ``ValueError`` for another command (a kernel spec that is not this Python's IPython kernel).
    """
    if len(argv) < 3 or argv[1:3] != _LAUNCHER:
        raise ValueError(f"not an IPython kernel command: {argv}")
    return list(argv[3:])


def serve() -> None:
    """The server's main loop (run by :class:`ForkServer` in a process of its own)."""
    sock = socket.socket(fileno=int(os.environ.pop("SEGKIT_FORKSERVER_FD")))
    keep_freed_memory()  # before the imports, which grow the heap too; the kernels inherit it
    gc.disable()  # see the module's docstring; each kernel turns it on again
    for name in PRELOAD:
        importlib.import_module(name)
    signal.signal(signal.SIGCHLD, _reap)
    later, stream = list(PRELOAD_LATER), sock.makefile("rb")
    # The later imports start at once, while `segkit run` checks and cleans the input (on the default data the first
    # request came 1.2 s after the imports above were done), one module at a time between requests, each under 0.45 s:
    # a request waits for one at most
    forked: list[dict[str, Any]] = []
    while True:
        while later and not select.select([sock], [], [], 0)[0]:  # one at a time: none waits in `stream`
            _import(later.pop(0))
        try:
            line = stream.readline()
        except OSError:  # the batch is gone
            break
        if not line:
            break
        try:
            request = json.loads(line)
        except ValueError:  # cut short: the batch went while asking
            break
        gc.freeze()
        pid = os.fork()
        if pid == 0:
            stream.close()
            sock.close()
            _become_kernel(request)
        forked.append({**request, "pid": pid})
        try:
            sock.sendall(json.dumps({"pid": pid}).encode() + b"\n")
        except OSError:  # the batch went while asking for this kernel
            break
    _clear_up(forked)  # the batch is done (or gone)
    os._exit(0)


def _clear_up(forked: list[dict[str, Any]]) -> None:
    """Once the batch has closed the socket: stop the kernels still running and remove their connection files and
    sockets. After a normal run there are none (their managers shut them down and removed both); after a batch that
    was killed, no manager will, and the files would stay in the temporary folder."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # collected below only: no process id is freed for reuse meanwhile
    running = [k for k in forked if _alive_child(k["pid"])]
    _signal_all([k["pid"] for k in running], signal.SIGTERM)
    deadline = time.monotonic() + 3  # within the 5 s ForkServer.close gives the server
    while any(_alive_child(k["pid"]) for k in running) and time.monotonic() < deadline:
        time.sleep(0.05)
    _signal_all([k["pid"] for k in running if _alive_child(k["pid"])], signal.SIGKILL)
    # every kernel's files, not only the running ones': a kernel its manager had just shut down when the batch was
    # killed has exited, but the manager did not live to remove its files (those it removed are not found)
    for kernel in forked:
        for path in _kernel_files(kernel["args"]):
            with contextlib.suppress(OSError):
                os.unlink(path)


def _signal_all(pids: list[int], signum: int) -> None:
    """Send ``signum`` to each kernel's process group (a kernel leads its own), or to the kernel itself when it has
    not yet made one (forked an instant before)."""
    for pid in pids:
        try:
            os.killpg(pid, signum)
        except ProcessLookupError:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)
        except PermissionError:
            pass


def _alive_child(pid: int) -> bool:
    """Whether the kernel ``pid``, a child of this server, is still running (an exited one is collected here)."""
    try:
        return os.waitpid(pid, os.WNOHANG)[0] == 0
    except ChildProcessError:  # collected already
        return False


def _kernel_files(args: list[str]) -> list[str]:
    """The connection file a kernel was started with (``-f FILE``) and, for the ``ipc`` transport with the sockets
    :mod:`segkit.report.kernels` names, its five sockets (``<ip>-<port>``); none when the file is gone (the kernel's
    manager removed it) or is not a connection file."""
    if "-f" not in args[:-1]:
        return []
    connection = args[args.index("-f") + 1]
    try:
        with open(connection, encoding="utf-8") as f:
            info = json.load(f)
    except (OSError, ValueError):
        return []
    if not isinstance(info, dict) or not {"key", "transport", "shell_port"} <= info.keys():
        return []
    ports = [info.get(f"{name}_port") for name in ("shell", "iopub", "stdin", "control", "hb")]
    ours = info["transport"] == "ipc" and Path(str(info.get("ip"))).name.startswith("segkit-kernel-")  # kernels.py's
    return [connection, *([f"{info['ip']}-{port}" for port in ports if isinstance(port, int)] if ours else [])]


def _import(name: str) -> None:
    """Import ``name`` ahead of the kernels. A module this environment lacks is left to them (a Python without
    debugpy starts its kernels without a debugger): it does not stop the server."""
    try:
        importlib.import_module(name)
    except ImportError:
        pass


def _reap(*_: Any) -> None:
    """Collect the kernels that have exited (on SIGCHLD): no zombies, and their CPU time counts as the server's
    children's, so ``time segkit run`` reports every kernel's."""
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _become_kernel(request: dict[str, Any]) -> None:
    """In the forked child: become the kernel ``request`` describes, then exit with its status."""
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        gc.enable()
        os.setsid()  # a session of its own, as jupyter_client starts kernels; its group is its pid
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update({**request["env"], "JPY_PARENT_PID": str(os.getppid())})
        if sys.path and not sys.path[0]:
            sys.path.pop(0)
        sys.path.insert(0, request["cwd"])
        sys.argv = [sys.executable, *request["args"]]
        import numpy

        numpy.random.seed()  # fresh global state, as a new process would have (Python's random reseeds itself)
        from ipykernel.kernelapp import launch_new_instance

        # the kernel exits when the server does (ipykernel's parent poller), and the server when the batch does;
        # given as an option because ipykernel read JPY_PARENT_PID when the server imported it
        launch_new_instance(argv=[*request["args"], f"--IPKernelApp.parent_handle={os.getppid()}"])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001 - reported on the kernel's stderr, then the child exits
        import traceback

        traceback.print_exc()
    finally:
        os._exit(code)


class ForkedProcess:
    """What :class:`~jupyter_client.provisioning.LocalProvisioner` needs of a ``Popen``, for a forked kernel.

    The kernel is the server's child, not ours: it is alive while its process id exists (the server collects its
    exited children at once, so an exited kernel leaves no entry behind).
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = 0
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)
