"""Narrative files: the staff-edited prose of a county-year, its parts, slots and references.

A narrative file (``data/narrative/<county>/<year>.md``) is a small Markdown dialect:

- front matter (``---`` … ``---``): settings in YAML (title, date, indicators, charts, omit …);
- ``# 导语``, ``# 工作总结``, ``# 存在问题``, ``# 工作思路``: the parts of the report; any other
  level-1 part needs an id, ``# 其他工作 {#other}``;
- ``## 小节标题 {#id}``: a section (the id is optional: by position it is ``summary-2`` …);
  ``## … {#indicators}`` is the section of the computed figures (table and charts);
- ``### 标题``: a numbered sub-heading (1. 2. …) inside a section;
- paragraphs: lines separated by blank lines; ``{hte_total}``, ``{hte_total.growth}`` are
  figures of the data, ``**粗体**`` and ``*斜体*`` are bold and italic, ``\\*`` ``\\{`` ``\\\\``
  and a leading ``\\#`` are the characters themselves;
- a paragraph that is only ``{table}``, ``{charts}``, ``{chart.<id>}``, ``{indicator_paragraph}``,
  ``{sources}`` or ``{targets_sentence}`` places that generated block there.

Every paragraph of the document sits in a content control tagged with its slot id, so an edited
document can be read back (reportkit.editing.harvest) into this form.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..dates import parse_date
from ..exceptions import DuplicateKeyProblem, EncodingError, NarrativeError
from ..inputs.tables import decode_csv_bytes, visible

#: The kinds of report a bureau writes, and their parts by level-1 heading in the narrative file.
#: Every kind has the roles lead (导语), summary (the part holding the computed figures),
#: problems and plan (the part holding next year's targets); a kind may have more parts.
KINDS = {
    "summary-and-plan": {"导语": "lead", "工作总结": "summary", "存在问题": "problems", "工作思路": "plan"},
    "summary": {"导语": "lead", "工作总结": "summary", "存在问题": "problems"},
    "status": {"导语": "lead", "基本情况": "summary", "工作成效": "results", "存在问题": "problems", "下步打算": "plan"},
    "congress": {"导语": "lead", "工作落实情况": "summary", "存在问题不足": "problems", "下步工作措施": "plan"},
}
KIND_NAMES = {"summary-and-plan": "工作总结和工作思路", "summary": "工作总结", "status": "工作情况",
              "congress": "向人大常委会的报告"}
DEFAULT_KIND = "summary-and-plan"
#: A part written under another kind's heading (or a usual variant of it) is that kind's part
#: of the same role, so switching ``kind:`` keeps working: 工作总结 is 工作落实情况 in a congress
#: report, 存在问题 is 存在问题不足, 工作思路 is 下步工作措施 … (headings print as the kind names them).
EQUIVALENT_TITLES = {
    **{title: role for parts in KINDS.values() for title, role in parts.items()},
    "存在的问题": "problems", "存在问题和不足": "problems", "问题和不足": "problems",
    "下一步工作": "plan", "下步工作": "plan", "下一步打算": "plan", "下一步工作打算": "plan",
    "下步工作思路": "plan", "下一步工作思路": "plan", "下一步工作措施": "plan",
}
#: Parts every narrative of a kind must have (problems may be left out; a status report or a
#: report to the congress may open without a 导语: the first has none, the second its opening).
REQUIRED = ("lead", "summary", "plan")
NO_LEAD_NEEDED = ("status", "congress")


def required_parts(kind: str) -> tuple[str, ...]:
    return tuple(k for k in REQUIRED if not (k == "lead" and kind in NO_LEAD_NEEDED))
#: The slot id of each known part's intro (the text before its first ##).
INTRO_IDS = {"lead": "lead", "summary": "summary-intro", "problems": "problems", "plan": "plan-intro",
             "results": "results-intro"}
#: The section that holds the computed figures, table and charts.
INDICATORS = "indicators"
PLACEHOLDER_MARKS = ("", "待补充", "【待补充】")
#: The start of a paragraph carried over from last year's narrative (``reportkit new``) and not yet
#: revised: the document prints it highlighted, and a strict build refuses until it is removed.
CARRIED_MARK = "【上年原文，待修改】"
ID_RE = re.compile(r"\s*\{#([A-Za-z][\w-]*)\}\s*$")
#: {indicator} or {indicator.attr}; "{{ x }}" and other braces are left as written.
REF_RE = re.compile(r"(?<!\{)\{([a-z][a-z0-9_]*)(?:\.([a-z0-9_]+))?\}(?!\})")
#: What a reference looks like when typed loosely: spaces inside, capitals, full-width braces
#: (read as the reference they clearly mean).
LOOSE_REF_RE = re.compile(r"(?<![{｛])[{｛]\s*([A-Za-z][A-Za-z0-9_]*)\s*(?:\.\s*([A-Za-z0-9_]+)\s*)?[}｝](?![}｝])")
#: An opening brace and a name with no closing brace: a reference left unfinished.
UNCLOSED_RE = re.compile(r"(?<![{｛\\])[{｛]\s*[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]*)?\s*(?=$|[^A-Za-z0-9_.}｝\s])")
#: Generated blocks a paragraph can place, and those front matter ``omit`` can leave out.
PLACEABLE = ("indicator_paragraph", "table", "sources", "charts", "targets_sentence")
OMITTABLE = PLACEABLE + ("notes",)
#: How staff call each generated block (in the document's content controls, in messages, in
#: changes.csv's 位置): the one table of block labels.
BLOCK_LABELS = {"indicator_paragraph": "指标段", "table": "表1", "sources": "资料来源", "charts": "图表",
                "targets_sentence": "下一年目标", "notes": "附注"}


def block_label(block: str) -> str:
    """A generated block as staff call it; a chart by its id (图表 trend_hte_total)."""
    return BLOCK_LABELS.get(block) or f"图表 {block.removeprefix('chart.')}"
#: What each kind of report contains by default, as such reports are written (the seeds): a
#: bureau's 工作总结和工作思路 states its figures with 表1, its sources, charts, next year's targets
#: and the rounding 附注; a plain 工作总结, a 工作情况 and a report to the congress state the
#: figures in the text only. The clerk turns each on (``include: [table]``, or placing ``{table}``
#: in the text; ``charts:`` asks for charts) or off (``omit: [table]``). 资料来源 and 附注 are
#: about 表1's numbers: where the kind leaves them off, they go with 表1.
KIND_DEFAULTS = {
    "summary-and-plan": dict.fromkeys(OMITTABLE, True),
    **{kind: {**dict.fromkeys(OMITTABLE, False), "indicator_paragraph": True}
       for kind in ("summary", "status", "congress")},
}
WITH_TABLE = ("sources", "notes")
#: the parts the template's markers place, in the template's order
TEMPLATE_PARTS = ("lead", "summary", "problems", "plan")
NO_CHARTS = ("none", "无", "不要")
CHART_KINDS = ("completion", "ranks")          # charts besides the trends, chosen by name


def chart_choice(setting) -> tuple[list[str] | None, tuple[str, ...]] | None:
    """The front matter's ``charts:`` read: None for no charts at all, else (the indicators to draw
    trends of, or None for the default ones; the other charts wanted). Raises ValueError, saying
    what is wrong, for a setting that is none of its forms."""
    if setting is None:
        return None, ("completion",)
    if isinstance(setting, str) and setting.strip().lower() in NO_CHARTS:
        return None
    if isinstance(setting, dict) and set(setting) <= {"trend"} and isinstance(setting.get("trend"), list) \
            and all(isinstance(i, str) for i in setting["trend"]):
        return list(setting["trend"]), ("completion",)
    if isinstance(setting, list):
        bad = [c for c in setting if not (isinstance(c, str) and (c in CHART_KINDS or re.fullmatch(r"trend_\w+", c)))]
        if bad:
            raise ValueError(f"charts 中的“{'、'.join(map(str, bad))}”不是图表:只能写 trend_<指标代码>、completion、ranks")
        return [c[len("trend_"):] for c in setting if c.startswith("trend_")], tuple(c for c in setting if c in CHART_KINDS)
    raise ValueError(f"charts 写成了“{setting}”:应为 none、图表列表(如 [trend_hte_total, completion])"
                     f"或 {{trend: [指标代码, …]}}")


BLOCK_RE = re.compile(r"^\{(indicator_paragraph|table|sources|charts|targets_sentence|chart\.[a-z0-9_]+)\}$")
ESCAPABLE = "\\*{}#｛｝"


# ------------------------------------------------------------------ model

@dataclass
class Block:
    """A paragraph ('p'), a level-3 heading ('h3') or a generated block placed here ('block':
    ``text`` is its name, e.g. 'table' or 'chart.trend_hte_total'), with its line in the file."""
    kind: str
    text: str
    line: int = 0
    raw: str = ""            # the lines as written, kept to write an unchanged block back verbatim

    @property
    def placeholder(self) -> bool:
        return self.kind == "p" and self.text.strip() in PLACEHOLDER_MARKS

    @property
    def carried(self) -> bool:
        """Last year's paragraph, carried over and not yet edited or confirmed."""
        return self.kind == "p" and self.text.lstrip().startswith(CARRIED_MARK)


@dataclass
class Slot:
    """A piece of narrative the document wraps in content controls tagged ``id``: a part's
    intro (no heading) or a ## section."""
    id: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    line: int = 0
    part: str = ""
    heading: bool = False        # a ## section (False: the intro of a part)
    explicit_id: bool = False    # the id is written in the file ({#id}), not given by position

    @property
    def empty(self) -> bool:
        return all(b.placeholder for b in self.blocks)

    @property
    def placeholder(self) -> str:
        return f"【待补充\uff1a{self.title}】"


@dataclass
class Part:
    key: str                     # lead | summary | problems | plan | the id of a free part
    title: str                   # as written after "# "
    intro: Slot
    sections: list[Slot] = field(default_factory=list)
    line: int = 0

    @property
    def free(self) -> bool:
        return self.key not in INTRO_IDS

    def slots(self) -> list[Slot]:
        return [self.intro, *self.sections]

    def auto_id(self, position: int) -> str:
        """The id a section gets by position (1-based) when the file names none."""
        return f"{self.key}-{position}"


@dataclass
class Narrative:
    path: Path | None
    meta: dict
    parts: list[Part]
    front: str = ""              # the front matter as written (without the --- lines)

    # -- settings -----------------------------------------------------------
    @property
    def sample(self) -> bool:
        return bool(self.meta.get("sample"))

    @property
    def indicators(self) -> list[str] | None:
        return self.meta.get("indicators")

    @property
    def omit(self) -> set[str]:
        return set(self.meta.get("omit") or ())

    @property
    def include(self) -> set[str]:
        return set(self.meta.get("include") or ())

    def wants(self, block: str) -> bool:
        """Is this generated block in the report: left out by ``omit``; asked for by ``include``,
        by its place in the text (``{table}``) or, for charts, by a ``charts:`` setting; else as
        the kind has it (KIND_DEFAULTS)."""
        if block in self.omit:
            return False
        placed = self.placements()
        if block in self.include or block in placed:
            return True
        if block == "charts":
            if any(p.startswith("chart.") for p in placed):
                return True
            if self.meta.get("charts") is not None:
                return chart_choice(self.meta.get("charts")) is not None
        default = KIND_DEFAULTS[self.kind][block]
        if block in WITH_TABLE and not default:
            return self.wants("table")
        return default

    @property
    def draws_charts(self) -> bool:
        """Are any charts drawn: all of them wanted, or one placed in the text."""
        return self.wants("charts") or any(p.startswith("chart.") for p in self.placements())

    @property
    def kind(self) -> str:
        return str(self.meta.get("kind") or DEFAULT_KIND)

    @property
    def part_titles(self) -> dict[str, str]:
        """role/part key -> its level-1 heading in the file, for this kind of report."""
        return {v: k for k, v in KINDS[self.kind].items()}

    # -- structure ----------------------------------------------------------
    def part(self, key: str) -> Part | None:
        return next((p for p in self.parts if p.key == key), None)

    @property
    def lead(self) -> Slot | None:
        return getattr(self.part("lead"), "intro", None)

    @property
    def summary(self) -> list[Slot]:
        return getattr(self.part("summary"), "sections", [])

    def slots(self) -> list[Slot]:
        return [s for p in self.parts for s in p.slots()]

    def slot(self, slot_id: str) -> Slot | None:
        return next((s for s in self.slots() if s.id == slot_id), None)

    def optional(self, slot: Slot) -> bool:
        """Slots that may stay empty: the figures section, and a part's intro when the part has
        sections or generated content of its own (工作总结, 工作思路)."""
        if slot.id == INDICATORS:
            return True
        if slot.heading:
            return False
        part = self.part(slot.part)
        return part.key in ("summary", "plan", "results") or bool(part.sections)

    def carried_over(self) -> list[tuple[Slot, Block]]:
        """Paragraphs still as carried over from last year (marked CARRIED_MARK)."""
        return [(s, b) for s in self.slots() for b in s.blocks if b.carried]

    def empty_slots(self) -> list[Slot]:
        """Slots still to be written."""
        return [s for s in self.slots() if s.empty and not self.optional(s)]

    def placements(self) -> dict[str, tuple[str, int]]:
        """Generated blocks placed by a paragraph: name -> (slot id, index in the slot)."""
        return {b.text: (s.id, i) for s in self.slots() for i, b in enumerate(s.blocks) if b.kind == "block"}


# ------------------------------------------------------------------ parsing

def _split_front_matter(text: str, path) -> tuple[dict, str, str, int]:
    if not text.startswith("---"):
        return {}, "", text, 0
    end = text.find("\n---", 3)
    if end < 0:
        raise NarrativeError("文件开头的 --- 设置区没有结束的 ---", file=path, row=1,
                             hint="在设置区末尾单独一行写 ---")
    head = text[3:end]
    try:
        meta = yaml.load(head, Loader=_StrictLoader) or {}        # noqa: S506 (a SafeLoader)
    except DuplicateKeyProblem as exc:
        raise NarrativeError(f"设置区中“{exc.key}”写了两次(第 {exc.first} 行和第 {exc.line} 行),"
                             "只会用到其中一处", file=path, row=exc.line, column=exc.key,
                             hint="把两处合并为一处,删去另一行") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = (mark.line if mark is not None else 0) + 1        # the head starts on the --- line
        problem = getattr(exc, "problem", "") or ""
        raise NarrativeError(f"设置区格式错误({problem or exc.__class__.__name__})", file=path, row=line,
                             hint="检查冒号、缩进和短横线,格式见 data/README.md") from None
    except ValueError:             # YAML reads 2024-13-45 as a date, and there is no such day
        bad = next(((n, m.group(0)) for n, ln in enumerate(text[:end].splitlines(), start=1)
                    for m in re.finditer(r"\d{4}-\d{1,2}-\d{1,2}", ln) if parse_date(m.group(0)) is None), (2, ""))
        raise NarrativeError(f"设置区中的“{bad[1]}”不是存在的日期", file=path, row=bad[0], column="date",
                             hint="写成 2025-12-20 或 2025年12月20日") from None
    if not isinstance(meta, dict):
        raise NarrativeError("设置区应为“键: 值”的形式", file=path, row=2, hint="参照示例文件")
    _check_front(meta, text[:end], path)
    inds = meta.get("indicators")
    if inds is not None and (not isinstance(inds, list) or not all(isinstance(i, str) for i in inds)):
        raise NarrativeError("indicators 应为指标代码的列表", file=path, row=2, column="indicators",
                             hint="每行写“  - 指标代码”")
    for i, ind in enumerate(inds or []):
        if ind in inds[:i]:
            lines = [n for n, ln in enumerate(text.splitlines(), start=1) if re.match(rf"^\s*-\s*{re.escape(ind)}\s*$", ln)]
            raise NarrativeError(f"indicators 中“{ind}”写了两次" + (f"(第 {lines[0]} 行和第 {lines[1]} 行)" if len(lines) > 1 else ""),
                                 file=path, row=lines[1] if len(lines) > 1 else 2, column="indicators",
                                 hint="删去重复的一行(每个指标只在指标段中出现一次)")
    omit = meta.get("omit")
    if omit is not None:
        bad = [o for o in (omit if isinstance(omit, list) else [omit])
               if not isinstance(o, str) or not (o in OMITTABLE or CHART_OMIT_RE.fullmatch(o))]
        if not isinstance(omit, list) or bad:
            shown = '、'.join(visible(str(b)) for b in bad) or visible(str(omit))
            near = _did_you_mean(str(bad[0]), list(OMITTABLE) + [f"chart.{c}" for c in CHART_KINDS]) if bad else ""
            raise NarrativeError(f"omit 中的“{shown}”不是可省略的块" + (f"(是不是“{near}”?)" if near else ""),
                                 file=path, row=_front_line(text[:end], "omit", bad[0] if bad else None),
                                 column="omit", hint="改为可省略的块:" + "、".join(OMITTABLE)
                                 + "、chart.trend_<指标代码>、chart.completion、chart.ranks")
    include = meta.get("include")
    if include is not None:
        row = next((n for n, ln in enumerate(text.splitlines(), start=1) if re.match(r"\s*include\s*:", ln)), 2)
        bad = [o for o in (include if isinstance(include, list) else [include])
               if not isinstance(o, str) or o not in OMITTABLE]
        if not isinstance(include, list) or bad:
            raise NarrativeError(f"include 中的“{'、'.join(map(str, bad)) or include}”不是可加上的块", file=path,
                                 row=row, column="include", hint="改为这些块之一:" + "、".join(OMITTABLE)
                                 + ",写成列表,如 include: [table, sources]")
        both = [b for b in include if b in (omit or ())]
        if both:
            raise NarrativeError(f"“{'、'.join(both)}”既写在 include 里,又写在 omit 里", file=path, row=row,
                                 column="include", hint="二者留一")
    date = meta.get("date")
    if date is not None and not isinstance(date, dt.date) and parse_date(date) is None:
        row = next((n for n, ln in enumerate(text.splitlines(), start=1) if re.match(r"\s*date\s*:", ln)), 2)
        raise NarrativeError(f"date(成文日期)“{visible(str(date))}”不是日期", file=path, row=row,
                             column="date", hint="写成 2025-12-20 或 2025年12月20日;还没定就删去这一行,落款日期会留作待补充")
    try:
        chart_choice(meta.get("charts"))
    except ValueError as exc:
        row = next((n for n, ln in enumerate(text.splitlines(), start=1) if re.match(r"\s*charts\s*:", ln)), 2)
        raise NarrativeError(str(exc), file=path, row=row, column="charts",
                             hint="或删去 charts 这一行,用默认的图表(前三个指标的趋势和目标完成情况)") from None
    for key in ("headings",):
        if meta.get(key) is not None and not isinstance(meta[key], dict):
            raise NarrativeError(f"{key} 应为“部分: 标题”的形式", file=path, row=2, column=key,
                                 hint="如 headings: {工作总结: 2024年工作成效}")
    rest = text[end + 4:]
    offset = text[:end + 4].count("\n")
    return meta, head.strip("\n"), rest, offset


#: Every setting the front matter may hold (anything else is a typo, refused with a did-you-mean).
FRONT_KEYS = ("indicators", "title", "date", "signature", "omit", "kind", "sample", "charts", "headings", "include",
              "indicator_heading", "addressee", "presenter", "opening", "closing")
#: A chart ``omit`` can name: a trend (its indicator is checked against the catalog with the data),
#: the completion chart or the ranks chart.
CHART_OMIT_RE = re.compile(r"chart\.(trend_[a-z0-9_]+|" + "|".join(CHART_KINDS) + ")")
#: 成文日期 of a year's report: not before that year begins, not more than a year after it ends.
DATE_YEARS_AFTER = 1


class _StrictLoader(yaml.SafeLoader):
    """YAML's safe loader, but a key written twice in one mapping is refused (PyYAML keeps the
    last one silently: ``indicators:`` twice would drop the first list)."""

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                continue               # the base class refuses an unhashable key with its mark
            line = key_node.start_mark.line + 1          # the head starts on the --- line
            if key in seen:
                raise DuplicateKeyProblem(str(key), seen[key], line)
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


def _did_you_mean(word: str, candidates) -> str:
    import difflib
    found = difflib.get_close_matches(word.lower(), list(candidates), n=1, cutoff=0.6)
    return found[0] if found else ""


def _front_line(head: str, key: str, item=None) -> int:
    """The line of top-level ``key`` in the front matter (of ``item`` under it, when given)."""
    lines = head.splitlines()
    start = next((n for n, ln in enumerate(lines, start=1) if re.match(rf"{re.escape(key)}\s*:", ln)), None)
    if start is None:
        return 2
    if item is not None:
        for n in range(start, len(lines) + 1):
            if n > start and lines[n - 1][:1] not in (" ", "\t", "-", ""):
                break
            if re.search(rf"(?<![\w.]){re.escape(str(item))}(?![\w.])", lines[n - 1]):
                return n
    return start


def _strings(value, path=()):
    """(key path, text) of every string in a YAML value."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k, path + (k,)) if isinstance(k, str) else ()
            yield from _strings(v, path + (k,))
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v, path)


def _check_front(meta: dict, head: str, path) -> None:
    """Keys the report knows, strings Word can hold, a 成文日期 within the report's window."""
    for key in meta:
        if key not in FRONT_KEYS:
            near = _did_you_mean(str(key), FRONT_KEYS)
            raise NarrativeError(f"设置区中的“{visible(str(key))}”不是认得的设置" + (f"(是不是“{near}”?)" if near else ""),
                                 file=path, row=_front_line(head, str(key)), column=str(key),
                                 hint=(f"改为“{near}”" if near else "删去这一行") + ";能写的设置:" + "、".join(FRONT_KEYS))
    for keys, text in _strings(meta):
        bad = [c for c in text if (ord(c) < 32 and c not in "\t\n") or 127 <= ord(c) < 160
               or 0xD800 <= ord(c) <= 0xDFFF or ord(c) in (0xFFFE, 0xFFFF)]
        if bad:
            key = str(keys[0]) if keys else ""
            raise NarrativeError(f"设置区中 {key} 的“{visible(text)[:60]}”含有控制字符 "
                                 + "、".join(f"U+{ord(c):04X}" for c in dict.fromkeys(bad)) + "(Word 文档不能保存这些字符)",
                                 file=path, row=_front_line(head, key), column=key or None,
                                 hint="删掉这些看不见的字符(检查引号中的 \\x、\\u 转义)")
    date = meta.get("date")
    stem = Path(path).stem if path else ""
    if date is not None and re.fullmatch(r"\d{4}", stem):
        year = int(stem)
        day = date if isinstance(date, dt.date) and not isinstance(date, dt.datetime) else parse_date(date)
        if isinstance(date, dt.datetime):
            day = date.date()
        last = dt.date(year + DATE_YEARS_AFTER, 12, 31)
        if day is not None and not dt.date(year, 1, 1) <= day <= last:
            when = f"{day.year}年{day.month}月{day.day}日"
            where = f"早于 {year} 年" if day.year < year else f"晚于 {last.year} 年底"
            raise NarrativeError(f"成文日期 date: {when} {where},不像 {year} 年报告的成文日期", file=path,
                                 row=_front_line(head, "date"), column="date",
                                 hint=f"改为 {year}年1月1日 至 {last.year}年12月31日 之间的日期"
                                      "(多为当年年底或次年年初);是不是从别的年份的文件抄来的?")


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _check_characters(text: str, path) -> None:
    if not _CONTROL_RE.search(text):        # the usual case, without a step per character
        return
    for n, line in enumerate(text.split("\n"), start=1):
        bad = [c for c in line if (ord(c) < 32 and c != "\t") or ord(c) == 127]
        if bad:
            raise NarrativeError(f"这一行含有控制字符 {'、'.join(f'U+{ord(c):04X}' for c in bad)}:“{visible(line.strip())[:40]}”",
                                 file=path, row=n, hint="删掉这些看不见的字符(可重新输入这一行)")


#: A heading typed without its space (##标题) is still a heading.
_HEADING_NO_SPACE = re.compile(r"^(#{1,3})(?=[^#\s\\])")


def parse(text: str, path: Path | None = None) -> Narrative:
    _check_characters(text, path)
    meta, front, body, offset = _split_front_matter(text, path)
    kind = str(meta.get("kind") or DEFAULT_KIND)
    if kind not in KINDS:
        raise NarrativeError(f"报告类型 kind: {kind} 无效", file=path, row=2, column="kind",
                             hint="写 " + "、".join(f"{k}({v})" for k, v in KIND_NAMES.items()))
    parts_of = KINDS[kind]
    parts: list[Part] = []
    current: Slot | None = None
    para: list[str] = []
    para_line = 0

    def flush():
        nonlocal para
        if para:
            if current is None:
                raise NarrativeError("正文写在了任何标题之前", file=path, row=para_line,
                                     hint="先写“# 导语”“# 工作总结”等一级标题,再写正文")
            joined = "".join(s.strip() for s in para)
            m = BLOCK_RE.match(joined)
            current.blocks.append(Block("block", m.group(1), para_line, "\n".join(para)) if m
                                  else Block("p", joined, para_line, "\n".join(para)))
        para = []

    for i, raw in enumerate(body.splitlines(), start=offset + 1):
        line = _HEADING_NO_SPACE.sub(r"\1 ", raw.rstrip())
        if line.startswith("# "):
            flush()
            current = _start_part(parts, line[2:], i, path, parts_of).intro
        elif line.startswith("## "):
            flush()
            part = parts[-1] if parts else None
            if part is None or part.key == "lead":
                raise NarrativeError("二级标题(##)不能写在“# 导语”中或第一个一级标题之前", file=path,
                                     row=i, hint="检查标题层级")
            title = line[3:]
            m = ID_RE.search(title)
            slot_id = m.group(1) if m else part.auto_id(len(part.sections) + 1)
            title = title[:m.start()] if m else title
            if slot_id == INDICATORS and part.key != "summary":
                home = _title_of(parts_of, "summary")
                raise NarrativeError(f"{{#indicators}}(指标小节)只能写在“# {home}”之下", file=path, row=i,
                                     hint=f"把这一小节移到“# {home}”中")
            current = Slot(slot_id, title.strip(), line=i, part=part.key, heading=True, explicit_id=bool(m))
            part.sections.append(current)
        elif line.startswith("### "):
            flush()
            if current is None or not current.heading:
                raise NarrativeError("三级标题(###)只能写在二级标题之下", file=path, row=i,
                                     hint="先写二级标题(## …)")
            current.blocks.append(Block("h3", line[4:].strip(), i, raw))
        elif line.strip() == "":
            flush()
        else:
            if not para:
                para_line = i
            para.append(line)
    flush()
    have = {p.key for p in parts}
    titles = {v: k for k, v in parts_of.items()}
    for key in required_parts(kind):
        if key in titles and key not in have:
            title = titles[key]
            raise NarrativeError(f"缺少一级标题“# {title}”", file=path, row=offset + 1,
                                 hint=f"加上“# {title}”及其内容(暂无内容可留空,生成时显示【待补充】)")
    n = Narrative(path=path, meta=meta, parts=parts, front=front)
    _check_ids(n, path)
    return n


def _start_part(parts: list[Part], heading: str, line: int, path, parts_of: dict) -> Part:
    title = heading.strip()
    m = ID_RE.search(title)
    if m:
        title = title[:m.start()].strip()
    key = parts_of.get(title)
    kind = next(k for k, v in KINDS.items() if v is parts_of)
    kind_name = f"{kind}({KIND_NAMES[kind]})"
    if key is None and not m:
        role = EQUIVALENT_TITLES.get(title)
        if role in parts_of.values():
            key = role                   # another kind's name of this kind's part
        else:                            # unknown, or a part this kind has not (工作思路 in a 工作总结)
            why = (f"报告类型 {kind_name}没有“{title}”这一部分" if role else f"未知的一级标题“{title}”")
            others = [f"{k}({v})" for k, v in KIND_NAMES.items() if k != kind and role in KINDS[k].values()]
            raise NarrativeError(why, file=path, row=line,
                                 hint=f"把它改为{'、'.join(parts_of)}之一"
                                 + f";要另加一个一级部分,写成“# {title} {{#编号}}”(编号用英文字母,如 other)"
                                 + (";或在设置区改 kind:" + "、".join(others) if role else ""))
    if key is None:
        key = m.group(1)
        if key in INTRO_IDS or key in INTRO_IDS.values():
            raise NarrativeError(f"一级部分的编号“{key}”是保留字", file=path, row=line, hint="换一个编号")
    twin = next((p for p in parts if p.key == key), None)
    if twin is not None:
        same = "" if twin.title == title else \
            f"(在报告类型 {kind_name}中,“{twin.title}”和“{title}”是同一部分“{_title_of(parts_of, key)}”)"
        raise NarrativeError(f"一级标题“{title}”重复{same}", file=path, row=line, hint="合并为一处")
    # a part written under another kind's name is named in the document (placeholder, messages) as this kind names it
    intro = Slot(INTRO_IDS.get(key, key), _title_of(parts_of, key) if key in parts_of.values() else title,
                 line=line, part=key)
    part = Part(key, title, intro, line=line)
    parts.append(part)
    return part


def _title_of(parts_of: dict, key: str) -> str:
    return next((t for t, r in parts_of.items() if r == key), key)


def _check_ids(n: Narrative, path) -> None:
    ids = [s.id for s in n.slots()]
    dup = sorted({x for x in ids if ids.count(x) > 1})
    if dup:
        raise NarrativeError(f"段落编号 {', '.join(dup)} 重复", file=path, hint="每个 {#编号} 只能用一次")
    seen: dict[str, int] = {}
    for s in n.slots():
        for b in s.blocks:
            if b.kind == "block":
                if b.text in seen:
                    raise NarrativeError(f"{{{b.text}}} 出现了两次(第 {seen[b.text]} 行和第 {b.line} 行)",
                                         file=path, row=b.line, hint="每个生成的块只能放一处")
                if b.text in n.omit:
                    raise NarrativeError(f"{{{b.text}}} 既放在正文中,又写在 omit 里", file=path, row=b.line,
                                         hint="二者留一")
                seen[b.text] = b.line


def load(path: Path) -> Narrative:
    path = Path(path)
    if not path.exists():
        raise NarrativeError("叙述文件不存在", file=path,
                             hint="复制 data/narrative/TEMPLATE.md 到该位置并填写")
    return parse(read_text(path), path)


def read_text(path: Path) -> str:
    """The file's text by the tables' encoding rule (reportkit.inputs.tables.decode_csv_bytes): UTF-8
    (BOM or not) or UTF-16 with BOM; GBK/GB18030 only when that is certain; anything else (Big5
    would decode as GB18030 to garbage) refused, naming what it looks like."""
    try:
        text = decode_csv_bytes(Path(path).read_bytes(), Path(path))
    except EncodingError as exc:
        raise NarrativeError(exc.message, file=path,
                             hint="用记事本或 WPS 打开,“另存为”时编码选 UTF-8;繁体字请先转为简体") from None
    return text.replace("\r\n", "\n")


def empty() -> Narrative:
    """The narrative of a county-year that has no narrative file yet: every slot empty."""
    return Narrative(path=None, meta={}, parts=[
        Part("lead", "导语", Slot("lead", "导语", part="lead")),
        Part("summary", "工作总结", Slot("summary-intro", "工作总结", part="summary")),
        Part("plan", "工作思路", Slot("plan-intro", "工作思路", part="plan"))])


# ------------------------------------------------------------------ inline text

@dataclass
class Span:
    """A run of a paragraph: literal text, or a figure reference (``ref`` = (name, attr))."""
    text: str
    bold: bool = False
    italic: bool = False
    ref: tuple[str, str | None] | None = None

    @property
    def key(self) -> str | None:
        return None if self.ref is None else ref_key(*self.ref)


def ref_key(name: str, attr: str | None) -> str:
    """{hte_total} and {hte_total.value} are one reference: 'hte_total'; others 'hte_total.growth'."""
    return name if attr in (None, "value") else f"{name}.{attr}"


def spans(source: str) -> list[Span]:
    """Split paragraph source into spans: escapes, **bold**, *italic*, {references}.

    An unpaired ``*`` or ``**`` is taken literally."""
    tokens: list[tuple] = []           # ("t", text) | ("r", name, attr, raw) | ("*", n)
    i, n = 0, len(source)
    buf = []
    while i < n:
        c = source[i]
        if c == "\\" and i + 1 < n and source[i + 1] in ESCAPABLE:
            buf.append(source[i + 1])
            i += 2
            continue
        if c == "*":
            j = i
            while j < n and source[j] == "*":
                j += 1
            if buf:
                tokens.append(("t", "".join(buf)))
                buf = []
            run = j - i
            while run:
                step = 2 if run >= 2 else 1
                tokens.append(("*", step))
                run -= step
            i = j
            continue
        if c in "{｛" and (i == 0 or source[i - 1] not in "{｛" or _escaped(source, i - 1)):
            m = LOOSE_REF_RE.match(source, i)
            if m and m.start() == i:
                if buf:
                    tokens.append(("t", "".join(buf)))
                    buf = []
                attr = m.group(2).lower() if m.group(2) else None
                tokens.append(("r", m.group(1).lower(), attr, m.group(0)))
                i = m.end()
                continue
        buf.append(c)
        i += 1
    if buf:
        tokens.append(("t", "".join(buf)))
    # pair emphasis markers; an unpaired one is literal text
    for size in (2, 1):
        idx = [k for k, t in enumerate(tokens) if t[0] == "*" and t[1] == size]
        if len(idx) % 2:
            tokens[idx[-1]] = ("t", "*" * size)
    out: list[Span] = []
    bold = italic = False
    for t in tokens:
        if t[0] == "*":
            if t[1] == 2:
                bold = not bold
            else:
                italic = not italic
        elif t[0] == "r":
            out.append(Span(t[3], bold, italic, (t[1], t[2])))
        elif out and out[-1].ref is None and (out[-1].bold, out[-1].italic) == (bold, italic):
            out[-1].text += t[1]
        else:
            out.append(Span(t[1], bold, italic))
    return out


def _escaped(source: str, i: int) -> bool:
    """Is the character at i escaped by an odd number of backslashes?"""
    k = i - 1
    while k >= 0 and source[k] == "\\":
        k -= 1
    return (i - k - 1) % 2 == 1


_ESCAPE_RE = re.compile(r"[\\*{｛]")


def escape(text: str, *, start: bool = True) -> str:
    """Literal text as narrative source: backslash, *, a { that would start a reference, and a
    leading # are escaped; nothing else changes."""
    if not _ESCAPE_RE.search(text) and not (start and text.startswith("#")):
        return text
    out = []
    for i, c in enumerate(text):
        if c in "\\*":
            out.append("\\" + c)
        elif c in "{｛" and (LOOSE_REF_RE.match(text, i) or BLOCK_RE.match(text[i:]) or UNCLOSED_RE.match(text, i)):
            out.append("\\" + c)
        elif c == "#" and start and i == 0:
            out.append("\\#")
        else:
            out.append(c)
    return "".join(out)


def to_source(parts: list[Span]) -> str:
    """Spans back to paragraph source (the inverse of ``spans``)."""
    out = []
    bold = italic = False
    for k, s in enumerate(parts):
        if not s.text and s.ref is None:
            continue
        if italic and not s.italic:
            out.append("*")
            italic = False
        if bold != s.bold:
            if italic:
                out.append("*")
                italic = False
            out.append("**")
            bold = s.bold
        if s.italic and not italic:
            out.append("*")
            italic = True
        if s.ref is not None:
            out.append("{" + s.key + "}")
        else:
            out.append(escape(s.text, start=not out))
    if italic:
        out.append("*")
    if bold:
        out.append("**")
    return "".join(out)


def plain(source: str) -> str:
    """Paragraph source without markup (escapes resolved, references left as written)."""
    return "".join(s.text for s in spans(source))


def references(text: str) -> list[tuple[str, str | None]]:
    return [s.ref for s in spans(text) if s.ref is not None]


def substitute(text: str, resolve, *, path=None, line=None) -> str:
    """Plain text of ``text`` with {name} / {name.attr} replaced by ``resolve(name, attr)``;
    markup removed. Unknown names are an error."""
    return "".join(s.text for s in render(text, resolve, path=path, line=line))


def render(text: str, resolve, *, path=None, line=None) -> list[Span]:
    """Spans of ``text`` with each reference's text resolved (``ref`` kept)."""
    m = UNCLOSED_RE.search(text)       # in the source: an escaped brace (\{) is not a reference
    if m:
        typed = m.group(0).strip()
        raise NarrativeError(f"引用“{typed}”缺少右花括号", file=path, row=line,
                             hint=f"写成“{typed.replace('｛', '{')}}}”;要写花括号本身,在前面加反斜杠 \\{{")
    out = []
    for s in spans(text):
        if s.ref is not None:
            value = resolve(*s.ref)
            if value is None:
                raise NarrativeError(f"引用 {s.text} 无法解析:没有这个指标或该属性无数据", file=path, row=line,
                                     hint="检查指标代码拼写(见 indicators.csv),或删去该引用")
            s = Span(value, s.bold, s.italic, s.ref)
        out.append(s)
    return out


# ------------------------------------------------------------------ writing

def dumps(n: Narrative) -> str:
    """The narrative as file text. Blocks and headings keep their original lines when they
    carry them (``raw``), so rewriting a file changes only what changed."""
    out = []
    if n.front or n.meta:
        out.append("---\n" + n.front.strip("\n") + "\n---\n")
    for part in n.parts:
        heading = part.title if not part.free else f"{part.title} {{#{part.key}}}"
        out.append(f"\n# {heading}\n")
        _dump_blocks(out, part.intro)
        for k, s in enumerate(part.sections, start=1):
            title = s.title if (not s.explicit_id and s.id == part.auto_id(k)) else f"{s.title} {{#{s.id}}}"
            out.append(f"\n## {title}\n")
            _dump_blocks(out, s)
    return "".join(out)


def _dump_blocks(out: list[str], slot: Slot) -> None:
    for b in slot.blocks:
        if b.raw:
            out.append("\n" + b.raw.rstrip("\n") + "\n")
        elif b.kind == "h3":
            out.append(f"\n### {b.text}\n")
        elif b.kind == "block":
            out.append(f"\n{{{b.text}}}\n")
        else:
            out.append("\n" + b.text + "\n")


def set_front(front: str, key: str, value) -> str:
    """Front matter text with top-level ``key`` set to ``value`` (None removes it); every other
    line, comments included, stays as written."""
    lines = front.split("\n") if front else []
    start = next((i for i, ln in enumerate(lines) if re.match(rf"^{re.escape(key)}\s*:", ln)), None)
    new = [] if value is None else yaml.safe_dump({key: value}, allow_unicode=True, sort_keys=False,
                                                    default_flow_style=False, width=10000).rstrip("\n").split("\n")
    if start is None:
        return "\n".join(lines + new) if new else front
    end = start + 1
    while end < len(lines) and (lines[end].startswith((" ", "\t", "-")) and lines[end].strip()):
        end += 1
    return "\n".join(lines[:start] + new + lines[end:])
