"""Synthetic data for the city view: the real registry (data/counties.csv: Zhejiang's 90 units in
11 cities) and catalog, with made-up values per unit (sources marked 示例 where a test wants it)."""
from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

from reportkit import config

from helpers import VALUE_HEADER, write_csv

#: The indicators the synthetic data fills (amounts, a count, a ratio, a rank).
KEY = ("rd_expenditure", "hte_total", "tech_sme_total", "rd_intensity_gdp", "innovation_index_rank_province")

WENZHOU = ("lucheng", "longwan", "ouhai", "dongtou", "yongjia", "pingyang", "cangnan", "wencheng",
           "taishun", "ruian", "yueqing", "longgang")


def registry_rows() -> list[dict]:
    import csv
    with open(config.ROOT / "data" / "counties.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def unit_values(slug: str, i: int, year: int, *, source: str = "测试来源") -> list[dict]:
    """Rows for one unit (its index ``i`` in the city): this year and last year of every KEY
    indicator. hte_total of units 1 and 2 tie (并列第2), as do their tech_sme_total."""
    hte = {0: 500, 1: 420, 2: 420}.get(i, 400 - 10 * i)
    rows = []
    for y, k in ((year, Decimal(1)), (year - 1, Decimal("0.9"))):
        rd = (Decimal(40) - Decimal(i) * Decimal("2.5")) * k
        rows += [
            {"county": slug, "year": str(y), "indicator": "rd_expenditure", "value": f"{rd:.2f}", "source": source},
            {"county": slug, "year": str(y), "indicator": "hte_total", "value": str(int(hte * k)), "source": source},
            {"county": slug, "year": str(y), "indicator": "tech_sme_total", "value": str(int((800 - 20 * min(i, 2) - 20 * i) * k)),
             "source": source},
            {"county": slug, "year": str(y), "indicator": "rd_intensity_gdp",
             "value": f"{Decimal('3.5') - Decimal(i) * Decimal('0.1') * k:.2f}", "source": source},
            {"county": slug, "year": str(y), "indicator": "innovation_index_rank_province", "value": str(10 + i),
             "source": source},
        ]
    return rows


def make_city_data(root: Path, *, cities=None, year: int = 2024, drop=(), per_unit_file: bool = True) -> Path:
    """A data folder with the real registry and catalog and synthetic values for every unit of
    ``cities`` (names; None: all), less the (slug, indicator) pairs in ``drop`` (slug alone: the
    whole unit). One values file per unit, named after it."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(config.ROOT / "data" / "counties.csv", root / "counties.csv")
    shutil.copy(config.ROOT / "data" / "indicators.csv", root / "indicators.csv")
    by_city: dict[str, list[str]] = {}
    for r in registry_rows():
        by_city.setdefault(r["city"], []).append(r["slug"])
    for city, slugs in by_city.items():
        if cities is not None and city not in cities:
            continue
        for i, slug in enumerate(slugs):
            if slug in drop:
                continue
            rows = [r for r in unit_values(slug, i, year) if (slug, r["indicator"]) not in drop]
            write_csv(root / "values" / f"{slug}.csv", VALUE_HEADER, rows)
    return root
