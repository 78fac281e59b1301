"""reportkit.model.report: the report model (plan of indicators, table rows, references, rounding)."""
import pytest

from helpers import make_data, v
from reportkit.inputs import data
from reportkit.exceptions import MissingIndicatorError, NarrativeError
from reportkit.model.figures import FigureEngine
from reportkit.model.report import compute_report_figures, printed_rate_differs, table_note, table_row

NARRATIVE = """---
indicators: [{inds}]
---
# 导语

{text}

# 工作总结

# 工作思路
"""


def with_narrative(tmp_path, inds, text="导语。", rows=None):
    root = make_data(tmp_path / "d", rows or [v("alpha", 2024, "rd", "12.5"), v("alpha", 2023, "rd", "10"),
                                              v("alpha", 2024, "hte", "5", city_rank="2")])
    (root / "narrative" / "alpha").mkdir(parents=True)
    (root / "narrative" / "alpha" / "2024.md").write_text(NARRATIVE.format(inds=", ".join(inds), text=text),
                                                          encoding="utf-8")
    return root


def test_narrative_plan_orders_the_indicators(tmp_path):
    rf = compute_report_figures("alpha", 2024, data_dir=with_narrative(tmp_path, ["hte", "rd"]))
    assert [f.id for f in rf.figures] == ["hte", "rd"]


def test_plan_indicator_without_data_is_a_missing_required_indicator(tmp_path):
    with pytest.raises(MissingIndicatorError) as ei:
        compute_report_figures("alpha", 2024, data_dir=with_narrative(tmp_path, ["rd", "intensity"]))
    e = ei.value
    assert e.indicator == "intensity" and e.file.endswith("2024.md") and e.column == "indicators"
    assert "缺少报告必需的指标“研发强度”" in str(e)


def test_plan_with_unknown_indicator_id(tmp_path):
    with pytest.raises(NarrativeError) as ei:
        compute_report_figures("alpha", 2024, data_dir=with_narrative(tmp_path, ["rd", "nope"]))
    assert "“nope”不是指标目录中的代码" in str(ei.value)


@pytest.mark.parametrize("ref,expected", [
    ("{rd}", "12.5亿元"), ("{rd.prev}", "10亿元"), ("{rd.growth}", "25%"),
    ("{rd.change}", "比上年增长25%"), ("{hte.city_rank}", "2"), ("{year}年{county_name}", "2024年甲县"),
    ("{bureau}", "甲县科学技术局"), ("{next_year}", "2025"),
])
def test_references_resolve(tmp_path, ref, expected):
    rf = compute_report_figures("alpha", 2024, data_dir=with_narrative(tmp_path, ["rd"], text=ref))
    assert rf.render_text(ref) == expected


def test_reference_to_an_attribute_without_data_is_an_error(tmp_path):
    with pytest.raises(NarrativeError) as ei:
        compute_report_figures("alpha", 2024, data_dir=with_narrative(tmp_path, ["rd"], text="{hte.growth}"))
    assert "{hte.growth}" in str(ei.value) and ei.value.row == 6


def figure(tmp_path, rows, ind):
    return FigureEngine(data.load(make_data(tmp_path / "d", rows))).figure("alpha", 2024, ind)


def test_table_row_of_an_amount(tmp_path):
    f = figure(tmp_path, [v("alpha", 2024, "rd", "0.9368", target="0.8"), v("alpha", 2023, "rd", "0.8")], "rd")
    assert table_row(f) == {"指标": "研发经费", "单位": "万元", "本年": "9368", "上年": "8000",
                            "增减": "增长17.1%", "目标": "8000", "完成率": "117.1%", "排名": ""}


def test_table_row_of_a_ratio_and_a_qualifier(tmp_path):
    f = figure(tmp_path, [v("alpha", 2024, "intensity", "3.52", period="1-10月", city_rank="2", province_rank="20"),
                          v("alpha", 2023, "intensity", "3.70", period="1-10月")], "intensity")
    row = table_row(f)
    assert row["指标"] == "研发强度\uff081-10月\uff09" and row["单位"] == "%"
    assert row["增减"] == "降低0.18个百分点" and row["排名"] == "全市第2、全省第20"
    assert (row["本年"], row["上年"]) == ("3.52", "3.70")          # one decimals rule across the row
    g = figure(tmp_path / "q", [v("alpha", 2024, "hte", "1600", qualifier="突破")], "hte")
    assert table_row(g)["本年"] == "1600*"                        # the qualifier goes to the note
    assert table_note([g]) == "带“*”的数为约数或下限\uff1a高新技术企业突破1600家。"
    r = figure(tmp_path / "r", [v("alpha", 2024, "idx_rank", "4"), v("alpha", 2023, "idx_rank", "6")], "idx_rank")
    assert {k: table_row(r)[k] for k in ("单位", "本年", "上年", "增减")} == \
        {"单位": "", "本年": "第4位", "上年": "第6位", "增减": "提升2位"}


def test_printed_rates_that_do_not_recompute_are_detected(tmp_path):
    f = figure(tmp_path, [v("alpha", 2024, "rd", "49.68", target="40", reported_completion="124.19")], "rd")
    assert printed_rate_differs(f)       # 49.68 / 40 = 124.2%
    g = figure(tmp_path / "b", [v("alpha", 2024, "rd", "49.68", target="40")], "rd")
    assert not printed_rate_differs(g)


def test_real_seeded_report_models(real_data):
    rf = compute_report_figures("jiangbei", 2020, dataset=real_data)
    assert rf.illustrative and rf.sample_narrative
    assert rf.table().shape == (len(rf.figures), 5)          # 目标, 完成率, 排名 are empty: left out
    assert list(rf.table().columns) == ["指标", "单位", "本年", "上年", "增减"]
