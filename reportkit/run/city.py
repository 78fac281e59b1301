"""The city's view, run as a county report is: `make city CITY=温州市 YEAR=2024 [COUNTY=…]`.

The notebook notebooks/city.ipynb calls :class:`CityRun` step by step (data, the city view, the
state of each county's report, charts, the document and figures.csv); :func:`build_city` decides
whether anything it depends on changed (the same rule as a county report: outputs/state.py), runs
the notebook through papermill with the same staging and all-or-nothing promotion
(:func:`reportkit.run.execute.run_staged`) into build/_city/<city>/<year>/, and records it.
"""
from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import config
from ..charts.plan import Chart, plan_city_charts, render
from ..inputs import data as data_mod
from ..inputs.city import settings_path
from ..iorw import write_text
from ..model.city import UNIT_COLUMN, CityView, check_city, check_highlight, compute_city_view
from ..outputs import state
from . import environment
from .fingerprint import DataIndex, city_fingerprint, code_hash
from .pipeline import NotebookRun

log = logging.getLogger(__name__)

CITY_NOTEBOOK = config.CITY_NOTEBOOK
#: The state of a county's report, as the city view names it.
STATES = {"failed": "生成失败", "edited": "生成后被编辑", "stale": "数据已变,待重新生成", "built": "已生成",
          "unknown": "有文档,无生成记录", "not_started": "尚未生成"}
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def failure_reason(notebook: Path) -> str:
    """The one-line reason of a failed run: the error its notebook recorded (name and message)."""
    import nbformat
    try:
        nb = nbformat.read(notebook, as_version=4)
    except Exception as exc:          # an unreadable failed notebook still says the run failed
        return f"失败的笔记本无法读取({type(exc).__name__})"
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                text = _ANSI.sub("", str(out.get("evalue", ""))).strip().splitlines()
                return f"{out.get('ename', '错误')}:{text[0] if text else ''}"[:160]
    return "运行中断(笔记本中没有记录错误)"


def report_state(county: data_mod.County, year: int, *, build_root: Path | None = None,
                 guard_dir: Path | None = None, index: DataIndex | None = None, code: str | None = None) -> dict:
    """What reportkit recorded of one county's report for ``year``: built (when, from which data;
    whether the data changed since), edited since built, harvested, guarded by nbval, failed (the
    reason), not started. Read from build/<county>/<year>/ (.reportkit/state.json, the .docx,
    report.failed.ipynb, versions/) and the guard folder; nothing is run."""
    from .guard import reference
    paths = config.report_paths(county.slug, year, build_root)
    rec = state.load(paths)
    docx = state.docx_status(paths, rec)
    failed = paths.out_dir / "report.failed.ipynb"
    details: list[str] = []
    key = "not_started"
    if rec:
        key = "built"
        fp = rec.get("fingerprint", {})
        details.append(f"生成于 {rec.get('built', '')}(数据 {fp.get('parts', {}).get('values', '')[:8]})")
        if index is not None and code is not None and county.slug in index.slugs:
            changed = state.changed_parts(rec, index.fingerprint(county.slug, year, code))
            if changed:
                key = "stale"
                names = state.Decision("build", docx, changed=changed).reason
                details.append(names)
    if docx == "edited":
        key = "edited"
    elif docx == "unknown":
        key = "unknown"
    if failed.exists():
        key = "failed"
        details.insert(0, failure_reason(failed))
    harvested = sorted(paths.versions_dir.glob(f"narrative_{year}.*.md")) if paths.versions_dir.exists() else []
    if harvested:
        details.append(f"编辑已写回叙述 {len(harvested)} 次(最近 {harvested[-1].name.split('.')[1]})")
    guarded = reference(county.slug, year, guard_dir).exists()
    if guarded:
        details.append("受保护（已发布，make test 核对）")
    return {"county": county.slug, "name": county.name, "state": key, "label": STATES[key],
            "built": (rec or {}).get("built", ""), "edited": docx == "edited", "harvested": bool(harvested),
            "guarded": guarded, "failed": failed.exists(), "detail": ";".join(details)}


def report_states(units, year: int, *, build_root: Path | None = None, guard_dir: Path | None = None,
                  index: DataIndex | None = None, code: str | None = None) -> list[dict]:
    return [report_state(u, year, build_root=build_root, guard_dir=guard_dir, index=index, code=code)
            for u in units]


@dataclass
class CityRun(NotebookRun):
    """One city-year, step by step (the city notebook's cells)."""
    city: str
    year: int
    county: str = ""                  # the report county, highlighted in the charts
    view: CityView | None = None
    states: list[dict] = field(default_factory=list)

    def _paths(self, root: Path) -> config.CityPaths:
        return config.city_paths(self.city, self.year, root)

    # 1. data
    def load(self) -> pd.DataFrame:
        self.dataset = data_mod.load(self.data_dir)
        check_city(self.dataset, self.city)
        check_highlight(self.dataset, self.city, self.county)
        units = self.dataset.counties_in_city(self.city)
        v = self.dataset.values
        rows = v[v.county.isin(units) & (v.year == self.year)]
        return rows.groupby("county").size().reindex(units, fill_value=0).rename("本年数据行数").to_frame()

    # 2. the view
    def compute(self) -> pd.DataFrame:
        self.view = compute_city_view(self.city, self.year, dataset=self.dataset)
        return self.view.coverage()

    def tables(self) -> dict[str, pd.DataFrame]:
        return {col.title: self.view.table(col.id) for col in self.view.columns}

    # 3. the county reports
    def report_states(self) -> pd.DataFrame:
        idx = DataIndex.read(self.data_dir)
        self.states = report_states(self.view.units, self.year, build_root=self.build_root, index=idx,
                                    code=code_hash())
        return pd.DataFrame([{UNIT_COLUMN: s["name"], "报告状态": s["label"], "说明": s["detail"]}
                             for s in self.states])

    # 4. charts
    def draw(self) -> list[Chart]:
        self.charts = render(plan_city_charts(self.view, self.out.charts_dir, self.county or None))
        return self.charts

    def warnings(self) -> list[str]:
        return self.view.notes() + [f"{c.title}:{w}" for c in self.charts for w in c.warnings]

    # 5. document and figures
    def write_outputs(self) -> dict[str, str]:
        from ..document.city import build_city_document
        out = self.out
        build_city_document(self.view, self.states, self.charts, out.docx, template=self.template,
                            highlight=self.county or None)
        figures = self.view.figures_frame()
        payload = {"city": self.city, "year": self.year, "county": self.county, "run_id": self.run_id,
                   "environment": environment.versions(), "illustrative": self.view.illustrative,
                   **self.view.published(),
                   "states": [{k: s[k] for k in ("county", "state", "label")} for s in self.states],
                   "charts": [{"id": c.id, "title": c.title, "file": self.rel(c.path), "warnings": c.warnings}
                              for c in self.charts],
                   "notes": self.view.notes(), "changes": []}
        write_text(out.figures_json, json.dumps(payload, ensure_ascii=False, indent=1))
        write_text(out.figures_csv, figures.to_csv(index=False), encoding="utf-8-sig")
        return {"文档": self.rel(out.docx), "指标数据": self.rel(out.figures_csv),
                "图表": ", ".join(self.rel(c.path) for c in self.charts)}


@dataclass
class CityOutcome:
    city: str
    year: int
    paths: config.CityPaths
    decision: state.Decision
    action: str = ""                 # "built" | "skipped" | "kept"
    kept: Path | None = None
    run_id: str = ""
    seconds: float = 0.0


def _settings_bytes(data_dir) -> bytes:
    p = settings_path(data_dir)
    return p.read_bytes() if p.exists() else b""


def fingerprint(city: str, year: int, *, county: str = "", data_dir=None, build_root=None,
                index: DataIndex | None = None, dataset=None) -> tuple[dict, list]:
    """(the city view's fingerprint, its units) — the states of the county reports included."""
    idx = index or DataIndex.read(data_dir)
    ds = dataset or data_mod.load(data_dir)
    check_city(ds, city)
    check_highlight(ds, city, county)
    units = [ds.county(s) for s in ds.counties_in_city(city)]
    code = code_hash()
    states = report_states(units, year, build_root=build_root, index=idx, code=code)
    nb = CITY_NOTEBOOK.read_bytes() if CITY_NOTEBOOK.exists() else b""
    fp = city_fingerprint(idx, city, int(year), code, county=county, settings=_settings_bytes(idx.root),
                          notebook=nb, states=json.dumps(states, ensure_ascii=False, sort_keys=True))
    return fp, units


def build_city(city: str, year, *, county: str = "", data_dir=None, build_root=None, force: bool = False,
               index: DataIndex | None = None, kernel=None, verbose: bool = False) -> CityOutcome:
    """Build (or skip) one city view, by the county reports' rules: skipped when nothing it depends
    on changed; an edited .docx is kept under versions/ before it is replaced; all or nothing."""
    from ..inputs.parameters import check_year
    t0 = time.perf_counter()
    year = check_year(year)
    idx = index or DataIndex.read(data_dir)
    fp, _units = fingerprint(city, year, county=county, data_dir=data_dir, build_root=build_root, index=idx)
    paths = config.city_paths(city, year, build_root)
    with state.report_lock(paths):       # one run of a city view at a time; a killed promotion completed
        state.recover(paths)
        return _build_city_locked(city, year, county, paths, fp, t0, data_dir=data_dir, build_root=build_root,
                                  force=force, kernel=kernel, verbose=verbose)


def _build_city_locked(city, year, county, paths, fp, t0, *, data_dir, build_root, force, kernel, verbose):
    from .execute import new_staging, run_staged
    decision = state.decide(paths, fp, force=force)
    outcome = CityOutcome(city, year, paths, decision)
    if decision.action != "build":
        outcome.action = "skipped" if decision.action == "skip" else "kept"
        return outcome
    if decision.docx in ("edited", "unknown"):
        outcome.kept = state.keep_docx(paths, decision.docx)
        log.info(f"已保留{'编辑过的' if decision.docx == 'edited' else '原有的'} Word 文档:{outcome.kept}")
    run_id = f"city-{city}-{year}-{fp['hash'][:12]}"
    staging_root, stage = new_staging(paths, run_id)
    params = {"city": city, "year": year, "county": county, "run_id": run_id,
              "staging_root": str(staging_root.resolve())}
    if data_dir is not None:
        params["data_dir"] = str(Path(data_dir).resolve())
    if build_root is not None:
        params["build_root"] = str(Path(build_root).resolve())
    log.info(f"正在生成{city} {year} 年汇总({decision.reason})……")
    from .warm import kernel_for
    with kernel_for(kernel) as k:
        run_staged(CITY_NOTEBOOK, params, paths=paths, stage=stage, staging_root=staging_root, run_id=run_id,
                   county=city, year=year, verbose=verbose, kernel=k, fingerprint=fp,
                   record=lambda _changes: {"action": "built", "reason": decision.reason})
    outcome.action, outcome.run_id, outcome.seconds = "built", run_id, time.perf_counter() - t0
    return outcome
