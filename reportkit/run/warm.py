"""Kept kernels: a kernel started once, with what every report imports already imported, that runs
report after report, each in a fresh namespace.

A batch worker (``reportkit worker``, started by `make all`) keeps one kernel for all the reports
it builds; a single `make report` starts one as soon as it knows it will build, so that the kernel
boots and imports while the inputs are being checked. papermill runs the notebook in it through
the ``reportkit`` engine (:mod:`reportkit.run.engine`), so the executed notebook is the same as with a kernel
of its own: parameters injected, cells timed, a failure marked.

Before every report the kernel's namespace is emptied (IPython's reset, with a new session: cell
numbers start at 1 again) and warnings are shown again as in a new process.
A kernel is replaced after a failed report and after :data:`RESTART_EVERY` reports.
"""
from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

from .. import config
from ..exceptions import KernelError

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

_warning_filters: list | None = None
_frozen = False


def _launch_options(env: dict) -> tuple[dict, int | None]:
    """Popen arguments for a kernel that exits by itself when this process dies, and sets
    ``JPY_PARENT_PID`` in ``env`` for that (as jupyter_client's launcher does). Returns them and,
    on Windows, the handle to close once the kernel is launched.

    POSIX: the kernel in a session of its own, watching this process's pid. Windows (no sessions;
    ipykernel's parent poller waits on a process *handle*, and a pid there is some other handle of
    the kernel's): a process group of its own, and an inheritable handle of this process, passed
    to the kernel alone through STARTUPINFO's handle list."""
    from .. import portable
    if not portable.WINDOWS:
        env["JPY_PARENT_PID"] = str(os.getpid())
        return {"start_new_session": True}, None
    import _winapi
    me = _winapi.GetCurrentProcess()
    handle = _winapi.DuplicateHandle(me, me, me, 0, True, _winapi.DUPLICATE_SAME_ACCESS)
    env["JPY_PARENT_PID"] = str(int(handle))
    info = subprocess.STARTUPINFO()
    info.lpAttributeList = {"handle_list": [handle]}
    return {"creationflags": _winapi.CREATE_NEW_PROCESS_GROUP, "startupinfo": info}, handle


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
    """Run inside the kernel before each report but its first: as if the kernel had just started.

    The first time, what is still alive once the first report's namespace is gone and collected
    (the modules, and the caches the first report filled) is frozen (``gc.freeze``): it lives as
    long as the kernel, and every later full collection scans only what a report made (a
    twentieth of a second less before each report)."""
    global _frozen
    from ..thirdparty import warnings_changed
    warnings.filters[:] = _warning_filters
    warnings_changed()                           # "once"/"default" warnings show again
    shell.reset(new_session=True)
    release_memory()
    if not _frozen:
        import gc
        gc.freeze()
        _frozen = True


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
        kernel spec starts it, without the debugger). The kernel picks its ports and key and writes
        its connection file itself (ipykernel, through jupyter_client's ``write_connection_file``)
        into a folder only this user can read. jupyter_client — a fifth of a second to import — is
        needed only to talk to it, so it loads while the kernel boots."""
        if self.process is None:
            name = os.path.join(tempfile.mkdtemp(prefix="reportkit-kernel-"), "kernel.json")
            self.connection_file = Path(name)
            cmd = [sys.executable, "-m", "reportkit.run.kernel", "-f", name, "--ip=127.0.0.1", *KERNEL_ARGS,
                   f"--IPKernelApp.exec_lines=import reportkit.run.warm as _rk_warm; "
                   f"_rk_warm.kernel_started({self.preload!r}); del _rk_warm"]
            env = dict(os.environ)
            extra, parent = _launch_options(env)
            try:
                self.process = subprocess.Popen(cmd, cwd=str(config.WORK), env=env, stdin=subprocess.DEVNULL, **extra)
            finally:
                if parent is not None:           # the kernel has its own copy of the handle now
                    import _winapi
                    _winapi.CloseHandle(parent)
            self._ready = False
            self._used = False
        return self

    def _connect(self) -> None:
        """jupyter_client's manager for the running process (through a local provisioner that owns
        it), and a client with its channels started (started only now: stopped right after starting,
        they can fail in their own thread)."""
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        from ..thirdparty import adopt_kernel
        km = AsyncKernelManager(kernel_name=KERNEL_NAME, connection_file=str(self.connection_file))
        self._wait_connection_file()
        km.load_connection_file()
        if adopt_kernel(km, self.process, self.connection_file.parent.name, self.process.args) is None:
            # stock behaviour: jupyter_client starts (and owns) a kernel of its own
            self.process.kill()
            self.process.wait(timeout=10)
            km = AsyncKernelManager(kernel_name=KERNEL_NAME)
            run_sync(km.start_kernel)(extra_arguments=list(KERNEL_ARGS))
            self.process = km.provisioner.process
        self.km, self.kc = km, km.client()
        self.kc.start_channels()

    def _wait_connection_file(self) -> None:
        """Wait until the kernel has written its connection file (whole: it is read as JSON)."""
        import time
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                json.loads(self.connection_file.read_text(encoding="utf-8"))
                return
            except (OSError, ValueError):
                pass
            if not self.alive():
                raise KernelError("报告的内核没能启动", hint="查看上面的错误输出;可能是 Python 环境不完整,请运行 make setup")
            if time.monotonic() > deadline:
                raise KernelError(f"报告的内核在 {START_TIMEOUT} 秒内没有启动", hint="检查机器负载后重试")
            time.sleep(0.005)

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
                raise KernelError("报告的内核启动后没有应答就退出了", hint="查看上面的错误输出;可能是内存不足或 Python 环境不完整")
            if time.monotonic() > deadline:
                raise KernelError(f"报告的内核在 {timeout:.0f} 秒内没有应答", hint="检查机器负载后重试")

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
            with contextlib.suppress(Exception):
                self.km.cleanup_connection_file()
            self.km.provisioner = None
            try:
                self.km.context.destroy(linger=0)
            except Exception:  # pragma: no cover
                pass
        if self.connection_file is not None:
            import shutil
            shutil.rmtree(self.connection_file.parent, ignore_errors=True)
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
            raise KernelError(f"清理内核以生成下一份报告时出错({content.get('ename')}:{content.get('evalue')})",
                              hint="重新运行;内核会被替换")


@contextlib.contextmanager
def kernel_for(kernel: "KeptKernel | None"):
    """The kernel a report runs in: ``kernel`` (a batch worker's, kept), or a new one started at
    once and stopped when the block ends."""
    if kernel is not None:
        yield kernel
        return
    with KeptKernel() as own:
        yield own


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
