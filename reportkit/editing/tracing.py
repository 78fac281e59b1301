"""Numbers in text, traced back to the figures of a county-year.

Used by the harvest (a number an editor typed that equals a figure becomes a live reference
again) and by the numbers audit (every number: traced to the data, a literal, or a mismatch).

A number is read with its unit (327家, 8.28%, 0.22个百分点, 9368万元); the figure it stands
for is told by the indicator named before it — in the same clause for a value, in the same
sentence for a change or rate (增长8.28% after 高新技术企业总数达到327家) — never by the
value alone, so a number that merely equals some figure is not taken for it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..numbers import unit as unit_of
from ..model.references import ATTRS, BUILTINS, CLAUSES, split_key

BASE_UNITS = ("个百分点", "万平方米", "平方米", "亿元", "万元", "万人", "人次", "家次", "%", "家", "个", "项",
              "人", "元", "位", "名", "件", "倍", "所", "次", "篇", "台", "套", "户")
_NUMBER = re.compile(r"(?<![\d.])\d+(?:\.\d+)?")
#: Words after which a number is a change or rate (read in the scope of its sentence).
DIRECTION_WORDS = ("增加", "减少", "增长", "下降", "提升", "降低", "提高", "下滑", "回落", "上升", "持平", "增速")
#: Words before an indicator's name that make it another quantity (新认定高新技术企业85家).
MODIFIERS = ("新增", "新认定", "重新认定", "新培育", "新引进", "新建", "新获", "新入库", "新备案")
#: Suffixes people leave out of an indicator's name (高新技术企业 for 高新技术企业总数).
NAME_SUFFIXES = ("总数", "总额", "总量", "数量", "数")
CLAUSE_END = "，,；;。！？!?：:、\n"
SENTENCE_END = "；;。！？!?\n"


@dataclass
class Number:
    start: int
    end: int               # after the unit
    number: str
    unit: str

    @property
    def text(self) -> str:
        return self.number + self.unit


@dataclass
class Trace:
    """What a number in text stands for.

    kind: 'ref' (a figure: ``key``), 'mismatch' (stands for ``indicator`` but differs from the
    data: ``expected``), 'literal' (no figure named; ``note`` says when it equals one), or
    'label' (a year, date, period or numbering)."""
    kind: str
    number: Number
    key: str = ""
    start: int = 0         # where the referenced text starts (a phrase such as 增长8.28% starts before the number)
    indicator: str = ""
    expected: str = ""
    note: str = ""


def find_numbers(text: str, units=BASE_UNITS) -> list[Number]:
    out = []
    for m in _NUMBER.finditer(text):
        after = text[m.end():]
        unit = next((u for u in units if after.startswith(u)), "")
        out.append(Number(m.start(), m.end() + len(unit), m.group(0), unit))
    return out


def _is_label(text: str, n: Number) -> bool:
    """Years, dates, periods (1-10月), caption and heading numbers: not figures."""
    before, after = text[:n.start], text[n.end:]
    for m in re.finditer(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}", text):   # 2024-12-09
        if m.start() <= n.start and n.end <= m.end():
            return True
    if n.unit == "" and len(n.number) == 4 and n.number[:2] in ("19", "20"):
        if (after and after[0] in "年—–-~至") or re.search(r"\d{4}[—–\-~至]$", before):
            return True
    if n.unit == "" and ((after and after[0] in "月日号时") or re.match(r"[—–\-~至]\d+月", after)):
        return True
    if n.unit == "" and before[-1:] in ("表", "图") or (n.start == 0 and re.match(r"[.．、]", after)):
        return True
    return False


class Tracer:
    """Traces numbers against one county-year's references (``values``: key -> printed text)."""

    def __init__(self, values: dict[str, str], names: dict[str, str]):
        self.values = values
        self.names = names
        units = set(BASE_UNITS)
        for key, text in values.items():     # units the catalog prints (万平方米 …)
            m = re.fullmatch(r"\d+(?:\.\d+)?([\u4e00-\u9fff%]{1,4})", text)
            if m and split_key(key)[1] in ("value", "prev", "target", "delta", "next_target"):
                units.add(m.group(1))
        self.units = tuple(sorted(units, key=len, reverse=True))
        self.by_tail: dict[str, list[tuple[str, str]]] = {}   # '327家' -> [(key, printed text)]
        self.bare: dict[str, list[str]] = {}                   # '4' -> keys printed as a bare integer
        for key, text in values.items():
            name, attr = split_key(key)
            if name in BUILTINS or attr in CLAUSES or attr not in ATTRS:
                continue
            nums = find_numbers(text, self.units)
            if not nums:
                continue
            if re.fullmatch(r"\d+", text):
                self.bare.setdefault(text, []).append(key)
            else:
                self.by_tail.setdefault(nums[-1].text, []).append((key, text))
        variants = []
        for ind, name in names.items():
            for v in {name, *(name[:-len(s)] for s in NAME_SUFFIXES if name.endswith(s) and len(name) - len(s) >= 3)}:
                variants.append((v, ind))
        self.variants = sorted(variants, key=lambda x: -len(x[0]))

    # -- context ------------------------------------------------------------
    def name_hits(self, text: str) -> list[tuple[int, int, str | None]]:
        """Indicator names in ``text`` (longest wins), as (start, end, indicator); an indicator
        after a modifier word (新认定…) is another quantity: indicator None."""
        taken: list[tuple[int, int, str | None]] = []
        for variant, ind in self.variants:
            start = text.find(variant)
            while start >= 0:
                end = start + len(variant)
                if not any(s < end and start < e for s, e, _ in taken):
                    modified = any(text[:start].endswith(m) and not variant.startswith(m) for m in MODIFIERS)
                    taken.append((start, end, None if modified else ind))
                start = text.find(variant, start + 1)
        return sorted(taken)

    def context(self, text: str, n: Number, hits=None) -> str | None:
        """The indicator a number stands for: the nearest name before it, within its clause
        (a value) or its sentence (a change, rate or rank)."""
        hits = self.name_hits(text) if hits is None else hits
        before = text[:n.start]
        rate = n.unit in ("%", "个百分点") or before.endswith("第") or \
            any(before[-len(w) - 2:].find(w) >= 0 for w in DIRECTION_WORDS)
        ends = SENTENCE_END if rate else CLAUSE_END
        bound = max((before.rfind(ch) for ch in ends), default=-1) + 1
        inside = [h for h in hits if bound <= h[0] and h[1] <= n.start]
        return inside[-1][2] if inside else None

    def candidates(self, text: str, n: Number) -> list[tuple[str, int]]:
        """References whose printed text ends with this number: (key, where the text starts)."""
        out = []
        for key, printed in self.by_tail.get(n.text, []):
            start = n.end - len(printed)
            if start >= 0 and text[start:n.end] == printed and not (start and text[start - 1].isdigit()):
                out.append((key, start))
        if n.unit in ("", "位", "名") and text[:n.start].endswith("第"):
            out += [(key, n.start) for key in self.bare.get(n.number, [])]
        return sorted(out, key=lambda c: c[1])   # the longest printed text first

    # -- tracing --------------------------------------------------------------
    def trace(self, text: str, n: Number, hits=None) -> Trace:
        if _is_label(text, n):
            return Trace("label", n)
        cands = self.candidates(text, n)
        ctx = self.context(text, n, hits)
        if ctx is not None:
            mine = [c for c in cands if split_key(c[0])[0] == ctx]
            if mine:
                return Trace("ref", n, mine[0][0], mine[0][1], ctx)
            expected = self._expected(ctx, n, n.unit in ("", "位", "名") and text[:n.start].endswith("第"))
            if expected:
                return Trace("mismatch", n, indicator=ctx, expected=expected,
                             note=f"上下文是“{self.names.get(ctx, ctx)}”")
            return Trace("literal", n, indicator=ctx)
        inds = sorted({split_key(k)[0] for k, _ in cands})
        note = ("与" + "、".join(self.names.get(i, i) for i in inds) + "的数字相同,但上下文没有提到该指标") if inds else ""
        return Trace("literal", n, note=note)

    def _expected(self, ind: str, n: Number, rank: bool) -> str:
        """The printed values of ``ind`` that a number of this unit could be (for a mismatch),
        the value first: '894家(上年值 845家,变化量 49家)'; ``rank``: the number is a place (第4位)."""
        found: list[tuple[str, str]] = []
        for key, text in self.values.items():
            name, attr = split_key(key)
            if name != ind or attr in CLAUSES or attr not in ATTRS or attr.endswith("_phrase"):
                continue
            if re.fullmatch(r"\d+", text):      # a place: 第4位
                if rank:
                    found.append((attr, text))
                continue
            nums = find_numbers(text, self.units)
            if not nums or rank:
                continue
            tail = nums[-1]
            same = tail.unit == n.unit or (unit_of(tail.unit).family is not None
                                           and unit_of(tail.unit).family == unit_of(n.unit).family)
            if same:
                found.append((attr, tail.text))
        if not found:
            return ""
        (_, first), rest = found[0], found[1:]
        return first + (f"({','.join(f'{ATTRS[a]} {t}' for a, t in rest)})" if rest else "")

    def trace_all(self, text: str) -> list[Trace]:
        hits = self.name_hits(text)
        return [self.trace(text, n, hits) for n in find_numbers(text, self.units)]
