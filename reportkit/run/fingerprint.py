"""Content hashes of everything a county-year's report depends on, for incremental rebuilds."""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import config
from . import environment
from ..inputs.schema import (ALIASES, COUNTY_COLS, INDICATOR_COLS, INDICATOR_OPT, TARGET_COLS, TARGET_OPT,
                             VALUE_COLS, VALUE_OPT)

_KNOWN = set(COUNTY_COLS + INDICATOR_COLS + INDICATOR_OPT + VALUE_COLS + VALUE_OPT + TARGET_COLS + TARGET_OPT)
from ..exceptions import ReportkitError
from ..inputs.tables import FILE, PROBLEMS, ROW, SHEET, find_table, list_tables, read_records, read_tables

def _sha(*chunks: bytes) -> str:
    h = hashlib.sha256()
    for c in chunks:
        h.update(len(c).to_bytes(8, "big"))
        h.update(c)
    return h.hexdigest()


def _files_hash(paths: list[Path], root: Path) -> str:
    chunks = []
    # '/'-separated and in a case-sensitive order on every system (Windows' paths would give '\\'
    # and sort case-insensitively): the same code hashes the same on Windows and Linux
    for rel, p in sorted((p.relative_to(root).parts, p) for p in paths):
        chunks += ["/".join(rel).encode(), p.read_bytes()]
    return _sha(*chunks)


def code_hash(template: Path | None = None) -> str:
    """reportkit's source, the charts' font, the report notebook, the template and the declared
    dependencies (the installed versions are the fingerprint's "environment" part)."""
    root = config.ROOT
    package = root / "reportkit"
    paths = list(package.rglob("*.py")) + list(package.rglob("*.otf")) + [config.NOTEBOOKS_DIR / "report.ipynb",
                                                                            root / "pyproject.toml"]
    digest = _files_hash([p for p in paths if p.exists()], root)
    tpl = Path(template or config.DEFAULT_TEMPLATE)
    return _sha(digest.encode(), tpl.read_bytes() if tpl.exists() else b"")


def _row_key(rec: dict) -> bytes:
    """A record with its file name, sheet and Excel row (all cited in the report's sources)."""
    cells = sorted((k, v) for k, v in rec.items() if k not in (ROW, FILE, SHEET, PROBLEMS))
    return json.dumps([os.path.basename(rec[FILE]), rec.get(SHEET, ""), rec[ROW], cells,
                       sorted(rec.get(PROBLEMS, {}).items())], ensure_ascii=False).encode()


def _statistics_records(path: Path, registry: list[dict], catalog: list[dict], idx) -> list[dict]:
    """The records of a value file, a city or county table (reportkit.inputs.layouts) read as the
    long rows it holds; one that cannot be read whole is charged to every report (broken)."""
    from types import SimpleNamespace

    from ..inputs import layouts
    tables = read_tables(path, ALIASES, _KNOWN, grid_unless=frozenset(VALUE_COLS))
    if not any(t.grid is not None for t in tables):
        return [r for t in tables for r in t.records]
    split = lambda text: tuple(a.strip() for a in re.split(r"[、|｜]", text or "") if a.strip())  # noqa: E731
    inds = {r.get("id", ""): SimpleNamespace(id=r.get("id", ""), name=r.get("name", ""), unit=r.get("unit", ""),
                                             kind=r.get("kind", ""), aliases=split(r.get("aliases", "")))
            for r in catalog if r.get("id")}
    places = {r.get("slug", ""): SimpleNamespace(slug=r.get("slug", ""), name=r.get("name", ""),
                                                 city=r.get("city", ""), province=r.get("province", ""))
              for r in registry if r.get("slug")}
    out = []
    for table in tables:
        reading = layouts.read_table(table, layouts.Catalog(inds, places)) if table.grid is not None else None
        if reading is None:
            out += table.records
            continue
        if reading.errors:
            raise reading.errors[0]
        out += reading.table.records
    return out


@dataclass
class DataIndex:
    """data/ read once, cheaply (no pandas): registry, catalog and rows by county.

    A value or target file that cannot be read does not stop it: the file is kept in ``broken``
    and charged to the reports that could depend on it (those of the county it is named after,
    or every report when its name does not tell)."""
    root: Path
    registry: list[dict]
    catalog_hash: str
    values: dict[str, list[bytes]] = field(default_factory=dict)
    targets: dict[str, list[bytes]] = field(default_factory=dict)
    years: dict[str, set[int]] = field(default_factory=dict)
    broken: dict[Path, tuple[str, Exception]] = field(default_factory=dict)
    files: dict[str, set[str]] = field(default_factory=dict)     # county cell -> files naming it
    empty: list[Path] = field(default_factory=list)                # tables with a header and no rows
    bad_years: dict[str, list[tuple]] = field(default_factory=dict)  # county -> (file, sheet, row, text) of year cells not a year
    _value_hashes: dict[str, str] = field(default_factory=dict, repr=False)
    _cities: dict | None = field(default=None, repr=False)

    @classmethod
    def read(cls, data_dir: Path | None = None) -> "DataIndex":
        root = Path(data_dir or config.DATA_DIR)
        registry = read_records(find_table(root, config.COUNTIES_STEM), ALIASES, _KNOWN)[1]
        catalog = read_records(find_table(root, config.INDICATORS_STEM), ALIASES, _KNOWN)[1]
        idx = cls(root, registry, _sha(*(_row_key(r) for r in catalog)))
        for folder, store in ((config.VALUES_DIRNAME, idx.values), (config.TARGETS_DIRNAME, idx.targets)):
            for path in list_tables(root / folder):
                try:
                    if store is idx.values:     # a statistics table counts by the counties read from it
                        records = _statistics_records(path, registry, catalog, idx)
                    else:
                        records = read_records(path, ALIASES, _KNOWN)[1]
                except ReportkitError as exc:
                    idx.broken[path] = (_sha(path.read_bytes()), exc)
                    continue
                if not records:
                    idx.empty.append(path)
                for rec in records:
                    county = rec.get("county", "")
                    store.setdefault(county, []).append(_row_key(rec))
                    idx.files.setdefault(county, set()).add(f"{folder}/{path.name}")
                    if store is idx.values and rec.get("year", "").isdigit():
                        idx.years.setdefault(county, set()).add(int(rec["year"]))
                    elif store is idx.values and rec.get("year", ""):
                        idx.bad_years.setdefault(county, []).append((path, rec.get(SHEET, ""), rec[ROW], rec["year"]))
        return idx

    @property
    def slugs(self) -> list[str]:
        return [r["slug"] for r in self.registry if r.get("slug")]

    def peers(self, county: str) -> list[str]:
        """The county and the others of its city (sorted)."""
        if self._cities is None:
            self._cities = {}
            for r in self.registry:
                if r.get("slug"):
                    self._cities.setdefault(r.get("city"), []).append(r["slug"])
        city = next((r.get("city") for r in self.registry if r.get("slug") == county), None)
        return sorted(self._cities.get(city, [])) or [county]

    def broken_for(self, county: str) -> list[tuple[Path, str, Exception]]:
        """Unreadable files this county's report could depend on."""
        slugs = set(self.slugs)
        peers = set(self.peers(county))
        return [(p, sha, exc) for p, (sha, exc) in sorted(self.broken.items())
                if p.stem in peers or p.stem not in slugs]

    def counties_with(self, year: int) -> list[str]:
        """Registered counties with a narrative file for ``year``: the reports `make all` builds."""
        return [s for s in self.slugs if config.narrative_path(s, year, self.root).exists()]

    def data_without_narrative(self, year: int) -> list[str]:
        with_narrative = set(self.counties_with(year))
        return [s for s in self.slugs if year in self.years.get(s, ()) and s not in with_narrative]

    def unregistered(self) -> dict[str, list[str]]:
        """County cells of value/target rows that the registry does not know: {county: [files]}."""
        slugs = set(self.slugs)
        return {c: sorted(f) for c, f in sorted(self.files.items()) if c not in slugs}

    def _values_hash(self, county: str) -> str:
        """One county's value rows, hashed once per index (a batch fingerprints every peer of a
        city against the same rows)."""
        if county not in self._value_hashes:
            self._value_hashes[county] = _sha(county.encode(), *sorted(self.values.get(county, [])))
        return self._value_hashes[county]

    def fingerprint(self, county: str, year: int, code: str, *, strict: bool = False) -> dict:
        """The parts a report depends on and their combined hash.

        Data: the registry rows and value rows of the county and its city peers (computed
        ranks compare them), the whole catalog, the county's targets and its narrative file.
        """
        peers = self.peers(county)
        registry = [_row_key(r) for r in self.registry if r.get("slug") in peers]
        values = [self._values_hash(p).encode() for p in peers] + \
            [f"broken:{p.name}:{sha}".encode() for p, sha, _ in self.broken_for(county)]
        narrative = config.narrative_path(county, year, self.root)
        parts = {
            "code": code,
            "environment": environment.digest(),
            "registry": _sha(*registry),
            "catalog": self.catalog_hash,
            "values": _sha(*values),
            "targets": _sha(*sorted(self.targets.get(county, []))),
            "narrative": _sha(narrative.read_bytes()) if narrative.exists() else "none",
            "params": _sha(f"{county}|{year}|{int(bool(strict))}".encode()),
        }
        return {"hash": _sha(*(f"{k}={v}".encode() for k, v in sorted(parts.items()))), "parts": parts}


def city_fingerprint(index: DataIndex, city: str, year: int, code: str, *, county: str = "",
                     settings: bytes = b"", notebook: bytes = b"", states: str = "") -> dict:
    """The parts a city view depends on and their combined hash: the registry rows, value rows
    (and unreadable files) of every unit of the city, the catalog, the settings file (city.yaml),
    the code and the city notebook, the state of each county's report (the view shows it) and
    the parameters (city, year, the highlighted county)."""
    slugs = [r["slug"] for r in index.registry if r.get("city") == city and r.get("slug")]
    base = index.fingerprint(slugs[0], year, code)["parts"] if slugs else {}
    parts = {
        "code": _sha(code.encode(), notebook),
        "environment": environment.digest(),
        "registry": base.get("registry", "none"),
        "catalog": index.catalog_hash,
        "values": base.get("values", "none"),
        "settings": _sha(settings),
        "states": _sha(states.encode()),
        "params": _sha(f"city|{city}|{year}|{county}".encode()),
    }
    return {"hash": _sha(*(f"{k}={v}".encode() for k, v in sorted(parts.items()))), "parts": parts}
