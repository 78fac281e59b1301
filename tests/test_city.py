"""The city's view (issue 22): table, ranks (one rule with the county reports), 全市 row, coverage
grid, the state of each county's report, the document, incremental and reproducible builds,
CITY=all in the batch, and the guard."""
from __future__ import annotations

import hashlib
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from citydata import WENZHOU, make_city_data
from helpers import VALUE_HEADER, write_csv
from reportkit import config
from reportkit.exceptions import CitySettingsError, ParameterError, PipelineError
from reportkit.inputs import data as data_mod
from reportkit.model.city import compute_city_view
from reportkit.model.figures import competition_ranks
from reportkit.model.report import compute_report_figures

CITY = "温州市"
NAMES = ["鹿城区", "龙湾区", "瓯海区", "洞头区", "永嘉县", "平阳县", "苍南县", "文成县", "泰顺县", "瑞安市", "乐清市", "龙港市"]


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    """温州市's 12 units, every KEY indicator present (hte_total: 龙湾区 and 瓯海区 tie for 2nd)."""
    return make_city_data(tmp_path_factory.mktemp("full") / "data", cities=[CITY])


@pytest.fixture(scope="module")
def gaps(tmp_path_factory):
    """温州市 with gaps: 文成县 has no data at all, 洞头区 no hte_total, 苍南县's tech_sme_total only
    for 1-10月, 泰顺县's rd_expenditure from an illustrative row, 乐清市's last-year hte_total
    worked back from a rate."""
    root = make_city_data(tmp_path_factory.mktemp("gaps") / "data", cities=[CITY],
                          drop=["wencheng", ("dongtou", "hte_total")])
    for slug, change in (("cangnan", "partial"), ("taishun", "illustrative"), ("yueqing", "worked_back")):
        path = root / "values" / f"{slug}.csv"
        import csv
        rows = list(csv.DictReader(path.open(encoding="utf-8")))
        for r in rows:
            if change == "partial" and r["indicator"] == "tech_sme_total":
                r["period"] = "1-10月"
            if change == "illustrative" and r["indicator"] == "rd_expenditure" and r["year"] == "2024":
                r["source"] = "示例数据"
            if change == "worked_back" and r["indicator"] == "hte_total" and r["year"] == "2023":
                r["source"] = "推算:按2024年数值和增速倒推"
        write_csv(path, VALUE_HEADER, rows)
    return root


def test_competition_ranks_share_a_place_and_skip_the_next():
    v = {"a": Decimal(5), "b": Decimal(3), "c": Decimal(3), "d": Decimal(1)}
    assert competition_ranks(v) == {"a": 1, "b": 2, "c": 2, "d": 4}
    assert competition_ranks(v, higher_is_better=False) == {"a": 4, "b": 2, "c": 2, "d": 1}


def test_full_city_table_ranks_ties_and_total(full):
    view = compute_city_view(CITY, 2024, data_dir=full)
    assert [u.name for u in view.units] == NAMES
    t = view.table("hte_total")
    assert list(t["县(市、区)"]) == NAMES + ["全市"]
    assert list(t["本年"][:5]) == ["500", "420", "420", "370", "360"]
    assert list(t["全市排名"][:5]) == ["第1", "并列第2", "并列第2", "第4", "第5"]
    assert t["增减"][0] == "增长11.11%"
    total = 500 + 420 + 420 + sum(400 - 10 * i for i in range(3, 12))
    assert t.iloc[-1]["本年"] == str(total) and t.iloc[-1]["增减"] == "增长11.11%"
    rd = view.table("rd_expenditure")
    assert rd["本年"][0] == "40.00" and rd.iloc[-1]["本年"] == "315.00"
    ratio = view.column("rd_intensity_gdp")
    assert ratio.total is None and ratio.total_note == "数据中没有全市数\uff0c比重、指数和排名类指标不加总"
    assert view.table("rd_intensity_gdp").iloc[-1]["本年"] == "—"
    # every complete indicator but the rank one gets a chart
    assert view.chart_ids == ["rd_expenditure", "rd_intensity_gdp", "hte_total", "tech_sme_total"]
    assert set(view.coverage().stack()) == {"有"}


@pytest.mark.parametrize("which", ["full", "gaps"])
def test_county_reports_city_rank_agrees_with_the_city_table(which, request):
    data = request.getfixturevalue(which)
    ds = data_mod.load(data)
    view = compute_city_view(CITY, 2024, dataset=ds)
    compared = 0
    for slug in WENZHOU:
        if 2024 not in ds.years(slug):
            continue
        rf = compute_report_figures(slug, 2024, dataset=ds)
        for f in rf.figures:
            col = view.column(f.id)
            cell = col.cell(slug)
            if f.period != col.period:      # the county report states another period's figure
                assert f.rank_source != "computed" or cell.rank is None, (slug, f.id)
                continue
            if f.rank_source == "computed" or cell.rank_source == "computed":
                assert f.city_rank == cell.rank, (slug, f.id)
                compared += 1
            else:
                assert f.city_rank is None and cell.rank is None, (slug, f.id)
    assert compared == {"full": 48, "gaps": 0}[which]
    if which == "gaps":       # 文成县 has no data: no column is complete, no rank anywhere
        assert all(c.rank is None for col in view.columns for c in col.cells)


def test_a_period_every_unit_has_is_compared_and_ranked(full, tmp_path):
    """Every unit has 1-10月 of tech_contract_value, only 鹿城区 also 全年: the column compares
    1-10月 (ranked, as every other unit's county report ranks it); 鹿城区's own report states 全年."""
    data = tmp_path / "data"
    shutil.copytree(full, data)
    for i, slug in enumerate(WENZHOU):
        rows = [{"county": slug, "year": "2024", "indicator": "tech_contract_value", "period": "1-10月",
                 "value": str(20 - i), "source": "测试来源"}]
        if i == 0:
            rows.append({"county": slug, "year": "2024", "indicator": "tech_contract_value", "value": "30",
                         "source": "测试来源"})
        write_csv(data / "values" / f"contract_{slug}.csv", VALUE_HEADER, rows)
    ds = data_mod.load(data)
    view = compute_city_view(CITY, 2024, dataset=ds)
    col = view.column("tech_contract_value")
    assert col.period == "1-10月" and col.title == "技术合同交易额\uff081-10月\uff09"
    assert [c.rank_text for c in col.cells][:3] == ["第1", "第2", "第3"]
    assert compute_report_figures("longwan", 2024, dataset=ds).figure("tech_contract_value").city_rank == 2
    own = compute_report_figures("lucheng", 2024, dataset=ds).figure("tech_contract_value")
    assert own.period == "全年" and own.city_rank is None


def test_city_with_gaps_shows_every_unit_and_the_coverage_grid(gaps):
    view = compute_city_view(CITY, 2024, data_dir=gaps)
    t = view.table("hte_total")
    assert list(t["县(市、区)"]) == NAMES + ["全市"]            # no unit dropped
    assert t.set_index("县(市、区)").loc["洞头区", "本年"] == "缺"
    assert t.set_index("县(市、区)").loc["文成县", "本年"] == "缺"
    assert set(t["全市排名"]) == {""} and t.iloc[-1]["本年"] == "—"
    sme = view.table("tech_sme_total").set_index("县(市、区)")
    assert sme.loc["苍南县", "本年"] == "缺\uff08仅1-10月\uff09"
    grid = view.coverage()
    assert list(grid.loc["文成县"]) == ["缺"] * 5
    assert grid.loc["洞头区", "高新技术企业总数"] == "缺"
    assert grid.loc["苍南县", "科技型中小企业"] == "早期"
    assert grid.loc["泰顺县", "全社会研发经费支出"] == "示例"
    assert grid.loc["乐清市", "高新技术企业总数"] == "推算"
    assert grid.loc["鹿城区", "高新技术企业总数"] == "有"
    assert view.coverage_counts() == {"present": 51, "missing": 6, "illustrative": 1, "worked_back": 1, "partial": 1}
    notes = view.notes()
    assert "高新技术企业总数\uff1a2个县\uff08市、区\uff09没有全年数据\uff08洞头区、文成县\uff09\uff0c未计算全市排名" in notes
    assert view.chart_ids == [] and view.illustrative


def test_figures_frame_cites_file_and_row(full):
    view = compute_city_view(CITY, 2024, data_dir=full)
    df = view.figures_frame()
    row = df[(df.county == "longwan") & (df.indicator == "hte_total")].iloc[0]
    assert row.value_text == "420" and row.rank_text == "并列第2" and row.rank_source == "computed"
    assert row.sources == "测试来源(longwan.csv 第 3 行); 测试来源(longwan.csv 第 8 行)"
    total = df[(df.county_name == "全市") & (df.indicator == "hte_total")].iloc[0]
    assert total.sources.startswith("鹿城区、龙湾区、瓯海区、") and "龙港市之和:测试来源(lucheng.csv 第 3 行)" in total.sources
    assert "longgang.csv" in total.sources and total.coverage == "各县\uff08市、区\uff09之和"
    assert len(df) == 5 * 13


def _with_city_rows(full, tmp_path, rows) -> Path:
    data = tmp_path / "data"
    shutil.copytree(full, data)
    write_csv(data / "values" / "温州市全市.csv", VALUE_HEADER,
              [dict(r, county=r.get("county", CITY), source=r.get("source", "温州市统计公报")) for r in rows])
    return data


def test_a_long_row_whose_county_is_the_city_is_the_total_row(full, tmp_path):
    """values/温州市全市.csv: rows whose county is 温州市 give the 全市 row; county reports, their
    fingerprints and make check are not touched by them."""
    from reportkit.run.check import check
    from reportkit.run.fingerprint import DataIndex, city_fingerprint
    hte_sum = 500 + 420 + 420 + sum(400 - 10 * i for i in range(3, 12))
    data = _with_city_rows(full, tmp_path, [
        {"year": "2024", "indicator": "hte_total", "value": str(hte_sum)},                 # agrees with the sum
        {"year": "2024", "indicator": "rd_expenditure", "value": "315.004"},               # within rounding
        {"year": "2024", "indicator": "tech_sme_total", "value": "9000"},                  # differs
        {"year": "2024", "indicator": "rd_intensity_gdp", "value": "3.1", "reported_growth": "0.2"},
        {"year": "2023", "indicator": "rd_intensity_gdp", "value": "2.9"},
    ])
    ds = data_mod.load(data)
    view = compute_city_view(CITY, 2024, dataset=ds)
    rows = {c.id: view.table(c.id).iloc[-1] for c in view.columns}
    assert rows["hte_total"]["本年"] == str(hte_sum) and rows["hte_total"]["增减"] == ""   # no 2023 city row
    assert rows["rd_expenditure"]["本年"] == "315.00"
    assert (rows["rd_intensity_gdp"]["本年"], rows["rd_intensity_gdp"]["增减"]) == ("3.10", "提高0.2个百分点")
    assert rows["tech_sme_total"]["本年"] == "9000"
    assert [w for w in view.warnings if "全市数" in w] == [
        f"科技型中小企业\uff1a数据中的全市数9000家\uff08温州市统计公报(温州市全市.csv 第 4 行)\uff09与各县\uff08市、区\uff09之和"
        f"{sum(int(v) for v in view.table('tech_sme_total')['本年'][:12])}家相差"
        f"{9000 - sum(int(v) for v in view.table('tech_sme_total')['本年'][:12])}家\uff0c超出四舍五入误差\uff1b汇总中印数据中的全市数\uff0c请核对"]
    assert "全市一行为数据中的全市数" in view.notes()
    f = view.figures_frame()
    share = f[(f.county_name == "全市") & (f.indicator == "rd_intensity_gdp")].iloc[0]
    assert share.sources == "温州市统计公报(温州市全市.csv 第 5 行)" and share.coverage == "数据中的全市数"
    # what county reports read is unchanged: values, report figures, fingerprints
    plain = data_mod.load(full)
    assert ds.values.drop(columns="file").equals(plain.values.drop(columns="file")) and plain.city_values.empty
    assert compute_report_figures("pingyang", 2024, dataset=ds).figures_frame().astype(str).replace(
        str(data), "", regex=False).equals(compute_report_figures("pingyang", 2024, dataset=plain).figures_frame()
                                           .astype(str).replace(str(full), "", regex=False))
    idx, idx0 = DataIndex.read(data), DataIndex.read(full)
    assert CITY not in idx.values and idx.unregistered() == {}
    assert idx.fingerprint("pingyang", 2024, "c") == idx0.fingerprint("pingyang", 2024, "c")
    assert city_fingerprint(idx, CITY, 2024, "c")["parts"]["values"] != city_fingerprint(idx0, CITY, 2024, "c")["parts"]["values"]
    result = check(data)
    assert result.ok, result.lines()
    assert not [n for n in result.notes if "未登记" in n]


@pytest.mark.parametrize("row,message", [
    ({"county": "全市"}, "“county”列:“全市”看不出是哪个市的合计。请在县区一列写市的全称(counties.csv 的 city 列中的写法,如“杭州市”)"),
    ({"city_rank": "1"}, "“city_rank”列:温州市是市,它的全市数不能有全市排名(写的是“1”)。请删去这一格(排名写在各县区的行里)"),
])
def test_an_ambiguous_city_row_is_refused_at_its_cell(full, tmp_path, row, message):
    from reportkit.run.check import check
    data = _with_city_rows(full, tmp_path, [dict({"year": "2024", "indicator": "hte_total", "value": "5000"}, **row)])
    errors = [str(e) for e in check(data).errors]
    assert len(errors) == 1 and "温州市全市.csv" in errors[0] and "第 2 行" in errors[0], errors
    assert message in errors[0]
    with pytest.raises(Exception) as ei:
        compute_city_view(CITY, 2024, data_dir=data)
    assert message in str(ei.value)


def test_settings_choose_indicators_and_charts(full, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(full, data)
    (data / "city.yaml").write_text("indicators: [hte_total, rd_expenditure]\ncharts: [hte_total]\n"
                                    "温州市:\n  charts: [rd_expenditure]\n", encoding="utf-8")
    view = compute_city_view(CITY, 2024, data_dir=data)
    assert [c.id for c in view.columns] == ["hte_total", "rd_expenditure"] and view.chart_ids == ["rd_expenditure"]
    (data / "city.yaml").write_text("indicators: [hte_totl]\n", encoding="utf-8")
    with pytest.raises(CitySettingsError) as ei:
        compute_city_view(CITY, 2024, data_dir=data)
    msg = str(ei.value)
    assert "city.yaml,第 1 行" in msg and "“indicators”中的“hte_totl”不是指标目录中的代码(是不是:hte_total" in msg
    assert msg.endswith("请改为 indicators.csv 中的指标代码")


def test_unknown_city_names_the_registered_ones(full):
    with pytest.raises(ParameterError) as ei:
        compute_city_view("温州", 2024, data_dir=full)
    assert "没有登记“温州”" in str(ei.value) and "是不是:温州市" in str(ei.value) and "杭州市" in str(ei.value)


# ---------------------------------------------------------------- the county reports' state

def test_report_states_built_edited_harvested_guarded_failed_not_started(full, tmp_path):
    from docx import Document
    from helpers import generate
    from reportkit.outputs import state
    from reportkit.run import execute
    from reportkit.run.city import report_states
    from reportkit.run.fingerprint import DataIndex, code_hash
    data = tmp_path / "data"
    shutil.copytree(full, data)
    build, guard = tmp_path / "build", tmp_path / "guard"
    ds = data_mod.load(data)
    units = [ds.county(s) for s in WENZHOU]
    for slug in ("lucheng", "longwan", "ouhai", "pingyang"):
        generate(slug, 2024, data, build)
    # 龙湾区: edited in Word after it was built
    docx = config.report_paths("longwan", 2024, build).docx
    doc = Document(docx)
    doc.add_paragraph("编辑加的一段")
    doc.save(docx)
    # 瓯海区: its edits were carried back into the narrative (what harvest keeps)
    paths = config.report_paths("ouhai", 2024, build)
    (tmp_path / "n.md").write_text("old", encoding="utf-8")
    state.keep_copy(tmp_path / "n.md", paths.kept_narrative("20250105-101500"))
    # 平阳县: guarded; 鹿城区: its narrative written since it was built
    guard.mkdir()
    (guard / "pingyang_2024.ipynb").write_text("{}", encoding="utf-8")
    (data / "narrative" / "lucheng").mkdir(parents=True)
    (data / "narrative" / "lucheng" / "2024.md").write_text("# 导语\n\n新写的导语。\n\n# 工作总结\n", encoding="utf-8")
    # 永嘉县: a run that failed (a bad reference in its narrative)
    md = data / "narrative" / "yongjia" / "2024.md"
    md.parent.mkdir(parents=True)
    md.write_text("# 导语\n\n{year}年,我县{hte_totl}。\n\n# 工作总结\n\n# 工作思路\n", encoding="utf-8")
    with pytest.raises(PipelineError):
        execute.run_report("yongjia", 2024, data_dir=data, build_root=build)
    got = {s["county"]: s for s in report_states(units, 2024, build_root=build, guard_dir=guard,
                                                   index=DataIndex.read(data), code=code_hash())}
    assert got["lucheng"]["label"] == "数据已变,待重新生成" and "输入有变化:叙述" in got["lucheng"]["detail"]
    assert got["longwan"]["label"] == "生成后被编辑" and got["longwan"]["edited"]
    assert got["ouhai"]["label"] == "已生成" and "编辑已写回叙述 1 次(最近 20250105-101500)" in got["ouhai"]["detail"]
    assert got["pingyang"]["guarded"] and "受保护（已发布，make test 核对）" in got["pingyang"]["detail"]
    assert got["yongjia"]["label"] == "生成失败" and got["yongjia"]["detail"].startswith("NarrativeError:")
    assert "hte_totl" in got["yongjia"]["detail"]
    assert got["cangnan"]["label"] == "尚未生成" and got["cangnan"]["detail"] == ""
    assert got["lucheng"]["detail"].startswith("生成于 ")


# ---------------------------------------------------------------- the build: make city

def _digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.suffix in (".docx", ".csv", ".png")
            and "versions" not in p.parts and ".reportkit" not in p.parts}


def test_make_city_builds_skips_rebuilds_and_is_reproducible(full, tmp_path):
    from helpers import generate
    from reportkit.run.city import build_city
    data = tmp_path / "data"
    shutil.copytree(full, data)
    a = build_city(CITY, 2024, county="pingyang", data_dir=data, build_root=tmp_path / "a")
    assert a.action == "built"
    out = a.paths.out_dir
    assert out == tmp_path / "a" / "_city" / CITY / "2024"
    names = {p.name for p in out.iterdir()}
    assert {"温州市_2024.docx", "report.html", "figures.csv", "figures.json", "charts"} <= names
    assert sorted(p.name for p in (out / "charts").iterdir()) == [
        "compare_hte_total.png", "compare_rd_expenditure.png", "compare_rd_intensity_gdp.png",
        "compare_tech_sme_total.png"]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "并列第2" in html and "尚未生成" in html
    assert build_city(CITY, 2024, county="pingyang", data_dir=data, build_root=tmp_path / "a").action == "skipped"
    b = build_city(CITY, 2024, county="pingyang", data_dir=data, build_root=tmp_path / "b")
    assert _digests(out) == _digests(b.paths.out_dir) and len(_digests(out)) == 6
    # a county report built since: the state column changed, so the view is rebuilt
    generate("pingyang", 2024, data, tmp_path / "a")
    again = build_city(CITY, 2024, county="pingyang", data_dir=data, build_root=tmp_path / "a")
    assert again.action == "built" and again.decision.changed == ["states"]
    import json
    states = json.loads((out / "figures.json").read_text(encoding="utf-8"))["states"]
    assert [s["label"] for s in states if s["county"] == "pingyang"] == ["已生成"]


def test_city_docx_holds_the_tables_states_and_coverage(full, tmp_path):
    from docx import Document
    from reportkit.charts.plan import plan_city_charts, render
    from reportkit.document.city import build_city_document
    view = compute_city_view(CITY, 2024, data_dir=full)
    charts = render(plan_city_charts(view, tmp_path / "charts", "pingyang"))
    states = [{"name": u.name, "label": "尚未生成", "detail": ""} for u in view.units]
    path = build_city_document(view, states, charts, tmp_path / "c.docx", highlight="pingyang")
    doc = Document(path)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "温州市2024年各县\uff08市、区\uff09科技创新主要指标汇总" in text.replace("\n", "")
    assert "一、主要指标比较" in text and "二、数据覆盖情况" in text and "三、各县\uff08市、区\uff09报告进度" in text
    assert "{{" not in text and "温州市科学技术局" in text
    hte = next(t for t in doc.tables if "本年\uff08家\uff09" in t.rows[0].cells[1].text)
    cells = [[c.text for c in r.cells] for r in hte.rows]
    assert cells[2] == ["龙湾区", "420", "增长11.11%", "并列第2"] and cells[-1][0] == "全市"
    bold = [r.cells[0].text for r in hte.rows[1:] if r.cells[0].paragraphs[0].runs[0].bold]
    assert bold == ["平阳县", "全市"] and "表中加粗的是平阳县\uff0c图中红色的是平阳县。" in text
    assert len(doc.inline_shapes) == 4
    # the title wraps with words whole; the coverage grid's headers too; the 落款 never alone on a page
    assert doc.paragraphs[0].text == "温州市2024年\n各县\uff08市、区\uff09科技创新主要指标汇总"
    grid = next(t for t in doc.tables if t.rows[1].cells[1].text == "有")
    assert [c.text for c in grid.rows[0].cells][1:] == ["全社会研发\n经费支出", "研发经费\n支出占\nGDP比重", "高新技术\n企业总数",
                                                       "科技型\n中小企业", "科技创新\n指数全省\n排名"]
    last = doc.tables[-1]
    assert [p.paragraph_format.keep_with_next for row in last.rows[-2:] for c in row.cells for p in c.paragraphs] \
        == [True] * 6 and not last.rows[-3].cells[0].paragraphs[0].paragraph_format.keep_with_next
    assert [c.plan["highlight"].count(True) for c in charts] == [1, 1, 1, 1]
    assert [n for n, h in zip(charts[0].plan["names"], charts[0].plan["highlight"]) if h] == ["平阳县"]


def test_city_all_builds_every_city_with_data_in_the_batch(tmp_path, capsys):
    from reportkit.cli import main
    from reportkit.run.batch import run_cities
    data = make_city_data(tmp_path / "data", cities=["舟山市", "衢州市"])
    jobs = run_cities(2024, data_dir=data, build_root=tmp_path / "build", jobs=2, progress=False)
    assert [(j.county, j.status) for j in jobs] == [("衢州市", "built"), ("舟山市", "built")]
    assert all(Path(j.output).exists() for j in jobs)
    again = run_cities(2024, data_dir=data, build_root=tmp_path / "build", jobs=2, progress=False)
    assert [j.status for j in again] == ["skipped", "skipped"]
    # the terminal summary of CITY=all lists cities: its first column is headed 市, not 县区
    assert main(["city", "--city", "all", "--year", "2024", "--data", str(data), "--build", str(tmp_path / "build"),
                 "--no-progress"]) == 0
    lines = capsys.readouterr().out.splitlines()
    head = next(i for i, ln in enumerate(lines) if "状态" in ln and "输出或原因" in ln)
    assert lines[head].split()[0] == "市"
    assert [ln.split()[0] for ln in lines[head + 1:head + 3]] == ["衢州市", "舟山市"]


def test_bless_city_guards_the_published_cells(full, tmp_path):
    import nbformat
    from helpers import set_value
    from reportkit.run import guard
    data = tmp_path / "data"
    shutil.copytree(full, data)
    ref = guard.bless_city(CITY, 2024, dest=tmp_path / "guard", data_dir=data)
    assert ref.name == "city_温州市_2024.ipynb"
    recorded = nbformat.read(ref, as_version=4).metadata["reportkit_guard"]
    assert guard.city_differences(CITY, 2024, recorded, data_dir=data) == []
    set_value(data, "ouhai", 2024, "hte_total", 430)
    moved = guard.city_differences(CITY, 2024, recorded, data_dir=data)
    assert "温州市 2024 年 高新技术企业总数 瓯海区 本年:420 → 430" in moved
    assert "温州市 2024 年 高新技术企业总数 瓯海区 全市排名:并列第2 → 第2" in moved
    assert "温州市 2024 年 高新技术企业总数 龙湾区 全市排名:并列第2 → 第3" in moved
    tables = dict(recorded["tables"])
    first = next(iter(tables))
    gone = dict(recorded, tables={**{k: v for k, v in tables.items() if k != first}, "gone_one": []})
    moved = guard.city_differences(CITY, 2024, gone, data_dir=data)
    assert "温州市 2024 年 gone_one:已不在汇总中" in moved
    assert any(m.endswith(":新加入汇总") for m in moved), moved


def test_cli_city_refuses_an_unknown_city(full, capsys):
    from reportkit.cli import main
    assert main(["city", "--city", "温州", "--year", "2024", "--data", str(full)]) == 2
    err = capsys.readouterr().err
    assert "没有登记“温州”" in err and "CITY=温州市" in err


def test_make_check_reports_a_bad_city_yaml(full, tmp_path):
    from reportkit.run.check import check
    data = tmp_path / "data"
    shutil.copytree(full, data)
    (data / "city.yaml").write_text("indicators: [rd_expenditure]\n温州市:\n  charts: [hte]\n", encoding="utf-8")
    lines = check(data).lines()
    assert [ln for ln in lines if "city.yaml" in ln] == [
        f"错误:文件 {data / 'city.yaml'},第 3 行:温州市的“charts”中的“hte”不是指标目录中的代码。请改为 indicators.csv 中的指标代码"]


def _guarded_cities():
    from reportkit.run import guard
    return guard.guarded_cities()


@pytest.mark.parametrize("city,year", _guarded_cities())
def test_guarded_city_views_print_what_was_blessed(city, year):
    """Every city view under guard (tests/notebooks/city_<city>_<year>.ipynb) still prints the
    cells that were blessed; a moved cell is named as a clerk reads it."""
    import nbformat
    from reportkit.run import guard
    nb = nbformat.read(guard.city_reference(city, year), as_version=4)
    moved = guard.city_differences(city, year, nb.metadata["reportkit_guard"])
    assert not moved, "已发布的全市汇总变了(确认无误后 make bless CITY=… YEAR=…):\n" + "\n".join(moved)


def test_guarded_cities_lists_the_reference_notebooks(tmp_path):
    from reportkit.run import guard
    for name in ("city_温州市_2024.ipynb", "city_舟山市_2023.ipynb", "pingyang_2024.ipynb", "city_x.ipynb"):
        (tmp_path / name).write_text("{}", encoding="utf-8")
    assert guard.guarded_cities(tmp_path) == [("温州市", 2024), ("舟山市", 2023)]
    assert guard.guarded(tmp_path) == [("pingyang", 2024)]


def test_cli_city_refuses_a_county_of_another_city(full, capsys):
    from reportkit.cli import main
    assert main(["city", "--city", CITY, "--year", "2024", "--county", "xinchang", "--data", str(full)]) == 2
    err = capsys.readouterr().err
    assert "COUNTY=“xinchang”属于绍兴市,不是温州市的县(市、区)" in err and "pingyang(平阳县)" in err


def _city_in_process(city, data, build):
    """A city view written as the notebook writes it (no kernel), and its build record."""
    from reportkit.outputs import state
    from reportkit.run.city import CityRun, fingerprint
    run = CityRun(city, 2024, data_dir=data, build_root=build, run_id="city-test")
    run.load(), run.compute(), run.report_states(), run.draw(), run.write_outputs()
    state.record(run.paths, fingerprint(city, 2024, data_dir=data, build_root=build)[0], run.run_id)
    return run.paths


def test_make_clean_removes_city_views_but_keeps_an_edited_one(tmp_path):
    from docx import Document
    from reportkit.outputs.state import clean
    data = make_city_data(tmp_path / "data", cities=["舟山市", "衢州市"])
    build = tmp_path / "build"
    plain = _city_in_process("舟山市", data, build)
    edited = _city_in_process("衢州市", data, build)
    doc = Document(edited.docx)
    doc.add_paragraph("市局加的一段")
    doc.save(edited.docx)
    kept = clean(build)
    assert kept == [(edited.docx, "生成后被编辑过")]
    assert not plain.out_dir.exists()
    assert edited.docx.exists() and not edited.figures_csv.exists() and not edited.charts_dir.exists()
