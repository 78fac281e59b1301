"""Atomic file output: write to a temporary file beside the target, then rename over it."""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from .portable import replace


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: Files get the permissions any new file of the user gets (mkstemp alone would make them 0600,
#: which colleagues on a shared folder cannot open).
FILE_MODE = 0o666 & ~_current_umask()


@contextlib.contextmanager
def atomic_path(path: Path):
    """Yield a temporary path in the target's folder; on success rename it to ``path``.

    On any error the temporary file is removed and ``path`` (the last good output) is untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, FILE_MODE)
        replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding=encoding)
    return Path(path)


def write_bytes(path: Path, data: bytes) -> Path:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)
