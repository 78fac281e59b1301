"""reportkit.charts: Chinese renders with the pip-shipped font, no missing glyphs, >= 200 dpi."""
import warnings

import pytest
from PIL import Image

from reportkit import charts
from reportkit.report import compute_report_figures


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    out = tmp_path_factory.mktemp("charts")
    rf = compute_report_figures("pingyang", 2024)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = charts.draw_charts(rf, out)
    return rf, result, caught


def test_font_comes_from_a_pip_package_by_path():
    path = charts.cjk_font_path()
    assert path.exists() and "site-packages" in str(path)
    assert charts.setup_style() == "Noto Sans CJK SC"


def test_no_missing_glyph_warnings(drawn):
    _, _, caught = drawn
    glyphs = [str(w.message) for w in caught if "Glyph" in str(w.message) or "missing from" in str(w.message)]
    assert glyphs == []


def test_charts_drawn_for_trends_and_completion_not_ranks(drawn):
    """表1 states the ranks: no rank chart unless the narrative asks for one."""
    rf, result, _ = drawn
    ids = [c.id for c in result]
    assert ids == ["trend_rd_expense_above_scale", "trend_hitech_value_added", "trend_hitech_investment",
                   "completion"]
    trend = result[0]
    assert trend.illustrative                          # 2020-2022 are 示例 rows
    assert [y for y, _, _ in trend.data] == [2020, 2021, 2022, 2023, 2024]
    assert trend.title == "2020—2024年规上工业企业研发费用\uff081-10月\uff09"


def test_resolution_is_at_least_200_dpi(drawn):
    _, result, _ = drawn
    for c in result:
        with Image.open(c.path) as im:
            dpi = im.info.get("dpi", (0, 0))[0]
            assert dpi >= 199.5, (c.path, dpi)
            # inserted at the text width (156 mm): effective resolution of the printed chart
            assert im.width / (charts.WIDTH_CM / 2.54) >= 200, (c.path, im.width)


def test_completion_chart_only_with_targets(tmp_path):
    rf = compute_report_figures("xinchang", 2024)
    assert charts.completion_chart(rf.figures, tmp_path) is None


def test_two_charts_and_their_captions_fit_a_page():
    """Text block 225 mm: two charts (and two caption lines of 14 pt with spacing) must fit."""
    assert 2 * (charts.HEIGHT_CM * 10 + 14 * 0.3528 * 2) <= 225


@pytest.mark.parametrize("setting,ids", [
    ("none", []),
    (["trend_hte_total", "ranks"], ["trend_hte_total", "ranks"]),
    ({"trend": ["tech_sme_total"]}, ["trend_tech_sme_total"]),
])
def test_the_narrative_chooses_the_charts(tmp_path, setting, ids):
    rf = compute_report_figures("xinchang", 2024)
    rf.narrative.meta["charts"] = setting
    assert [c.id for c in charts.draw_charts(rf, tmp_path)] == ids


def test_a_missing_report_year_is_stated_in_the_caption(tmp_path):
    rf = compute_report_figures("xinchang", 2024)
    rf.narrative.meta["charts"] = {"trend": ["rd_intensity_gdp"]}
    (c,) = charts.draw_charts(rf, tmp_path)
    assert c.title == "2020—2023年研发经费支出占GDP比重\uff082024年数据暂缺\uff09"
