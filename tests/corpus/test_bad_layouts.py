"""The bad-layout corpus: statistics tables a clerk drops into data/values/ as they came, and the
exact outcome of each — a located Chinese refusal (class, message, file, sheet, cell) or the
figure read. Nothing is matched by a guess: a header, name, unit, year or period that matches
nothing or more than one thing is refused at its cell."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from helpers import WENZHOU, stats_folder, workbook
from reportkit.inputs import data
from reportkit.run.check import check
from reportkit.exceptions import LayoutError, ValueFormatError

TITLE = "2024年1-11月温州市各县（市、区）主要科技指标"


def city(root, header: list[list], body=None, *, title=TITLE, merges=(), sheet="Sheet1", name="市表.xlsx"):
    """A city table: the title, the header rows given, then Wenzhou's twelve units (or ``body``)."""
    width = len(header[0])
    rows = [[title]] + header
    rows += body if body is not None else [[n] + [10 + i] * (width - 1) for i, n in enumerate(WENZHOU)]
    return workbook(root / "values" / name, rows, merges=merges, sheet=sheet)


def county(root, rows: list[list], *, title="2024年1-11月平阳县主要科技指标", name="县表.xlsx"):
    head = ["序号", "指标名称", "单位", "本年", "上年同期", "同比增长（%）", "全市排名"]
    return workbook(root / "values" / name, [[title], head] + rows)


@dataclass
class Refused:
    cls: type
    message: str
    cell: str | None
    sheet: str | None = "Sheet1"
    hint: str | None = None


CASES = {}


def case(name, expect):
    def deco(fn):
        CASES[name] = (fn, expect)
        return fn
    return deco


@case("indicator_header_matches_nothing",
      Refused(LayoutError, "表头“综合创新指数”不是指标目录中的指标名称或别名", "C2",
              hint="在 indicators.csv 中给对应的指标的 aliases 列加上“综合创新指数”"))
def _(root):
    city(root, [["县（市、区）", "R&D经费支出（亿元）", "综合创新指数"]])


@case("indicator_header_matches_two_indicators",
      Refused(LayoutError, "表头“研发经费（亿元）”同时是指标目录中 2 个指标的名称或别名:全社会研发经费支出(rd_expenditure)、"
                           "规上工业企业研发费用(rd_expense_above_scale)", "B2",
              hint="把表头改为其中一个指标的全称,或在 indicators.csv 中去掉重复的别名"))
def _(root):
    cat = (root / "indicators.csv").read_text(encoding="utf-8").splitlines()
    cat = [line + "|研发经费" if line.startswith("rd_expense_above_scale,") else line for line in cat]
    cat = [line + ",研发经费" if line.startswith("rd_expense_above_scale,") and line.count(",") == 9 else line
           for line in cat]
    (root / "indicators.csv").write_text("\n".join(cat) + "\n", encoding="utf-8")
    city(root, [["县（市、区）", "研发经费（亿元）"]])


@case("unit_name_matches_nothing",
      Refused(LayoutError, "“市本级”不是登记的县区", "A15", hint="合计行请写“全市”或“合计”"))
def _(root):
    body = [[n, 10 + i] for i, n in enumerate(WENZHOU)] + [["市本级", 3]]
    city(root, [["县（市、区）", "高新技术企业（家）"]], body)


@case("unit_name_matches_two_counties",
      Refused(LayoutError, "“平阳”同时是 2 个登记县区的名称:平阳县(pingyang)、平阳区(pingyang_x)", "A8",
              hint="写县区全称"))
def _(root):
    with open(root / "counties.csv", "a", encoding="utf-8") as fh:
        fh.write("pingyang_x,平阳区,区,别的市,别的省,平阳区科学技术局\n")
    body = [["平阳" if n == "平阳县" else n, 10 + i] for i, n in enumerate(WENZHOU)]
    city(root, [["县（市、区）", "高新技术企业（家）"]], body)


@case("title_and_sheet_name_disagree_on_the_year",
      Refused(LayoutError, "看不出这张表是哪一年的:标题“2024年1-11月温州市各县（市、区）主要科技指标”;工作表名“2023年”"
                           "写的年份不一致(2023、2024)", None, sheet="2023年"))
def _(root):
    city(root, [["县（市、区）", "高新技术企业（家）"]], sheet="2023年")


@case("no_year_anywhere",
      Refused(LayoutError, "看不出这张表是哪一年的数据(标题、工作表名和文件名都没有写年份)", None,
              hint="在标题行写明年份和时期"))
def _(root):
    city(root, [["县（市、区）", "高新技术企业（家）"]], title="温州市各县（市、区）主要科技指标")


@case("period_with_month_13",
      Refused(LayoutError, "时期“1-13月”无效(月份应为 1~12)", None))
def _(root):
    city(root, [["县（市、区）", "高新技术企业（家）"]], title="2024年1-13月主要科技指标")


@case("sub_column_matches_nothing",
      Refused(LayoutError, "看不懂“全社会研发经费支出”下的表头“考核得分”是哪一项", "C3",
              hint="把表头改为 本年、上年同期、同比增长(%)、增减(百分点)、目标、完成率(%)、全市排名 之一,或删去这一列"))
def _(root):
    city(root, [["县（市、区）", "R&D经费支出", None], [None, "本年（亿元）", "考核得分"]], merges=("A2:A3", "B2:C2"))


@case("unit_in_header_cannot_be_converted",
      Refused(LayoutError, "表头“高新技术企业（亿元）”的单位“亿元”与指标目录中“高新技术企业总数”的单位“家”不能换算", "B2"))
def _(root):
    city(root, [["县（市、区）", "高新技术企业（亿元）"]])


@case("growth_in_percent_of_a_share",
      Refused(LayoutError, "“研发经费支出占GDP比重”是比重类指标,变化按百分点计;表头“增速（%）”看不出是百分点", "C3",
              hint="这一列是百分点变化时把表头写成“增减（百分点）”;是相对增速时删去这一列"))
def _(root):
    city(root, [["县（市、区）", "研发投入强度", None], [None, "本年（%）", "增速（%）"]], merges=("A2:A3", "B2:C2"),
         body=[[n, 3.1, 5] for n in WENZHOU])


@case("unit_line_names_two_fitting_units",
      Refused(LayoutError, "“单位：万元、亿元”列出的单位中,万元、亿元 都可能是“全社会研发经费支出”的单位", "A2",
              hint="在“全社会研发经费支出”的表头写明单位"))
def _(root):
    rows = [[TITLE], ["单位：万元、亿元"], ["县（市、区）", "R&D经费支出"]] + [[n, 10 + i] for i, n in enumerate(WENZHOU)]
    workbook(root / "values" / "市表.xlsx", rows)


@case("county_table_names_no_county",
      Refused(LayoutError, "看不出这张表是哪个县区的(标题、工作表名和文件名都没有县区名称)", None,
              hint="在标题中写明县区全称"))
def _(root):
    county(root, [[1, "高企数", "家", 327, 302, 8.28, 3]], title="2024年1-11月主要科技指标")


@case("county_table_names_two_counties",
      Refused(LayoutError, "标题中同时出现了 2 个县区:苍南县(cangnan)、平阳县(pingyang)", None))
def _(root):
    county(root, [[1, "高企数", "家", 327, 302, 8.28, 3]], title="2024年1-11月平阳县、苍南县主要科技指标")


@case("county_table_indicator_row_matches_nothing",
      Refused(LayoutError, "“综合科技进步指数”不是指标目录中的指标名称或别名", "B4"))
def _(root):
    county(root, [[1, "高企数", "家", 327, 302, 8.28, 3], [2, "综合科技进步指数", "", 88, 80, 10, 2]])


@case("county_table_column_matches_nothing",
      Refused(LayoutError, "看不懂表头“考核分”是哪一项", "H2"))
def _(root):
    rows = [["2024年平阳县主要科技指标"], ["序号", "指标名称", "单位", "本年", "上年同期", "同比增长（%）", "全市排名", "考核分"],
            [1, "高企数", "家", 327, 302, 8.28, 3, 95]]
    workbook(root / "values" / "县表.xlsx", rows)


@case("value_cell_with_words",
      Refused(ValueFormatError, "“约23”不是数字", "B8"))
def _(root):
    body = [[n, "约23" if n == "平阳县" else 10 + i] for i, n in enumerate(WENZHOU)]
    city(root, [["县（市、区）", "R&D经费支出（亿元）"]], body)


@case("same_unit_twice",
      Refused(LayoutError, "“平 阳”与第 8 行的“平阳县”是同一个县区(平阳县)", "A15", hint="删去重复的一行"))
def _(root):
    body = [[n, 10 + i] for i, n in enumerate(WENZHOU)] + [["平 阳", 99]]
    city(root, [["县（市、区）", "高新技术企业（家）"]], body)


@case("figure_merged_across_columns",
      Refused(LayoutError, "单元格 B8:C8 是跨列合并的,看不出“15”属于哪一列", "B8",
              hint="取消合并单元格(再点一次“合并后居中”),把数填在它所属的一列"))
def _(root):
    city(root, [["县（市、区）", "R&D经费支出（亿元）", "高新技术企业（家）"]], merges=("B8:C8",))


@case("bare_rank_in_a_table_of_two_cities",
      Refused(LayoutError, "表头“排名”看不出是全市排名还是全省排名(表中的县区属于 2 个市)", "C2",
              hint="把表头写成“全市排名”或“全省排名”"))
def _(root):
    body = [[n, 10 + i, 12 - i] for i, n in enumerate(WENZHOU)] + [["新昌县", 9, 13]]
    city(root, [["县（市、区）", "高新技术企业（家）", "排名"]], body, title="2024年各县（市、区）高新技术企业")


@pytest.mark.parametrize("name", sorted(CASES))
def test_layout_case(tmp_path, name):
    build, expect = CASES[name]
    root = stats_folder(tmp_path)
    build(root)
    with pytest.raises(expect.cls) as ei:
        data.load(root)
    e = ei.value
    text = str(e)
    assert expect.message in text, text
    assert e.file.endswith(".xlsx") and e.sheet == expect.sheet
    assert e.cell == expect.cell, (e.cell, text)
    if expect.cell:
        assert f"单元格 {expect.cell}" in text
    if expect.hint:
        assert expect.hint in text, text


def test_check_lists_every_refusal_of_a_table_at_once(tmp_path):
    root = stats_folder(tmp_path)
    body = [[n, 10 + i, 5, 100] for i, n in enumerate(WENZHOU)] + [["市本级", 1, 2, 3], ["经开区", 1, 2, 3]]
    city(root, [["县（市、区）", "R&D经费支出（亿元）", "综合指数", "高新技术企业（万元）"]], body)
    result = check(root)
    got = sorted((type(e).__name__, e.cell, e.message.split("(")[0].split(",")[0]) for e in result.errors)
    assert got == [
        ("LayoutError", "A15", "“市本级”不是登记的县区"),
        ("LayoutError", "A16", "“经开区”不是登记的县区"),
        ("LayoutError", "C2", "表头“综合指数”不是指标目录中的指标名称或别名"),
        ("LayoutError", "D2", "表头“高新技术企业（万元）”的单位“万元”与指标目录中“高新技术企业总数”的单位“家”不能换算"),
    ]
    # what could be read is read, and said
    line = next(n for n in result.notes if n.startswith("读取了"))
    assert "指标 1 个(全社会研发经费支出)" in line and "县区 12 个" in line and "4 处无法识别" in line


def test_a_sub_heading_row_without_figures_is_no_county(tmp_path):
    root = stats_folder(tmp_path)
    body = [["其中：", None]] + [[n, 10 + i] for i, n in enumerate(WENZHOU)]
    city(root, [["县（市、区）", "高新技术企业（家）"]], body)
    assert len(data.load(root).values) == 12


def test_long_table_missing_a_column_is_still_refused_as_a_long_table(tmp_path):
    root = stats_folder(tmp_path)
    (root / "values" / "x.csv").write_text("县区,年份,指标,数值\npingyang,2024,hte_total,327\n", encoding="utf-8")
    with pytest.raises(data.DataError) as ei:
        data.load(root)
    assert "缺少必需的列“source”" in str(ei.value)
