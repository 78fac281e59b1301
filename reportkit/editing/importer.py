"""A published report imported as a working county-year (``reportkit import``).

The report (.docx, .txt, .md or a saved web page, read by ``sources``) becomes:

- ``narrative/<county>/<year>.md``: its kind (工作总结和工作思路 / 工作总结 / 工作情况 / 向人大常委会的报告),
  title, date, headings and prose, every figure of a figure statement (``statements``) replaced by a
  live reference ({hte_total}, {hte_total.growth}, {hte_total.next_target} …);
- rows in ``values/<county>_<year>_import.csv`` and ``targets/<county>_<year+1>_import.csv`` with the
  value, unit, period, qualifier, reported growth/change/completion/ranks and the report as source;
- catalog rows for indicators the catalog lacks (id from pypinyin, name as printed, note 待审核).

Before anything is written the import is built in a scratch copy of data/: every reference must
print exactly the text it replaced, or it goes back to text and is listed. Nothing existing is
overwritten: a row already in data/ with the same value is reused, one that disagrees is refused
and listed with both values, and files that change are first copied to build/<county>/<year>/versions/.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .. import config
from ..inputs import data as data_mod
from ..narrative import source as narrative_mod
from ..exceptions import ImportSourceError, ReportkitError
from ..numbers import convert, convertible
from ..numbering import split_number
from ..inputs.schema import ID_RE
from .sources import SourceText, read_source
from .statements import Piece, Statement, parse_paragraph

# ------------------------------------------------------------------ the report's structure

SALUTATION_RE = re.compile(r"^.{0,12}(主任|副主任|各位委员|各位代表)[^。]{0,30}[：:]$")
OPENING_RE = re.compile(r"请予审议|我代表")
CLOSING_RE = re.compile(r"^(以上报告|以上是|谢谢)")
PLAN_START_RE = re.compile(r"^(下步|下一步|今后|\d{4}年(?:工作)?(?:思路|打算|计划))")
INDICATOR_SECTION_RE = re.compile(r"主要(?:科技|科技创新|创新)?指标")


@dataclass
class Section:
    title: str
    blocks: list[tuple[str, str]] = field(default_factory=list)    # ("h3" | "p", text)
    indicators: bool = False


@dataclass
class SourcePart:
    role: str                    # lead | summary | results | problems | plan | free
    heading: str                 # as printed ("2024年工作总结"), "" for the lead
    intro: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)


@dataclass
class Structure:
    """A published report as recognised: its kind, its parts in order and its front and back matter."""
    kind: str
    parts: list[SourcePart] = field(default_factory=list)
    title: str = ""
    addressee: str = ""
    opening: str = ""
    closing: str = ""
    presenter: str = ""
    signature_date: str = ""


def _role(heading: str, kind_hint: str) -> str:
    h = re.sub(r"\d{4}年(度)?", "", heading)
    if re.search(r"问题|不足|困难", h):
        return "problems"
    if re.search(r"思路|打算|计划|措施|安排|下步|下一步|重点", h):
        return "plan"
    if re.search(r"基本情况", h):
        return "summary"
    if re.search(r"成效|总结|情况|工作|落实", h):
        return "results" if (kind_hint == "status" and "成效" in h) else "summary"
    return "free"


def _split_run_in(text: str) -> tuple[str, str]:
    """'攻坚建设鳌江实验室。优化…' -> ('攻坚建设鳌江实验室', '优化…'); a heading alone stays whole."""
    m = re.match(r"^([^。！？]{1,40})[。！？](.*)$", text)
    if m and m.group(2).strip():
        return m.group(1).strip(), m.group(2).strip()
    return text.rstrip("。").strip(), ""


def recognise(src: SourceText) -> Structure:
    """The kind of report and its parts, from its numbered headings (一、 (一) 1.)."""
    lines = list(src.lines)
    title = src.title
    if lines and not title and not split_number("h1", lines[0]) and len(lines[0]) <= 60 and not re.search(r"[。，,；]", lines[0]) \
            and re.search(r"(总结|思路|情况|报告|打算)$", lines[0]):
        title = lines.pop(0)
    st = Structure(kind="", parts=[], title=title)
    if lines and SALUTATION_RE.match(lines[0]):
        st.addressee = lines.pop(0)
    heads = [h[1] for h in (split_number("h1", ln) for ln in lines) if h]
    congress = bool(st.addressee) or any("请予审议" in ln for ln in lines)
    status = any("基本情况" in h for h in heads) and not any("总结" in h for h in heads)
    kind_hint = "congress" if congress else ("status" if status else "")
    lead = SourcePart("lead", "")
    parts = [lead]
    cur_part, cur_sec = lead, None
    for ln in lines:
        if congress and not st.opening and cur_part is lead and OPENING_RE.search(ln):
            st.opening = ln
            m = re.search(r"我代表(.+?)(?:，|,|向)", ln)
            st.presenter = m.group(1) if m else ""
            continue
        if congress and CLOSING_RE.match(ln):
            st.closing = ln
            continue
        m1, m2, m3 = (split_number(level, ln) for level in ("h1", "h2", "h3"))
        if m1 and len(m1[1]) <= 40 and not re.search(r"[。；]", m1[1][:-1]):
            role = _role(m1[1], kind_hint)
            if any(p.role == role for p in parts) and role != "free":
                role = "free"
            cur_part, cur_sec = SourcePart(role, m1[1].rstrip("。")), None
            parts.append(cur_part)
            continue
        if status and cur_part.role != "plan" and PLAN_START_RE.match(ln) and cur_part is not lead:
            cur_part, cur_sec = SourcePart("plan", "下步打算"), None
            parts.append(cur_part)
            cur_part.intro.append(ln)
            continue
        if m2 and cur_part is not lead:
            title, rest = _split_run_in(m2[1])
            cur_sec = Section(title, indicators=bool(INDICATOR_SECTION_RE.search(title)) and cur_part.role == "summary")
            cur_part.sections.append(cur_sec)
            if rest:
                cur_sec.blocks.append(("p", rest))
            continue
        if m3 and cur_sec is not None:
            title, rest = _split_run_in(m3[1])
            cur_sec.blocks.append(("h3", title))
            if rest:
                cur_sec.blocks.append(("p", rest))
            continue
        if re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", ln):
            st.signature_date = ln
            continue
        (cur_sec.blocks.append(("p", ln)) if cur_sec is not None else cur_part.intro.append(ln))
    roles = {p.role for p in parts}
    if congress:
        st.kind = "congress"
    elif status or "results" in roles:
        st.kind = "status"
    elif "plan" in roles:
        st.kind = "summary-and-plan"
    else:
        st.kind = "summary"
    if "summary" not in roles:                  # a report without numbered parts: all of it is the summary
        body = [p for p in parts if p.role == "free"]
        if body:
            body[0].role = "summary"
        else:
            parts.append(SourcePart("summary", ""))
    st.parts = parts
    return st


# ------------------------------------------------------------------ the catalog

SYNONYMS = (("Ｒ＆Ｄ", "研发"), ("R&D", "研发"), ("R＆D", "研发"), ("研究与试验发展", "研发"), ("技术市场交易额", "技术合同交易额"),
            ("技术合同成交额", "技术合同交易额"), ("技术交易额", "技术合同交易额"), ("高企", "高新技术企业"),
            ("经费投入", "经费支出"), ("省级", "省"), ("市级", "市"), ("县级", "县"), ("数量占", "占"), ("数占", "占"))


def normalise(name: str, province: str = "") -> str:
    s = name.replace(" ", "")
    if province:
        s = s.replace(province, "省")
    for a, b in SYNONYMS:
        s = s.replace(a, b)
    for p in ("全社会", "各类", "国家"):
        if s.startswith(p) and len(s) > len(p) + 1:
            s = s[len(p):]
    s = re.sub(r"(总数|数量|家数|总量)$", "", s)
    s = re.sub(r"(?<![指])数$", "", s)
    return s


class Catalog:
    """The indicators of data/ by normalised name and alias (an ``aliases`` column, names
    separated by 、 or |, is read when the catalog has one)."""

    def __init__(self, ds, province: str = ""):
        self.ds = ds
        self.province = province
        self.by_name: dict[str, set[str]] = {}
        for ind_id in ds.indicator_ids:
            self._add(ds.indicator(ind_id).name, ind_id)
        path = _catalog_path(ds.root)
        if path.suffix == ".csv":
            with open(path, encoding="utf-8-sig", newline="") as fh:
                for row in csv.DictReader(fh):
                    for alias in re.split(r"[、|｜]", (row.get("aliases") or "")):
                        if alias.strip() and (row.get("id") or "").strip() in ds.indicator_ids:
                            self._add(alias.strip(), row["id"].strip())
        self.new: dict[str, dict] = {}          # normalised name -> new catalog row

    def _add(self, name: str, ind_id: str) -> None:
        self.by_name.setdefault(normalise(name, self.province), set()).add(ind_id)

    def match(self, name: str, context: list[str]) -> tuple[str | None, list[str]]:
        """(id, candidates): the one indicator the name (read with the names before it in the
        sentence) means; None with several candidates when it is ambiguous, or none."""
        forms = [name] + ([name[2:]] if name.startswith("累计") else [])
        exact = set()
        for f in forms:
            exact |= self.by_name.get(normalise(f, self.province), set())
        if len(exact) == 1:
            return next(iter(exact)), []
        if len(exact) > 1:
            return None, sorted(exact)
        found = set()
        for ctx in context:
            if not ctx:
                continue
            for f in forms:
                for k in range(1, len(ctx)):
                    for cand in (ctx[:k] + f, f + ctx[-k:], ctx[-k:] + f):
                        found |= self.by_name.get(normalise(cand, self.province), set())
                for cand in (ctx + f,):
                    found |= self.by_name.get(normalise(cand, self.province), set())
            if found:
                break
        if len(found) == 1:
            return next(iter(found)), []
        return None, sorted(found)


def _catalog_path(root: Path) -> Path:
    from ..inputs.tables import find_table
    return find_table(Path(root), config.INDICATORS_STEM)


def readable_id(name: str, taken: set[str]) -> str:
    """A catalog id from the name's pinyin (科技领军企业 -> kejilingjunqiye)."""
    if "pypinyin" not in sys.modules:
        # per-character readings only: the phrase dictionary takes most of a second to load, and
        # an id needs to be readable, not a perfect reading (重新 may come out as zhongxin)
        os.environ.setdefault("PYPINYIN_NO_PHRASES", "true")
    from pypinyin import lazy_pinyin
    text = name.replace("R&D", "rd").replace("GDP", "gdp")
    base = ""
    for p in (re.sub(r"[^a-z0-9]", "", p.lower()) for p in lazy_pinyin(text)):
        if len(base) + len(p) > 40:          # whole syllables only
            break
        base += p
    base = base or "indicator"
    if not base[0].isalpha():
        base = "i" + base
    cand, n = base, 2
    while cand in taken:
        cand, n = f"{base}_{n}", n + 1
    assert ID_RE.match(cand)
    return cand


MONEY = ("亿元", "万元", "元", "万美元", "亿美元", "美元")
AMOUNT_UNITS = MONEY + ("万平方米", "平方米", "亩", "万人", "万人次")


def _decimals(number: Decimal) -> int:
    return max(0, -number.as_tuple().exponent)


# ------------------------------------------------------------------ the import

@dataclass
class Taken:
    """A figure taken into the data: where its numbers sit in the text and the references."""
    statement: Statement
    indicator: str
    year: int
    target: bool
    refs: dict[int, str] = field(default_factory=dict)      # piece start -> reference key
    snippet: str = ""
    paragraph: str = ""


@dataclass
class ImportResult:
    county: str
    year: int
    kind: str
    narrative_path: Path
    narrative_text: str
    values: list[dict]                      # rows to add
    targets: list[dict]
    catalog: list[dict]                     # catalog rows to add
    taken: list[tuple[str, str, str]]       # (indicator, value text, sentence)
    reused: list[str]
    refused: list[str]
    literal: list[tuple[str, str, str]]     # (number as written, why, sentence)
    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)
    source_title: str = ""
    dates: list[str] = field(default_factory=list)         # dates, periods and numbers without a unit, as text

    def summary(self) -> str:
        out = [f"导入 {self.county} {self.year} 年:报告类型 {narrative_mod.KIND_NAMES.get(self.kind, self.kind)};"
               f"来源“{self.source_title}”"]
        out.append(f"\n取用的数字({len(self.taken)} 个):")
        out += [f"  {ind}  {val}  ← {sent}" for ind, val, sent in self.taken]
        out.append(f"\n新增的指标目录行({len(self.catalog)} 行,note 标为待审核,请核对名称、单位和代码):")
        out += [f"  {r['id']}  {r['name']}({r['unit'] or '无单位'},{r['kind']})" for r in self.catalog]
        if self.reused:
            out.append(f"\n数据中已有、数值相同而沿用的行({len(self.reused)} 行):")
            out += [f"  {r}" for r in self.reused]
        if self.refused:
            out.append(f"\n没有写入的数字({len(self.refused)} 个:与数据中已有的行不一致,或同一报告中前后不一;"
                       f"请核对后手工处理):")
            out += [f"  {r}" for r in self.refused]
        out.append(f"\n保留为文字的数字({len(self.literal)} 个):")
        out += [f"  {num}  ({why})  {sent}" for num, why, sent in self.literal]
        if self.dates:
            out.append(f"  另有日期、时期、编号等没有单位的数字 {len(self.dates)} 个:" + "、".join(self.dates))
        return "\n".join(out)


def _snippet(text: str, start: int, end: int, width: int = 18) -> str:
    """The words around a number: from a little before it to the end of its sentence (at most 30 more)."""
    a = max(0, start - width)
    stops = [i + 1 for i in (text.find(c, end) for c in "；。;") if i >= 0]
    b = min([len(text), end + 30] + stops)
    return ("…" if a else "") + text[a:b] + ("…" if b < len(text) else "")


def import_report(county: str, year: int, file: Path, *, data_dir: Path | None = None, preview: bool = False,
                  now: dt.datetime | None = None) -> ImportResult:
    """Import a published report as the county-year's narrative, values, targets and catalog rows.
    ``preview``: work everything out and write nothing."""
    root = Path(data_dir or config.DATA_DIR)
    ds = data_mod.load(root, for_county=county)        # the catalog, and the rows an import may meet
    c = ds.county(county)
    src = read_source(Path(file))
    if not src.lines:
        raise ImportSourceError("文件中没有读到正文", file=file, hint="检查文件内容;网页请保存为“网页,全部”或复制正文为 .txt")
    structure = recognise(src)
    kind = structure.kind
    default_title = {"summary": f"{c.bureau}{year}年工作总结", "status": f"{c.bureau}{year}年科技创新工作情况",
                     "congress": f"关于{year}年科技创新工作情况的报告"}.get(kind, f"{c.bureau}{year}年工作总结和{year + 1}年工作思路")
    title = structure.title
    source = (title or default_title) + (f"({src.written})" if src.written else (f"({src.published}发布)" if src.published else ""))
    catalog = Catalog(ds, c.province)
    short = re.sub(r"(县|区|市)$", "", c.name)
    taken_ids = set(ds.indicator_ids)

    # 1. every paragraph's statements
    paragraphs: list[tuple[str, str]] = []          # (part role, text) in order, for the statements
    for part in structure.parts:
        for text in part.intro:
            paragraphs.append((part.role, text))
        for sec in part.sections:
            for kind_b, text in sec.blocks:
                if kind_b == "p":
                    paragraphs.append((part.role, text))
    parsed = {}
    literal: list[tuple[str, str, str]] = []
    dates: list[str] = []
    for role, text in paragraphs:
        if text in parsed:
            continue
        p = parse_paragraph(text, plan=role == "plan")
        parsed[text] = p
        for piece, shown, why in p.literal:
            if why in ("日期或编号", "日期", "时期"):
                dates.append(shown + ("" if why == "时期" else text[piece.end:piece.end + 1]))
            else:
                literal.append((shown, why, _snippet(text, piece.start, piece.end) if piece else text[:30]))

    # 2. each statement to an indicator, a row and references
    values: dict[tuple, dict] = {}
    targets: dict[tuple, dict] = {}
    new_rows: dict[str, dict] = {}
    taken: list[Taken] = []
    reused, refused = [], []
    for role, text in paragraphs:
        p = parsed[text]
        context_names: list[str] = []
        for st in p.statements:
            is_target = role == "plan"
            for own in (c.name, short):                # 新昌创新指数 -> 创新指数
                if len(own) >= 2 and st.name.startswith(own) and len(st.name) > len(own) + 1:
                    st.name = st.name[len(own):]
                    break
            ctx = [st.context] + context_names[-1:]
            # a part of a whole (其中…) is not the catalog's indicator of that name: a row of its own
            ind_id, cands = (None, []) if st.part_of else catalog.match(st.name, [x for x in ctx if x])
            sent = _snippet(text, st.value.start, st.value.end)
            if ind_id is None and cands:
                literal.append((text[st.value.start:st.value.end], f"“{st.name}”可能是 {'、'.join(cands)},不能确定", sent))
                continue
            if ind_id is None:
                ind_id = _new_indicator(st, new_rows, catalog, taken_ids, title or default_title)
            context_names.append(ds.indicator(ind_id).name if ind_id in ds.indicator_ids else st.name)
            yr = st.year or (year + 1 if is_target else year)
            if is_target and yr == year:
                yr = year + 1
            tk = Taken(st, ind_id, yr, is_target, snippet=sent, paragraph=text)
            row = (_target_row if is_target else _value_row)(st, county, yr, ind_id, source)
            store = targets if is_target else values
            key = (county, yr, ind_id) if is_target else (county, yr, ind_id, row["period"])
            existing = _existing(ds, row, is_target, ind_id)
            if existing is not None:
                same, shown_existing = existing
                if same:
                    reused.append(f"{ind_id} {yr}{' ' + row['period'] if row.get('period') else ''} "
                                  f"{row.get('value') or row.get('target')}:{shown_existing}")
                elif _bound_holds(row, ds, ind_id):
                    literal.append((text[st.value.start:st.value.end],
                                    f"界限说法,与数据中已有的确数 {shown_existing.split('(')[0]} 相符,保留原文", sent))
                    continue
                else:
                    refused.append(f"{ind_id} {yr}:报告写 {text[st.value.start:st.value.end]},数据中已有 {shown_existing}")
                    literal.append((text[st.value.start:st.value.end], "与数据中已有的行不一致", sent))
                    continue
            elif key in store:
                prev = store[key]
                if _same(prev, row, is_target):
                    _merge(prev, row)
                elif prev.get("qualifier") and not row.get("qualifier"):
                    store[key] = row                 # "突破200家，达到231家": the exact figure wins
                    for t in taken:
                        if t.indicator == ind_id and t.year == yr and not t.target:
                            t.refs.clear()
                            literal.append((t.paragraph[t.statement.value.start:t.statement.value.end],
                                            "界限说法,数据取同一指标的确数", t.snippet))
                elif row.get("qualifier") and not prev.get("qualifier"):
                    literal.append((text[st.value.start:st.value.end], "界限说法,数据取同一指标的确数", sent))
                    continue
                else:
                    refused.append(f"{ind_id} {yr}:同一报告中写了两个不同的数 "
                                   f"{prev.get('value') or prev.get('target')} 和 {row.get('value') or row.get('target')}")
                    literal.append((text[st.value.start:st.value.end], "同一指标在报告中另有不同的数", sent))
                    continue
            else:
                store[key] = row
            # references
            if yr == (year + 1 if is_target else year):
                tk.refs[st.value.start] = f"{ind_id}.next_target" if is_target else ind_id
                for name, piece in st.attached.items():
                    if piece.literal or is_target:
                        continue
                    attr = {"growth": "growth", "change": "delta", "delta": "delta", "completion": "completion",
                            "city_rank": "city_rank", "province_rank": "province_rank"}[name]
                    tk.refs[piece.start] = f"{ind_id}.{attr}"
                if "delta" in st.attached and not is_target:
                    prev_row = _worked_back(st, row, ds, ind_id, county, yr, source, values)
                    if prev_row is None:
                        tk.refs.pop(st.attached["delta"].start, None)
            else:
                literal.append((text[st.value.start:st.value.end], f"{yr} 年的数(已写入数据,正文保留原文)", sent))
            taken.append(tk)

    # 3. the narrative, checked in a scratch copy of data/
    new_catalog = list(new_rows.values())
    value_rows = list(values.values())
    target_rows = list(targets.values())
    piece_refs: dict[str, dict[int, tuple[str, int]]] = {}
    for role, text in paragraphs:
        p = parsed[text]
        for tk in taken:
            if tk.statement in p.statements:
                for piece in tk.statement.pieces():
                    if piece.start in tk.refs:
                        end = piece.start + len(_number_text(piece)) if piece.role == "rank" else piece.end
                        piece_refs.setdefault(text, {})[piece.start] = (tk.refs[piece.start], end)
    npath = config.narrative_path(county, year, root)
    while True:                     # each round sends at least one reference back to text, so it ends
        current_ids = {tk.indicator for tk in taken if not tk.target and tk.year == year and tk.refs}
        ntext = _narrative_text(structure, kind, piece_refs, src, title, current_ids, year,
                                [tk for tk in taken if tk.target], file, set(ds.indicator_ids))
        bad = _verify(root, county, year, ntext, value_rows, target_rows, new_catalog, piece_refs)
        if not bad:
            break
        for text, start, printed in bad:
            ref, end = piece_refs[text].pop(start)
            literal.append((text[start:end], f"引用 {{{ref}}} 会印成“{printed}”,与原文不同,保留原文", _snippet(text, start, end)))
    result = ImportResult(county, year, kind, npath, ntext, value_rows, target_rows, new_catalog,
                          [(tk.indicator, _value_shown(tk), tk.snippet) for tk in taken],
                          reused, refused, literal, source_title=source, dates=dates)
    if not preview:
        _write(result, root, ds, now or dt.datetime.now())
    return result


def _number_text(piece: Piece) -> str:
    return format(piece.number, "f")


def _value_shown(tk: Taken) -> str:
    st = tk.statement
    return f"{st.qualifier}{format(st.value.number, 'f')}{st.value.unit}" + (
        f"({tk.year})" if tk.target else "")


def _new_indicator(st: Statement, new_rows: dict, catalog: Catalog, taken_ids: set, title: str) -> str:
    if st.name.startswith("占") and st.context:          # 占主营业务比重 after 研发费用: name the share in full
        st.name = st.context + st.name
    elif st.part_of:                                     # 其中智能装备18项: a part of the whole before it
        st.name = f"{st.part_of}中的{st.name}"
    key = normalise(st.name, catalog.province)
    if key in new_rows:
        return new_rows[key]["id"]
    unit = st.value.unit
    if st.rank_kind:
        kind, unit, decimals = "rank", "位", 0
    elif st.growth_target:
        kind, decimals = "amount", 2
        unit = ""
    elif unit == "%":
        kind, decimals = "ratio", max(_decimals(st.value.number), 1)
    elif unit in AMOUNT_UNITS or _decimals(st.value.number):
        kind, decimals = "amount", max(_decimals(st.value.number), 2 if unit in MONEY else 0)
    else:
        kind, decimals = "count", 0
    ind_id = readable_id(st.name, taken_ids)
    taken_ids.add(ind_id)
    row = {"id": ind_id, "name": st.name, "unit": unit if unit != "%" else "%", "kind": kind,
           "decimals": str(decimals), "higher_is_better": "否" if kind == "rank" else "是", "verb": "",
           "numerator": "", "denominator": "", "note": f"待审核:导入自《{title}》"}
    new_rows[key] = row
    return ind_id


def _value_row(st: Statement, county: str, year: int, ind_id: str, source: str) -> dict:
    g = st.attached.get("growth")
    ch = st.attached.get("change")
    comp = st.attached.get("completion")
    cr = st.attached.get("city_rank")
    pr = st.attached.get("province_rank")
    q = ("预计" if st.estimate else "") + st.qualifier
    return {"county": county, "year": str(year), "indicator": ind_id, "period": st.period,
            "value": format(st.value.number, "f"), "unit": "" if st.rank_kind else st.value.unit, "qualifier": q,
            "target": "", "reported_growth": format((g or ch).signed, "f") if (g or ch) else "",
            "reported_completion": format(comp.number, "f") if comp else "",
            "city_rank": str(int(cr.number)) if cr else "", "province_rank": str(int(pr.number)) if pr else "",
            "source": source}


def _target_row(st: Statement, county: str, year: int, ind_id: str, source: str) -> dict:
    return {"county": county, "year": str(year), "indicator": ind_id,
            "type": "增长" if st.growth_target else "达到", "target": format(st.value.number, "f"),
            "unit": "%" if st.growth_target else st.value.unit, "prefix": st.prefix, "suffix": st.suffix,
            "source": source}


def _same(a: dict, b: dict, target: bool) -> bool:
    k = "target" if target else "value"
    return Decimal(a[k]) == Decimal(b[k]) and a.get("unit") == b.get("unit")


def _merge(a: dict, b: dict) -> None:
    for k, v in b.items():
        if v and not a.get(k):
            a[k] = v


def _existing(ds, row: dict, target: bool, ind_id: str):
    """(same value?, the existing row as shown) for a row data/ already has, else None."""
    if ind_id not in ds.indicator_ids:
        return None
    ind = ds.indicator(ind_id)
    if target:
        t = ds.targets
        if t.empty:
            return None
        hit = t[(t.county == row["county"]) & (t.year == int(row["year"])) & (t.indicator == ind_id)]
        if hit.empty:
            return None
        have = hit.iloc[0]["target"]
        mine = _in_unit(Decimal(row["target"]), row["unit"], ind.unit if row["type"] == "达到" else "%")
        return mine == have, f"{have}{'%' if row['type'] == '增长' else ind.unit}"
    rows = ds.rows(row["county"], int(row["year"]), ind_id)
    rows = rows[rows.period == row["period"]] if not rows.empty else rows
    if rows.empty:
        return None
    have = rows.iloc[0]["value"]
    mine = _in_unit(Decimal(row["value"]), row["unit"], ind.unit)
    return mine == have, f"{have}{ind.unit if ind.kind != 'rank' else ''}(来源:{rows.iloc[0]['source']})"


def _bound_holds(row: dict, ds, ind_id: str) -> bool:
    """"突破200家" beside a row of 231家: a bound the exact figure in data/ satisfies."""
    q = (row.get("qualifier") or "").replace("预计", "")
    if q not in ("突破", "超过", "逾", "以上"):
        return False
    rows = ds.rows(row["county"], int(row["year"]), ind_id)
    rows = rows[rows.period == row["period"]]
    have = rows.iloc[0]["value"]
    return have >= _in_unit(Decimal(row["value"]), row["unit"], ds.indicator(ind_id).unit) and not rows.iloc[0]["qualifier"]


def _in_unit(value: Decimal, unit: str, to: str) -> Decimal:
    if unit and to and unit != to and convertible(unit, to):
        return convert(value, unit, to)
    return value


def _worked_back(st, row, ds, ind_id, county, yr, source, values) -> dict | None:
    """"比上年增加25家": last year's value worked back (value − change), marked 推算."""
    d = st.attached["delta"]
    if st.rank_kind:
        prev = st.value.number + d.signed           # up 56 places from 69th to 13th
    elif d.unit != st.value.unit:
        return None
    else:
        prev = st.value.number - d.signed
    key = (county, yr - 1, ind_id, row["period"])
    prev_row = dict(row, year=str(yr - 1), value=format(prev, "f"), qualifier="", reported_growth="",
                    reported_completion="", city_rank="", province_rank="", target="",
                    source=f"推算:据{source}所载本年数与增减量倒推({format(st.value.number, 'f')}{d.unit}、"
                           f"{('提升' if d.sign > 0 else '下降') if st.rank_kind else ('增加' if d.sign > 0 else '减少')}"
                           f"{format(d.number, 'f')}{d.unit})")
    existing = _existing(ds, prev_row, False, ind_id)
    if existing is not None:
        return prev_row if existing[0] else None
    values.setdefault(key, prev_row)
    return prev_row


# ------------------------------------------------------------------ writing the narrative

def _source_paragraph(text: str, refs: dict[int, tuple[str, int]]) -> str:
    out, pos = [], 0
    for start in sorted(refs):
        key, end = refs[start]
        if start < pos:
            continue
        out.append(narrative_mod.escape(text[pos:start], start=not out))
        out.append("{" + key + "}")
        pos = end
    out.append(narrative_mod.escape(text[pos:], start=not out))
    return "".join(out)


def _year_refs(text: str, year: int) -> str:
    return text.replace(f"{year + 1}年", "{next_year}年").replace(f"{year}年", "{year}年")


def _narrative_text(structure: Structure, kind: str, piece_refs, src: SourceText, title: str,
                    current_ids: set[str], year: int, target_rows: list, file,
                    catalog_ids: set[str] = frozenset()) -> str:
    titles = {v: k for k, v in narrative_mod.KINDS[kind].items()}
    meta: dict = {"kind": kind}
    if title:
        meta["title"] = title
    if src.written or structure.signature_date:
        meta["date"] = src.written or structure.signature_date
    current = []
    ind_section = next((s for p in structure.parts for s in p.sections if s.indicators), None)
    order = []
    for p in structure.parts:
        for s in ([ind_section] if ind_section else []) + p.sections:
            for kb, text in s.blocks if s else []:
                for start in sorted(piece_refs.get(text, {})):
                    order.append(piece_refs[text][start][0])
    for p in structure.parts:
        for text in p.intro + [t for s in p.sections for kb, t in s.blocks if kb == "p"]:
            for start in sorted(piece_refs.get(text, {})):
                order.append(piece_refs[text][start][0])
    seen = set()
    have = current_ids
    for key in order:
        name = key.split(".")[0]
        if "." not in key and name in have and name not in seen:
            seen.add(name)
            current.append(name)
    known = [i for i in current if i in catalog_ids]
    if current:                        # 表1 lists indicators of the catalog; new ones only when it has few
        meta["indicators"] = (known if len(known) >= 3 else current)[:12]
    meta["charts"] = "none"
    meta["omit"] = ["indicator_paragraph"] + (["targets_sentence"] if target_rows else [])   # the plan states its own
    headings = {}
    for p in structure.parts:
        if p.role in titles and p.heading:
            shown = _year_refs(p.heading, year)
            default = {"summary": "{year}年工作总结", "plan": "{next_year}年工作思路"}.get(p.role) \
                if kind in ("summary-and-plan", "summary") else titles[p.role]
            if shown != default:
                headings[titles[p.role]] = shown
    if headings:
        meta["headings"] = headings
    if kind == "congress":
        if structure.addressee:
            meta["addressee"] = structure.addressee
        if structure.presenter:
            meta["presenter"] = structure.presenter
        if structure.opening:
            meta["opening"] = _year_refs(narrative_mod.escape(structure.opening), year)
        if structure.closing:
            meta["closing"] = narrative_mod.escape(structure.closing)
    import yaml
    front = f"# 导入自 {Path(file).name}:数字已换成数据引用,请核对后删去这一行\n" + yaml.safe_dump(
        meta, allow_unicode=True, sort_keys=False, width=10000)
    out = ["---\n" + front + "---\n"]
    free_n = 0
    for p in structure.parts:
        if p.role in titles:
            out.append(f"\n# {titles[p.role]}\n")
        else:
            free_n += 1
            out.append(f"\n# {p.heading or '其他'} {{#part-{free_n}}}\n")
        for text in p.intro:
            out.append("\n" + _source_paragraph(text, piece_refs.get(text, {})) + "\n")
        for s in p.sections:
            heading = s.title + (" {#indicators}" if s is ind_section else "")
            out.append(f"\n## {narrative_mod.escape(heading, start=True) if s is not ind_section else heading}\n")
            for kb, text in s.blocks:
                if kb == "h3":
                    out.append(f"\n### {narrative_mod.escape(text, start=False)}\n")
                else:
                    out.append("\n" + _source_paragraph(text, piece_refs.get(text, {})) + "\n")
    return "".join(out)


def _csv_text(rows: list[dict], columns: list[str]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    for r in rows:
        w.writerow(r)
    return buf.getvalue()


VALUE_COLUMNS = ["county", "year", "indicator", "period", "value", "unit", "qualifier", "target", "reported_growth",
                 "reported_completion", "city_rank", "province_rank", "source"]
TARGET_COLUMNS = ["county", "year", "indicator", "type", "target", "unit", "prefix", "suffix", "source"]


def _files(root: Path, county: str, year: int) -> tuple[Path, Path]:
    return (root / config.VALUES_DIRNAME / f"{county}_{year}_import.csv",
            root / config.TARGETS_DIRNAME / f"{county}_{year + 1}_import.csv")


def _append_catalog(path: Path, rows: list[dict]) -> str:
    text = path.read_text(encoding="utf-8-sig")
    header = next(csv.reader([text.split("\n", 1)[0]]))
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=header, lineterminator="\n", extrasaction="ignore")
    for r in rows:
        w.writerow({k: r.get(k, "") for k in header})
    return text + ("" if text.endswith("\n") else "\n") + buf.getvalue()


def _lay_out(root: Path, result_parts: dict) -> None:
    """Write the import's files under ``root`` (a scratch copy or data/ itself)."""
    for path, text in result_parts.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def _planned(root: Path, county: str, year: int, ntext: str, value_rows, target_rows, new_catalog) -> dict:
    vfile, tfile = _files(root, county, year)
    files = {config.narrative_path(county, year, root).relative_to(root): ntext}
    if value_rows:
        files[vfile.relative_to(root)] = _csv_text(value_rows, VALUE_COLUMNS)
    if target_rows:
        files[tfile.relative_to(root)] = _csv_text(target_rows, TARGET_COLUMNS)
    if new_catalog:
        cat = _catalog_path(root)
        if cat.suffix != ".csv":
            raise ImportSourceError("指标目录是 .xlsx,导入不能自动追加新指标", file=cat,
                                    hint="把新指标逐行加进目录(PREVIEW=1 列出它们),或把目录另存为 .csv 后再导入")
        files[cat.relative_to(root)] = _append_catalog(cat, new_catalog)
    return files


def _verify(root: Path, county, year, ntext, value_rows, target_rows, new_catalog, piece_refs):
    """Build the import in a scratch copy of data/: the references whose printed text differs
    from the text they replace, as (paragraph, start, printed)."""
    if not any(r["year"] == str(year) for r in value_rows):
        return []
    with tempfile.TemporaryDirectory(prefix="reportkit-import-") as tmp:
        scratch = Path(tmp) / "data"
        shutil.copytree(root, scratch, ignore=shutil.ignore_patterns("narrative"))
        _lay_out(scratch, _planned(scratch, county, year, ntext, value_rows, target_rows, new_catalog))
        try:
            rf = _figures_for_references(county, year, scratch, ntext)
        except ReportkitError as exc:
            raise ImportSourceError(f"导入的数据未通过检查:{exc.message}", county=county, year=year,
                                    hint=(exc.hint or "") + "(导入没有写入任何文件)") from None
        bad = []
        for text, refs in piece_refs.items():
            for start, (key, end) in refs.items():
                name, _, attr = key.partition(".")
                printed = rf.resolve_reference(name, attr or None)
                if printed != text[start:end]:
                    bad.append((text, start, printed))
        return bad


def _figures_for_references(county: str, year: int, root: Path, ntext: str):
    """The county-year's figures as the narrative's references print them, from ``root``: the
    rows are loaded and validated as a build loads them; the city ranks a build would compute
    from the other units are not worked out (an import writes only the ranks the report states)."""
    from ..model.figures import FigureEngine
    from ..model.report import ReportFigures

    from ..inputs.data import period_months

    class _Engine(FigureEngine):
        """The build's engine, reading rows from a dict (an import looks up a hundred figures once)."""

        def __init__(self, ds):
            super().__init__(ds)
            self._by_key: dict[tuple, list[dict]] = {}
            for rec in ds.values.to_dict("records"):
                self._by_key.setdefault((rec["county"], rec["year"], rec["indicator"]), []).append(rec)

        def _row(self, county, year, ind, period=None):
            rows = [r for r in self._by_key.get((county, year, ind), ()) if period is None or r["period"] == period]
            return max(rows, key=lambda r: period_months(r["period"])) if rows else None

        def _computed_city_rank(self, fig):
            return None

    ds = data_mod.load(root, for_county=county)
    narrative = narrative_mod.parse(ntext, config.narrative_path(county, year, root))
    engine = _Engine(ds)
    return ReportFigures(dataset=ds, county=ds.county(county), year=year, figures=[],
                         targets=engine.next_targets(county, year, []), narrative=narrative, engine=engine)


def _write(result: ImportResult, root: Path, ds, now: dt.datetime) -> None:
    files = _planned(root, result.county, result.year, result.narrative_text, result.values, result.targets,
                     result.catalog)
    versions = config.build_dir(result.county, result.year) / "versions"
    stamp = now.strftime("%Y%m%d-%H%M%S")
    for rel, text in files.items():
        path = root / rel
        if path.exists():
            old = path.read_text(encoding="utf-8-sig")
            if rel.suffix == ".csv" and path.name.endswith("_import.csv"):
                # an earlier import of the same county-year: its rows are kept, the new ones added
                text = _union_csv(old, text)
            if old == text:
                continue
            versions.mkdir(parents=True, exist_ok=True)
            backup = versions / f"{path.stem}.{stamp}{path.suffix}"
            shutil.copy2(path, backup)
            result.kept.append(backup)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        result.written.append(path)


def _union_csv(old: str, new: str) -> str:
    old_rows = list(csv.DictReader(io.StringIO(old)))
    new_rows = list(csv.DictReader(io.StringIO(new)))
    header = list(csv.DictReader(io.StringIO(old)).fieldnames or []) or list(new_rows[0].keys())
    seen = {tuple(r.items()) for r in old_rows}
    rows = old_rows + [r for r in new_rows if tuple(r.items()) not in seen]
    return _csv_text(rows, header)
