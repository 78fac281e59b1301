"""The bad-input corpus: each realistic way a clerk's Excel/WPS file can go wrong, and its exact outcome.

Every case builds a data folder (real .xlsx files written with openpyxl, CSVs in the encodings
Chinese offices save) and asserts either the figure as the report prints it, or the refusal:
exception class, Chinese message, file, sheet, row and column. Nothing may be read wrong silently.
"""
from __future__ import annotations

import csv
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from openpyxl import Workbook

from helpers import INDICATORS, copy_real_data, make_data, v
from reportkit.inputs import data
from reportkit.narrative import source as narrative
from reportkit.run.check import check
from reportkit.exceptions import (DuplicateRowError, EncodingError, FileReadError, MissingColumnError,
                                  NarrativeError, NegativeValueError, UnknownCountyError, UnknownIndicatorError,
                                  ValueFormatError)
from reportkit.model.figures import FigureEngine
from reportkit.model.report import compute_report_figures

CATALOG = INDICATORS + [{"id": "capped", "name": "受限指标", "unit": "%", "kind": "ratio", "decimals": "1",
                         "higher_is_better": "是", "verb": "", "max": "50"}]
BASE = [v("alpha", 2023, "rd", "15.24"), v("alpha", 2023, "intensity", "3.30"), v("alpha", 2023, "hte", "300")]


# ---------------------------------------------------------------- building inputs

def folder(tmp_path, rows=(), targets=()):
    root = make_data(tmp_path / "d", list(BASE) + list(rows), targets=targets, indicators=CATALOG)
    with open(root / "indicators.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["id", "name", "unit", "kind", "decimals", "higher_is_better", "verb",
                                           "numerator", "denominator", "note", "min", "max"])
        w.writeheader()
        for r in CATALOG:
            w.writerow({k: r.get(k, "") for k in w.fieldnames})
    return root


def xlsx(path: Path, sheets: dict[str, list[list]], formats: dict | None = None, merges: dict | None = None,
         dimension: str | None = None) -> Path:
    """A workbook as Excel saves it: ``formats`` {(sheet, 'E3'): '0.00%'}, ``merges`` {sheet: ['A2:A3']}."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
        for (sheet, cell), fmt in (formats or {}).items():
            if sheet == name:
                ws[cell].number_format = fmt
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    if dimension:   # a writer that left a stale <dimension> record
        import zipfile
        with zipfile.ZipFile(path) as z:
            parts = {n: z.read(n) for n in z.namelist()}
        for n in parts:
            if n.startswith("xl/worksheets/sheet"):
                parts[n] = re.sub(rb'<dimension ref="[^"]*"/>', f'<dimension ref="{dimension}"/>'.encode(), parts[n])
        with zipfile.ZipFile(path, "w") as z:
            for n, b in parts.items():
                z.writestr(n, b)
    return path


HEAD = ["county", "year", "indicator", "period", "value", "unit", "qualifier", "target", "reported_growth",
        "reported_completion", "city_rank", "province_rank", "source"]


def row(county="alpha", year=2024, ind="rd", value=15.44, **kw):
    r = {"county": county, "year": year, "indicator": ind, "value": value, "source": "测试来源"}
    r.update(kw)
    return [r.get(h, None) for h in HEAD]


def values_file(root: Path, name: str, text: str | bytes) -> Path:
    p = root / "values" / name
    p.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return p


def csv_text(rows: list[list], delimiter=",", head=HEAD) -> str:
    """CSV as Excel/WPS write it (a cell holding the delimiter is quoted)."""
    import io
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    w.writerow(head)
    w.writerows([["" if c is None else c for c in r] for r in rows])
    return buf.getvalue()


# ---------------------------------------------------------------- outcomes

@dataclass
class Reads:
    """The input is read right: figure ``ind`` of alpha 2024 prints these attributes."""
    ind: str
    value: str
    growth: str | None = None
    extra: dict = field(default_factory=dict)


@dataclass
class Refused:
    """The input is refused: exception class, message fragment, where."""
    cls: type
    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None
    sheet: str | None = None


def outcome(root: Path, expect) -> None:
    t0 = time.perf_counter()
    if isinstance(expect, Reads):
        ds = data.load(root)
        f = FigureEngine(ds).figure("alpha", 2024, expect.ind)
        assert f is not None, "no figure"
        assert f.value_text == expect.value
        if expect.growth is not None:
            assert f.growth_text == expect.growth, f.warnings
        for attr, want in expect.extra.items():
            assert str(getattr(f, attr)) == want, (attr, getattr(f, attr))
    else:
        with pytest.raises(expect.cls) as ei:    # on loading, or when the figures are computed
            FigureEngine(data.load(root)).figures("alpha", 2024)
        e = ei.value
        text = str(e)
        assert expect.message in text, text
        assert "Traceback" not in text and re.search(r"[\u4e00-\u9fff]", text)
        if expect.file:
            assert e.file and Path(e.file).name == expect.file, e.file
        if expect.row is not None:
            assert e.row == expect.row, (e.row, text)
        if expect.column is not None:
            assert e.column == expect.column, (e.column, text)
        if expect.sheet is not None:
            assert e.sheet == expect.sheet, (e.sheet, text)
    assert time.perf_counter() - t0 < 10


CASES: dict[str, tuple] = {}


def case(name, expect):
    def deco(fn):
        CASES[name] = (fn, expect)
        return fn
    return deco


# ---------------------------------------------------------------- A. Excel cell formats

@case("xlsx_percent_format_ratio", Reads("intensity", "3.45%", extra={"change": "0.15"}))
def _(root):
    xlsx(root / "values" / "x.xlsx", {"数据": [HEAD, row(ind="intensity", value=0.0345)]}, {("数据", "E2"): "0.00%"})


@case("xlsx_percent_format_more_digits", Reads("intensity", "3.45%"))
def _(root):
    xlsx(root / "values" / "x.xlsx", {"数据": [HEAD, row(ind="intensity", value=0.034512)]}, {("数据", "E2"): "0.00%"})


@case("xlsx_percent_format_reported_growth", Reads("rd", "15.44亿元", "8.28"))
def _(root):
    xlsx(root / "values" / "x.xlsx", {"数据": [HEAD, row(reported_growth=0.0828)]}, {("数据", "I2"): "0.00%"})


@case("xlsx_percent_format_on_a_count", Refused(ValueFormatError, "带有百分号,而这一项的单位不是 %", "x.xlsx", 2, "value", "数据"))
def _(root):
    xlsx(root / "values" / "x.xlsx", {"数据": [HEAD, row(ind="hte", value=3.27)]}, {("数据", "E2"): "0%"})


@case("xlsx_formula_with_cached_value", Reads("rd", "15.44亿元"))
def _(root):
    path = xlsx(root / "values" / "x.xlsx", {"数据": [HEAD, row(value="=15+0.44")]})
    import zipfile
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = next(n for n in parts if n.startswith("xl/worksheets/sheet"))
    parts[sheet] = parts[sheet].replace(b"<f>15+0.44</f><v></v>", b"<f>15+0.44</f><v>15.44</v>").replace(
        b"<f>15+0.44</f>", b"<f>15+0.44</f><v>15.44</v>") if b"<v>15.44</v>" not in parts[sheet] else parts[sheet]
    with zipfile.ZipFile(path, "w") as z:
        for n, b in parts.items():
            z.writestr(n, b)


@case("xlsx_formula_never_calculated", Refused(ValueFormatError, "单元格是公式“=15+0.44”,但文件里没有它的计算结果",
                                               "x.xlsx", 2, "value", "数据"))
def _(root):
    xlsx(root / "values" / "x.xlsx", {"数据": [HEAD, row(value="=15+0.44")]})


@case("xlsx_error_value", Refused(ValueFormatError, "单元格显示 Excel 错误值 #DIV/0!", "x.xlsx", 2, "value"))
def _(root):
    xlsx(root / "values" / "x.xlsx", {"数据": [HEAD, row(value="#DIV/0!")]})


@case("xlsx_number_stored_as_text", Reads("rd", "15.44亿元"))
def _(root):
    xlsx(root / "values" / "x.xlsx", {"数据": [HEAD, row(value="15.44")]})


@case("xlsx_date_in_value", Refused(ValueFormatError, "“2024-01-15”不是数字", "x.xlsx", 2, "value"))
def _(root):
    import datetime as dt
    xlsx(root / "values" / "x.xlsx", {"数据": [HEAD, row(value=dt.date(2024, 1, 15))]})


# issue 20: a year cell holding a date shown as 2024 read as 2024-01-01 (没有 2024 年的指标数据)
@case("xlsx_year_formatted_as_date", Reads("rd", "15.44亿元", "1.31"))
def _(root):
    import datetime as dt
    xlsx(root / "values" / "x.xlsx", {"数据": [HEAD, row(year=dt.datetime(2024, 3, 1), value=15.44)]}, {("数据", "B2"): "yyyy"})


@case("xlsx_year_formatted_as_chinese_date", Reads("rd", "15.44亿元", "1.31"))
def _(root):
    import datetime as dt
    xlsx(root / "values" / "x.xlsx", {"数据": [HEAD, row(year=dt.datetime(2024, 1, 1), value=15.44)]},
         {("数据", "B2"): '[$-804]yyyy"年"'})


@case("xlsx_year_shown_as_a_full_date", Refused(ValueFormatError, "年份“2024-01-01”无效", "x.xlsx", 2, "year"))
def _(root):
    import datetime as dt
    xlsx(root / "values" / "x.xlsx", {"数据": [HEAD, row(year=dt.date(2024, 1, 1), value=15.44)]}, {("数据", "B2"): "yyyy-mm-dd"})


@case("xlsx_thousands_format", Reads("hte", "1234家"))
def _(root):
    xlsx(root / "values" / "x.xlsx", {"数据": [HEAD, row(ind="hte", value=1234)]}, {("数据", "E2"): "#,##0"})


@case("xlsx_float_noise", Reads("rd", "15.44亿元", "1.31"))
def _(root):
    xlsx(root / "values" / "x.xlsx", {"数据": [HEAD, row(value=15.440000000000001)]})


@case("xlsx_boolean_in_value", Refused(ValueFormatError, "“是”不是数字", "x.xlsx", 2, "value"))
def _(root):
    xlsx(root / "values" / "x.xlsx", {"数据": [HEAD, row(value=True)]})


@case("xlsx_year_as_float", Reads("rd", "15.44亿元", "1.31"))
def _(root):
    xlsx(root / "values" / "x.xlsx", {"数据": [HEAD, row(year=2024.0)]})


# ---------------------------------------------------------------- B. number text

def csv_case(name, value, expect, ind="rd", **kw):
    @case(name, expect)
    def _(root):
        values_file(root, "v.csv", csv_text([row(ind=ind, value=value, **kw)]))


csv_case("decimal_comma", "3,45", Refused(ValueFormatError, "“3,45”逗号不是有效的千位分隔符", "v.csv", 2, "value"), "intensity")
csv_case("thousands_grouping", "1,234", Reads("hte", "1234家"), "hte")
csv_case("fullwidth_comma_grouping", "1，234", Reads("hte", "1234家"), "hte")
csv_case("fullwidth_digits", "１５．４４", Reads("rd", "15.44亿元", "1.31"))
csv_case("fullwidth_minus_growth", "15.44", Reads("rd", "15.44亿元", "-3"), reported_growth="－3")
csv_case("math_minus_growth", "15.44", Reads("rd", "15.44亿元", "-3"), reported_growth="\u22123")
csv_case("bad_grouping", "1,23,456", Refused(ValueFormatError, "逗号不是有效的千位分隔符", "v.csv", 2, "value"), "hte")
csv_case("zero_width_space_in_value", "15.44\u200b", Reads("rd", "15.44亿元", "1.31"))
csv_case("nbsp_in_value", "\u00a015.44\u00a0", Reads("rd", "15.44亿元"))
csv_case("forty_one_digits", "1" * 41, Refused(ValueFormatError, "数字超过 15 位有效数字", "v.csv", 2, "value"))
csv_case("scientific_notation", "1.2E+05", Refused(ValueFormatError, "是科学计数法", "v.csv", 2, "value"))
csv_case("unit_in_value", "15.44亿元", Refused(ValueFormatError, "“15.44亿元”不是数字", "v.csv", 2, "value"))
csv_case("percent_typed_for_ratio", "3.45%", Reads("intensity", "3.45%"), "intensity")
csv_case("percent_typed_for_count", "327%", Refused(ValueFormatError, "带有百分号", "v.csv", 2, "value"), "hte")
csv_case("plus_sign", "+15.44", Reads("rd", "15.44亿元"))
csv_case("dash_in_required_value", "—", Refused(ValueFormatError, "“—”表示没有数据,这一格必须填写数值", "v.csv", 2, "value"))
csv_case("dash_in_optional_target", "15.44", Reads("rd", "15.44亿元", extra={"target": "None"}), target="—")
csv_case("slash_in_optional_growth", "15.44", Reads("rd", "15.44亿元", "1.31"), reported_growth="/")
csv_case("words_in_growth", "15.44", Refused(ValueFormatError, "“约3”不是数字", "v.csv", 2, "reported_growth"),
         reported_growth="约3")
csv_case("control_char_in_value", "15.\x0844", Refused(ValueFormatError, "含有控制字符 U+0008", "v.csv", 2, "value"))
csv_case("control_char_in_source", "15.44", Refused(ValueFormatError, "含有控制字符 U+0000", "v.csv", 2, "source"),
         source="测试\x00来源")
csv_case("year_with_text", "15.44", Refused(ValueFormatError, "年份“2024年”无效", "v.csv", 2, "year"), year="2024年")
csv_case("qualifier_unknown", "15.44", Refused(ValueFormatError, "限定词“大约”无效", "v.csv", 2, "qualifier"),
         qualifier="大约")
csv_case("unit_other_family", "15.44", Refused(Exception, "单位“家”与指标目录中“研发经费”的单位“亿元”不一致", "v.csv", 2, "unit"),
         unit="家")
csv_case("unit_converted", "154400", Reads("rd", "15.44亿元"), unit="万元")


# ---------------------------------------------------------------- C. plausibility

csv_case("ratio_typed_without_point", "345", Refused(data.PlausibilityError, "数值 345 超出“研发强度”的合理范围 0~100%",
                                                     "v.csv", 2, "value"), "intensity")
csv_case("ratio_negative", "-1", Refused(NegativeValueError, "为负数", "v.csv", 2, "value"), "intensity")
csv_case("catalog_max", "60", Refused(data.PlausibilityError, "超出“受限指标”的合理范围 0~50%", "v.csv", 2, "value"), "capped")
csv_case("rank_zero", "0", Refused(data.PlausibilityError, "名次 0 无效:名次从 1 开始", "v.csv", 2, "value"), "idx_rank")
csv_case("city_rank_zero", "15.44", Refused(data.PlausibilityError, "全市排名 0 无效", "v.csv", 2, "city_rank"), city_rank="0")
csv_case("city_rank_beyond_city", "15.44", Refused(data.PlausibilityError, "全市排名 3 无效(应为 1~2)", "v.csv", 2, "city_rank"),
         city_rank="3")
csv_case("province_rank_fraction", "15.44", Refused(ValueFormatError, "“2.5”应为整数", "v.csv", 2, "province_rank"),
         province_rank="2.5")
csv_case("count_fraction", "3.5", Refused(ValueFormatError, "应为整数", "v.csv", 2, "value"), "hte")
csv_case("count_negative", "-3", Refused(NegativeValueError, "为负数", "v.csv", 2, "value"), "hte")


@case("computed_share_over_100", Refused(data.PlausibilityError, "“高新投资占比”按 高新技术产业投资", "v.csv", 2, "value"))
def _(root):
    values_file(root, "v.csv", csv_text([row(ind="ht_inv", value=120.3), row(ind="inv", value=10)]))
    (root / "values" / "test.csv").write_text((root / "values" / "test.csv").read_text(encoding="utf-8"), encoding="utf-8")


# ---------------------------------------------------------------- D. rows never dropped silently

@case("misspelt_county_last_year", Refused(UnknownCountyError, "未知的县区“alpah”", "v.csv", 2, "county"))
def _(root):
    values_file(root, "v.csv", csv_text([row("alpah", 2023, value=15.24), row(value=15.44)]))


@case("blank_county", Refused(ValueFormatError, "不能为空", "v.csv", 2, "county"))
def _(root):
    values_file(root, "v.csv", csv_text([row("", 2023, value=15.24), row(value=15.44)]))


@case("zero_width_space_county", Reads("rd", "15.44亿元", "1.31"))
def _(root):
    values_file(root, "v.csv", csv_text([row("alpha\u200b", value=15.44)]))


@case("county_cells_merged_down", Reads("hte", "327家", "9", extra={"change": "27"}))
def _(root):
    (root / "values" / "test.csv").unlink()
    xlsx(root / "values" / "x.xlsx", {"数据": [HEAD, row(ind="hte", value=327), row(None, 2023, "hte", 300)]},
         merges={"数据": ["A2:A3"]})


@case("merged_across_columns", Refused(FileReadError, "单元格 E2:F2 是跨列合并的", "x.xlsx", 2, None, "数据"))
def _(root):
    xlsx(root / "values" / "x.xlsx", {"数据": [HEAD, row(value=15.44)]}, merges={"数据": ["E2:F2"]})


@case("title_row_merged_above_header", Reads("rd", "15.44亿元", "1.31"))
def _(root):
    xlsx(root / "values" / "x.xlsx", {"数据": [["2024年指标数据"] + [None] * 12, HEAD, row(value=15.44)]},
         merges={"数据": ["A1:M1"]})


@case("earlier_years_on_a_second_sheet", Reads("rd", "15.44亿元", "1.31"))
def _(root):
    (root / "values" / "test.csv").unlink()
    xlsx(root / "values" / "x.xlsx", {"2024年": [HEAD, row(value=15.44)], "2023年": [HEAD, row(year=2023, value=15.24)]})


@case("notes_sheet_without_header", Refused(MissingColumnError, "缺少必需的列“county”", "x.xlsx", None, "county", "说明"))
def _(root):
    xlsx(root / "values" / "x.xlsx", {"数据": [HEAD, row(value=15.44)], "说明": [["本表由统计局提供"]]})


@case("duplicate_across_sheets", Refused(DuplicateRowError, "重复:x.xlsx 工作表“甲” 第 2 行已有同一数据", "x.xlsx", 2, None, "乙"))
def _(root):
    xlsx(root / "values" / "x.xlsx", {"甲": [HEAD, row(value=15.44)], "乙": [HEAD, row(value=15.44)]})


@case("xls_old_format", Refused(FileReadError, "Excel 97-2003 工作簿(.xls) 不能直接读取", "old.xls"))
def _(root):
    (root / "values" / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)


@case("wps_et_format", Refused(FileReadError, "WPS 表格(.et) 不能直接读取", "t.et"))
def _(root):
    (root / "values" / "t.et").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 512)


@case("ods_format", Refused(FileReadError, "OpenDocument 表格(.ods) 不能直接读取", "t.ods"))
def _(root):
    (root / "values" / "t.ods").write_bytes(b"PK\x03\x04" + b"\0" * 64)


@case("stale_dimension_record", Reads("rd", "15.44亿元", "1.31"))
def _(root):
    (root / "values" / "test.csv").unlink()
    xlsx(root / "values" / "x.xlsx", {"数据": [HEAD, row(year=2023, value=15.24), row(value=15.44)]}, dimension="A1:M2")


@case("semicolon_delimited", Reads("rd", "15.44亿元", "1.31"))
def _(root):
    values_file(root, "v.csv", csv_text([row(value=15.44)], delimiter=";"))


@case("tab_delimited", Reads("rd", "15.44亿元", "1.31"))
def _(root):
    values_file(root, "v.csv", csv_text([row(value=15.44)], delimiter="\t"))


@case("empty_file", Refused(FileReadError, "文件是空的", "v.csv"))
def _(root):
    values_file(root, "v.csv", b"")


@case("capitalised_headers", Reads("rd", "15.44亿元", "1.31"))
def _(root):
    values_file(root, "v.csv", csv_text([row(value=15.44)], head=[h.capitalize() for h in HEAD]))


@case("fullwidth_and_spaced_headers", Reads("rd", "15.44亿元", "1.31"))
def _(root):
    head = [" ｃｏｕｎｔｙ", "年份 ", "指标", "时期", "数值", "单位", "限定词", "目标", "报送增速", "报送完成率",
            "全市排名", "全省排名", "来源"]
    values_file(root, "v.csv", csv_text([row(value=15.44)], head=head))


@case("title_line_above_header_csv", Reads("rd", "15.44亿元", "1.31"))
def _(root):
    values_file(root, "v.csv", "2024年研发数据(单位见各列)\n" + csv_text([row(value=15.44)]))


@case("total_row", Refused(UnknownCountyError, "“合计”看不出是哪个市的合计", "v.csv", 3, "county"))
def _(root):
    values_file(root, "v.csv", csv_text([row(value=15.44), row("合计", value=99)]))


@case("extra_cells", Refused(FileReadError, "第 2 行有 14 个格,而表头只有 13 列(多出的是“亿元”)", "v.csv", 2))
def _(root):
    values_file(root, "v.csv", csv_text([row(value=15.44) + ["亿元"]]))


@case("unknown_indicator", Refused(UnknownIndicatorError, "未知的指标代码“rd_typo”", "v.csv", 2, "indicator"))
def _(root):
    values_file(root, "v.csv", csv_text([row(ind="rd_typo")]))


@case("missing_source_column", Refused(MissingColumnError, "缺少必需的列“source”(第 1 行的表头是:county、year", "v.csv", 1, "source"))
def _(root):
    values_file(root, "v.csv", csv_text([row()[:-1]], head=HEAD[:-1]))


@case("target_sheet_percent_growth", Reads("rd", "15.44亿元", "1.31"))
def _(root):
    values_file(root, "v.csv", csv_text([row(value=15.44)]))
    xlsx(root / "targets" / "t.xlsx", {"目标": [["county", "year", "indicator", "type", "target", "source"],
                                               ["alpha", 2025, "rd", "增长", 0.1, "规划"]]}, {("目标", "E2"): "0%"})


# ---------------------------------------------------------------- E. encodings

def encoded(name, encoding, expect, text="测试来源", bom=b""):
    @case(name, expect)
    def _(root):
        body = csv_text([row(value=15.44, source=text)], delimiter="\t" if encoding == "utf-16" else ",")
        values_file(root, "v.csv", bom + body.encode(encoding))


encoded("gbk", "gbk", Reads("rd", "15.44亿元", "1.31"), "平阳县科技局2024年工作总结和2025年工作思路")
encoded("gb18030_four_byte", "gb18030", Reads("rd", "15.44亿元"), "科技局𠀀统计")
encoded("utf8_bom", "utf-8-sig", Reads("rd", "15.44亿元"))
encoded("utf16_unicode_text", "utf-16", Reads("rd", "15.44亿元", "1.31"))
encoded("short_gbk", "gbk", Reads("rd", "15.44亿元"), "平阳")
encoded("big5", "big5", Refused(EncodingError, "看起来是繁体中文 Big5", "v.csv"), "新昌縣科技局2024年科技創新工作情況統計公報")


@case("random_bytes", Refused(EncodingError, "无法确定文件编码", "v.csv"))
def _(root):
    values_file(root, "v.csv", b"county,year\n" + bytes(range(128, 256)) * 3 + b"\n")


# ---------------------------------------------------------------- the corpus

@pytest.mark.parametrize("name", list(CASES))
def test_input(tmp_path, name):
    build, expect = CASES[name]
    root = folder(tmp_path)
    build(root)
    outcome(root, expect)


# ---------------------------------------------------------------- F. narrative typos

NARR = "---\nindicators:\n  - rd\n---\n\n# 导语\n\n{text}\n\n# 工作总结\n\n## 小节\n\n正文。\n\n# 工作思路\n"


@pytest.mark.parametrize("typed,printed", [
    ("研发经费{rd }。", "研发经费15.44亿元。"),
    ("研发经费{RD}。", "研发经费15.44亿元。"),
    ("研发经费｛rd｝。", "研发经费15.44亿元。"),
    ("研发经费{ rd . growth }。", "研发经费1.31%。"),
    ("写作 \\{rd} 字样。", "写作 {rd} 字样。"),
    ("{{ 模板 }} 与 {说明}。", "{{ 模板 }} 与 {说明}。"),
])
def test_narrative_references_read_as_meant(tmp_path, typed, printed):
    root = folder(tmp_path, [v("alpha", 2024, "rd", "15.44")])
    md = root / "narrative" / "alpha" / "2024.md"
    md.parent.mkdir(parents=True)
    md.write_text(NARR.format(text=typed), encoding="utf-8")
    rf = compute_report_figures("alpha", 2024, data_dir=root)
    assert rf.render_text(rf.narrative.lead.blocks[0].text) == printed


@pytest.mark.parametrize("text,message,row", [
    (NARR.format(text="研发经费{rd。"), "引用“{rd”缺少右花括号", 8),
    (NARR.format(text="研发经费{rd_typo}。"), "引用 {rd_typo} 无法解析", 8),
    (NARR.format(text="研发经费{rd.grwth}。"), "引用 {rd.grwth} 无法解析", 8),
    (NARR.format(text="研发\x00经费。"), "这一行含有控制字符 U+0000", 8),
    (NARR.format(text="研发\x08经费。"), "这一行含有控制字符 U+0008", 8),
    ("---\nindicators:\n  - rd\n  - rd\n---\n\n# 导语\n# 工作总结\n# 工作思路\n", "indicators 中“rd”写了两次(第 3 行和第 4 行)", 4),
    ("---\nsample: true\nindicators:\n  - rd\n bad: [\n---\n# 导语\n", "设置区格式错误", 5),
    (NARR.format(text="正文").replace("# 工作思路", "# 工作小结"), "未知的一级标题“工作小结”", 16),
])
def test_narrative_typos_are_located_errors(tmp_path, text, message, row):
    root = folder(tmp_path, [v("alpha", 2024, "rd", "15.44")])
    md = root / "narrative" / "alpha" / "2024.md"
    md.parent.mkdir(parents=True)
    md.write_text(text, encoding="utf-8")
    with pytest.raises(NarrativeError) as ei:
        compute_report_figures("alpha", 2024, data_dir=root)
    assert message in str(ei.value) and ei.value.row == row and ei.value.file.endswith("2024.md")


def test_heading_typed_without_space_is_a_heading():
    n = narrative.parse("#导语\n\n正文\n\n#工作总结\n\n##小节\n\n文字\n\n#工作思路\n")
    assert [s.title for s in n.summary] == ["小节"] and n.summary[0].blocks[0].text == "文字"


# ---------------------------------------------------------------- G. ranks among a partial city

def test_rank_not_computed_among_a_partial_city_and_the_reason_given(tmp_path):
    """Two of Wenzhou's twelve county-level units have a value: no 全市排名, and a warning says why."""
    root = copy_real_data(tmp_path / "data")
    with open(root / "values" / "wenzhou.csv", "w", encoding="utf-8") as fh:
        fh.write(",".join(HEAD) + "\n")
        fh.write("ruian,2024,tech_loans_new,全年,30,,,,,,,,示例\n")
    ds = data.load(root)
    f = FigureEngine(ds).figure("pingyang", 2024, "tech_loans_new")
    assert f.city_rank is None
    assert any("未计算全市排名:温州市 12 个县(市、区)中只有 2 个有" in w for w in f.warnings)


# ---------------------------------------------------------------- make check: every problem at once

def test_check_lists_every_problem_at_once(tmp_path):
    root = folder(tmp_path)
    values_file(root, "v.csv", csv_text([
        row(value="3,45", ind="intensity"), row("alpah"), row(ind="rd_typo"), row(ind="hte", value="3.5"),
        row(ind="intensity", value="345", year=2022), row(year="2024年"), row(ind="hte", value="—", year=2022),
        row(source=""), row(city_rank="9", year=2021), row(ind="idx_rank", value="0")]))
    values_file(root, "empty.csv", ",".join(HEAD) + "\n")
    (root / "values" / "说明.docx").write_bytes(b"PK")
    r = check(root)
    assert not r.ok and len(r.errors) == 10
    assert sorted(e.row for e in r.errors if Path(e.file).name == "v.csv") == list(range(2, 12))
    assert [ln.split("第 ")[1].split(" 行")[0] for ln in r.lines() if ln.startswith("错误")] == [str(n) for n in range(2, 12)]
    assert "values/empty.csv 只有表头,没有数据行" in r.notes
    assert "没有读取 values/说明.docx:不是 .csv 或 .xlsx 表格(扩展名 .docx),没有读取;如果其中是数据,在 Excel/WPS 中另存为" \
           " Excel 工作簿(.xlsx)或 CSV UTF-8(逗号分隔)" in r.notes
    assert any("未登记的县区:alpah" in n for n in r.notes)
