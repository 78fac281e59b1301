"""reportkit.model.figures: every computation of the engine, with edge cases."""
from decimal import Decimal as D

import pytest

from helpers import make_data, v
from reportkit.inputs import data
from reportkit.exceptions import MissingIndicatorError
from reportkit.model.figures import FigureEngine, figures_table, uses_illustrative


def engine(tmp_path, rows, **kw):
    return FigureEngine(data.load(make_data(tmp_path / "d", rows, **kw)))


def test_growth_computed_from_last_year(tmp_path):
    e = engine(tmp_path, [v("alpha", 2024, "rd", "12.5"), v("alpha", 2023, "rd", "10")])
    f = e.figure("alpha", 2024, "rd")
    assert f.growth == D(25) and f.growth_source == "computed"
    assert f.change == D("2.5") and f.prev_value == D(10)
    assert len(f.sources) == 2


def test_negative_growth(tmp_path):
    f = engine(tmp_path, [v("alpha", 2024, "rd", "9"), v("alpha", 2023, "rd", "10")]).figure("alpha", 2024, "rd")
    assert f.growth == D(-10)


def test_last_year_zero_gives_no_growth_but_a_change(tmp_path):
    f = engine(tmp_path, [v("alpha", 2024, "hte", "5"), v("alpha", 2023, "hte", "0")]).figure("alpha", 2024, "hte")
    assert f.growth is None and f.change == D(5)


def test_last_year_missing(tmp_path):
    f = engine(tmp_path, [v("alpha", 2024, "rd", "9")]).figure("alpha", 2024, "rd")
    assert f.prev_value is None and f.growth is None and f.change is None


def test_ratio_change_is_in_percentage_points(tmp_path):
    f = engine(tmp_path, [v("alpha", 2024, "intensity", "3.52"), v("alpha", 2023, "intensity", "3.30")]
               ).figure("alpha", 2024, "intensity")
    assert f.change == D("0.22") and f.growth is None


def test_reported_growth_wins_without_warning_inside_rounding(tmp_path):
    # 15.44 / 15.24 - 1 = 1.31%; the published (comparable-basis) rate is 1.32%
    f = engine(tmp_path, [v("alpha", 2024, "rd", "15.44", reported_growth="1.32"),
                          v("alpha", 2023, "rd", "15.24")]).figure("alpha", 2024, "rd")
    assert f.growth == D("1.32") and f.growth_source == "reported"
    assert f.warnings == []


def test_reported_growth_wins_with_warning_beyond_rounding(tmp_path):
    f = engine(tmp_path, [v("alpha", 2024, "rd", "12", reported_growth="8.5"),
                          v("alpha", 2023, "rd", "10")]).figure("alpha", 2024, "rd")
    assert f.growth == D("8.5")
    assert len(f.warnings) == 1 and "8.5%" in f.warnings[0] and "20%" in f.warnings[0]


def test_completion_rate(tmp_path):
    f = engine(tmp_path, [v("alpha", 2024, "area", "9.98", target="8", period="1-11月")]).figure("alpha", 2024, "area")
    assert f.completion == D("124.75") and f.completion_text == "124.75"


def test_reported_completion_within_rounding(tmp_path):
    f = engine(tmp_path, [v("alpha", 2024, "rd", "49.68", target="40", reported_completion="124.19")]
               ).figure("alpha", 2024, "rd")
    assert f.completion_text == "124.19" and f.warnings == []


def test_reported_completion_beyond_rounding_warns(tmp_path):
    f = engine(tmp_path, [v("alpha", 2024, "people", "2008", target="1200", reported_completion="167.34")]
               ).figure("alpha", 2024, "people")
    assert f.completion_text == "167.34" and "167.33" in f.warnings[0]


def test_cumulative_period_compares_with_same_period(tmp_path):
    e = engine(tmp_path, [v("alpha", 2024, "rd", "11", period="1-10月"),
                          v("alpha", 2023, "rd", "10", period="1-10月"),
                          v("alpha", 2023, "rd", "14", period="全年")])
    f = e.figure("alpha", 2024, "rd")
    assert f.cumulative and f.period == "1-10月" and f.growth == D(10)


def test_most_complete_period_is_used(tmp_path):
    e = engine(tmp_path, [v("alpha", 2024, "rd", "11", period="1-10月"),
                          v("alpha", 2024, "rd", "13", period="全年")])
    assert e.figure("alpha", 2024, "rd").period == "全年"


def test_share_computed_from_numerator_and_denominator(tmp_path):
    e = engine(tmp_path, [v("alpha", 2024, "ht_inv", "44.43"), v("alpha", 2024, "inv", "276")])
    f = e.figure("alpha", 2024, "share")
    assert f.computed_from == "ht_inv/inv"
    assert f.value_text == "16.1%"
    assert {s.indicator for s in f.sources} == {"ht_inv", "inv"}


def test_rank_given(tmp_path):
    f = engine(tmp_path, [v("alpha", 2024, "rd", "5", city_rank="2", province_rank="40")]).figure("alpha", 2024, "rd")
    assert (f.city_rank, f.province_rank, f.rank_source) == (2, 40, "given")


def test_rank_computed_among_city_counties_when_all_present(tmp_path):
    e = engine(tmp_path, [v("alpha", 2024, "rd", "5"), v("beta", 2024, "rd", "7"), v("gamma", 2024, "rd", "9")])
    a = e.figure("alpha", 2024, "rd")
    assert a.city_rank == 2 and a.rank_source == "computed"   # gamma is in another city
    assert e.figure("beta", 2024, "rd").city_rank == 1


def test_rank_not_computed_when_a_city_county_lacks_data(tmp_path):
    e = engine(tmp_path, [v("alpha", 2024, "rd", "5"), v("beta", 2023, "rd", "7")])
    assert e.figure("alpha", 2024, "rd").city_rank is None


def test_rank_indicator_change_counts_places_up(tmp_path):
    f = engine(tmp_path, [v("alpha", 2024, "idx_rank", "4"), v("alpha", 2023, "idx_rank", "60")]
               ).figure("alpha", 2024, "idx_rank")
    assert f.change == D(56)


def test_illustrative_rows_are_exposed(tmp_path):
    e = engine(tmp_path, [v("alpha", 2024, "rd", "5"), v("alpha", 2023, "rd", "4", source="示例:编造")])
    figs = e.figures("alpha", 2024)
    assert figs[0].illustrative and uses_illustrative(figs)
    e2 = engine(tmp_path / "2", [v("alpha", 2024, "rd", "5"), v("alpha", 2023, "rd", "4")])
    assert not uses_illustrative(e2.figures("alpha", 2024))


def test_required_indicator_missing(tmp_path):
    e = engine(tmp_path, [v("alpha", 2024, "rd", "5")])
    with pytest.raises(MissingIndicatorError) as ei:
        e.figures("alpha", 2024, ["rd", "hte"])
    assert ei.value.indicator == "hte" and ei.value.county == "alpha" and ei.value.year == 2024
    assert "高新技术企业" in str(ei.value)


def test_figures_table_carries_inputs_and_sources(tmp_path):
    e = engine(tmp_path, [v("alpha", 2024, "rd", "12.5", source="某报告"), v("alpha", 2023, "rd", "10")])
    t = figures_table(e.figures("alpha", 2024))
    row = t.iloc[0]
    assert row["indicator"] == "rd" and row["value"] == D("12.5") and row["prev_value"] == D(10)
    assert "某报告" in row["sources"] and "第 2 行" in row["sources"]


def test_next_targets_and_required_growth(tmp_path):
    e = engine(tmp_path, [v("alpha", 2024, "hte", "151")],
               targets=[{"county": "alpha", "year": "2025", "indicator": "hte", "type": "达到",
                         "target": "170", "prefix": "力争", "suffix": "以上", "source": "计划"}])
    (t,) = e.next_targets("alpha", 2024)
    assert t.year == 2025 and t.target == D(170)
    assert round(t.required_growth, 2) == D("12.58")
