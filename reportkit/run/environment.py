"""The software a report is made with: Python and the installed versions of everything reportkit
needs at run time (its dependencies, and theirs). Recorded in figures.json and the executed
notebook, and part of every report's fingerprint: an upgrade rebuilds, and says why."""
from __future__ import annotations

import functools
import hashlib
import json
import platform
import re


from .. import config


def _name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> list[str]:
    """reportkit's own requirements: pyproject.toml in the source tree (an egg-info left there by a
    build may be stale), the installed metadata otherwise."""
    if config.SOURCE_TREE:
        try:
            import tomllib
        except ModuleNotFoundError:  # pragma: no cover - Python 3.10
            tomllib = None
        if tomllib is not None:
            with open(config.ROOT / "pyproject.toml", "rb") as f:
                return tomllib.load(f)["project"]["dependencies"]
    from importlib import metadata
    try:
        return metadata.requires("reportkit") or []
    except metadata.PackageNotFoundError:
        return []


_EXTRA_ONLY = re.compile(r";(?!.*\bor\b).*\bextra\s*==")


def _headers(dist) -> tuple[str, list[str]]:
    """Version and Requires-Dist of an installed distribution (its METADATA headers, read as lines:
    the email parser importlib.metadata uses is ten times slower)."""
    version, requires = "", []
    for line in (dist.read_text("METADATA") or dist.read_text("PKG-INFO") or "").splitlines():
        if not line:
            break                                        # the description follows the headers
        if line.startswith("Version:"):
            version = line.partition(":")[2].strip()
        elif line.startswith("Requires-Dist:"):
            requires.append(line.partition(":")[2].strip())
    return version, requires


def _installed_signature() -> str:
    """What is installed, cheaply: the names of the metadata folders on the import path (they carry
    each distribution's version), Python's version and reportkit's own requirements."""
    import os
    import sys
    names = []
    for entry in sys.path:             # the installation folders (not the current one: it differs
        if os.path.basename(entry) not in ("site-packages", "dist-packages"):   # between processes)
            continue
        try:
            names += [n for n in os.listdir(entry) if n.endswith((".dist-info", ".egg-info"))]
        except OSError:
            continue
    return hashlib.sha256(json.dumps([platform.python_version(), sorted(names), _declared()]).encode()).hexdigest()


@functools.cache
def versions() -> dict[str, str]:
    """{"python": "3.11.7", "matplotlib": "3.10.8", …}: the run-time closure, sorted by name.
    Extras (tests, Dask, Jupyter front ends) are not in it: they do not change a report.

    Working it out reads every distribution's metadata (a tenth of a second); the answer is kept
    in the user's cache folder, per environment and signature (what is installed, and the
    checkout's declared dependencies: two checkouts sharing one environment, such as a worktree and
    the revision a benchmark compares it with, each keep their own answer instead of replacing
    each other's)."""
    import sys

    from ..config import cache_dir
    signature = _installed_signature()
    prefix = hashlib.sha256(sys.prefix.encode()).hexdigest()[:12]
    cache = cache_dir() / f"environment-{prefix}-{signature[:12]}.json"
    try:
        kept = json.loads(cache.read_text(encoding="utf-8"))
        if kept.get("signature") == signature:
            return kept["versions"]
    except (OSError, ValueError, AttributeError):
        pass
    found = _closure()
    try:
        from ..iorw import write_text
        write_text(cache, json.dumps({"signature": signature, "versions": found}, ensure_ascii=False))
        _prune(cache)
    except OSError:
        pass                                             # a read-only cache folder: no cache
    return found


#: a cached answer nobody has asked for in this long is removed (an upgrade leaves the old one)
CACHE_DAYS = 30


def _prune(kept) -> None:
    """Remove this environment's cached answers not read or written for CACHE_DAYS (after a miss only)."""
    import time
    for path in kept.parent.glob(kept.name.rsplit("-", 1)[0] + "-*.json"):
        try:
            st = path.stat()
            if path != kept and time.time() - max(st.st_mtime, st.st_atime) > CACHE_DAYS * 86400:
                path.unlink()
        except OSError:
            pass


def _closure() -> dict[str, str]:
    from importlib import metadata

    from packaging.requirements import Requirement
    found: dict[str, str] = {}
    todo = list(_declared())
    while todo:
        line = todo.pop()
        if _EXTRA_ONLY.search(line):                     # needed only for some extra
            continue
        req = Requirement(line)
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        key = _name(req.name)
        if key in found:
            continue
        try:
            found[key], requires = _headers(metadata.distribution(key))
        except metadata.PackageNotFoundError:
            found[key] = "未安装"
            continue
        todo += requires
    return {"python": platform.python_version(), **dict(sorted(found.items()))}


def digest() -> str:
    """A hash of :func:`versions` (the fingerprint's "environment" part)."""
    return hashlib.sha256(json.dumps(versions(), sort_keys=True).encode()).hexdigest()
