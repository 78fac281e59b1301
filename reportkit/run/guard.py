"""Published reports under guard: a reference notebook per county-year in tests/notebooks.

`make bless COUNTY=… YEAR=…` runs the report notebook for a county-year and keeps the executed
notebook as the reference; `make test` runs nbval over every reference notebook against the
current data, code and template, and compares the figures each one records, so a change that
moves a published figure or sentence fails — with a line a clerk can read (县区 年份 指标: 原 →
新) — until someone fixes the data or accepts it by blessing again. `make unbless` stops guarding.

The guarded list is the set of reference notebooks itself: nothing in the runtime package.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from pathlib import Path

from .. import config
from ..narrative.source import block_label

GUARD_DIR = config.GUARD_DIR
_NAME = re.compile(r"^([a-z][a-z0-9_-]*)_(\d{4})\.ipynb$")
#: What the guard records of each figure, and how a message names it.
FIELDS = {"value_text": "本年", "prev_text": "上年", "growth_text": "增速", "change_text": "变化",
          "completion_text": "完成率", "city_rank": "全市排名", "province_rank": "全省排名", "sentence": "语句"}


def guarded(dest: Path | None = None) -> list[tuple[str, int]]:
    """The county-years under guard: one per reference notebook <county>_<year>.ipynb."""
    folder = Path(dest or GUARD_DIR)
    out = []
    for p in sorted(folder.glob("*.ipynb")) if folder.is_dir() else []:
        m = _NAME.match(p.name)
        if m:
            out.append((m.group(1), int(m.group(2))))
    return out


def reference(county: str, year: int, dest: Path | None = None) -> Path:
    return Path(dest or GUARD_DIR) / f"{county}_{year}.ipynb"


def _text(v) -> str:
    """A recorded value as text: nothing (None, NaN) is '', a whole float is an integer."""
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def record(figures_json: dict) -> dict:
    """What a reference keeps of a report's figures (printed text only, stable across runs)."""
    figs = {}
    for f in figures_json.get("figures", []):
        figs[f["indicator"]] = {"name": f["name"], **{k: _text(f.get(k)) for k in FIELDS}}
    return {"figures": figs, "paragraph": figures_json.get("paragraph", ""),
            "targets_sentence": figures_json.get("targets_sentence", "")}


def differences(county: str, year: int, guard: dict, data_dir: Path | None = None) -> list[str]:
    """The published figures that moved, as clerks read them: '新昌县 2024 年 高新技术企业总数
    本年:327家 → 330家'. Empty when the report would print what was blessed."""
    from ..model.report import compute_report_figures
    rf = compute_report_figures(county, year, data_dir=data_dir)
    now = record({"figures": rf.figures_frame().to_dict("records"),
                  "paragraph": rf.paragraph, "targets_sentence": rf.targets_sentence})
    who = f"{rf.county.name} {year} 年"
    out = _moved(guard.get("figures", {}), now["figures"],
                 gone=lambda ind, old: f"{who} {old['name']}:已不在报告中",
                 added=lambda ind, new: f"{who} {new['name']}:新加入报告({new['value_text']})",
                 changed=lambda ind, old, new: [
                     f"{who} {old['name']} {label}:{old.get(field) or '(无)'} → {new.get(field) or '(无)'}"
                     for field, label in FIELDS.items()
                     if field != "sentence" and old.get(field, "") != new.get(field, "")])
    if not out:
        for key, label in (("paragraph", block_label("indicator_paragraph")),
                           ("targets_sentence", block_label("targets_sentence"))):
            if guard.get(key, "") != now[key]:
                out.append(f"{who} {label}的措辞变了:\n  原:{guard.get(key, '')}\n  新:{now[key]}")
    return out


def _moved(blessed: dict, now: dict, *, gone, added, changed) -> list[str]:
    """What moved between the blessed entries and today's, in the blessed order, then the new
    ones: ``gone(key, old)``, ``changed(key, old, new)`` (a list), ``added(key, new)``."""
    out = []
    for key, old in blessed.items():
        out += [gone(key, old)] if key not in now else changed(key, old, now[key])
    return out + [added(key, new) for key, new in now.items() if key not in blessed]


def moved_message(county: str, year: int, moved: list[str]) -> str:
    """What a failing guard says: which published figures moved, and the two ways out."""
    return ("已发布报告中的数字变了(数据有误请改 data/;变化是有意的请运行 make bless "
            f"COUNTY={county} YEAR={year}):\n" + "\n".join(moved))


def nbval_failure(notebook: Path, cell: str, told: dict) -> str | None:
    """The message for a reference notebook's cell whose outputs differ under nbval, as the guard
    words it (县区 年份 指标: 原 → 新) instead of the raw HTML of a table row; None when the
    notebook is not a reference or no published figure moved (then nbval's own diff is the news).
    The first failing cell of a notebook lists the figures; the others point to it (``told``
    remembers per notebook, for one test session)."""
    m = _NAME.match(Path(notebook).name)
    if not m:
        return None
    key = str(Path(notebook).resolve())
    if key not in told:
        import nbformat
        try:
            record_ = nbformat.read(notebook, as_version=4).metadata.get("reportkit_guard")
            moved = differences(m.group(1), int(m.group(2)), record_) if record_ else []
        except Exception:      # the guard's own test reports what cannot be computed
            moved = []
        told[key] = (moved, cell)
        return moved_message(m.group(1), int(m.group(2)), moved) if moved else None
    moved, first = told[key]
    if not moved:
        return None
    name = moved[0].split(" ")[0]            # every line starts with '<县区名> <年份> 年 '
    return (f"{name} {m.group(2)} 年已发布报告中的数字变了,这一格的输出随之不同"
            f"(变化的数字见 {first};原始差异用 pytest -vv 查看)")


@contextlib.contextmanager
def _environ(**values):
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def bless(targets=None, dest: Path | None = None, data_dir: Path | None = None) -> list[Path]:
    """Run the report notebook of each county-year (default: every guarded one) and keep it as the
    reference. The runs write their documents into a temporary folder: blessing never touches
    build/, where an editor may be working on a report."""
    from .execute import REPORT_NOTEBOOK, execute_notebook, validate_params
    from .warm import KeptKernel
    dest = Path(dest or GUARD_DIR)
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    data_env = {"REPORTKIT_DATA": str(Path(data_dir).resolve())} if data_dir else {}
    with tempfile.TemporaryDirectory(prefix="reportkit-bless-") as tmp, _environ(**data_env, REPORTKIT_BUILD=tmp), \
            KeptKernel() as kernel:    # started here, it inherits this environment (a parameter would be recorded)
        for county, year in targets or guarded(dest):
            county, year = validate_params(county, year, data_dir)
            out = reference(county, year, dest)
            execute_notebook(REPORT_NOTEBOOK, out, {"county": county, "year": year}, kernel)
            kernel.finished(True)
            figures = json.loads(config.report_paths(county, year, Path(tmp)).figures_json.read_text(encoding="utf-8"))
            normalize(out, record(figures))
            written.append(out)
    return written


def unbless(county: str, year: int, dest: Path | None = None) -> Path:
    path = reference(county, int(year), dest)
    if not path.exists():
        from ..exceptions import ParameterError
        listed = "、".join(f"{c} {y}" for c, y in guarded(dest)) or "无"
        raise ParameterError(f"{county} {year} 年没有受保护的参考笔记本(受保护的有:{listed})",
                             hint="检查 COUNTY 和 YEAR")
    path.unlink()
    return path


def normalize(path: Path, guard: dict | None = None) -> None:
    """Keep a reference notebook small and its diff to real changes: a fixed id for papermill's
    injected cell, no execution timestamps, no image payloads (nbval compares text outputs only),
    and the figures of the run recorded for the readable guard."""
    import nbformat
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
        if cell.get("outputs"):
            cell["outputs"] = coalesce_streams(cell["outputs"])
        for output in cell.get("outputs", []):
            for part in (output.get("data", {}), output.get("metadata", {})):
                for mime in [m for m in part if m.startswith("image/")]:
                    del part[mime]
    for key in ("start_time", "end_time", "duration", "exception", "input_path", "output_path"):
        nb.metadata.get("papermill", {}).pop(key, None)
    if guard is not None:
        nb.metadata["reportkit_guard"] = guard
    nbformat.write(nb, path)


def coalesce_streams(outputs: list) -> list:
    """Consecutive outputs of one stream joined into one. The kernel sends what a cell prints in
    chunks cut by its flush timer, so the same prints can arrive as one output or as two split
    mid-line (``"文档: ….docx"`` then ``"\\n指标表: …"``), at random; joined, a reference notebook
    is the same bytes on every bless."""
    out: list = []
    for o in outputs:
        prev = out[-1] if out else None
        if o.get("output_type") == "stream" and prev is not None and prev.get("output_type") == "stream" \
                and prev.get("name") == o.get("name"):
            prev["text"] = _joined(prev.get("text", "")) + _joined(o.get("text", ""))
        else:
            out.append(o)
    return out


def _joined(text) -> str:
    return "".join(text) if isinstance(text, list) else str(text)


# ---------------------------------------------------------------- the city view under guard

def city_reference(city: str, year: int, dest: Path | None = None) -> Path:
    """A city view's reference notebook: city_<city>_<year>.ipynb in the guard folder."""
    return Path(dest or GUARD_DIR) / f"city_{city}_{int(year)}.ipynb"


_CITY_NAME = re.compile(r"^city_(.+)_(\d{4})\.ipynb$")


def guarded_cities(dest: Path | None = None) -> list[tuple[str, int]]:
    """The city views under guard: one per reference notebook city_<city>_<year>.ipynb."""
    folder = Path(dest or GUARD_DIR)
    found = [_CITY_NAME.match(p.name) for p in sorted(folder.glob("city_*.ipynb"))] if folder.is_dir() else []
    return [(m.group(1), int(m.group(2))) for m in found if m]


def city_record(figures_json: dict) -> dict:
    """What a city view's reference keeps: every cell of its tables and of the coverage grid."""
    return {"tables": figures_json.get("tables", {}), "coverage": figures_json.get("coverage", [])}


def city_differences(city: str, year: int, guard: dict, data_dir: Path | None = None) -> list[str]:
    """The published cells of a city view that moved: '温州市 2024 年 高新技术企业总数 平阳县 全市排名:
    第3 → 并列第2'. Empty when the view would print what was blessed."""
    from ..model.city import UNIT_COLUMN, compute_city_view
    view = compute_city_view(city, int(year), data_dir=data_dir)
    now = city_record(view.published())
    who = f"{city} {year} 年"
    names = {c.id: c.title for c in view.columns}

    def cells(ind, old_rows, new_rows):
        new_by_unit = {r[UNIT_COLUMN]: r for r in new_rows}
        return [f"{who} {names.get(ind, ind)} {old[UNIT_COLUMN]} {key}:{value or '(无)'} → "
                f"{new_by_unit.get(old[UNIT_COLUMN], {}).get(key) or '(无)'}"
                for old in old_rows for key, value in old.items()
                if key != UNIT_COLUMN and str(value) != str(new_by_unit.get(old[UNIT_COLUMN], {}).get(key, ""))]
    out = _moved(guard.get("tables", {}), now["tables"], changed=cells,
                 gone=lambda ind, old: f"{who} {ind}:已不在汇总中",
                 added=lambda ind, new: f"{who} {names.get(ind, ind)}:新加入汇总")
    if not out and guard.get("coverage") != now["coverage"]:
        out.append(f"{who} 数据覆盖情况变了")
    return out


def bless_city(city: str, year: int, dest: Path | None = None, data_dir: Path | None = None) -> Path:
    """Run the city notebook and keep it as the reference (in a temporary build folder: blessing
    never touches build/)."""
    from .warm import KeptKernel
    from ..inputs import data as data_mod
    from ..model.city import check_city
    check_city(data_mod.load(data_dir), city)
    dest = Path(dest or GUARD_DIR)
    dest.mkdir(parents=True, exist_ok=True)
    out = city_reference(city, year, dest)
    data_env = {"REPORTKIT_DATA": str(Path(data_dir).resolve())} if data_dir else {}
    with tempfile.TemporaryDirectory(prefix="reportkit-bless-") as tmp, _environ(**data_env, REPORTKIT_BUILD=tmp), \
            KeptKernel() as kernel:
        from .execute import execute_notebook
        execute_notebook(config.CITY_NOTEBOOK, out, {"city": city, "year": int(year)}, kernel)
        kernel.finished(True)
        figures = json.loads(config.city_paths(city, year, Path(tmp)).figures_json.read_text(encoding="utf-8"))
        normalize(out, city_record(figures))
    return out
