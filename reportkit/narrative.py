"""Narrative files: the staff-edited prose of a county-year, its slots and figure references."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .exceptions import NarrativeError

#: The four parts of a report, by their level-1 heading in the narrative file.
PARTS = {"导语": "lead", "工作总结": "summary", "存在问题": "problems", "工作思路": "plan"}
PLACEHOLDER_MARKS = ("", "待补充", "【待补充】")
OPTIONAL_SLOTS = {"plan-intro"}
SLOT_ID_RE = re.compile(r"\s*\{#([A-Za-z][\w-]*)\}\s*$")
#: {indicator} or {indicator.attr}; "{{ x }}" and other braces are left as written.
REF_RE = re.compile(r"(?<!\{)\{([a-z][a-z0-9_]*)(?:\.([a-z_]+))?\}(?!\})")


@dataclass
class Block:
    """A paragraph (kind 'p') or a level-3 heading (kind 'h3'), with its line in the file."""
    kind: str
    text: str
    line: int


@dataclass
class Slot:
    """A piece of narrative the document wraps in a content control tagged ``id``."""
    id: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    line: int = 0

    @property
    def empty(self) -> bool:
        return all(b.kind == "p" and b.text.strip() in PLACEHOLDER_MARKS for b in self.blocks)

    @property
    def placeholder(self) -> str:
        return f"【待补充\uff1a{self.title}】"


@dataclass
class Narrative:
    path: Path | None
    meta: dict
    lead: Slot
    summary: list[Slot]
    problems: Slot | None
    plan_intro: Slot
    plan: list[Slot]

    @property
    def sample(self) -> bool:
        return bool(self.meta.get("sample"))

    @property
    def indicators(self) -> list[str] | None:
        return self.meta.get("indicators")

    def slots(self) -> list[Slot]:
        out = [self.lead, *self.summary]
        if self.problems is not None:
            out.append(self.problems)
        out += [self.plan_intro, *self.plan]
        return out

    def empty_slots(self) -> list[Slot]:
        """Slots still to be written (the optional intro of 工作思路 does not count)."""
        return [s for s in self.slots() if s.empty and s.id not in OPTIONAL_SLOTS]


def _split_front_matter(text: str, path) -> tuple[dict, str, int]:
    if not text.startswith("---"):
        return {}, text, 0
    end = text.find("\n---", 3)
    if end < 0:
        raise NarrativeError("文件开头的 --- 设置区没有结束的 ---", file=path, row=1,
                             hint="在设置区末尾单独一行写 ---")
    head = text[3:end]
    try:
        meta = yaml.safe_load(head) or {}
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", 0) + 2
        raise NarrativeError(f"设置区格式错误({exc.__class__.__name__})", file=path, row=line,
                             hint="检查冒号、缩进和短横线,格式见 data/README.md") from None
    if not isinstance(meta, dict):
        raise NarrativeError("设置区应为“键: 值”的形式", file=path, row=2, hint="参照示例文件")
    inds = meta.get("indicators")
    if inds is not None and (not isinstance(inds, list) or not all(isinstance(i, str) for i in inds)):
        raise NarrativeError("indicators 应为指标代码的列表", file=path, row=2, column="indicators",
                             hint="每行写“  - 指标代码”")
    rest = text[end + 4:]
    offset = text[:end + 4].count("\n")
    return meta, rest, offset


def parse(text: str, path: Path | None = None) -> Narrative:
    meta, body, offset = _split_front_matter(text, path)
    parts: dict[str, dict] = {}
    current_part = None
    current_slot: Slot | None = None
    para: list[str] = []
    para_line = 0
    auto = {"summary": 0, "plan": 0}

    def flush():
        nonlocal para
        if para and current_slot is not None:
            current_slot.blocks.append(Block("p", "".join(s.strip() for s in para), para_line))
        elif para and current_slot is None:
            raise NarrativeError("正文写在了任何标题之前", file=path, row=para_line,
                                 hint="先写“# 导语”“# 工作总结”等一级标题,再写正文")
        para = []

    for i, raw in enumerate(body.splitlines(), start=offset + 1):
        line = raw.rstrip()
        if line.startswith("# "):
            flush()
            title = line[2:].strip()
            key = PARTS.get(title)
            if key is None:
                raise NarrativeError(f"未知的一级标题“{title}”", file=path, row=i,
                                     hint="一级标题只能是:" + "、".join(PARTS))
            if key in parts:
                raise NarrativeError(f"一级标题“{title}”重复", file=path, row=i, hint="合并为一处")
            current_part = key
            intro_id = {"lead": "lead", "problems": "problems", "plan": "plan-intro",
                        "summary": "summary-intro"}[key]
            current_slot = Slot(intro_id, title, line=i)
            parts[key] = {"intro": current_slot, "sections": []}
        elif line.startswith("## "):
            flush()
            if current_part not in ("summary", "plan"):
                raise NarrativeError("二级标题(##)只能写在“# 工作总结”或“# 工作思路”之下", file=path,
                                     row=i, hint="检查标题层级")
            title = line[3:]
            auto[current_part] += 1
            m = SLOT_ID_RE.search(title)
            if m:
                slot_id, title = m.group(1), title[:m.start()]
            else:  # by position: the 2nd ## of 工作总结 is "summary-2"
                slot_id = f"{current_part}-{auto[current_part]}"
            current_slot = Slot(slot_id, title.strip(), line=i)
            parts[current_part]["sections"].append(current_slot)
        elif line.startswith("### "):
            flush()
            if current_slot is None or current_slot.id in ("lead", "problems"):
                raise NarrativeError("三级标题(###)只能写在二级标题之下", file=path, row=i,
                                     hint="先写二级标题(## …)")
            current_slot.blocks.append(Block("h3", line[4:].strip(), i))
        elif line.strip() == "":
            flush()
        else:
            if not para:
                para_line = i
            para.append(line)
    flush()
    for key, title in (("lead", "导语"), ("summary", "工作总结"), ("plan", "工作思路")):
        if key not in parts:
            raise NarrativeError(f"缺少一级标题“# {title}”", file=path, row=offset + 1,
                                 hint=f"加上“# {title}”及其内容(暂无内容可留空,生成时显示【待补充】)")
    ids = [s.id for p in parts.values() for s in [p["intro"], *p["sections"]]]
    dup = {x for x in ids if ids.count(x) > 1}
    if dup:
        raise NarrativeError(f"段落编号 {', '.join(sorted(dup))} 重复", file=path,
                             hint="每个 {#编号} 只能用一次")
    summary_intro = parts["summary"]["intro"]
    if not summary_intro.empty:
        raise NarrativeError("“# 工作总结”下、第一个“##”之前不应有正文(那里是自动生成的指标段)",
                             file=path, row=summary_intro.line, hint="把这段文字移到某个“##”小节下")
    return Narrative(path=path, meta=meta, lead=parts["lead"]["intro"],
                     summary=parts["summary"]["sections"],
                     problems=parts["problems"]["intro"] if "problems" in parts else None,
                     plan_intro=parts["plan"]["intro"], plan=parts["plan"]["sections"])


def load(path: Path) -> Narrative:
    path = Path(path)
    if not path.exists():
        raise NarrativeError("叙述文件不存在", file=path,
                             hint="复制 data/narrative/TEMPLATE.md 到该位置并填写")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = path.read_bytes().decode("gb18030")
        except UnicodeDecodeError:
            raise NarrativeError("无法识别文件编码", file=path, hint="另存为 UTF-8 编码的文本文件") from None
    return parse(text.replace("\r\n", "\n"), path)


def references(text: str) -> list[tuple[str, str | None]]:
    return [(m.group(1), m.group(2)) for m in REF_RE.finditer(text)]


def substitute(text: str, resolve, *, path=None, line=None) -> str:
    """Replace {name} / {name.attr} by ``resolve(name, attr)``; unknown names are an error."""
    def repl(m):
        name, attr = m.group(1), m.group(2)
        value = resolve(name, attr)
        if value is None:
            ref = m.group(0)
            raise NarrativeError(f"引用 {ref} 无法解析:没有这个指标或该属性无数据", file=path, row=line,
                                 hint="检查指标代码拼写(见 indicators.csv),或删去该引用")
        return value
    return REF_RE.sub(repl, text)


def empty() -> Narrative:
    """The narrative of a county-year that has no narrative file yet: every slot empty."""
    return Narrative(path=None, meta={}, lead=Slot("lead", "导语"), summary=[], problems=None,
                     plan_intro=Slot("plan-intro", "工作思路"), plan=[])
