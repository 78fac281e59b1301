"""data/ read once, cheaply (no pandas): the registry, the catalog's hash and every value and
target row by county, for deciding what to build (run/fingerprint.py hashes a report's part of it)
and for checking a county-year asked for (parameters)."""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import config
from ..exceptions import ReportkitError
from .registry import CityPeers
from .schema import (ALIASES, COUNTY_COLS, INDICATOR_COLS, INDICATOR_OPT, TARGET_COLS, TARGET_OPT, VALUE_COLS,
                     VALUE_OPT)
from .tables import FILE, PROBLEMS, ROW, SHEET, find_table, list_tables, read_records, read_tables

KNOWN = set(COUNTY_COLS + INDICATOR_COLS + INDICATOR_OPT + VALUE_COLS + VALUE_OPT + TARGET_COLS + TARGET_OPT)


def sha(*chunks: bytes) -> str:
    """A hash of byte strings, each length-prefixed (no two lists of chunks hash alike)."""
    h = hashlib.sha256()
    for c in chunks:
        h.update(len(c).to_bytes(8, "big"))
        h.update(c)
    return h.hexdigest()


def row_key(rec: dict) -> bytes:
    """A record with its file name, sheet and Excel row (all cited in the report's sources)."""
    cells = sorted((k, v) for k, v in rec.items() if k not in (ROW, FILE, SHEET, PROBLEMS))
    return json.dumps([os.path.basename(rec[FILE]), rec.get(SHEET, ""), rec[ROW], cells,
                       sorted(rec.get(PROBLEMS, {}).items())], ensure_ascii=False).encode()


def _statistics_records(path: Path, registry: list[dict], catalog: list[dict], idx) -> list[dict]:
    """The records of a value file, a city or county table (reportkit.inputs.layouts) read as the
    long rows it holds; one that cannot be read whole is charged to every report (broken)."""
    tables = read_tables(path, ALIASES, KNOWN, grid_unless=frozenset(VALUE_COLS))
    if not any(t.grid is not None for t in tables):
        return [r for t in tables for r in t.records]
    from types import SimpleNamespace

    from ..inputs import layouts        # only for a statistics table: not imported for long tables
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
    city_values: dict[str, list[bytes]] = field(default_factory=dict)    # a city's own rows (全市), by city
    targets: dict[str, list[bytes]] = field(default_factory=dict)
    years: dict[str, set[int]] = field(default_factory=dict)
    broken: dict[Path, tuple[str, Exception]] = field(default_factory=dict)
    files: dict[str, set[str]] = field(default_factory=dict)     # county cell -> files naming it
    empty: list[Path] = field(default_factory=list)                # tables with a header and no rows
    bad_years: dict[str, list[tuple]] = field(default_factory=dict)  # county -> (file, sheet, row, text) of year cells not a year
    _value_hashes: dict[str, str] = field(default_factory=dict, repr=False)
    _cities: CityPeers | None = field(default=None, repr=False)

    @classmethod
    def read(cls, data_dir: Path | None = None) -> "DataIndex":
        root = Path(data_dir or config.DATA_DIR)
        registry = read_records(find_table(root, config.COUNTIES_STEM), ALIASES, KNOWN)[1]
        catalog = read_records(find_table(root, config.INDICATORS_STEM), ALIASES, KNOWN)[1]
        idx = cls(root, registry, sha(*(row_key(r) for r in catalog)))
        cities = {r.get("city") for r in registry if r.get("slug")} - {r.get("slug") for r in registry}
        for folder, store in ((config.VALUES_DIRNAME, idx.values), (config.TARGETS_DIRNAME, idx.targets)):
            for path in list_tables(root / folder):
                try:
                    if store is idx.values:     # a statistics table counts by the counties read from it
                        records = _statistics_records(path, registry, catalog, idx)
                    else:
                        records = read_records(path, ALIASES, KNOWN)[1]
                except ReportkitError as exc:
                    idx.broken[path] = (sha(path.read_bytes()), exc)
                    continue
                if not records:
                    idx.empty.append(path)
                for rec in records:
                    county = rec.get("county", "")
                    if store is idx.values and county in cities:   # the city's own figure: no county's
                        idx.city_values.setdefault(county, []).append(row_key(rec))
                        continue
                    store.setdefault(county, []).append(row_key(rec))
                    idx.files.setdefault(county, set()).add(f"{folder}/{path.name}")
                    if store is idx.values and rec.get("year", "").isdigit():
                        idx.years.setdefault(county, set()).add(int(rec["year"]))
                    elif store is idx.values and rec.get("year", ""):
                        idx.bad_years.setdefault(county, []).append((path, rec.get(SHEET, ""), rec[ROW], rec["year"]))
        return idx

    @property
    def slugs(self) -> list[str]:
        return [r["slug"] for r in self.registry if r.get("slug")]

    @property
    def cities(self) -> CityPeers:
        if self._cities is None:
            self._cities = CityPeers((r.get("slug", ""), r.get("city", "")) for r in self.registry)
        return self._cities

    def peers(self, county: str) -> list[str]:
        """The county and the others of its city (reportkit.inputs.registry), sorted for a stable hash."""
        return sorted(self.cities.peers(county))

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

    def values_hash(self, county: str) -> str:
        """One county's value rows, hashed once per index (a batch fingerprints every peer of a
        city against the same rows)."""
        if county not in self._value_hashes:
            self._value_hashes[county] = sha(county.encode(), *sorted(self.values.get(county, [])))
        return self._value_hashes[county]
