"""Paths and fixed settings: the one place that knows where things live."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: In the source tree the template and notebook are top-level folders; an installed wheel carries
#: them as package data and works on data/ and build/ in the current folder.
SOURCE_TREE = (ROOT / "templates" / "gongwen.docx").exists() and (ROOT / "notebooks" / "report.ipynb").exists()
_RESOURCES = Path(__file__).resolve().parent / "resources"
WORK = ROOT if SOURCE_TREE else Path.cwd()

#: Staff-maintained inputs (override with REPORTKIT_DATA for tests and batch runs).
DATA_DIR = Path(os.environ.get("REPORTKIT_DATA", WORK / "data"))
TEMPLATES_DIR = ROOT / "templates" if SOURCE_TREE else _RESOURCES / "templates"
NOTEBOOKS_DIR = ROOT / "notebooks" if SOURCE_TREE else _RESOURCES / "notebooks"
BUILD_DIR = Path(os.environ.get("REPORTKIT_BUILD", WORK / "build"))
#: the parameterized notebooks: a county-year's report, a city's view
REPORT_NOTEBOOK = NOTEBOOKS_DIR / "report.ipynb"
CITY_NOTEBOOK = NOTEBOOKS_DIR / "city.ipynb"
#: Published reports under guard: a reference notebook per county-year (REPORTKIT_GUARD points
#: elsewhere). They sit with the tests because `make test` runs them through nbval.
GUARD_DIR = Path(os.environ.get("REPORTKIT_GUARD", WORK / "tests" / "notebooks"))

# File names inside DATA_DIR (stems: .csv or .xlsx are both accepted).
COUNTIES_STEM = "counties"
INDICATORS_STEM = "indicators"
VALUES_DIRNAME = "values"
TARGETS_DIRNAME = "targets"
NARRATIVE_DIRNAME = "narrative"
#: the city view's settings (which indicators its tables and charts show), beside the registry
CITY_SETTINGS = "city.yaml"

#: The Word template (override with REPORTKIT_TEMPLATE, e.g. a bureau's own house style).
DEFAULT_TEMPLATE = Path(os.environ.get("REPORTKIT_TEMPLATE", TEMPLATES_DIR / "gongwen.docx"))
#: the charts' CJK font, shipped inside the package (a GB 2312 subset of Noto Sans CJK SC, SIL OFL 1.1;
#: see reportkit/charts/fonts/README.md), so charts look the same on every machine and need no system font
CHART_FONT = Path(__file__).resolve().parent / "charts" / "fonts" / "ReportkitSansSC-Regular.otf"


def cache_dir() -> Path:
    """The user's cache folder for reportkit (what is only kept to be quicker: the installed
    versions per environment, compiled HTML templates); deleting it is always safe."""
    import platformdirs
    return Path(platformdirs.user_cache_dir("reportkit", appauthor=False))


def build_dir(county: str, year: int, root: Path | None = None) -> Path:
    """Output folder of one county-year: build/<county>/<year>/."""
    return Path(root or BUILD_DIR) / county / str(year)


@dataclass(frozen=True)
class ReportPaths:
    """Every file of one county-year's report: the one place that names them.

    ``build/<county>/<year>/`` holds what users open (the .docx, notebook, HTML, figure
    tables, charts), ``versions/`` the edited documents and narratives kept before a rebuild,
    and ``.reportkit/`` what reportkit last wrote (to tell an edited .docx from its own).
    """
    county: str
    year: int
    root: Path

    @property
    def out_dir(self) -> Path:
        return build_dir(self.county, self.year, self.root)

    @property
    def stem(self) -> str:
        return f"{self.county}_{self.year}"

    @property
    def docx(self) -> Path:
        return self.out_dir / f"{self.stem}.docx"

    @property
    def notebook(self) -> Path:
        return self.out_dir / "report.ipynb"

    @property
    def html(self) -> Path:
        return self.out_dir / "report.html"

    @property
    def figures_csv(self) -> Path:
        return self.out_dir / "figures.csv"

    @property
    def figures_json(self) -> Path:
        return self.out_dir / "figures.json"

    @property
    def changes_csv(self) -> Path:
        return self.out_dir / "changes.csv"

    @property
    def audit_csv(self) -> Path:
        return self.out_dir / "audit.csv"

    @property
    def charts_dir(self) -> Path:
        return self.out_dir / "charts"

    @property
    def versions_dir(self) -> Path:
        return self.out_dir / "versions"

    @property
    def state_dir(self) -> Path:
        return self.out_dir / ".reportkit"

    @property
    def state_file(self) -> Path:
        return self.state_dir / "state.json"

    @property
    def generated_docx(self) -> Path:
        """An exact copy of the .docx reportkit last wrote (the base an editor started from)."""
        return self.state_dir / "generated.docx"

    def kept_docx(self, label: str, stamp: str) -> Path:
        """A document kept before a rebuild: versions/<c>_<y>.edited-<stamp>.docx."""
        return self.versions_dir / f"{self.stem}.{label}-{stamp}.docx"

    def kept_harvested(self, source: Path, stamp: str) -> Path:
        """A copy harvested from elsewhere (FILE=…), kept under its own name:
        versions/<name>.harvested-<stamp>.docx."""
        return self.versions_dir / f"{Path(source).stem}.harvested-{stamp}{Path(source).suffix or '.docx'}"

    def kept_narrative(self, stamp: str) -> Path:
        """The narrative file as it was before a harvest rewrote it."""
        return self.versions_dir / f"narrative_{self.year}.{stamp}.md"

    def commented(self, source: Path) -> Path:
        """The copy of a document with the audit's comments (the original is never touched)."""
        return self.out_dir / f"{Path(source).stem}.audit.docx"

    def manifest(self, run_id: str) -> Path:
        """What a run wrote where (figures, pieces, narrative source), kept per run id so an
        older copy that comes back by mail can still be read against its own generation."""
        return self.state_dir / "runs" / f"{run_id}.json"


def report_paths(county: str, year: int, root: Path | None = None) -> ReportPaths:
    return ReportPaths(county, int(year), Path(root or BUILD_DIR))


#: The city views' folder under the build root: build/_city/<city>/<year>/.
CITY_DIRNAME = "_city"


@dataclass(frozen=True)
class CityPaths(ReportPaths):
    """Every file of one city view: ``build/_city/<city>/<year>/`` (``county`` holds the city's
    name); the same names inside as a county report's, so the same run, promotion and record apply."""

    @property
    def out_dir(self) -> Path:
        return Path(self.root) / CITY_DIRNAME / self.county / str(self.year)


def city_paths(city: str, year: int, root: Path | None = None) -> CityPaths:
    return CityPaths(city, int(year), Path(root or BUILD_DIR))


def narrative_path(county: str, year: int, data_dir: Path | None = None) -> Path:
    return Path(data_dir or DATA_DIR) / NARRATIVE_DIRNAME / county / f"{year}.md"
