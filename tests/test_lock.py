"""The lock files: they match pyproject.toml, pin everything with hashes, keep the test tools out of
the runtime set, and are what this environment was installed from."""
import re

from importlib import metadata

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from reportkit import config

tomllib = pytest.importorskip("tomllib")     # Python 3.11+

LOCKS = config.ROOT / "requirements"


def pins(name: str) -> dict[str, list[tuple[str, str, list[str]]]]:
    """{package: [(version, marker, hashes), …]} of one lock file (a universal lock may pin a
    package twice, for different Pythons)."""
    text = (LOCKS / f"{name}.txt").read_text(encoding="utf-8")
    out: dict[str, list] = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        m = re.match(r"([A-Za-z0-9._-]+)==([^\s;\\]+)\s*(?:;\s*([^\\\n]+))?", block)
        if m:
            hashes = re.findall(r"--hash=sha256:([0-9a-f]{64})", block)
            out.setdefault(canonicalize_name(m[1]), []).append((m[2], (m[3] or "").strip(), hashes))
    return out


def applicable(entries):
    """The one pin of a package that applies to this Python and platform (None if none does)."""
    from packaging.markers import Marker
    hits = [v for v, marker, _ in entries if not marker or Marker(marker).evaluate()]
    assert len(hits) <= 1, entries
    return hits[0] if hits else None


def project():
    with open(config.ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]


@pytest.mark.parametrize("name", ["runtime", "test", "cluster", "notebook"])
def test_every_pin_has_hashes(name):
    locked = pins(name)
    assert len(locked) > 40
    for package, entries in locked.items():
        for version, _, hashes in entries:
            assert hashes, f"{name}.txt: {package}=={version} has no hash"


def test_the_runtime_lock_satisfies_pyproject_and_has_no_test_tools():
    locked = pins("runtime")
    for line in project()["dependencies"]:
        req = Requirement(line)
        version = applicable(locked[canonicalize_name(req.name)])
        assert version and req.specifier.contains(version, prereleases=True), (line, version)
    for tool in ("pytest", "nbval", "dask", "distributed", "zhconv", "mplfonts", "jupyterlab"):
        assert tool not in locked, tool


@pytest.mark.parametrize("extra", ["test", "cluster", "notebook"])
def test_each_extra_lock_adds_to_the_runtime_one_without_moving_it(extra):
    runtime, added = pins("runtime"), pins(extra)
    for package, entries in runtime.items():
        # the same versions and files (markers may widen: another package may need it everywhere)
        assert {(v, tuple(h)) for v, _, h in added.get(package, [])} == {(v, tuple(h)) for v, _, h in entries}, package
    for line in project()["optional-dependencies"][extra]:
        req = Requirement(line)
        version = applicable(added[canonicalize_name(req.name)])
        assert version and req.specifier.contains(version, prereleases=True), (extra, line, version)


def test_this_environment_was_installed_from_the_locks():
    """What `make test` runs on is exactly requirements/test.txt (which holds the runtime lock)."""
    wrong = []
    for package, entries in pins("test").items():
        version = applicable(entries)
        if version is None:
            continue
        try:
            installed = metadata.version(package)
        except metadata.PackageNotFoundError:
            installed = "未安装"
        if installed != version:
            wrong.append(f"{package}: {installed} (锁定 {version})")
    assert wrong == [], "请运行 make setup WITH=test:" + "; ".join(wrong)
