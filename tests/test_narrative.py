"""reportkit.narrative: narrative files, slots and figure references."""
import pytest

from reportkit import narrative
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
    assert [s.id for s in n.slots()] == ["lead", "platforms", "summary-2", "problems", "plan-intro", "plan-1"]
    platforms = n.summary[0]
    assert platforms.title == "平台建设" and [b.kind for b in platforms.blocks] == ["h3", "p"]
    assert [s.id for s in n.empty_slots()] == ["summary-2", "problems"]   # plan intro is optional
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
    ("# 导语\n## 小节\n# 工作总结\n# 工作思路\n", "二级标题(##)只能写在"),
    ("# 导语\n# 工作总结\n## a {#x}\n## b {#x}\n# 工作思路\n", "段落编号 x 重复"),
    ("---\nindicators: rd\n---\n# 导语\n# 工作总结\n# 工作思路\n", "indicators 应为指标代码的列表"),
    ("# 导语\n# 工作总结\n正文\n# 工作思路\n", "自动生成的指标段"),
])
def test_malformed_files(text, message):
    with pytest.raises(NarrativeError) as ei:
        narrative.parse(text, path="n.md")
    assert message in str(ei.value) and "n.md" in str(ei.value)


def test_seeded_narratives_parse_and_are_marked_sample(real_data):
    from reportkit import config
    for county, year in config.SEEDED:
        n = narrative.load(config.narrative_path(county, year))
        assert n.sample and n.indicators


def test_narrative_template_file_parses():
    from reportkit import config
    n = narrative.load(config.DATA_DIR / "narrative" / "TEMPLATE.md")
    assert n.empty_slots()
