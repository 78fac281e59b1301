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
    ("# 导语\n# 工作总结\n# 其他工作\n# 工作思路\n", "要新增一个一级部分,写成“# 标题 {#编号}”"),
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
    from reportkit.document.layout import chinese_date, parse_date
    n = narrative.parse(f"---\ndate: '{written.strip()}'\n---\n# 导语\n# 工作总结\n# 工作思路\n", path="n.md")
    assert parse_date(n.meta["date"]).isoformat() == "2024-12-20" and chinese_date(written) == "2024年12月20日"


def test_a_bad_date_names_its_line():
    with pytest.raises(NarrativeError) as ei:
        narrative.parse("---\ntitle: 标题\ndate: 十二月\n---\n# 导语\n# 工作总结\n# 工作思路\n", path="n.md")
    assert ei.value.row == 3 and "删去这一行" in str(ei.value)
