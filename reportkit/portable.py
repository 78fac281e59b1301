"""What differs on Windows, where bureau offices run reportkit (without make).

On POSIX a file another program has open can be renamed over; on Windows it cannot: Word and WPS
hold the .docx they show, Excel the .csv, so replacing one fails (a sharing violation). A run
checks that every output it is about to replace can be replaced before it moves any of them, so
that it either replaces them all or leaves them all as they were.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

from .exceptions import FileInUseError

WINDOWS = os.name == "nt"
#: seconds to wait between checks of a held file: a virus scanner or the search indexer holds a
#: new file for a moment; Word holds it until the editor closes it
RETRY_DELAYS = (0.1, 0.25, 0.5, 1.0)


def _held_open(path: Path) -> bool:
    """Whether ``path`` cannot be opened for writing because another program holds it (or it is
    read-only, which makes a rename over it fail on Windows too). A missing file is not held."""
    try:
        fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    except (FileNotFoundError, IsADirectoryError):
        return False
    except PermissionError:
        return True
    os.close(fd)
    return False


def _files(paths) -> list[Path]:
    """The files among ``paths``, a folder (charts/) standing for the files in it."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(q for q in p.rglob("*") if q.is_file()))
        elif p.exists():
            out.append(p)
    return out


def check_replaceable(paths, *, county=None, year=None) -> None:
    """Raise :class:`FileInUseError` if any of ``paths`` (files or folders) is held open by another
    program, after retrying for about two seconds. Only on Windows: elsewhere an open file can be
    replaced, and a read-only one too (what counts there is the folder's permission)."""
    if not WINDOWS:
        return
    files = _files(paths)
    for delay in (*RETRY_DELAYS, None):
        held = [p for p in files if _held_open(p)]
        if not held:
            return
        if delay is not None:
            time.sleep(delay)
    names = "、".join(p.name for p in held)
    raise FileInUseError(f"{names} 正在被其他程序(Word、WPS 或 Excel)打开,或是只读文件,无法替换",
                         county=county, year=year, file=held[0],
                         hint="在 Word/WPS/Excel 中关闭它后重新运行;上一次生成的文档和其他输出都未被改动")


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` (on this machine) is still running — e.g. the owner of a stale lock.

    POSIX: signal 0 tests without signalling. Not on Windows: there ``os.kill(pid, 0)`` does not
    test, it *terminates* the process; a handle with the least access right is opened instead and
    its exit code read (259, STILL_ACTIVE, while it runs)."""
    if pid <= 0:
        return False
    if not WINDOWS:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:          # running, as another user
            return True
        return True
    import ctypes
    from ctypes import wintypes
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.OpenProcess.restype = wintypes.HANDLE
    kernel32.OpenProcess.argtypes = (wintypes.DWORD, wintypes.BOOL, wintypes.DWORD)
    handle = kernel32.OpenProcess(0x1000, False, pid)        # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return ctypes.get_last_error() == 5                  # ERROR_ACCESS_DENIED: it exists
    try:
        code = wintypes.DWORD()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == 259                             # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


def replace(src, dst) -> None:
    """``os.replace``; on Windows retried for about two seconds while ``dst`` or ``src`` is held
    (a virus scanner or the search indexer opens a file just written), then the PermissionError."""
    for delay in (*RETRY_DELAYS, None) if WINDOWS else (None,):
        try:
            os.replace(src, dst)
            return
        except PermissionError:
            if delay is None:
                raise
            time.sleep(delay)
