"""Content hashes of everything a county-year's report depends on, for incremental rebuilds."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from . import config
from .schema import ALIASES
from .tables import FILE, ROW, find_table, list_tables, read_records

def _sha(*chunks: bytes) -> str:
    h = hashlib.sha256()
    for c in chunks:
        h.update(len(c).to_bytes(8, "big"))
        h.update(c)
    return h.hexdigest()


def _files_hash(paths: list[Path], root: Path) -> str:
    chunks = []
    for p in sorted(paths):
        chunks += [str(p.relative_to(root)).encode(), p.read_bytes()]
    return _sha(*chunks)


def code_hash(template: Path | None = None) -> str:
    """reportkit's source, the report notebook, the template and the declared dependencies."""
    root = config.ROOT
    paths = list((root / "reportkit").rglob("*.py")) + [config.NOTEBOOKS_DIR / "report.ipynb",
                                                         root / "pyproject.toml"]
    digest = _files_hash([p for p in paths if p.exists()], root)
    tpl = Path(template or config.DEFAULT_TEMPLATE)
    return _sha(digest.encode(), tpl.read_bytes() if tpl.exists() else b"")


def _row_key(rec: dict) -> bytes:
    """A record with its file name and Excel row (both are cited in the report's sources)."""
    cells = sorted((k, v) for k, v in rec.items() if k not in (ROW, FILE))
    return json.dumps([Path(rec[FILE]).name, rec[ROW], cells], ensure_ascii=False).encode()


@dataclass
class DataIndex:
    """data/ read once (standard library only): registry, catalog and rows by county."""
    root: Path
    registry: list[dict]
    catalog_hash: str
    values: dict[str, list[bytes]] = field(default_factory=dict)
    targets: dict[str, list[bytes]] = field(default_factory=dict)
    years: dict[str, set[int]] = field(default_factory=dict)

    @classmethod
    def read(cls, data_dir: Path | None = None) -> "DataIndex":
        root = Path(data_dir or config.DATA_DIR)
        _, registry = read_records(find_table(root, config.COUNTIES_STEM), ALIASES)
        _, catalog = read_records(find_table(root, config.INDICATORS_STEM), ALIASES)
        idx = cls(root, registry, _sha(*(_row_key(r) for r in catalog)))
        for path in list_tables(root / config.VALUES_DIRNAME):
            for rec in read_records(path, ALIASES)[1]:
                county = rec.get("county", "")
                idx.values.setdefault(county, []).append(_row_key(rec))
                if rec.get("year", "").isdigit():
                    idx.years.setdefault(county, set()).add(int(rec["year"]))
        for path in list_tables(root / config.TARGETS_DIRNAME):
            for rec in read_records(path, ALIASES)[1]:
                idx.targets.setdefault(rec.get("county", ""), []).append(_row_key(rec))
        return idx

    @property
    def slugs(self) -> list[str]:
        return [r["slug"] for r in self.registry if r.get("slug")]

    def peers(self, county: str) -> list[str]:
        city = next((r.get("city") for r in self.registry if r.get("slug") == county), None)
        return sorted(r["slug"] for r in self.registry if r.get("city") == city) or [county]

    def counties_with(self, year: int) -> list[str]:
        return [s for s in self.slugs if year in self.years.get(s, ())]

    def fingerprint(self, county: str, year: int, code: str, *, strict: bool = False) -> dict:
        """The parts a report depends on and their combined hash.

        Data: the registry rows and value rows of the county and its city peers (computed
        ranks compare them), the whole catalog, the county's targets and its narrative file.
        """
        peers = self.peers(county)
        registry = [_row_key(r) for r in self.registry if r.get("slug") in peers]
        values = [row for p in peers for row in sorted(self.values.get(p, []))]
        narrative = config.narrative_path(county, year, self.root)
        parts = {
            "code": code,
            "registry": _sha(*registry),
            "catalog": self.catalog_hash,
            "values": _sha(*values),
            "targets": _sha(*sorted(self.targets.get(county, []))),
            "narrative": _sha(narrative.read_bytes()) if narrative.exists() else "none",
            "params": _sha(f"{county}|{year}|{int(bool(strict))}".encode()),
        }
        return {"hash": _sha(*(f"{k}={v}".encode() for k, v in sorted(parts.items()))), "parts": parts}
