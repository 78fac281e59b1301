"""reportkit.inputs.data and reportkit.inputs.tables: accepted formats and every validation error."""
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
