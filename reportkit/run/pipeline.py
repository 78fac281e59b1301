"""The steps of one report run (data -> figures -> words and charts -> document), as notebooks call them."""
from __future__ import annotations

import abc
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import config
from . import environment
from ..inputs import data as data_mod
from ..charts.plan import Chart, draw_charts
from ..iorw import write_text
from ..model.report import ReportFigures, compute_report_figures

#: Columns of the figures table as a reviewer reads it in the notebook.
DISPLAY_COLUMNS = {"indicator": "指标代码", "name": "指标", "period": "时期", "value_text": "本年",
                   "prev_text": "上年", "growth_text": "增速%", "growth_source": "增速来源",
                   "change_text": "变化", "completion_text": "完成率%", "city_rank": "全市排名",
                   "province_rank": "全省排名", "illustrative": "示例"}


def _jsonable(v):
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    if hasattr(v, "as_tuple"):  # Decimal: keep it exact, as text
        return str(v)
    if hasattr(v, "item"):
        return v.item()
    return v


@dataclass(kw_only=True)
class NotebookRun(abc.ABC):
    """What a parameterized notebook's run shares (a county report's, a city view's): where it
    reads, where it writes (the staging folder when there is one), how it names paths."""
    data_dir: Path | None = None
    build_root: Path | None = None
    staging_root: Path | None = None   # write here; the run moves the outputs into build/ at the end
    run_id: str = ""
    template: Path | None = None
    dataset: data_mod.Dataset | None = None
    charts: list[Chart] = field(default_factory=list)

    def __post_init__(self):
        self.year = int(self.year)
        self.data_dir = Path(self.data_dir) if self.data_dir else config.DATA_DIR
        self.build_root = Path(self.build_root) if self.build_root else config.BUILD_DIR
        self.staging_root = Path(self.staging_root) if self.staging_root else None

    @abc.abstractmethod
    def _paths(self, root: Path) -> config.ReportPaths:
        """The outputs' paths under ``root`` (a report's, a city view's)."""

    @property
    def paths(self) -> config.ReportPaths:
        """Where the outputs live (and what the previous build recorded)."""
        return self._paths(self.build_root)

    @property
    def out(self) -> config.ReportPaths:
        """Where this run writes: the staging folder when there is one."""
        return self._paths(self.staging_root or self.build_root)

    def rel(self, path: Path) -> str:
        """A path as shown to reviewers: relative to the build root (same on every machine)."""
        return Path(path).relative_to(self.staging_root or self.build_root).as_posix()


@dataclass
class ReportRun(NotebookRun):
    """One county-year, step by step. Paths all derive from the parameters."""
    county: str
    year: int
    strict: bool = False
    clean: bool = False          # True: no tracked changes for revised figures (CLEAN=1)
    rf: ReportFigures | None = None
    changes: list[dict] = field(default_factory=list)

    def _paths(self, root: Path) -> config.ReportPaths:
        return config.report_paths(self.county, self.year, root)

    @property
    def out_dir(self) -> Path:
        return self.out.out_dir

    @property
    def docx_path(self) -> Path:
        return self.out.docx

    # 1. data
    def load(self) -> pd.DataFrame:
        """Load and validate data/; returns the county-year's input rows with their sources."""
        self.dataset = data_mod.load(self.data_dir, for_county=self.county)
        self.dataset.county(self.county)
        self.dataset.require_year(self.county, self.year)
        return self.inputs()

    def inputs(self) -> pd.DataFrame:
        v = self.dataset.values
        rows = v[(v.county == self.county) & (v.year.isin([self.year, self.year - 1]))]
        out = rows[["year", "indicator", "period", "value", "qualifier", "target", "reported_growth",
                    "reported_completion", "city_rank", "province_rank", "source", "row"]].copy()
        out["file"] = [Path(f).name for f in rows.file]
        return out.sort_values(["indicator", "year"]).reset_index(drop=True).map(
            lambda x: "" if x is None else x)

    # 2. figures
    def compute(self) -> pd.DataFrame:
        self.rf = compute_report_figures(self.county, self.year, dataset=self.dataset,
                                         require_narrative=self.strict)
        if self.strict:  # fail before anything is written
            from ..document.builder import check_strict
            check_strict(self.rf)
        return self.figures_display()

    def figures_display(self) -> pd.DataFrame:
        df = self.rf.figures_frame()[list(DISPLAY_COLUMNS)].rename(columns=DISPLAY_COLUMNS)
        return df.map(lambda x: "" if x is None or (isinstance(x, float) and pd.isna(x)) else x)

    def warnings(self) -> list[str]:
        """The figures' warnings, and the charts' once they are drawn."""
        return ([f"{f.name}:{w}" for f in self.rf.figures for w in f.warnings]
                + [f"{c.title}:{w}" for c in self.charts for w in c.warnings])

    # 3. charts
    def draw(self) -> list[Chart]:
        self.charts = draw_charts(self.rf, self.out.charts_dir)
        return self.charts

    # 4. document and figure files
    def previous_manifest(self):
        """What the version this build replaces stated (None for a first build), with the
        revisions it marked that its document still shows unaccepted (document.revisions.with_pending)."""
        from ..outputs import state
        last = state.load(self.paths)
        from ..document.manifest import load
        from ..exceptions import ManifestVersionError
        try:
            previous = load(self.paths.manifest(last["run_id"])) if last else None
        except ManifestVersionError:         # another version's record: compared with nothing
            return None
        if not previous or not previous.pending or not self.paths.docx.exists():
            return previous
        from ..document.reader import read_docx
        from ..document.revisions import with_pending
        from ..exceptions import ReportkitError
        try:
            revisions = read_docx(self.paths.docx).revisions
        except ReportkitError:       # an unreadable document: nothing it shows can be carried
            revisions = []
        return with_pending(previous, revisions)

    def write_outputs(self) -> dict[str, str]:
        from ..document.builder import build_document
        paths = self.out
        figures = self.rf.figures_frame()
        built = build_document(self.rf, self.charts, paths.docx, template=self.template, strict=self.strict,
                               run_id=self.run_id, previous=self.previous_manifest(),
                               track_changes=not self.clean)
        self.changes = built.changes
        records = [{k: _jsonable(v) for k, v in r.items()} for r in figures.to_dict("records")]
        payload = {"county": self.county, "year": self.year, "run_id": self.run_id,
                   "environment": environment.versions(),
                   "illustrative": self.rf.shows_illustrative(self.charts), "paragraph": self.rf.paragraph,
                   "targets_sentence": self.rf.targets_sentence, "figures": records,
                   "targets": [{k: _jsonable(v) for k, v in t.as_record().items()} for t in self.rf.targets],
                   "charts": [{"id": c.id, "title": c.title, "file": self.rel(c.path),
                               "illustrative": c.illustrative, "warnings": c.warnings} for c in self.charts],
                   "changes": built.changes}
        write_text(paths.manifest(self.run_id), built.manifest.to_json())
        write_text(paths.figures_json, json.dumps(payload, ensure_ascii=False, indent=1))
        write_text(paths.figures_csv, figures.to_csv(index=False), encoding="utf-8-sig")
        write_text(paths.changes_csv, self.changes_frame().to_csv(index=False), encoding="utf-8-sig")
        return {"文档": self.rel(paths.docx), "指标表": self.rel(paths.figures_csv),
                "指标数据": self.rel(paths.figures_json), "数据更新": self.rel(paths.changes_csv),
                "图表": ", ".join(self.rel(c.path) for c in self.charts)}

    def changes_frame(self) -> pd.DataFrame:
        """Figures revised since the previous version: 指标, 项目, 原值, 新值, 位置."""
        cols = {"indicator": "指标代码", "label": "指标", "old": "原值", "new": "新值", "where": "位置"}
        return pd.DataFrame([{k: c[k] for k in cols} for c in self.changes], columns=list(cols)).rename(columns=cols)

    def change_lines(self) -> list[str]:
        """One line per revised figure, as the console and the notebook show them."""
        if not self.changes:
            return ["与上一版相比,没有需要标为修订的数字变化。"]
        how = "已在文档中标为修订" if not self.clean else "文档中直接写新值(CLEAN)"
        return [f"{c['label']} {c['old']} → {c['new']}" + (f"({c['where']})" if c["where"] else "")
                for c in self.changes] + [f"共 {len(self.changes)} 处数据更新,{how}。"]
