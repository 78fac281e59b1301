"""reportkit.model.phrasing: the Chinese sentences, clause by clause."""
import pytest

from helpers import make_data, v
from reportkit.inputs import data
from reportkit.model.figures import FigureEngine
from reportkit.model.phrasing import figure_sentence, indicator_paragraph, target_phrase, targets_sentence

C, S = "\uff0c", "\uff1b"


def sentence(tmp_path, rows, ind="rd", year=2024, **kw):
    e = FigureEngine(data.load(make_data(tmp_path / "d", rows, **kw)))
    return figure_sentence(e.figure("alpha", year, ind))


def test_cumulative_amount(tmp_path):
    s = sentence(tmp_path, [v("alpha", 2024, "rd", "15.44", period="1-10月", reported_growth="1.32")])
    assert s == f"1-10月研发经费累计15.44亿元{C}同比增长1.32%"


def test_annual_growth_and_decline(tmp_path):
    assert sentence(tmp_path, [v("alpha", 2024, "rd", "11"), v("alpha", 2023, "rd", "10")]).endswith("比上年增长10%")
    assert sentence(tmp_path / "b", [v("alpha", 2024, "rd", "9"), v("alpha", 2023, "rd", "10")]).endswith("比上年下降10%")


def test_change_rounding_to_zero_is_flat(tmp_path):
    s = sentence(tmp_path, [v("alpha", 2024, "rd", "10.0004"), v("alpha", 2023, "rd", "10")])
    assert s.endswith("与上年持平") and "增长" not in s


def test_ratio_change_in_percentage_points(tmp_path):
    s = sentence(tmp_path, [v("alpha", 2024, "intensity", "3.52"), v("alpha", 2023, "intensity", "3.30")],
                 ind="intensity")
    assert s == f"研发强度3.52%{C}较上年提升0.22个百分点"
    assert "6.67%" not in s


def test_ratio_decline(tmp_path):
    s = sentence(tmp_path, [v("alpha", 2024, "intensity", "66.13", period="1-10月"),
                            v("alpha", 2023, "intensity", "67.70", period="1-10月")], ind="intensity")
    assert s.endswith("较去年同期降低1.57个百分点")


def test_completion_and_rank(tmp_path):
    s = sentence(tmp_path, [v("alpha", 2024, "area", "9.98", period="1-11月", target="8", city_rank="2")], ind="area")
    assert s == f"1-11月新增孵化面积9.98万平方米{C}完成年度目标的124.75%{C}全市排名第2"


def test_small_amount_in_wan_yuan(tmp_path):
    assert sentence(tmp_path, [v("alpha", 2024, "rd", "9368", unit="万元")]) == "研发经费9368万元"


def test_count_is_an_integer_with_change(tmp_path):
    s = sentence(tmp_path, [v("alpha", 2024, "hte", "327"), v("alpha", 2023, "hte", "302")], ind="hte")
    assert s == f"高新技术企业达到327家{C}比上年增加25家{C}增长8.28%"


def test_missing_last_year_leaves_clause_out(tmp_path):
    assert sentence(tmp_path, [v("alpha", 2024, "hte", "327")], ind="hte") == "高新技术企业达到327家"


def test_qualifier_replaces_verb_and_blocks_computed_growth(tmp_path):
    s = sentence(tmp_path, [v("alpha", 2024, "hte", "1600", qualifier="突破"), v("alpha", 2023, "hte", "1500")], ind="hte")
    assert s == "高新技术企业突破1600家"


def test_rank_indicator(tmp_path):
    s = sentence(tmp_path, [v("alpha", 2024, "idx_rank", "4"), v("alpha", 2023, "idx_rank", "60")], ind="idx_rank")
    assert s == f"科技创新指数全省排名第4位{C}较上年提升56位"


def test_paragraph_names_each_period_once(tmp_path):
    e = FigureEngine(data.load(make_data(tmp_path / "d", [
        v("alpha", 2024, "rd", "15.44", period="1-10月"), v("alpha", 2024, "intensity", "3.52", period="1-10月"),
        v("alpha", 2024, "area", "9.98", period="1-11月"), v("alpha", 2024, "hte", "5")])))
    p = indicator_paragraph(e.figures("alpha", 2024, ["rd", "intensity", "area", "hte"]))
    assert p == (f"1-10月研发经费累计15.44亿元{S}研发强度3.52%。"
                 f"1-11月新增孵化面积9.98万平方米。高新技术企业达到5家。")


@pytest.mark.parametrize("ind,ttype,target,prefix,suffix,expected", [
    ("hte", "达到", "170", "力争", "以上", "高新技术企业力争达到170家以上"),
    ("area", "达到", "10", "", "", "新增孵化面积10万平方米"),
    ("area", "达到", "10", "力争", "以上", "力争新增孵化面积10万平方米以上"),
    ("rd", "增长", "10", "", "以上", "研发经费增长10%以上"),
    ("rd", "达到", "2000", "不少于", "", "研发经费不少于2000万元"),
])
def test_target_phrases(tmp_path, ind, ttype, target, prefix, suffix, expected):
    unit = "万元" if target == "2000" else ""
    e = FigureEngine(data.load(make_data(tmp_path / "d", [v("alpha", 2024, "rd", "1")], targets=[
        {"county": "alpha", "year": "2025", "indicator": ind, "type": ttype, "target": target,
         "unit": unit, "prefix": prefix, "suffix": suffix, "source": "计划"}])))
    (t,) = e.next_targets("alpha", 2024)
    assert target_phrase(t) == expected
    assert targets_sentence([t]) == expected + "。"
