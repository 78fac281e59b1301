"""Content hashes of everything a county-year's report depends on, for incremental rebuilds:
the code (:func:`code_hash`), the installed versions, and the report's part of data/ (the index,
:class:`reportkit.inputs.index.DataIndex`)."""
from __future__ import annotations

from pathlib import Path

from .. import config
from ..inputs import index
from ..inputs.index import row_key, sha
from . import environment


def files_hash(paths: list[Path], root: Path) -> str:
    chunks = []
    # '/'-separated and in a case-sensitive order on every system (Windows' paths would give '\\'
    # and sort case-insensitively): the same code hashes the same on Windows and Linux
    for rel, p in sorted((p.relative_to(root).parts, p) for p in paths):
        chunks += ["/".join(rel).encode(), p.read_bytes()]
    return sha(*chunks)


def code_hash(template: Path | None = None) -> str:
    """reportkit's source, the charts' font, the report notebook, the template and the declared
    dependencies (the installed versions are the fingerprint's "environment" part)."""
    root = config.ROOT
    package = root / "reportkit"
    paths = list(package.rglob("*.py")) + list(package.rglob("*.otf")) + [config.NOTEBOOKS_DIR / "report.ipynb",
                                                                            root / "pyproject.toml"]
    digest = files_hash([p for p in paths if p.exists()], root)
    tpl = Path(template or config.DEFAULT_TEMPLATE)
    return sha(digest.encode(), tpl.read_bytes() if tpl.exists() else b"")


class DataIndex(index.DataIndex):
    """data/ as the index reads it, and what a report depends on of it (:meth:`fingerprint`)."""

    def fingerprint(self, county: str, year: int, code: str, *, strict: bool = False) -> dict:
        """The parts a report depends on and their combined hash.

        Data: the registry rows and value rows of the county and its city peers (computed
        ranks compare them), the whole catalog, the county's targets and its narrative file.
        """
        peers = self.peers(county)
        registry = [row_key(r) for r in self.registry if r.get("slug") in peers]
        values = [self.values_hash(p).encode() for p in peers] + \
            [f"broken:{p.name}:{sha}".encode() for p, sha, _ in self.broken_for(county)]
        narrative = config.narrative_path(county, year, self.root)
        parts = {
            "code": code,
            "environment": environment.digest(),
            "registry": sha(*registry),
            "catalog": self.catalog_hash,
            "values": sha(*values),
            "targets": sha(*sorted(self.targets.get(county, []))),
            "narrative": sha(narrative.read_bytes()) if narrative.exists() else "none",
            "params": sha(f"{county}|{year}|{int(bool(strict))}".encode()),
        }
        return {"hash": sha(*(f"{k}={v}".encode() for k, v in sorted(parts.items()))), "parts": parts}


def city_fingerprint(index: DataIndex, city: str, year: int, code: str, *, county: str = "",
                     settings: bytes = b"", notebook: bytes = b"", states: str = "") -> dict:
    """The parts a city view depends on and their combined hash: the registry rows, value rows
    (and unreadable files) of every unit of the city and the city's own rows (全市), the catalog, the settings file (city.yaml),
    the code and the city notebook, the state of each county's report (the view shows it) and
    the parameters (city, year, the highlighted county)."""
    slugs = index.cities.units(city)
    base = index.fingerprint(slugs[0], year, code)["parts"] if slugs else {}
    parts = {
        "code": sha(code.encode(), notebook),
        "environment": environment.digest(),
        "registry": base.get("registry", "none"),
        "catalog": index.catalog_hash,
        "values": sha(base.get("values", "none").encode(), *sorted(index.city_values.get(city, []))),
        "settings": sha(settings),
        "states": sha(states.encode()),
        "params": sha(f"city|{city}|{year}|{county}".encode()),
    }
    return {"hash": sha(*(f"{k}={v}".encode() for k, v in sorted(parts.items()))), "parts": parts}
