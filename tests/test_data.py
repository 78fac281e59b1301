"""reportkit.inputs.data and reportkit.inputs.tables: accepted formats and every validation error."""
from pathlib import Path

import pandas as pd
import pytest

from helpers import VALUE_HEADER, make_data, v, write_csv
from reportkit.inputs import data
from reportkit.exceptions import (DataError, DuplicateRowError, EncodingError, FileReadError,
                                  MissingColumnError, NegativeValueError, NoDataError,
                                  UnitMismatchError, UnknownCountyError, UnknownIndicatorError,
                                  ValueFormatError)

GOOD = [v("alpha", 2024, "rd", "15.44"), v("alpha", 2023, "rd", "15.24")]


def load_with(tmp_path, rows, **kw):
    return data.load(make_data(tmp_path / "d", rows, **kw))


def test_real_data_loads(real_data):
    assert {"pingyang", "xinchang", "jiangbei"} <= set(real_data.county_slugs)
    assert (real_data.values.source != "").all()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_accepted(tmp_path, encoding):
    root = make_data(tmp_path / "d", [])
    write_csv(root / "values" / "test.csv", VALUE_HEADER, GOOD, encoding=encoding)
    ds = data.load(root)
    assert len(ds.values) == 2 and ds.values.source.iloc[0] == "测试来源"


def test_xlsx_accepted(tmp_path):
    root = make_data(tmp_path / "d", [])
    (root / "values" / "test.csv").unlink()
    pd.DataFrame(GOOD, columns=VALUE_HEADER).astype(object).fillna("").to_excel(root / "values" / "t.xlsx", index=False)
    ds = data.load(root)
    assert str(ds.values.value.iloc[0]) == "15.44"


def test_chinese_headers_accepted(tmp_path):
    root = make_data(tmp_path / "d", [])
    write_csv(root / "values" / "test.csv", ["县区", "年份", "指标", "数值", "来源"],
              [{"县区": "alpha", "年份": "2024", "指标": "rd", "数值": "3", "来源": "x"}])
    assert len(data.load(root).values) == 1


def test_unit_conversion_within_family(tmp_path):
    ds = load_with(tmp_path, [v("alpha", 2024, "rd", "9368", unit="万元")])
    assert str(ds.values.value.iloc[0]) == "0.9368"


def test_unknown_county_in_values(tmp_path):
    with pytest.raises(UnknownCountyError) as ei:
        load_with(tmp_path, [v("omega", 2024, "rd", "1")])
    e = ei.value
    assert (e.row, e.column, e.county) == (2, "county", "omega") and e.file.endswith("test.csv")
    assert "未知的县区“omega”" in str(e) and "alpha" in str(e) and "第 2 行" in str(e)


def test_unknown_county_requested_lists_known(tmp_path):
    ds = load_with(tmp_path, GOOD)
    with pytest.raises(UnknownCountyError) as ei:
        ds.county("omega")
    assert "alpha(甲县)" in str(ei.value) and "beta(乙区)" in str(ei.value)


def test_year_without_data(tmp_path):
    ds = load_with(tmp_path, GOOD)
    with pytest.raises(NoDataError) as ei:
        ds.require_year("alpha", 2030)
    assert ei.value.year == 2030 and "2023、2024" in str(ei.value) and "没有 2030 年" in str(ei.value)


def test_non_numeric_value(tmp_path):
    with pytest.raises(ValueFormatError) as ei:
        load_with(tmp_path, [GOOD[0], v("alpha", 2023, "rd", "15.24亿元")])
    e = ei.value
    assert (e.row, e.column, e.indicator, e.year) == (3, "value", "rd", 2023)
    assert "“15.24亿元”不是数字" in str(e) and "只填数字" in str(e)


def test_negative_value_impossible(tmp_path):
    with pytest.raises(NegativeValueError) as ei:
        load_with(tmp_path, [v("alpha", 2024, "hte", "-3")])
    assert ei.value.column == "value" and "负数" in str(ei.value)


def test_duplicate_rows(tmp_path):
    with pytest.raises(DuplicateRowError) as ei:
        load_with(tmp_path, [GOOD[0], GOOD[1], v("alpha", 2024, "rd", "16")])
    e = ei.value
    assert e.row == 4 and "重复" in str(e) and "第 2 行已有" in str(e)


def test_unknown_indicator(tmp_path):
    with pytest.raises(UnknownIndicatorError) as ei:
        load_with(tmp_path, [v("alpha", 2024, "rd_typo", "1")])
    assert ei.value.indicator == "rd_typo" and ei.value.column == "indicator"
    assert "未知的指标代码“rd_typo”" in str(ei.value)


def test_unit_disagrees_with_catalog(tmp_path):
    with pytest.raises(UnitMismatchError) as ei:
        load_with(tmp_path, [v("alpha", 2024, "rd", "1", unit="家")])
    assert ei.value.column == "unit" and "“家”" in str(ei.value) and "“亿元”" in str(ei.value)


def test_unreadable_encoding(tmp_path):
    root = make_data(tmp_path / "d", GOOD)
    (root / "values" / "test.csv").write_bytes("county,year\n".encode() + b"\xff\xfe\x00\x81\xff\xff\n")
    with pytest.raises(EncodingError) as ei:
        data.load(root)
    assert "编码" in str(ei.value) and "test.csv" in str(ei.value) and "另存为" in str(ei.value)


def test_broken_xlsx(tmp_path):
    root = make_data(tmp_path / "d", GOOD)
    (root / "values" / "broken.xlsx").write_bytes(b"PK\x03\x04 this is not a real workbook")
    with pytest.raises(FileReadError) as ei:
        data.load(root)
    assert "broken.xlsx" in str(ei.value) and "损坏" in str(ei.value)


def test_missing_column(tmp_path):
    root = make_data(tmp_path / "d", [])
    write_csv(root / "values" / "test.csv", ["county", "year", "indicator", "value"],
              [{"county": "alpha", "year": "2024", "indicator": "rd", "value": "1"}])
    with pytest.raises(MissingColumnError) as ei:
        data.load(root)
    assert ei.value.column == "source"


def test_missing_source(tmp_path):
    with pytest.raises(ValueFormatError) as ei:
        load_with(tmp_path, [v("alpha", 2024, "rd", "1", source="")])
    assert ei.value.column == "source" and "来源" in str(ei.value)


def test_bad_period(tmp_path):
    with pytest.raises(ValueFormatError) as ei:
        load_with(tmp_path, [v("alpha", 2024, "rd", "1", period="上半年")])
    assert ei.value.column == "period"


def test_period_dashes_normalized(tmp_path):
    ds = load_with(tmp_path, [v("alpha", 2024, "rd", "1", period="1—10月")])
    assert ds.values.period.iloc[0] == "1-10月"


def test_count_must_be_integer(tmp_path):
    with pytest.raises(ValueFormatError):
        load_with(tmp_path, [v("alpha", 2024, "hte", "3.5")])


def test_every_error_is_a_data_error():
    for cls in (UnknownCountyError, NoDataError, ValueFormatError, NegativeValueError, DuplicateRowError,
                UnknownIndicatorError, UnitMismatchError, EncodingError, FileReadError):
        assert issubclass(cls, DataError)


# ---------------------------------------------------------------- every file read or named (issue 20, point 4)

def _split_history(root, dest):
    """xinchang's rows before 2024 moved out of values/xinchang.csv into ``dest`` (under values/)."""
    src = root / "values" / "xinchang.csv"
    lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
    old = [ln for ln in lines[1:] if not ln.startswith("xinchang,2024,")]
    src.write_text("".join(ln for ln in lines if ln not in old), encoding="utf-8")
    dest = root / "values" / dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(lines[0] + "".join(old), encoding="utf-8")
    return dest


def _growth(root):
    from reportkit.model.report import compute_report_figures
    rf = compute_report_figures("xinchang", 2024, data_dir=root)
    return {f.id: (f.prev_value, f.growth, f.change_basis) for f in rf.figures}


def test_rows_in_a_subfolder_of_values_are_read(tmp_path):
    """Issue 20: last year's rows moved into values/历史/xinchang.csv were ignored without a word
    (growth clauses and the 示例 notice vanished)."""
    from helpers import copy_real_data
    from reportkit.run.check import check
    whole = _growth(copy_real_data(tmp_path / "whole"))
    root = copy_real_data(tmp_path / "d")
    _split_history(root, "历史/xinchang.csv")
    assert _growth(root) == whole
    assert whole["hte_total"][0] == 302                  # the 2023 row (示例) is what the growth rests on
    r = check(root)
    assert r.ok and not [n for n in r.notes if "没有读取" in n]


UNREAD = {
    "values/xinchang_2023.txt": "没有读取 values/xinchang_2023.txt:不是 .csv 或 .xlsx 表格(扩展名 .txt),没有读取;"
                                "如果其中是数据,在 Excel/WPS 中另存为 Excel 工作簿(.xlsx)或 CSV UTF-8(逗号分隔)",
    "values/.xinchang.csv": "没有读取 values/.xinchang.csv:隐藏文件(名字以“.”开头),没有读取;如果其中是数据,去掉名字开头的“.”",
    "values/.old/xinchang.csv": "没有读取 values/.old/xinchang.csv:隐藏文件夹“.old”中的文件(名字以“.”开头),没有读取;"
                                "如果其中是数据,去掉名字开头的“.”",
    "values/~$xinchang.xlsx": "没有读取 values/~$xinchang.xlsx:Excel/WPS 打开表格时生成的临时文件,不是数据(关闭表格后会消失,也可以删除)",
    "targets/xinchang": "没有读取 targets/xinchang:不是 .csv 或 .xlsx 表格(没有扩展名),没有读取;",
    "narrative/xinchang/2024.md.bak": "没有读取 narrative/xinchang/2024.md.bak:叙述文件应是 narrative/<县区代码>/<年份>.md"
                                      "(如 narrative/xinchang/2024.md),这个文件没有读取,如果这是 2024 年的叙述文件,改名为 2024.md",
    "narrative/xinchang/2025.txt": "没有读取 narrative/xinchang/2025.txt:叙述文件应是 narrative/<县区代码>/<年份>.md",
    "xinchang_values.csv": "没有读取 xinchang_values.csv:不在 values/ 或 targets/ 文件夹中,没有读取",
    "备份/xinchang.csv": "没有读取 备份/xinchang.csv:data/ 下的“备份”文件夹不会读取(只读取 values、targets、narrative)",
    "values/.DS_Store": "没有读取 values/.DS_Store:操作系统生成的文件,不是数据(可以删除)",
}


def test_every_file_not_read_is_named_with_the_reason(tmp_path):
    from helpers import copy_real_data
    from reportkit.run.batch import notes
    from reportkit.run.check import check
    root = copy_real_data(tmp_path / "d")
    history = _split_history(root, "xinchang_2023.txt")
    for rel in UNREAD:
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if not p.exists():
            p.write_bytes(history.read_bytes())
    r = check(root)
    unread = [n for n in r.notes if n.startswith("没有读取")]
    assert len(unread) == len(UNREAD)
    for rel, note in UNREAD.items():
        assert any(n.startswith(note) for n in unread), rel
    assert [n for n in notes(2024, root, explicit=True) if n.startswith("没有读取")] == unread   # make all


def test_make_report_names_the_files_it_does_not_read(tmp_path, capsys):
    from helpers import copy_real_data
    from reportkit.cli import main
    root = copy_real_data(tmp_path / "d")
    _split_history(root, "xinchang_2023.txt")
    code = main(["report", "--county", "xinchang", "--year", "1999", "--data", str(root), "--build", str(tmp_path / "b")])
    out = capsys.readouterr()
    assert code == 2 and "没有 1999 年的指标数据" in out.err
    assert out.out.startswith("提示:没有读取 values/xinchang_2023.txt:不是 .csv 或 .xlsx 表格(扩展名 .txt)")


def test_a_year_shown_as_a_full_date_is_named_before_the_report_starts(tmp_path):
    """Issue 20: 没有 2024 年的指标数据(已有年份:无) hid that the year cells were dates."""
    import datetime as dt
    from openpyxl import Workbook
    from reportkit.inputs.parameters import validate
    root = make_data(tmp_path / "d", [v("beta", 2024, "rd", "1")])
    wb = Workbook()
    ws = wb.active
    ws.title = "数据"
    ws.append(VALUE_HEADER)
    for ind, value in (("rd", 15.44), ("hte", 300)):
        ws.append(["alpha", dt.date(2024, 1, 1), ind, "", value] + [""] * 7 + ["测试来源"])
        ws.cell(ws.max_row, 2).number_format = "yyyy-mm-dd"
    wb.save(root / "values" / "alpha.xlsx")
    with pytest.raises(NoDataError) as ei:
        validate("alpha", 2024, root)
    e = ei.value
    assert (Path(e.file).name, e.sheet, e.row, e.column) == ("alpha.xlsx", "数据", 2, "year")
    assert str(e).endswith("甲县(alpha)没有 2024 年的指标数据:有 2 行的年份不是四位年份,如“2024-01-01”(设成了日期格式的单元格?)。"
                           "请在 year 列填四位年份,如 2024;在 Excel/WPS 中把这一列的单元格格式改为“常规”后重新输入年份")


def test_a_copy_kept_in_a_subfolder_is_a_duplicate_naming_both_files(tmp_path):
    from helpers import copy_real_data
    root = copy_real_data(tmp_path / "d")
    (root / "values" / "备份").mkdir()
    (root / "values" / "备份" / "xinchang.csv").write_bytes((root / "values" / "xinchang.csv").read_bytes())
    with pytest.raises(DuplicateRowError) as ei:
        data.load(root)
    e = ei.value
    assert Path(e.file).relative_to(root).as_posix() == "values/备份/xinchang.csv" and e.row == 2
    assert "重复:xinchang.csv 第 2 行已有同一数据" in str(e)


def test_the_dataset_the_index_and_the_fingerprint_agree_on_who_is_in_a_city():
    """One city-peer rule (reportkit.inputs.registry): the counties a report ranks against, the
    rows it is rebuilt for and the units the city view lists are the same counties."""
    import csv

    from reportkit import config
    from reportkit.inputs.index import DataIndex
    real_data = config.DATA_DIR
    with open(real_data / "counties.csv", encoding="utf-8") as f:
        wenzhou = [r["slug"] for r in csv.DictReader(f) if r["city"] == "温州市"]
    assert len(wenzhou) == 12
    ds = data.load(real_data)
    idx = DataIndex.read(real_data)
    assert ds.counties_in_city("温州市") == wenzhou                  # the registry's order
    assert ds.cities.peers("pingyang") == wenzhou
    assert idx.peers("pingyang") == sorted(wenzhou)
    assert idx.cities.units("温州市") == wenzhou
    assert idx.peers("nowhere") == ["nowhere"] and ds.counties_in_city("火星市") == []
