"""Statistics tables read in place (reportkit.inputs.layouts): realistic workbooks written by
openpyxl as a city bureau or a statistics bureau sends them, every figure read right with its
cell as provenance."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from helpers import WENZHOU, stats_folder, workbook
from reportkit import config
from reportkit.inputs import data
from reportkit.run.check import check
from reportkit.exceptions import DuplicateRowError, LayoutError
from reportkit.model.figures import FigureEngine
from reportkit.inputs import layouts
from reportkit.inputs.tables import read_tables

SLUGS = ["lucheng", "longwan", "ouhai", "dongtou", "yongjia", "pingyang", "cangnan", "wencheng", "taishun", "ruian",
         "yueqing", "longgang"]
#: names as a city table prints them: full, short, spaced out with a full-width space
PRINTED = ["鹿城区", "龙湾", "瓯海区", "洞 头", "永嘉县", "平　阳", "苍南县", "文成", "泰顺县", "瑞安市", "乐清", "龙港市"]


def city_workbook(path: Path, *, title="2024年1-11月温州市各县（市、区）主要科技指标", sheet="Sheet1") -> Path:
    """Wenzhou's twelve units: title row merged across, a 单位 line, a two-row header with merged
    indicator groups, a 全市 row first, percent-formatted intensities, ranks 并列, a note below."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append([title])
    ws.merge_cells("A1:J1")
    ws.append(["单位：亿元、%"])
    ws.append(["县（市、区）", "R&D经费支出", None, None, "高新技术企业", None, "研发投入强度（%）", None,
               "技术合同成交额（亿元）", "备注"])
    ws.append([None, "累计", "增速（%）", "排名", "数量（家）", "全市排名", "本年", "增减（百分点）", None, None])
    for rng in ("A3:A4", "B3:D3", "E3:F3", "G3:H3", "I3:I4", "J3:J4"):
        ws.merge_cells(rng)
    ws.append(["全市", 300.55, 10.2, None, 4000, None, 0.032, 0.1, 150.5, None])
    ws.cell(ws.max_row, 7).number_format = "0.00%"
    for i, name in enumerate(PRINTED):
        rank = "并列3" if i == 3 else f"{12 - i}"
        hte_rank = "3（并列）" if i == 4 else 12 - i
        growth = "—" if i == 7 else round(5 + i / 10, 1)
        ws.append([name, round(10 + i * 1.5, 2), growth, rank, 100 + i * 10, hte_rank, round(0.025 + i / 1000, 4), 0.1,
                   round(5 + i * 0.25, 2), None])
        ws.cell(ws.max_row, 7).number_format = "0.00%"
    ws.append(["注：部分数据因四舍五入的原因，存在总计与分项合计不等的情况。"])
    ws.append(["鹿城区", 999])       # below the note: a note, never a figure
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


CITY_FILE = "2024年1-11月全市主要科技指标.xlsx"
CITY_SOURCE = "2024年1-11月温州市各县（市、区）主要科技指标"


def test_city_table_every_figure_read_with_its_cell(tmp_path):
    root = stats_folder(tmp_path)
    city_workbook(root / "values" / CITY_FILE)
    ds = data.load(root)
    v = ds.values
    assert sorted(set(v.county)) == sorted(SLUGS)          # the 全市 row is no county; the row below the note is not read
    assert set(v.period) == {"1-11月"} and set(v.year) == {2024}
    for i, slug in enumerate(SLUGS):
        row = 5 + 1 + i

        def get(ind):
            got = v[(v.county == slug) & (v.indicator == ind)]
            assert len(got) == 1, (slug, ind)
            return got.iloc[0]
        rd = get("rd_expenditure")
        assert rd.value == Decimal(str(round(10 + i * 1.5, 2)))
        assert rd.reported_growth == (None if i == 7 else Decimal(str(round(5 + i / 10, 1))))
        assert rd.city_rank == (Decimal(3) if i == 3 else Decimal(12 - i))
        assert rd.cell == f"第1张表 B{row}" and rd.source == CITY_SOURCE and rd.row == row
        hte = get("hte_total")
        assert hte.value == 100 + i * 10 and hte.city_rank == (3 if i == 4 else 12 - i) and hte.cell == f"第1张表 E{row}"
        ratio = get("rd_intensity_gdp")
        assert ratio.value == Decimal(str(round(0.025 + i / 1000, 4))) * 100        # 2.50% read as 2.5
        assert ratio.reported_growth == Decimal("0.1") and ratio.cell == f"第1张表 G{row}"
        tc = get("tech_contract_value")
        assert tc.value == Decimal(str(round(5 + i * 0.25, 2))) and tc.cell == f"第1张表 I{row}"
    assert len(v) == 12 * 4


def test_city_table_figures_cite_the_cell_and_rank_among_every_unit(tmp_path):
    root = stats_folder(tmp_path)
    city_workbook(root / "values" / CITY_FILE)
    eng = FigureEngine(data.load(root))
    f = eng.figure("pingyang", 2024, "rd_expenditure")      # row 11: 平　阳
    assert f.value_text == "17.5亿元" and f.growth_text == "5.5" and f.city_rank == 7 and f.rank_source == "given"
    assert [s.cite() for s in f.sources] == [f"{CITY_SOURCE}({CITY_FILE} 第1张表 B11)"]
    assert f.as_record()["sources"] == f"{CITY_SOURCE}({CITY_FILE} 第1张表 B11)"
    # no rank column for 技术合同成交额: the city rank is computed among all twelve units of the table
    t = eng.figure("pingyang", 2024, "tech_contract_value")
    assert t.city_rank == 7 and t.rank_source == "computed"
    assert eng.figure("longgang", 2024, "tech_contract_value").city_rank == 1


def test_make_check_says_how_the_table_was_read(tmp_path):
    root = stats_folder(tmp_path)
    city_workbook(root / "values" / CITY_FILE)
    result = check(root)
    assert result.ok, result.lines()
    line = next(n for n in result.notes if n.startswith("读取了"))
    assert line == ("读取了 values/2024年1-11月全市主要科技指标.xlsx 第1张表“Sheet1”:按市表(县区为行、指标为列)读取,"
                    "2024年1-11月;指标 4 个(全社会研发经费支出、高新技术企业总数、研发经费支出占GDP比重、技术合同交易额);"
                    "县区 12 个(鹿城区、龙湾区、瓯海区、洞头区、永嘉县、平阳县、苍南县、文成县、泰顺县、瑞安市、乐清市、龙港市);"
                    "合计行 全市 读作温州市的全市数;用到 101 个单元格")


def county_workbook(path: Path, *, title="2024年1-11月平阳县主要科技指标") -> Path:
    """One county's indicators as rows: 序号, 指标名称, 单位, 1-11月, 上年同期, 同比增长(%), 增减(百分点),
    目标, 完成率(%), 全市排名, 备注; a heading row and a note row."""
    wb = Workbook()
    ws = wb.active
    ws.title = "平阳"
    ws.append([title])
    ws.merge_cells("A1:K1")
    ws.append(["序号", "指标名称", "单位", "2024年1-11月", "上年同期", "同比增长（%）", "增减（百分点）", "目标", "完成率（%）",
               "全市排名", "备注"])
    ws.append([None, "一、创新投入"])
    ws.append([1, "R&D经费支出", "亿元", 23.45, 20.1, 16.7, None, 25, 93.8, "3", "快报数"])
    ws.append([2, "研发投入强度", "%", 0.0352, 0.033, "—", 0.22, None, None, "并列5", None])
    ws.cell(5, 4).number_format = "0.00%"
    ws.cell(5, 5).number_format = "0.00%"
    ws.append([3, "高企数", "家", 327, 302, 8.28, None, 300, "109.0", None, None])
    ws.append([4, "技术合同成交额", "万元", 93680, "/", "-", None, None, None, None, None])
    ws.append(["注：R&D经费为快报数。"])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def test_county_table_read_with_last_year_and_cells(tmp_path):
    root = stats_folder(tmp_path)
    county_workbook(root / "values" / "平阳县主要指标.xlsx")
    ds = data.load(root)
    v = ds.values.set_index(["year", "indicator"])
    assert set(ds.values.county) == {"pingyang"} and set(ds.values.period) == {"1-11月"}
    rd = v.loc[(2024, "rd_expenditure")]
    assert (rd.value, rd.reported_growth, rd.target, rd.reported_completion, rd.city_rank, rd.cell) == (
        Decimal("23.45"), Decimal("16.7"), Decimal(25), Decimal("93.8"), Decimal(3), "第1张表 D4")
    assert v.loc[(2023, "rd_expenditure")].value == Decimal("20.1") and v.loc[(2023, "rd_expenditure")].cell == "第1张表 E4"
    ratio = v.loc[(2024, "rd_intensity_gdp")]
    assert ratio.value == Decimal("3.52") and ratio.reported_growth == Decimal("0.22") and ratio.city_rank == 5
    hte = v.loc[(2024, "hte_total")]
    assert hte.value == 327 and hte.reported_growth == Decimal("8.28") and hte.reported_completion == Decimal("109.0")
    tc = v.loc[(2024, "tech_contract_value")]
    assert tc.value == Decimal("9.368") and tc.cell == "第1张表 D7"               # 93680 万元 in 亿元
    assert (2023, "tech_contract_value") not in v.index                           # "/" is no value
    f = FigureEngine(ds).figure("pingyang", 2024, "hte_total")
    assert f.prev_value == 302 and f.growth_text == "8.28" and f.completion_source == "reported"
    assert [s.cite() for s in f.sources] == ["2024年1-11月平阳县主要科技指标(平阳县主要指标.xlsx 第1张表 D6)",
                                             "2024年1-11月平阳县主要科技指标(平阳县主要指标.xlsx 第1张表 E6)"]


def test_last_year_column_agreeing_with_last_years_rows_is_the_same_figure(tmp_path):
    root = stats_folder(tmp_path)
    county_workbook(root / "values" / "平阳县主要指标.xlsx")
    (root / "values" / "pingyang.csv").write_text(
        "county,year,indicator,period,value,source\npingyang,2023,hte_total,1-11月,302,2023年快报\n", encoding="utf-8")
    ds = data.load(root)
    got = ds.values[(ds.values.year == 2023) & (ds.values.indicator == "hte_total")]
    assert len(got) == 1 and got.iloc[0].source == "2023年快报"                    # the row typed for 2023 is kept
    (root / "values" / "pingyang.csv").write_text(
        "county,year,indicator,period,value,source\npingyang,2023,hte_total,1-11月,301,2023年快报\n", encoding="utf-8")
    with pytest.raises(DuplicateRowError) as ei:
        data.load(root)
    assert "重复" in str(ei.value)


@pytest.mark.parametrize("title,sheet,year,period", [
    ("2024年1-11月温州市各县（市、区）主要科技指标", "Sheet1", 2024, "1-11月"),
    ("2024年1-10月累计主要科技指标", "Sheet1", 2024, "1-10月"),
    ("2024年1至11月主要科技指标", "Sheet1", 2024, "1-11月"),
    ("2024年1—11月主要科技指标", "Sheet1", 2024, "1-11月"),
    ("2024年前三季度主要科技指标", "Sheet1", 2024, "1-9月"),
    ("2023年各县（市、区）主要科技指标", "Sheet1", 2023, "全年"),
    ("各县（市、区）主要科技指标", "2024年1-11月", 2024, "1-11月"),
    ("1-11月主要科技指标", "2024年", 2024, "1-11月"),
    ("1-11月主要科技指标", "2024", 2024, "1-11月"),
])
def test_year_and_period_from_title_or_sheet(tmp_path, title, sheet, year, period):
    root = stats_folder(tmp_path)
    city_workbook(root / "values" / "指标.xlsx", title=title, sheet=sheet)
    ds = data.load(root)
    assert set(ds.values.year) == {year} and set(ds.values.period) == {period}


def test_year_from_the_file_name(tmp_path):
    root = stats_folder(tmp_path)
    city_workbook(root / "values" / "2024年1-11月全市主要科技指标.xlsx", title="温州市各县（市、区）主要科技指标")
    ds = data.load(root)
    assert set(ds.values.year) == {2024} and set(ds.values.period) == {"1-11月"}


def test_one_row_header_with_growth_and_rank_beside_the_value(tmp_path):
    """"研发经费(亿元) | 增速(%) | 排名": the sub-columns belong to the column group on their left."""
    root = stats_folder(tmp_path)
    wb = Workbook()
    ws = wb.active
    ws.append(["2024年温州市各县（市、区）研发经费"])
    ws.append(["地区", "研发经费支出(亿元)", "增速(%)", "排名"])
    for i, name in enumerate(WENZHOU):
        ws.append([name, 10 + i, 5, 12 - i])
    ws.append(["合计", 200, 5, None])
    wb.save(root / "values" / "rd.xlsx")
    v = data.load(root).values
    row = v[v.county == "pingyang"].iloc[0]
    assert (row.indicator, row.value, row.reported_growth, row.city_rank, row.cell) == (
        "rd_expenditure", 15, 5, 7, "第1张表 B8")


def test_csv_city_table_cells_are_cited_without_a_sheet(tmp_path):
    root = stats_folder(tmp_path)
    lines = ["2024年1-11月温州市各县（市、区）高新技术企业", "县（市、区）,高新技术企业（家）,全市排名"]
    lines += [f"{n},{100 + i},{12 - i}" for i, n in enumerate(WENZHOU)]
    (root / "values" / "hte.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    v = data.load(root).values
    row = v[v.county == "pingyang"].iloc[0]
    assert (row.value, row.city_rank, row.cell, row.sheet) == (105, 7, "B8", "")


def test_streamed_reader_keeps_merges_stale_dimension_and_uncalculated_formulas(tmp_path):
    """Read-only mode trusts <dimension> and has no merged cells: neither may cost a figure."""
    import re
    import zipfile
    root = stats_folder(tmp_path)
    path = city_workbook(root / "values" / CITY_FILE)
    wb_formula = Workbook()
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    for n in parts:
        if n.startswith("xl/worksheets/sheet"):
            parts[n] = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:B2"/>', parts[n])
    with zipfile.ZipFile(path, "w") as z:
        for n, b in parts.items():
            z.writestr(n, b)
    del wb_formula
    tables = read_tables(path, data.ALIASES, data.KNOWN_COLUMNS)
    assert len(tables) == 1 and tables[0].grid is not None
    assert (3, 2, 3, 4) in tables[0].merges and (3, 1, 4, 1) in tables[0].merges
    assert len(data.load(root).values) == 48


def test_formula_without_a_cached_value_is_refused_at_its_cell(tmp_path):
    root = stats_folder(tmp_path)
    path = root / "values" / CITY_FILE
    city_workbook(path)
    from openpyxl import load_workbook
    wb = load_workbook(path)
    wb.active["B11"] = "=B10+1.5"          # written by a program, never calculated
    wb.save(path)
    with pytest.raises(data.ValueFormatError) as ei:
        data.load(root)
    e = ei.value
    assert e.cell == "B11" and e.sheet == "Sheet1" and "公式“=B10+1.5”" in str(e) and "单元格 B11" in str(e)


def test_aliases_column_is_read_from_the_catalog():
    ds = data.load(config.ROOT / "data")
    assert "高企数" in ds.indicator("hte_total").aliases
    assert "技术合同成交额" in ds.indicator("tech_contract_value").aliases
    assert "R&D经费支出" in ds.indicator("rd_expenditure").aliases
    cat = layouts.Catalog.of(ds)
    for printed, ind in [("R&D经费支出", "rd_expenditure"), ("Ｒ＆Ｄ经费支出（亿元）", "rd_expenditure"),
                         ("研发投入强度", "rd_intensity_gdp"), ("高企数", "hte_total"),
                         ("技术合同成交额", "tech_contract_value"), ("规上工业研发费用", "rd_expense_above_scale")]:
        assert cat.indicator(printed) == [ind], printed
    # names printed by statistics tables that are different indicators stay different
    assert cat.indicator("规上工业企业研发费用") == ["rd_expense_above_scale"]
    assert cat.indicator("全社会研发经费支出") == ["rd_expenditure"]
    # every alias names one indicator only
    seen = {}
    for i in ds.indicator_ids:
        for a in (ds.indicator(i).name, *ds.indicator(i).aliases):
            assert seen.setdefault(a, i) == i, (a, seen[a], i)


def test_report_built_from_a_city_table_cites_its_cells(tmp_path):
    """A county-year whose figures come only from a city table: 表1's 资料来源 names the cells,
    figures.csv cites each figure's cell, the document is built (in-process, as make report does)."""
    import csv as csv_mod

    from helpers import generate
    from reportkit.document.table import sources_note
    from reportkit.model.report import compute_report_figures
    root = stats_folder(tmp_path)
    city_workbook(root / "values" / CITY_FILE)
    md = root / "narrative" / "pingyang" / "2024.md"
    md.parent.mkdir(parents=True)
    md.write_text("---\nindicators:\n  - rd_expenditure\n  - hte_total\n---\n\n# 导语\n\n导语。\n\n# 工作总结\n\n"
                  "## 小节\n\n高新技术企业{hte_total}。\n\n# 工作思路\n\n## 思路\n\n思路。\n", encoding="utf-8")
    rf = compute_report_figures("pingyang", 2024, data_dir=root)
    assert sources_note(rf) == (f"资料来源：{CITY_SOURCE}（{CITY_FILE} 第1张表 B11、E11）。")
    run = generate("pingyang", 2024, root, tmp_path / "build")
    with open(run.paths.out_dir / "figures.csv", encoding="utf-8-sig") as fh:
        rows = {r["indicator"]: r for r in csv_mod.DictReader(fh)}
    assert rows["rd_expenditure"]["sources"] == f"{CITY_SOURCE}({CITY_FILE} 第1张表 B11)"
    assert rows["hte_total"]["sources"] == f"{CITY_SOURCE}({CITY_FILE} 第1张表 E11)"
    assert rows["hte_total"]["value_text"] == "150家" and rows["hte_total"]["city_rank"] == "7"
    from reportkit.editing.audit import audit
    a = audit("pingyang", 2024, data_dir=root, build_root=tmp_path / "build", write=False)
    assert a.ok
    traced = {f.source for f in a.of("ref") if f.indicator == "高新技术企业总数"}
    assert f"{CITY_SOURCE}({CITY_FILE} 第1张表 E11)" in traced, traced


def test_a_changed_city_table_makes_its_counties_reports_out_of_date(tmp_path):
    """The incremental-build index counts a statistics table's rows for the counties read from it."""
    from openpyxl import load_workbook

    from reportkit.run.fingerprint import DataIndex, code_hash
    root = stats_folder(tmp_path)
    path = city_workbook(root / "values" / CITY_FILE)
    idx = DataIndex.read(root)
    assert 2024 in idx.years["pingyang"] and f"values/{CITY_FILE}" in idx.files["pingyang"]
    assert set(idx.data_without_narrative(2024)) >= set(SLUGS)      # make all names them
    before = idx.fingerprint("pingyang", 2024, code_hash())
    wb = load_workbook(path)
    wb.active["E11"] = 151
    wb.save(path)
    assert DataIndex.read(root).fingerprint("pingyang", 2024, code_hash()) != before


def test_a_city_tables_refusal_fails_its_own_countys_reports_only(tmp_path):
    root = stats_folder(tmp_path)
    path = city_workbook(root / "values" / CITY_FILE)
    from openpyxl import load_workbook
    wb = load_workbook(path)
    wb.active["A7"] = "市本级"          # 龙湾区's row now names nothing
    wb.save(path)
    with pytest.raises(LayoutError) as ei:
        data.load(root, for_county="pingyang")
    assert ei.value.cell == "A7" and "“市本级”不是登记的县区" in str(ei.value)
    (root / "values" / "xinchang.csv").write_text(
        "county,year,indicator,value,source\nxinchang,2024,hte_total,327,测试\n", encoding="utf-8")
    ds = data.load(root, for_county="xinchang")         # 绍兴市: the Wenzhou table is not its business
    assert list(ds.values.county) == ["xinchang"]


def test_make_check_says_how_a_county_table_was_read(tmp_path):
    root = stats_folder(tmp_path)
    path = county_workbook(root / "values" / "平阳县主要指标.xlsx")
    from openpyxl import load_workbook
    wb = load_workbook(path)
    wb.active["G6"] = 25            # a 增减 of 高企 (家): computed from the two years, said as not used
    wb.save(path)
    result = check(root)
    assert result.ok, result.lines()
    line = next(n for n in result.notes if n.startswith("读取了"))
    assert line == ("读取了 values/平阳县主要指标.xlsx 第1张表“平阳”:按县表(指标为行)读取,2024年1-11月;"
                    "指标 4 个(全社会研发经费支出、研发经费支出占GDP比重、高新技术企业总数、技术合同交易额);县区 1 个(平阳县);"
                    "用到 16 个单元格;没有用的列:G6(“高新技术企业总数”的增减量由两年数值算出)")


def test_county_table_with_year_columns_in_either_order(tmp_path):
    root = stats_folder(tmp_path)
    rows = [["平阳县主要科技指标"], ["指标名称", "2023年", "2024年", "增长（%）"], ["高新技术企业数", 302, 327, 8.28]]
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    wb.save(root / "values" / "县表.xlsx")
    v = data.load(root).values.set_index("year")
    assert v.loc[2024].value == 327 and v.loc[2024].cell == "第1张表 C3" and v.loc[2024].period == "全年"
    assert v.loc[2023].value == 302 and v.loc[2023].cell == "第1张表 B3"
    assert v.loc[2024].reported_growth == Decimal("8.28")


def test_group_headers_above_an_unmerged_name_header(tmp_path):
    """The indicator groups in row 2, 县（市、区） written only in row 3 (no vertical merge)."""
    root = stats_folder(tmp_path)
    wb = Workbook()
    ws = wb.active
    ws.append(["2024年温州市各县（市、区）科技指标"])
    ws.append([None, "高新技术企业", None, "技术合同成交额", None])
    ws.append(["县（市、区）", "数量（家）", "排名", "本年（亿元）", "增速（%）"])
    ws.merge_cells("B2:C2")
    ws.merge_cells("D2:E2")
    for i, n in enumerate(WENZHOU):
        ws.append([n, 100 + i, 12 - i, 5 + i, 3])
    wb.save(root / "values" / "t.xlsx")
    v = data.load(root).values
    got = v[v.county == "pingyang"].set_index("indicator")
    assert got.loc["hte_total"].value == 105 and got.loc["hte_total"].city_rank == 7
    assert got.loc["tech_contract_value"].value == 10 and got.loc["tech_contract_value"].reported_growth == 3
    assert got.loc["tech_contract_value"].cell == "第1张表 D9"


def test_share_with_growth_and_percentage_point_columns_reads_the_points(tmp_path):
    root = stats_folder(tmp_path)
    wb = Workbook()
    ws = wb.active
    ws.append(["2024年温州市各县（市、区）研发投入强度"])
    ws.append(["县（市、区）", "研发投入强度", None, None])
    ws.append([None, "本年（%）", "增速（%）", "增减（百分点）"])
    ws.merge_cells("A2:A3")
    ws.merge_cells("B2:D2")
    for i, n in enumerate(WENZHOU):
        ws.append([n, 3 + i / 10, 4.5, 0.12])
    wb.save(root / "values" / "t.xlsx")
    v = data.load(root).values
    row = v[v.county == "pingyang"].iloc[0]
    assert row.value == Decimal("3.5") and row.reported_growth == Decimal("0.12") and row.cell == "第1张表 B9"
    line = next(n for n in check(root).notes if n.startswith("读取了"))
    assert line.endswith("没有用的列:C3(“研发经费支出占GDP比重”的变化取百分点一列)")


def test_quick_number_text_equals_the_exact_path():
    """The streamed reader's quick path for plain stored numbers shows what the exact path shows."""
    import random

    from reportkit.inputs.tables import _number_fast, _number_text
    rnd = random.Random(20241128)
    texts = ["0", "-0", "100", "15.40", "007.10", "0.000001", "123456789012345", "-3.5"]
    for _ in range(5000):
        digits = rnd.randint(1, 15)
        n = rnd.randint(0, 10 ** digits - 1)
        places = rnd.randint(0, digits)
        text = str(n).zfill(places + 1)
        text = (text[:-places] + "." + text[-places:]) if places else text
        texts.append(("-" if rnd.random() < 0.2 else "") + text)
    for text in texts:
        slow = _number_text(float(text) if "." in text else int(text), "")
        assert _number_fast(text) == slow, text


def test_city_table_period_and_years_from_its_header(tmp_path):
    """Title "2024年…" with "1-11月累计" over the values; a 2023年 column is last year's."""
    root = stats_folder(tmp_path)
    wb = Workbook()
    ws = wb.active
    ws.append(["2024年温州市各县（市、区）技术合同成交额"])
    ws.append(["县（市、区）", "技术合同成交额（亿元）", None])
    ws.append([None, "2024年1-11月累计", "2023年1-11月", "年度目标"])
    ws.merge_cells("A2:A3")
    ws.merge_cells("B2:D2")
    for i, n in enumerate(WENZHOU):
        ws.append([n, 5 + i, 4 + i, 20])
    wb.save(root / "values" / "t.xlsx")
    v = data.load(root).values
    got = v[v.county == "pingyang"].set_index("year")
    assert set(v.period) == {"1-11月"}
    assert got.loc[2024].value == 10 and got.loc[2024].cell == "第1张表 B9" and got.loc[2024].target == 20
    assert got.loc[2023].value == 9 and got.loc[2023].cell == "第1张表 C9"


def test_city_table_header_period_disagreeing_with_the_title_is_refused(tmp_path):
    root = stats_folder(tmp_path)
    workbook(root / "values" / "t.xlsx", [["2024年1-10月温州市各县（市、区）技术合同成交额"], ["县（市、区）", "1-11月累计（亿元）"],
                                         *([n, 5 + i] for i, n in enumerate(WENZHOU))])
    with pytest.raises(LayoutError) as ei:
        data.load(root)
    assert "看不出这张表是哪个时期的:标题“2024年1-10月温州市各县（市、区）技术合同成交额”;表头写的时期不一致(1-10月、1-11月)" \
        in str(ei.value)


def test_make_check_says_how_a_long_table_was_read_too(tmp_path):
    root = stats_folder(tmp_path)
    city_workbook(root / "values" / CITY_FILE)
    (root / "values" / "xinchang.csv").write_text(
        "county,year,indicator,value,source\nxinchang,2024,hte_total,327,测试\nxinchang,2023,hte_total,300,测试\n",
        encoding="utf-8")
    notes = [n for n in check(root).notes if n.startswith("读取了")]
    assert notes[0].startswith("读取了 values/2024年1-11月全市主要科技指标.xlsx 第1张表“Sheet1”:按市表")
    assert notes[1] == "读取了 values/xinchang.csv:按长表(每行一个县区、年份、指标)读取,2 行;县区 1 个(新昌县)"


def test_the_same_figure_in_two_city_tables_is_refused_naming_both_cells(tmp_path):
    root = stats_folder(tmp_path)
    city_workbook(root / "values" / "a.xlsx")
    city_workbook(root / "values" / "b.xlsx")
    with pytest.raises(DuplicateRowError) as ei:
        data.load(root)
    e = ei.value
    assert "重复:a.xlsx 第1张表 B6已有同一数据" in str(e) and e.file.endswith("b.xlsx") and e.cell == "B6"


# ---------------------------------------------------------------- the 全市 row: the city's own figure

def test_city_table_total_row_is_kept_as_the_citys_figure_not_a_county(tmp_path):
    from reportkit.model.city import compute_city_view
    root = stats_folder(tmp_path)
    city_workbook(root / "values" / CITY_FILE)
    ds = data.load(root)
    assert sorted(set(ds.values.county)) == sorted(SLUGS)       # county reports see the twelve units only
    c = ds.city_values.set_index("indicator")
    assert set(c.city) == {"温州市"} and set(c.period) == {"1-11月"} and set(c.year) == {2024}
    assert c.loc["rd_expenditure", "value"] == Decimal("300.55") and c.loc["rd_expenditure", "cell"] == "第1张表 B5"
    assert c.loc["rd_expenditure", "reported_growth"] == Decimal("10.2")
    assert c.loc["hte_total", "value"] == 4000 and c.loc["hte_total", "cell"] == "第1张表 E5"
    assert c.loc["rd_intensity_gdp", "value"] == Decimal("3.2") and c.loc["rd_intensity_gdp", "reported_growth"] == Decimal("0.1")
    # a county report's load reads the same county rows and no city figure
    one = data.load(root, for_county="pingyang")
    assert one.city_values.empty and one.values.equals(ds.values)
    view = compute_city_view("温州市", 2024, dataset=ds)
    rd = view.table("rd_expenditure").set_index("县(市、区)").loc["全市"]
    assert (rd["本年"], rd["增减"]) == ("300.55", "增长10.2%")
    share = view.table("rd_intensity_gdp").set_index("县(市、区)").loc["全市"]
    assert (share["本年"], share["增减"]) == ("3.20", "提高0.1个百分点")
    assert view.table("hte_total").iloc[-1]["本年"] == "4000"       # the data's, not the units' sum 1860
    warned = [w for w in view.warnings if w.startswith("高新技术企业总数")]
    assert warned == [f"高新技术企业总数\uff081-11月\uff09\uff1a数据中的全市数4000家\uff08{CITY_SOURCE}({CITY_FILE} 第1张表 E5)\uff09"
                      "与各县\uff08市、区\uff09之和1860家相差2140家\uff0c超出四舍五入误差\uff1b汇总中印数据中的全市数\uff0c请核对"]
    f = view.figures_frame()
    total = f[(f.county_name == "全市") & (f.indicator == "rd_expenditure")].iloc[0]
    assert total.sources == f"{CITY_SOURCE}({CITY_FILE} 第1张表 B5)" and total.coverage == "数据中的全市数"


def test_two_total_rows_of_one_city_are_refused_at_the_cell(tmp_path):
    root = stats_folder(tmp_path)
    path = city_workbook(root / "values" / CITY_FILE)
    from openpyxl import load_workbook
    wb = load_workbook(path)
    ws = wb.active
    ws.insert_rows(18)
    for c, v in enumerate(["温州市", 301, None, None, 4000], 1):
        ws.cell(18, c, v)
    wb.save(path)
    result = check(root)
    errs = [str(e) for e in result.errors]
    assert len(errs) == 1 and f"{CITY_FILE}" in errs[0] and "单元格 A18" in errs[0], errs
    assert "“温州市”与第 5 行的“全市”都是温州市的合计行" in errs[0] and errs[0].endswith("只留一行全市合计,删去另一行")


def test_a_sum_of_some_units_or_a_province_total_is_not_the_citys_figure(tmp_path):
    root = stats_folder(tmp_path)
    workbook(root / "values" / "部分县区.xlsx", [["2024年温州市部分县（市、区）高新技术企业"], ["县（市、区）", "高新技术企业（家）"],
                                              ["合计", 300], ["鹿城区", 100], ["龙湾区", 200], ["全省", 40000]])
    ds = data.load(root)
    assert ds.city_values.empty and sorted(ds.values.county) == ["longwan", "lucheng"]
    line = next(n for n in check(root).notes if n.startswith("读取了"))
    assert line.endswith("合计行 合计、全省 不作县区;用到 2 个单元格")
