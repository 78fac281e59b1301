"""reportkit.charts.plan and reportkit.charts.draw: Chinese renders with the font shipped in the package, no missing
glyphs, >= 200 dpi; charts are planned without matplotlib."""
import dataclasses
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from PIL import Image

from reportkit.charts import plan as charts, draw as drawing
from reportkit.model.report import compute_report_figures


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    out = tmp_path_factory.mktemp("charts")
    rf = compute_report_figures("pingyang", 2024)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = charts.draw_charts(rf, out)
    return rf, result, caught


def test_font_is_shipped_in_the_package_with_its_licence():
    path = drawing.cjk_font_path()
    assert path.parent == Path(charts.__file__).parent / "fonts"
    assert path.stat().st_size < 2.5e6                       # a subset, not the 16 MB original
    assert drawing.setup_style() == "Reportkit Sans SC"      # a name no system font has
    licence = (path.parent / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence and "Adobe" in licence
    names = {r.nameID: r.toUnicode() for r in TTFont(path)["name"].names}
    assert "SIL Open Font License" in names[13] and "Reportkit Sans SC" == names[1]


def test_font_draws_every_name_a_chart_can_print():
    """County names (all 90 registered), indicator names and units, and the charts' own words."""
    from reportkit import config
    from reportkit.inputs.tables import find_table, read_records
    texts = ["单位：报告数据示例数据(不得引用)年度目标(100%)完成率（%）名次(越小越好)全市全省第"
             "0123456789.-—%‰℃（）"]
    for stem in (config.COUNTIES_STEM, config.INDICATORS_STEM):
        for row in read_records(find_table(config.DATA_DIR, stem))[1]:
            texts += [str(v) for v in row.values() if v]
    assert drawing.missing_glyphs("".join(texts)) == ""


def test_a_character_outside_the_font_is_a_warning_not_a_silent_box(tmp_path):
    rf = compute_report_figures("pingyang", 2024)
    done = [f for f in rf.figures if f.completion is not None]
    done[0] = dataclasses.replace(done[0], indicator=dataclasses.replace(done[0].indicator, name="新增𬭚化空间"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")                     # matplotlib's own English glyph warning
        (chart,) = charts.render([charts.completion_chart(done, tmp_path)])
    assert chart.warnings == ["图表中的“𬭚”不在内置字体(GB 2312 字符集)中,图上会显示为方框;"
                              "请在 data/indicators.csv 里把名称或单位改用常用字,或在叙述文件里用 charts: 去掉这张图"]
    assert charts.render([charts.completion_chart([f for f in rf.figures if f.completion is not None],
                                                  tmp_path)])[0].warnings == []


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


def test_charts_are_planned_without_matplotlib(tmp_path):
    """What a chart shows is plain data; matplotlib loads only to draw (a kernel that only plans
    charts, or reads figures, does not pay for it)."""
    import json
    import subprocess
    import sys
    code = ("import sys, json\n"
            "from reportkit.charts import plan as charts\n"
            "from reportkit.model.report import compute_report_figures\n"
            "planned = charts.plan_charts(compute_report_figures('pingyang', 2024), sys.argv[1])\n"
            "print(json.dumps({'mpl': 'matplotlib' in sys.modules, 'ids': [c.id for c in planned],\n"
            "                  'files': [p.name for p in __import__('pathlib').Path(sys.argv[1]).glob('*')]}))")
    out = json.loads(subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True,
                                    check=True).stdout)
    assert out == {"mpl": False, "files": [],
                   "ids": ["trend_rd_expense_above_scale", "trend_hitech_value_added", "trend_hitech_investment",
                           "completion"]}


def test_drawing_leaves_matplotlib_as_it_found_it():
    """Loading the drawing module skips matplotlib's generated set() docstrings only while its
    classes are defined; the function that writes them is put back for everything after."""
    code = ("import matplotlib.artist as a; kwdoc = a.kwdoc\n"
            "import reportkit.charts.draw\n"
            "assert a.kwdoc is kwdoc\n"
            "class Later(a.Artist):\n    pass\n"
            "assert 'Supported properties' in Later.set.__doc__ and 'alpha:' in Later.set.__doc__\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_chart_file_is_written_when_drawing_returns(tmp_path):
    """PNGs are compressed in a second thread: all are complete, and an error is not lost."""
    plan = {"kind": "trend", "size": (6.14, 2.6), "x": ["2023", "2024"], "y": [1.0, 2.0], "labels": ["1", "2"],
            "illustrative": [False, False], "unit": "亿元", "legend": False}
    paths = [tmp_path / f"c{i}.png" for i in range(3)]
    assert drawing.draw_all([dict(plan, path=str(p)) for p in paths]) == [[], [], []]
    for p in paths:
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.read_bytes()[-8:-4] == b"IEND"
    (tmp_path / "taken.png").mkdir()              # a folder where the second PNG should go
    with pytest.raises(OSError):
        drawing.draw_all([dict(plan, path=str(tmp_path / "c.png")), dict(plan, path=str(tmp_path / "taken.png"))])
    assert (tmp_path / "c.png").exists()


def test_a_trend_of_an_indicator_not_in_the_catalog_is_refused(tmp_path):
    from reportkit import config
    from reportkit.exceptions import NarrativeError
    from helpers import copy_real_data
    data = copy_real_data(tmp_path / "data")
    path = config.narrative_path("xinchang", 2024, data)
    text = path.read_text(encoding="utf-8")
    head, rest = text.split("\ncharts:", 1)                   # the file's own charts: setting replaced
    rest = rest[rest.index("\n---"):]
    path.write_text(head + "\ncharts: [trend_hte_totl, completion]" + rest, encoding="utf-8")
    with pytest.raises(NarrativeError) as ei:
        compute_report_figures("xinchang", 2024, data_dir=data)
    assert "charts 中的趋势图“hte_totl”不是指标目录中的代码" in str(ei.value) and ei.value.column == "charts"
