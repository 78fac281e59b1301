"""Kept kernels: a kernel started once, with what every report imports already imported, that runs
report after report, each in a fresh namespace.

A batch worker (``reportkit worker``, started by `make all`) keeps one kernel for all the reports
it builds; a single `make report` starts one as soon as it knows it will build, so that the kernel
boots and imports while the inputs are being checked. papermill runs the notebook in it through
the ``reportkit`` engine (registered here), so the executed notebook is the same as with a kernel
of its own: parameters injected, cells timed, a failure marked.

Before every report the kernel's namespace is emptied (IPython's reset, with a new session: cell
numbers start at 1 again) and warnings are shown again as in a new process.
A kernel is replaced after a failed report and after :data:`RESTART_EVERY` reports.
"""
from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

from .. import config

#: imported by the kernel as it starts (what the notebook's first cell imports, the charts' drawing and
#: the Word layer)
PRELOAD = ("pandas", "IPython.display", "reportkit.run.pipeline", "reportkit.charts.draw", "reportkit.document.builder")
#: a kernel is replaced after this many reports, so that nothing a report leaves behind piles up
RESTART_EVERY = 25
#: the kernel's own warnings (e.g. "running over TCP without encryption" on loopback) are noise to
#: staff; errors still show. No input history: nobody reads it, and it is a database per kernel.
KERNEL_ARGS = ("--IPKernelApp.log_level=ERROR", "--HistoryManager.enabled=False")
KERNEL_NAME = "python3"
START_TIMEOUT = 120
ENGINE = "reportkit"

_warning_filters: list | None = None


def _free_ports(n: int) -> list[int]:
    """``n`` free TCP ports on the loopback interface (as jupyter_client picks them)."""
    sockets = []
    for _ in range(n):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\0" * 8)
        s.bind(("127.0.0.1", 0))
        sockets.append(s)
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def release_memory() -> None:
    """Give memory the last report freed back to the system: a full collection, then (glibc)
    malloc_trim, which returns the free pages inside the heap that a long-lived process otherwise
    keeps. Run between reports in a batch worker and in its kernel."""
    import gc
    gc.collect()
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            ctypes.CDLL(None).malloc_trim(0)
        except (OSError, AttributeError):        # not glibc (musl): nothing to trim
            pass


def kernel_started(modules) -> None:
    """Run inside the kernel as it starts: import ``modules`` (without binding a name in the
    notebook's namespace, which stays as a new kernel's) and note the warning filters as they are."""
    global _warning_filters
    import importlib
    try:
        for name in modules:
            importlib.import_module(name)
    finally:                                     # an import that fails shows in the report's first cell
        _warning_filters = list(warnings.filters)


def fresh_namespace(shell) -> None:
    """Run inside the kernel before each report but its first: as if the kernel had just started."""
    warnings.filters[:] = _warning_filters
    mutated = getattr(warnings, "_filters_mutated", None) or getattr(warnings, "_filters_mutated_lock_held", None)
    if mutated is not None:                      # "once"/"default" warnings show again
        mutated()
    shell.reset(new_session=True)
    release_memory()


class KeptKernel:
    """A kernel kept across reports. ``start()`` only launches it (it boots and imports
    :data:`PRELOAD` in the background); ``prepare()`` waits for it and gives the next report an
    empty namespace; ``finished(ok)`` counts the report."""

    def __init__(self, *, restart_every: int = RESTART_EVERY, preload=PRELOAD):
        self.restart_every = restart_every
        self.preload = tuple(preload)
        self.process = None              # the kernel's process
        self.connection_file: Path | None = None
        self.km = None                   # jupyter_client's manager and client, once connected
        self.kc = None
        self.reports = 0
        self._ready = False
        self._replace = False
        self._used = False               # a report has run in this kernel process

    # -- life cycle --------------------------------------------------------------------
    def start(self) -> "KeptKernel":
        """Launch the kernel process, at once: :mod:`reportkit.run.kernel` (ipykernel's, as the python3
        kernel spec starts it, without the debugger) with a connection file written here.
        jupyter_client — a fifth of a second to import — is needed only to talk to it, so it loads
        while the kernel boots."""
        if self.process is None:
            info = dict(zip(("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"), _free_ports(5)),
                        ip="127.0.0.1", transport="tcp", key=secrets.token_hex(32),
                        signature_scheme="hmac-sha256", kernel_name=KERNEL_NAME)
            fd, name = tempfile.mkstemp(prefix="reportkit-kernel-", suffix=".json")   # readable by its owner only
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(info, f)
            self.connection_file = Path(name)
            cmd = [sys.executable, "-m", "reportkit.run.kernel", "-f", name, *KERNEL_ARGS,
                   f"--IPKernelApp.exec_lines=import reportkit.run.warm as _rk_warm; "
                   f"_rk_warm.kernel_started({self.preload!r}); del _rk_warm"]
            # JPY_PARENT_PID: the kernel exits by itself if this process dies
            env = dict(os.environ, JPY_PARENT_PID=str(os.getpid()))
            extra = {"start_new_session": True} if os.name == "posix" else \
                {"creationflags": getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)}
            self.process = subprocess.Popen(cmd, cwd=str(config.WORK), env=env, stdin=subprocess.DEVNULL, **extra)
            self._ready = False
            self._used = False
        return self

    def _connect(self) -> None:
        """jupyter_client's manager for the running process (through a local provisioner that owns
        it), and a client with its channels started (started only now: stopped right after starting,
        they can fail in their own thread)."""
        from jupyter_client.kernelspec import KernelSpec
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_client.provisioning.local_provisioner import LocalProvisioner
        km = AsyncKernelManager(kernel_name=KERNEL_NAME, connection_file=str(self.connection_file))
        km.load_connection_file()
        provisioner = LocalProvisioner(kernel_id=self.connection_file.stem, parent=km,
                                       kernel_spec=KernelSpec(argv=self.process.args, language="python",
                                                              display_name="Python 3"))
        provisioner.process, provisioner.pid = self.process, self.process.pid
        km.provisioner = provisioner
        self.km, self.kc = km, km.client()
        self.kc.start_channels()

    def _wait_ready(self) -> None:
        from jupyter_core.utils import run_sync
        if self.kc is None:
            self._connect()
        if not self._ready:
            run_sync(self._kernel_info)(timeout=START_TIMEOUT)
            self._ready = True

    async def _kernel_info(self, timeout: float) -> None:
        """Wait until the kernel answers: its kernel_info reply on the shell channel, then its
        "idle" for that request on IOPub (so IOPub is connected and no output of the first cell can
        be missed). As jupyter_client's wait_for_ready, but without its last step, which waits
        until IOPub has been silent for a fifth of a second: nbclient reads only the messages of
        the cell it runs, so the kernel_info messages left there do not matter."""
        import time
        from queue import Empty
        deadline = time.monotonic() + timeout

        async def message(channel, msg_id, wanted, wait) -> bool:
            end = time.monotonic() + wait
            while (left := end - time.monotonic()) > 0:
                try:
                    msg = await channel.get_msg(timeout=left)
                except Empty:
                    return False
                if msg["parent_header"].get("msg_id") == msg_id and wanted(msg):
                    return True
            return False

        while True:
            msg_id = self.kc.kernel_info()
            if await message(self.kc.shell_channel, msg_id, lambda m: m["msg_type"] == "kernel_info_reply", 1.0) and \
                    await message(self.kc.iopub_channel, msg_id,
                                  lambda m: m["msg_type"] == "status" and m["content"]["execution_state"] == "idle", 0.5):
                return
            if not self.alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")

    def prepare(self) -> None:
        """Before a report: a live kernel (a new one after a failure or every N reports) with an
        empty namespace (a new kernel's is empty already)."""
        if self.process is not None and (self._replace or not self.alive()):
            self.shutdown()
        self.start()
        self._wait_ready()
        if self._used:
            self._execute("import reportkit.run.warm as _rk_warm; _rk_warm.fresh_namespace(get_ipython())")
        self._used = True

    def finished(self, ok: bool) -> None:
        self.reports += 1
        if not ok or self.reports % self.restart_every == 0:
            self._replace = True

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def shutdown(self) -> None:
        """Stop the kernel at once (its outputs are all written) and remove its connection file."""
        if self.process is None:
            return
        if self.kc is not None:
            self.kc.stop_channels()
        try:
            self.process.kill()
            self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):  # pragma: no cover - gone already
            pass
        if self.km is not None:
            self.km.provisioner = None
            try:
                self.km.context.destroy(linger=0)
            except Exception:  # pragma: no cover
                pass
        if self.connection_file is not None:
            self.connection_file.unlink(missing_ok=True)
        self.process = self.km = self.kc = self.connection_file = None
        self._ready = self._replace = self._used = False

    def __enter__(self) -> "KeptKernel":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.shutdown()

    # -- helpers -----------------------------------------------------------------------
    def _execute(self, code: str) -> None:
        """Run housekeeping code silently (no cell number, no output) and wait for it."""
        from jupyter_core.utils import run_sync

        async def run():
            msg_id = self.kc.execute(code, silent=True, store_history=False)
            while True:
                reply = await self.kc.get_shell_msg(timeout=START_TIMEOUT)
                if reply["parent_header"].get("msg_id") == msg_id:
                    return reply
        reply = run_sync(run)()
        if reply["content"].get("status") != "ok":
            self._replace = True
            content = reply["content"]
            raise RuntimeError(f"kernel housekeeping failed: {content.get('ename')}: {content.get('evalue')}")


@contextlib.contextmanager
def kernel_for(kernel: "KeptKernel | None"):
    """The kernel a report runs in: ``kernel`` (a batch worker's, kept), or a new one started at
    once and stopped when the block ends."""
    if kernel is not None:
        yield kernel
        return
    with KeptKernel() as own:
        yield own


def register_engine() -> None:
    """papermill's ``reportkit`` engine: nbclient, as papermill's own engine, but on a kept kernel
    (``kernel=`` a :class:`KeptKernel`) whose manager and client it neither starts nor stops; it
    makes the kernel ready for the notebook (:meth:`KeptKernel.prepare`) first."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.utils import merge_kwargs, remove_args

    class KeptKernelEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None,
                                     kernel: KeptKernel | None = None, **kwargs):
            kwargs = remove_args(["input_path", "timeout", "startup_timeout", "shutdown_kernel"], **kwargs)
            # waited for only now: papermill has read, parameterized and written the notebook meanwhile
            kernel.prepare()
            from papermill.engines import logger
            client = PapermillNotebookClient(nb_man, km=kernel.km, **merge_kwargs(
                kwargs, timeout=execution_timeout, startup_timeout=start_timeout, kernel_name=kernel_name,
                log=logger, log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file))
            client.kc = kernel.kc
            return client.execute()

    papermill_engines.register(ENGINE, KeptKernelEngine)


def memory_mb(kernel: KeptKernel | None) -> float:
    """Peak resident memory of this process and its kernel together, in MB (Linux: VmHWM; else the
    current resident set)."""
    pids = [os.getpid()] + ([kernel.pid()] if kernel and kernel.pid() else [])
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status", encoding="ascii") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        total += int(line.split()[1]) / 1024
                        break
        except OSError:
            try:
                import psutil
                total += psutil.Process(pid).memory_info().rss / 2**20
            except Exception:
                pass
    return total
