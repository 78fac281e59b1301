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

import os
import warnings

from . import config

#: imported by the kernel as it starts (what the notebook's first cell imports, and the Word layer)
PRELOAD = ("pandas", "IPython.display", "reportkit.pipeline", "reportkit.document.builder")
#: a kernel is replaced after this many reports, so that nothing a report leaves behind piles up
RESTART_EVERY = 25
#: the kernel's own warnings (e.g. "running over TCP without encryption" on loopback) are noise to
#: staff; errors still show. No input history: nobody reads it, and it is a database per kernel.
KERNEL_ARGS = ("--IPKernelApp.log_level=ERROR", "--HistoryManager.enabled=False")
KERNEL_NAME = "python3"
START_TIMEOUT = 120
ENGINE = "reportkit"

_warning_filters: list | None = None


def fresh_namespace(shell) -> None:
    """Run inside the kernel before each report: as if the kernel had just started."""
    global _warning_filters
    if _warning_filters is None:                 # the filters as the kernel started
        _warning_filters = list(warnings.filters)
    warnings.filters[:] = _warning_filters
    mutated = getattr(warnings, "_filters_mutated", None) or getattr(warnings, "_filters_mutated_lock_held", None)
    if mutated is not None:                      # "once"/"default" warnings show again
        mutated()
    shell.reset(new_session=True)


class KeptKernel:
    """A kernel kept across reports. ``start()`` only launches it (it boots and imports
    :data:`PRELOAD` in the background); ``prepare()`` waits for it and gives the next report an
    empty namespace; ``finished(ok)`` counts the report."""

    def __init__(self, *, restart_every: int = RESTART_EVERY, preload=PRELOAD):
        self.restart_every = restart_every
        self.preload = tuple(preload)
        self.km = None
        self.kc = None
        self.reports = 0
        self._ready = False
        self._replace = False

    # -- life cycle --------------------------------------------------------------------
    def start(self) -> "KeptKernel":
        if self.km is None:
            from jupyter_client.manager import AsyncKernelManager
            from jupyter_core.utils import run_sync
            args = list(KERNEL_ARGS)
            if self.preload:
                args.append(f"--IPKernelApp.exec_lines=import {', '.join(self.preload)}")
            self.km = AsyncKernelManager(kernel_name=KERNEL_NAME)
            run_sync(self.km.start_kernel)(cwd=str(config.WORK), extra_arguments=args)
            self._ready = False
        return self

    def _wait_ready(self) -> None:
        """Connect to the kernel and wait until it answers (the client's channels are started only
        now: stopped right after starting, they can fail in their own thread)."""
        from jupyter_core.utils import run_sync
        if self.kc is None:
            self.kc = self.km.client()
            self.kc.start_channels()
        if not self._ready:
            run_sync(self.kc.wait_for_ready)(timeout=START_TIMEOUT)
            self._ready = True

    def prepare(self) -> None:
        """Before a report: a live kernel (a new one after a failure or every N reports) with an
        empty namespace."""
        if self.km is not None and (self._replace or not self.alive()):
            self.shutdown()
        self.start()
        self._wait_ready()
        self._execute("import reportkit.warm as _rk_warm; _rk_warm.fresh_namespace(get_ipython())")

    def finished(self, ok: bool) -> None:
        self.reports += 1
        if not ok or self.reports % self.restart_every == 0:
            self._replace = True

    def alive(self) -> bool:
        from jupyter_core.utils import run_sync
        try:
            return bool(run_sync(self.km.is_alive)())
        except Exception:
            return False

    def pid(self) -> int | None:
        provisioner = getattr(self.km, "provisioner", None) if self.km else None
        process = getattr(provisioner, "process", None)
        return getattr(process, "pid", None)

    def shutdown(self) -> None:
        from jupyter_core.utils import run_sync
        if self.km is None:
            return
        try:
            if self.kc is not None:
                self.kc.stop_channels()
            process = getattr(getattr(self.km, "provisioner", None), "process", None)
            if process is not None:        # killed and reaped here, jupyter_client's shutdown does not poll
                process.kill()
                process.wait(timeout=10)
            run_sync(self.km.shutdown_kernel)(now=True)
        except Exception:  # pragma: no cover - the kernel is gone already
            pass
        self.km = self.kc = None
        self._ready = self._replace = False

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


def register_engine() -> None:
    """papermill's ``reportkit`` engine: nbclient, as papermill's own engine, but on a kept kernel
    (``kernel=`` a :class:`KeptKernel`) whose manager and client it neither starts nor stops."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.utils import merge_kwargs, remove_args

    class KeptKernelEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None,
                                     kernel: KeptKernel | None = None, **kwargs):
            kwargs = remove_args(["input_path", "timeout", "startup_timeout", "shutdown_kernel"], **kwargs)
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
