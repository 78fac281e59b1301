"""reportkit.narrative.source: narrative files, slots and figure references."""
import pytest

from helpers import SEEDED

from reportkit.narrative import source as narrative
from reportkit.exceptions import NarrativeError

GOOD = """---
sample: true
indicators: [rd]
---

# 导语

{year}年导语。

# 工作总结

## 平台建设 {#platforms}

### 实验室

文字 & <b> "引号" {{ 不是模板 }}。

## 企业培育

# 存在问题

# 工作思路

## 下一步
继续。
"""


def test_parse_slots_and_meta():
    n = narrative.parse(GOOD)
    assert n.sample and n.indicators == ["rd"]
    assert [s.id for s in n.slots()] == ["lead", "summary-intro", "platforms", "summary-2", "problems",
                                         "plan-intro", "plan-1"]
    platforms = n.summary[0]
    assert platforms.title == "平台建设" and [b.kind for b in platforms.blocks] == ["h3", "p"]
    assert [s.id for s in n.empty_slots()] == ["summary-2", "problems"]   # the intros of 工作总结/工作思路 are optional
    assert n.summary[1].placeholder == "【待补充\uff1a企业培育】"


def test_line_numbers_point_into_the_file():
    n = narrative.parse(GOOD)
    assert n.lead.blocks[0].line == 8


def test_substitute_references_and_leaves_other_braces():
    text = "共{hte}，增长{hte.growth}；{{ hte }} 与 {不是}"
    out = narrative.substitute(text, lambda name, attr: f"<{name}.{attr}>")
    assert out == "共<hte.None>，增长<hte.growth>；{{ hte }} 与 {不是}"


def test_unknown_reference_is_an_error_with_line():
    with pytest.raises(NarrativeError) as ei:
        narrative.substitute("见{nope}", lambda n, a: None, path="x.md", line=12)
    assert ei.value.row == 12 and "{nope}" in str(ei.value)


@pytest.mark.parametrize("text,message", [
    ("# 导语\n\n# 工作总结\n\n# 杂项\n", "未知的一级标题“杂项”"),
    ("# 导语\n\n# 工作总结\n", "缺少一级标题“# 工作思路”"),
    ("文字\n# 导语\n# 工作总结\n# 工作思路\n", "正文写在了任何标题之前"),
    ("# 导语\n## 小节\n# 工作总结\n# 工作思路\n", "二级标题(##)不能写在“# 导语”中"),
    ("# 导语\n# 工作总结\n## a {#x}\n## b {#x}\n# 工作思路\n", "段落编号 x 重复"),
    ("---\nindicators: rd\n---\n# 导语\n# 工作总结\n# 工作思路\n", "indicators 应为指标代码的列表"),
    ("# 导语\n# 工作总结\n{table}\n\n## a\n\n{table}\n# 工作思路\n", "{table} 出现了两次(第 3 行和第 7 行)"),
    ("---\nomit: [table]\n---\n# 导语\n# 工作总结\n{table}\n# 工作思路\n", "{table} 既放在正文中,又写在 omit 里"),
    ("---\nomit: [tabel]\n---\n# 导语\n# 工作总结\n# 工作思路\n", "omit 中的“tabel”不是可省略的块"),
    ("# 导语\n# 工作总结\n# 其他工作\n# 工作思路\n", "请把它改为导语、工作总结、存在问题、工作思路之一;要另加一个一级部分,"
                                               "写成“# 其他工作 {#编号}”"),
    ("# 导语\n# 工作总结\n# 其他 {#lead}\n# 工作思路\n", "一级部分的编号“lead”是保留字"),
    ("# 导语\n# 存在问题\n## 小节 {#indicators}\n# 工作总结\n# 工作思路\n", "{#indicators}(指标小节)只能写在"),
    ("---\ntitle: 标题\ndate: 2024年12月\n---\n# 导语\n# 工作总结\n# 工作思路\n", "date(成文日期)“2024年12月”不是日期"),
    ("---\ndate: 2024-13-45\n---\n# 导语\n# 工作总结\n# 工作思路\n", "设置区中的“2024-13-45”不是存在的日期"),
    ("---\ncharts: [trend_hte_total, completon]\n---\n# 导语\n# 工作总结\n# 工作思路\n", "charts 中的“completon”不是图表"),
    ("---\ncharts: nothing\n---\n# 导语\n# 工作总结\n# 工作思路\n", "charts 写成了“nothing”"),
    ("---\ncharts: {trends: [hte_total]}\n---\n# 导语\n# 工作总结\n# 工作思路\n", "charts 写成了"),
])
def test_malformed_files(text, message):
    with pytest.raises(NarrativeError) as ei:
        narrative.parse(text, path="n.md")
    assert message in str(ei.value) and "n.md" in str(ei.value)


def test_seeded_narratives_parse_and_are_marked_sample(real_data):
    from reportkit import config
    for county, year in SEEDED:
        n = narrative.load(config.narrative_path(county, year))
        assert n.sample and n.indicators


def test_narrative_template_file_parses():
    from reportkit import config
    n = narrative.load(config.DATA_DIR / "narrative" / "TEMPLATE.md")
    assert n.empty_slots()


# ---------------------------------------------------------------- the format harvest writes back

def test_seeded_narratives_write_back_byte_identical():
    """Reading and writing a narrative changes nothing: harvest rewrites only what changed."""
    from reportkit import config
    for county, year in SEEDED:
        text = config.narrative_path(county, year).read_text(encoding="utf-8")
        assert narrative.dumps(narrative.parse(text)) == text


@pytest.mark.parametrize("source,expected", [
    ("共{hte}家", [("共", False, False, None), ("{hte}", False, False, ("hte", None)), ("家", False, False, None)]),
    ("**一是加强平台建设。**全年{hte.growth}", [("一是加强平台建设。", True, False, None), ("全年", False, False, None),
                                         ("{hte.growth}", False, False, ("hte", "growth"))]),
    ("*强调*与\\*星号\\*和\\{hte\\}", [("强调", False, True, None), ("与*星号*和{hte}", False, False, None)]),
    ("单个*星号", [("单个*星号", False, False, None)]),
    ("{{ hte }} 与 {不是}", [("{{ hte }} 与 {不是}", False, False, None)]),
])
def test_inline_markup(source, expected):
    assert [(s.text, s.bold, s.italic, s.ref) for s in narrative.spans(source)] == expected


@pytest.mark.parametrize("text", ["a*b**c", "以{hte}为例\\", "#开头", "{table}", "含 {x.y} 与 {{ z }}", "正常文字。"])
def test_literal_text_survives_escape_and_parse(text):
    source = narrative.escape(text)
    assert narrative.plain(source) == text
    assert all(s.ref is None for s in narrative.spans(source))


def test_spans_round_trip_through_source():
    src = "**加粗{hte}**与*斜体*，{hte.growth_phrase}。"
    again = narrative.to_source(narrative.spans(src))
    assert narrative.spans(again) == narrative.spans(src)


def test_block_placements_free_parts_and_sections_under_problems():
    n = narrative.parse("---\nomit: [notes]\n---\n# 导语\n\n引言\n\n# 工作总结\n\n总体情况。\n\n"
                        "## 指标 {#indicators}\n\n{indicator_paragraph}\n\n{table}\n\n# 其他工作 {#other}\n\n## 小节\n\n内容\n\n"
                        "# 存在问题\n\n## 平台 {#p1}\n\n不足。\n\n# 工作思路\n\n{targets_sentence}\n")
    assert [p.key for p in n.parts] == ["lead", "summary", "other", "problems", "plan"]
    assert n.part("other").free and n.part("other").sections[0].id == "other-1"
    assert n.part("summary").intro.id == "summary-intro" and not n.part("summary").intro.empty
    assert n.placements() == {"indicator_paragraph": ("indicators", 0), "table": ("indicators", 1),
                              "targets_sentence": ("plan-intro", 0)}
    assert n.omit == {"notes"}
    assert [s.id for s in n.empty_slots()] == []
    assert narrative.dumps(n).count("{#other}") == 1


def test_set_front_keeps_other_lines_and_comments():
    front = "# 说明\nsample: true\nindicators:\n  - a\n  - b\ncharts:\n  trend: [a]"
    out = narrative.set_front(front, "date", "2024年12月20日")
    assert out == front + "\ndate: 2024年12月20日"
    out = narrative.set_front(out, "indicators", ["c"])
    assert out == "# 说明\nsample: true\nindicators:\n- c\ncharts:\n  trend: [a]\ndate: 2024年12月20日"
    assert narrative.set_front(out, "date", None) == "# 说明\nsample: true\nindicators:\n- c\ncharts:\n  trend: [a]"


@pytest.mark.parametrize("written", ["2024-12-20", "2024/12/20", "2024.12.20", "2024年12月20日", "2024-12-20\n"])
def test_a_date_in_any_usual_form_is_read(written):
    from reportkit.dates import chinese_date, parse_date
    n = narrative.parse(f"---\ndate: '{written.strip()}'\n---\n# 导语\n# 工作总结\n# 工作思路\n", path="n.md")
    assert parse_date(n.meta["date"]).isoformat() == "2024-12-20" and chinese_date(written) == "2024年12月20日"


def test_a_bad_date_names_its_line():
    with pytest.raises(NarrativeError) as ei:
        narrative.parse("---\ntitle: 标题\ndate: 十二月\n---\n# 导语\n# 工作总结\n# 工作思路\n", path="n.md")
    assert ei.value.row == 3 and "删去这一行" in str(ei.value)


# ---------------------------------------------------------------- encodings (the tables' rule)

NARRATIVE_TEXT = "# 导语\n\n新昌县科技创新工作取得新进展，研发投入持续增长。\n\n# 工作总结\n\n# 工作思路\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "gb18030"])
def test_a_narrative_in_a_usual_encoding_is_read(tmp_path, encoding):
    path = tmp_path / "2024.md"
    path.write_bytes(NARRATIVE_TEXT.replace("\n", "\r\n").encode(encoding))
    assert narrative.read_text(path) == NARRATIVE_TEXT
    assert narrative.load(path).lead.blocks[0].text == "新昌县科技创新工作取得新进展，研发投入持续增长。"


def test_a_big5_narrative_is_refused_not_read_as_gb18030(tmp_path):
    """Big5 bytes are valid GB18030 and used to be read as garbage (導語 -> 旧粂)."""
    path = tmp_path / "2024.md"
    path.write_bytes("# 導語\n\n新昌縣科技創新工作取得新進展，研發投入持續增長。\n\n# 工作總結\n\n# 工作思路\n".encode("big5"))
    with pytest.raises(NarrativeError) as ei:
        narrative.read_text(path)
    message = str(ei.value)
    assert "2024.md" in message and "不是 UTF-8" in message and "繁体中文 Big5" in message
    assert "编码选 UTF-8" in message and "繁体字请先转为简体" in message


# ---------------------------------------------------------------- strict front matter (issue 20, point 5)

BODY = "\n# 导语\n\n文字。\n\n# 工作总结\n\n# 工作思路\n"
XINCHANG_2024 = "data/narrative/xinchang/2024.md"     # the file's year sets the 成文日期 window


@pytest.mark.parametrize("front, row, column, message", [
    # PyYAML keeps the last of two keys: the first list of indicators would vanish
    ("indicators:\n  - rd\n  - hte\ntitle: 报告\nindicators:\n  - intensity\n", 6, "indicators",
     "设置区中“indicators”写了两次(第 2 行和第 6 行),只会用到其中一处。请把两处合并为一处,删去另一行"),
    ("headings:\n  工作总结: 成效\n  工作总结: 总结\n", 4, "工作总结", "设置区中“工作总结”写了两次(第 3 行和第 4 行)"),
    ("sample: true\ntitel: 新昌县2024年工作总结\n", 3, "titel",
     "设置区中的“titel”不是认得的设置(是不是“title”?)。请改为“title”;能写的设置:indicators、title、date"),
    ("sample: true\nauthor: 张三\n", 3, "author", "设置区中的“author”不是认得的设置。请删去这一行;能写的设置:"),
    ("omit: [table, chart.rnaks]\n", 2, "omit",
     "omit 中的“chart.rnaks”不是可省略的块(是不是“chart.ranks”?)。请改为可省略的块:indicator_paragraph、table、"),
    ("sample: true\nomit:\n  - sources\n  - tabel\n", 5, "omit", "omit 中的“tabel”不是可省略的块(是不是“table”?)"),
    ("omit: [chart.trend-hte]\n", 2, "omit", "omit 中的“chart.trend-hte”不是可省略的块"),
    ("date: 2023-12-20\n", 2, "date", "成文日期 date: 2023年12月20日 早于 2024 年,不像 2024 年报告的成文日期。"
                                      "请改为 2024年1月1日 至 2025年12月31日 之间的日期"),
    ("sample: true\ndate: 2026年1月5日\n", 3, "date", "成文日期 date: 2026年1月5日 晚于 2025 年底"),
    ('title: "新昌县\\x01科技局"\n', 2, "title",
     "设置区中 title 的“新昌县‹U+0001›科技局”含有控制字符 U+0001(Word 文档不能保存这些字符)"),
    ('sample: true\nsignature: "科技局\\u0008"\n', 3, "signature", "含有控制字符 U+0008"),
])
def test_front_matter_is_strict(front, row, column, message):
    with pytest.raises(NarrativeError) as exc:
        narrative.parse("---\n" + front + "---\n" + BODY, XINCHANG_2024)
    e = exc.value
    assert (e.row, e.column, e.file) == (row, column, XINCHANG_2024)
    assert message in str(e)


@pytest.mark.parametrize("date", ["2024-01-01", "2024-12-20", "2025-03-01", "2025年12月31日"])
def test_a_date_within_the_reports_window_is_accepted(date):
    n = narrative.parse(f"---\ndate: {date}\n---\n" + BODY, XINCHANG_2024)
    assert str(n.meta["date"]).startswith(date[:4])


def test_every_setting_the_code_reads_is_known():
    """All the documented keys parse (one of each), so strictness refuses only typos."""
    front = ("indicators: [rd]\ntitle: 标题\ndate: 2024-12-20\nsignature: 科技局\nomit: [chart.trend_rd, notes]\n"
             "kind: congress\nsample: true\ncharts: none\ninclude: [table]\nheadings: {工作落实情况: 落实}\nindicator_heading: 指标\n"
             "addressee: 主任：\npresenter: 政府\nopening: 开头。\nclosing: 结束。\n")
    body = "\n# 导语\n\n文字。\n\n# 工作落实情况\n\n# 下步工作措施\n"
    n = narrative.parse("---\n" + front + "---\n" + body, XINCHANG_2024)
    assert set(n.meta) == set(narrative.FRONT_KEYS)


def test_omit_of_a_trend_chart_names_an_indicator_of_the_catalog(tmp_path):
    from helpers import copy_real_data
    from reportkit.model.report import compute_report_figures
    root = copy_real_data(tmp_path / "data")
    md = root / "narrative" / "xinchang" / "2024.md"
    text = md.read_text(encoding="utf-8")
    md.write_text(text.replace("---\n", "---\nomit: [chart.trend_hte_totl]\n", 1), encoding="utf-8")
    with pytest.raises(NarrativeError) as exc:
        compute_report_figures("xinchang", 2024, data_dir=root)
    assert str(exc.value).endswith("“omit”列:omit 中的趋势图“chart.trend_hte_totl”不是指标目录中的指标"
                                   "(是不是“chart.trend_hte_total”?)。请改为 chart.trend_<indicators.csv 中的指标代码>")
    assert exc.value.row == 2
