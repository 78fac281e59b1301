"""Paths and fixed settings: the one place that knows where things live."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Staff-maintained inputs (override with REPORTKIT_DATA for tests and batch runs).
DATA_DIR = Path(os.environ.get("REPORTKIT_DATA", ROOT / "data"))
TEMPLATES_DIR = ROOT / "templates"
NOTEBOOKS_DIR = ROOT / "notebooks"
BUILD_DIR = Path(os.environ.get("REPORTKIT_BUILD", ROOT / "build"))

# File names inside DATA_DIR (stems: .csv or .xlsx are both accepted).
COUNTIES_STEM = "counties"
INDICATORS_STEM = "indicators"
VALUES_DIRNAME = "values"
TARGETS_DIRNAME = "targets"
NARRATIVE_DIRNAME = "narrative"

DEFAULT_TEMPLATE = TEMPLATES_DIR / "gongwen.docx"


def build_dir(county: str, year: int, root: Path | None = None) -> Path:
    """Output folder of one county-year: build/<county>/<year>/."""
    return Path(root or BUILD_DIR) / county / str(year)


def narrative_path(county: str, year: int, data_dir: Path | None = None) -> Path:
    return Path(data_dir or DATA_DIR) / NARRATIVE_DIRNAME / county / f"{year}.md"

#: County-years with executed reference notebooks under tests/notebooks (nbval guards them).
SEEDED = (("pingyang", 2024), ("xinchang", 2024), ("jiangbei", 2020))
