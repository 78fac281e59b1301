"""The grammar of a figure statement in a published report's prose.

    [period] indicator [verb] [qualifier] value unit [以上/左右]
        [，比上年/同比 增加 x 单位 | 增长/下降 x% | 提升/降低 x个百分点]
        [，完成率/完成年度目标的 x%] [，全市/全省排名第n(位)]

and the plural forms ("同比分别增长21.1%和24.8%"). A paragraph is cut into clauses (at ，；。：、
and parentheses, never inside 《》 or quotation marks); each number with a unit is given a role
from the words just before it (value, growth, change, completion, rank) and attached to the
statement of its sentence. What is not a figure statement stays text: dates and periods, numbers
inside 《…》 or “…”, ordinals (第一批), ranges (2-3项), a count before its noun ("5个项目获…",
"整合33个部门"), a number after 连续 ("连续9年保持在4%以上") or inside a parenthesis that is not a
rank or another year's figure.

Only the grammar lives here; matching names to the catalog and writing rows is the importer's.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from ..numbering import CN_NUMERALS, cn_value

UNITS = ("万平方米", "平方米", "个百分点", "百分点", "万美元", "亿美元", "美元", "亿元", "万元", "元", "万人次",
         "人次", "万人", "家次", "家", "个", "项", "人", "名", "件", "所", "支", "位", "款", "种", "套", "台",
         "篇", "次", "亩", "%", "％")
#: units that count things placed before a noun: "5个项目" is a count of the noun, not a figure
MEASURES = ("个", "家", "项", "名", "件", "所", "支", "位", "款", "种", "套", "台", "篇", "次", "人")
#: a number as reports print it: 327, 3.52, and with thousands separators 12,345 or 1,234.5 (read as
#: one number, never as 12 and 345)
NUMBER_RE = re.compile(r"(?<![\d.])(\d{1,3}(?:,\d{3})+(?![\d,])(?:\.\d+)?|\d+(?:\.\d+)?)(余)?("
                       + "|".join(UNITS) + r")?")
PERIOD_RE = re.compile(r"^(?:(\d{4})年)?1\s*[-—–~至]\s*(\d{1,2})\s*月(?:份)?(?:累计)?")
SEASONS = {"一季度": 3, "第一季度": 3, "上半年": 6, "前三季度": 9, "前两个季度": 6}
YEAR_RE = re.compile(r"^(\d{4})\s*年(?:度)?(?:底|末)?")
BOUNDARY = "，,；;。：:！!？?"
SENTENCE_END = "。！!？?"
OPEN_QUOTES = {"《": "》", "“": "”", "「": "」", "‘": "’", "〈": "〉"}
PARENS = {"(": ")", "（": "）"}

GROWTH_WORDS = re.compile(r"(累计增速|增速|增长率|增幅|同比增长|增长|同比下降|下降|回落)(?:了|为|达)?$")
CHANGE_WORDS = re.compile(r"(提升|提高|上升|增加|增长|降低|下降|减少|回落)(?:了)?$")
DELTA_WORDS = re.compile(r"(增加|减少|多|少)(?:了)?$")
COMPARISON = re.compile(r"(比上年|较上年|同比|比去年|较去年|较去年同期|比去年同期|较上年同期|比上年同期)")
COMPLETION_WORDS = re.compile(r"(完成率|完成年度目标的|完成目标的|完成全年目标的|目标完成率)(?:为|达|达到)?$")
RANK_LEAD = re.compile(r"(?:排名|排|位居|位列|居|列)?(全市|全省|全国)(?:排名|排|位居|居|列)?$")
NEGATIVE = ("下降", "回落", "降低", "减少", "少")
RANK_MOVE = re.compile(r"(提升|上升|前进|提高|下降|后退|下滑)(?:了)?$")

#: words before a name that are not part of it (time, scope, connectives), removed from the front
LEAD_WORDS = ("截至目前", "截至年底", "截至", "目前", "至今", "全年", "今年", "当年", "其中", "同时", "另外", "此外",
              "全区", "全县", "全市", "我县", "我区", "我市", "县域", "现有", "已有", "共有", "并", "且", "均",
              "每年", "年内", "争取", "力争", "发放", "兑现", "拨付", "预计", "确保", "实现", "累计申报")
#: verbs and bounds between a name and its value, removed from the end (longest first)
TAIL_WORDS = ("累计申报", "累计完成", "累计达到", "累计达", "分别达到", "分别为", "分别", "增加到", "提高到", "提升到", "增至",
              "达到", "完成", "达", "为", "突破", "超过", "超", "近", "约", "逾", "保持在", "共计", "合计", "总计",
              "共", "各", "实现", "不少于", "不低于", "至少", "累计", "力争", "预计", "发放", "引进", "新增加")
QUALIFIER_WORDS = {"突破": "突破", "超过": "超过", "超": "超过", "近": "近", "约": "约", "逾": "逾"}
BOUND_PREFIXES = ("不少于", "不低于")
BAD_START = tuple("向为与对在从给将把被和及由以按于")
NAME_RE = re.compile(r"^[\u4e00-\u9fffA-Za-z&“”\"'‘’·（）()\-]{2,30}$")


@dataclass
class Piece:
    """A number of the text with its unit: where it is, what it says, and what it is."""
    start: int
    end: int
    number: Decimal
    unit: str
    role: str = "value"          # value | growth | change | delta | completion | rank
    sign: int = 1
    scope: str = ""              # rank: 全市 | 全省
    literal: bool = False        # recorded in data but left as text (e.g. 全省第三)
    plural: bool = False         # after 分别

    @property
    def signed(self) -> Decimal:
        return self.number * self.sign


@dataclass
class Statement:
    """One figure statement: an indicator name as printed and its numbers."""
    name: str
    value: Piece
    sentence: str
    context: str = ""            # the name of the statement before it in the sentence (for 研发强度 …)
    period: str = "全年"
    year: int | None = None      # a year the sentence names (None: the report's)
    qualifier: str = ""
    estimate: bool = False       # 预计
    prefix: str = ""             # targets: 力争, 不少于 …
    suffix: str = ""             # targets: 以上
    growth_target: bool = False  # "… 增长10%以上" in the plan: a growth target
    rank_kind: bool = False      # the value is itself a rank ("技术创新指数全省第1")
    restated: bool = False       # "突破200家，达到231家": the same indicator as the statement before
    part_of: str = ""            # "…需求31个，其中智能装备18项、新材料3项": the name of the whole
    attached: dict[str, Piece] = field(default_factory=dict)   # growth | change | delta | completion | city_rank | province_rank

    def pieces(self) -> list[Piece]:
        return [self.value, *self.attached.values()]


@dataclass
class Parsed:
    """A paragraph read: its statements, the numbers left as text (with why), its period."""
    text: str
    statements: list[Statement]
    literal: list[tuple[Piece | None, str, str]]       # (piece or None, the text, why)
    period: str


def _protected(text: str) -> list[bool]:
    """Which characters sit inside 《…》 or quotation marks."""
    inside = [False] * len(text)
    stack: list[str] = []
    for i, c in enumerate(text):
        if stack and c == stack[-1]:
            stack.pop()
            inside[i] = True
            continue
        if c in OPEN_QUOTES:
            stack.append(OPEN_QUOTES[c])
        elif c == '"':
            stack.append('"')
        inside[i] = bool(stack) or inside[i]
    return inside


def _paren_depth(text: str) -> list[int]:
    depth, out = 0, []
    for c in text:
        if c in PARENS:
            depth += 1
        out.append(depth)
        if c in PARENS.values() and depth:
            depth -= 1
    return out


def _clause_start(text: str, pos: int, protected: list[bool]) -> int:
    """Start of the clause holding ``pos``: after the last boundary, 、 or parenthesis outside quotes."""
    i = pos - 1
    while i >= 0:
        c = text[i]
        if not protected[i] and (c in BOUNDARY or c in "、" or c in PARENS or c in PARENS.values()):
            return i + 1
        i -= 1
    return 0


def _sentence_of(text: str, pos: int) -> tuple[int, int]:
    s = max(text.rfind(c, 0, pos) for c in SENTENCE_END) + 1
    ends = [e for e in (text.find(c, pos) for c in SENTENCE_END) if e >= 0]
    return s, (min(ends) + 1 if ends else len(text))


def period_of(text: str) -> str | None:
    m = PERIOD_RE.match(text)
    if m:
        return f"1-{int(m.group(2))}月"
    for words, months in SEASONS.items():
        if text.startswith(words):
            return f"1-{months}月"
    return None


def clean_name(lead: str) -> tuple[str, dict]:
    """The indicator name in the words before a value, and what the stripped words said."""
    said = {"qualifier": "", "estimate": False, "prefix": "", "period": None, "year": None, "verb": "", "of": False}
    s = lead.strip(" \t“”\"")
    changed = True
    while changed:
        changed = False
        s = s.strip()
        p = period_of(s)
        if p:
            said["period"] = p
            s = PERIOD_RE.sub("", s, count=1) if PERIOD_RE.match(s) else s[next(len(w) for w in SEASONS if s.startswith(w)):]
            changed = True
            continue
        m = YEAR_RE.match(s)
        if m:
            said["year"] = int(m.group(1))
            s = s[m.end():]
            changed = True
            continue
        for w in LEAD_WORDS:
            if s.startswith(w) and len(s) > len(w):
                if w == "预计":
                    said["estimate"] = True
                if w == "力争":
                    said["prefix"] = "力争"
                if w == "其中":
                    said["of"] = True
                s = s[len(w):]
                changed = True
                break
    changed = True
    while changed:
        changed = False
        for w in TAIL_WORDS:
            if s.endswith(w) and len(s) > len(w):
                if w in QUALIFIER_WORDS and not said["qualifier"]:
                    said["qualifier"] = QUALIFIER_WORDS[w]
                elif w in BOUND_PREFIXES:
                    said["prefix"] = w
                elif w == "力争" and not said["prefix"]:
                    said["prefix"] = "力争"
                elif w == "预计":
                    said["estimate"] = True
                elif not said["verb"]:
                    said["verb"] = w
                s = s[:-len(w)]
                changed = True
                break
            if s == w:
                if w in QUALIFIER_WORDS:
                    said["qualifier"] = QUALIFIER_WORDS[w]
                elif w in BOUND_PREFIXES:
                    said["prefix"] = w
                s = ""
                changed = True
                break
    return s.strip(), said


def valid_name(name: str) -> bool:
    if name in LEAD_WORDS or name in TAIL_WORDS:
        return False
    if not NAME_RE.match(name) or name.startswith(BAD_START) or name.endswith(("的", "和", "及", "与")):
        return False
    return sum(1 for c in name if "\u4e00" <= c <= "\u9fff") >= 2


def parse_paragraph(text: str, *, plan: bool = False, period: str = "全年") -> Parsed:
    """The figure statements of one paragraph. ``plan``: the paragraph is in the part of next year's
    work, so its statements are targets. ``period``: the period in force from the paragraphs before."""
    protected = _protected(text)
    depth = _paren_depth(text)
    statements: list[Statement] = []
    literal: list[tuple[Piece | None, str, str]] = []
    sentence_of_stmt: dict[int, tuple[int, int]] = {}
    dangling = ""          # the name of the last clause that stated no figure ("…比重连续9年…")
    year_in_sentence: dict[int, int] = {}
    last_clause_role: tuple[int, str] | None = None

    def current(sentence: tuple[int, int]) -> Statement | None:
        for k in range(len(statements) - 1, -1, -1):
            if sentence_of_stmt[k] == sentence:
                return statements[k]
            break
        return None

    prev_end, pending_end, lit_count = 0, None, 0
    breakdown = ""                       # the whole a 其中 list breaks down
    pending_names: list[str] = []        # "A和B分别达到x和y": the names still to give a value
    for m in NUMBER_RE.finditer(text):
        start, end = m.start(), m.end()
        number, yu, unit = m.group(1).replace(",", ""), m.group(2), m.group(3)
        shown = text[start:end]
        cstart = _clause_start(text, start, protected)
        sentence = _sentence_of(text, start)
        if pending_end is not None and len(literal) == lit_count:
            prev_end = pending_end                 # the number before was used: a name starts after it
        pending_end, lit_count = end, len(literal)
        lead = text[max(cstart, prev_end):start]
        # periods and years as the clause's time, never figures
        before_period = text[cstart:]
        p = period_of(before_period) if start == cstart or YEAR_RE.match(lead) else None
        if p and (PERIOD_RE.match(before_period) and start - cstart <= 5):
            period = p
            span = PERIOD_RE.match(before_period).group(0)
            literal.append((Piece(start, start + len(span), Decimal(number), ""), span, "时期"))
            prev_end = max(prev_end, cstart + len(span))
            continue
        nxt = text[end:end + 1]
        if unit is None and text[start - 1:start] == "第" and not protected[start] and not (nxt and nxt in "年月日号时分届批期次"):
            unit = ""
        elif unit is None or (nxt and nxt in "年月日号时分"):
            if text[end:end + 1] == "年" and re.match(r"\d{4}$", number):
                ym = YEAR_RE.match(text[start:])
                if ym and (start == cstart or not lead.strip(" ，,")) and not depth[start]:
                    year_in_sentence[sentence[0]] = int(number)
            literal.append((Piece(start, end, Decimal(number), unit or ""), shown, "日期或编号" if unit is None else "日期"))
            continue
        if protected[start]:
            literal.append((Piece(start, end, Decimal(number), unit or ""), shown, "书名号或引号中的文字"))
            continue
        if re.search(r"\d\s*[-—–~至]\s*$", text[:start]) or re.match(r"\s*[-—–~]\s*\d", text[end:]):
            literal.append((Piece(start, end, Decimal(number), unit or ""), shown, "范围"))
            continue
        if re.search(rf"连续\s*\d+\s*年|连续[{CN_NUMERALS}]+年", text[cstart:start]):
            literal.append((Piece(start, end, Decimal(number), unit or ""), shown, "“连续…”的说法"))
            dangling = re.split(r"连续|保持|达|为", text[cstart:start])[0].strip()
            continue
        follower = text[end:end + 1]
        noun_after = text[end + 2:end + 3] if text[end:].startswith(("以上", "左右")) else follower
        if unit in MEASURES and noun_after and "\u4e00" <= noun_after <= "\u9fff":
            literal.append((Piece(start, end, Decimal(number), unit or ""), shown, "名词前的数量(如“5个项目”)"))
            continue
        if follower == "的" or text[end:].startswith(("的", "之")):
            literal.append((Piece(start, end, Decimal(number), unit or ""), shown, "修饰名词的数量"))
            continue
        if yu:
            literal.append((Piece(start, end, Decimal(number), unit or ""), shown, "“余”的约数(保留原文)"))
            continue
        unit = "%" if unit == "％" else unit
        piece = Piece(start, end, Decimal(number), unit)
        stripped = lead.strip()
        in_paren = depth[start] > 0
        subject = current(sentence)
        # ranks: 第n after 全市/全省 (排名)
        if text[start - 1:start] == "第" and unit in ("位", "名", None) or text[start - 1:start] == "第":
            rl = stripped[:-1]
            rm = RANK_LEAD.search(rl)
            if rm:
                piece.role, piece.scope = "rank", rm.group(1)
                name_part = rl[:rm.start()].strip()
                if subject is not None and (not name_part or name_part in ("排名", "排")):
                    key = "city_rank" if piece.scope == "全市" else "province_rank"
                    if key in subject.attached:
                        literal.append((piece, shown, "同一指标的第二个排名"))
                    else:
                        subject.attached[key] = piece
                    continue
                name, said = clean_name(name_part)
                if valid_name(name):
                    st = Statement(name + piece.scope + "排名", piece, text[sentence[0]:sentence[1]],
                                   period=period, rank_kind=True)
                    _time(st, said, year_in_sentence.get(sentence[0]))
                    statements.append(st)
                    sentence_of_stmt[len(statements) - 1] = sentence
                    continue
            scope = re.search(r"在(全市|全省)", text[cstart:start])
            prev_name = _previous_clause_name(text, cstart, sentence)
            if scope and re.search(r"(排名|位居|居|列)第$", stripped) and prev_name:
                piece.role, piece.scope = "rank", scope.group(1)
                st = Statement(prev_name + piece.scope + "排名", piece, text[sentence[0]:sentence[1]],
                               period=period, rank_kind=True)
                st.year = year_in_sentence.get(sentence[0])
                statements.append(st)
                sentence_of_stmt[len(statements) - 1] = sentence
                continue
            literal.append((piece, shown, "序数"))
            continue
        if unit in ("位", "名") and text[start - 1:start] != "第" and stripped.endswith(("排名", "排")):
            literal.append((piece, shown, "排名写法不明"))
            continue
        if not stripped and cstart > 0 and text[cstart - 1] in ")）" and not depth[start]:
            open_at = max(text.rfind("(", 0, cstart - 1), text.rfind("（", 0, cstart - 1))
            if open_at > 0:
                stripped = text[_clause_start(text, open_at, protected):start].strip()
        body = stripped
        continuation = stripped in ("和", "、", "与", "及", "和为") or (stripped == "" and last_clause_role and
                                                                         last_clause_role[0] == sentence[0])
        if unit == "%" and (GROWTH_WORDS.search(body) or (continuation and last_clause_role and last_clause_role[1] == "growth")):
            gm = GROWTH_WORDS.search(body)
            name_part = body[:gm.start()] if gm else ""
            piece.role = "growth"
            piece.sign = -1 if gm and any(w in gm.group(1) for w in NEGATIVE) else (
                last_piece_sign(statements, sentence_of_stmt, sentence) if continuation else 1)
            name_part = COMPARISON.sub("", name_part).replace("分别", "").strip()
            if plan and name_part:
                name, said = clean_name(name_part)
                if valid_name(name) or (not name and subject is None and dangling):
                    st = Statement(name or dangling, piece, text[sentence[0]:sentence[1]], period=period,
                                   growth_target=True, context=subject.name if subject else "")
                    st.prefix = said["prefix"]
                    if text[end:].startswith("以上"):
                        st.suffix = "以上"
                    _time(st, said, year_in_sentence.get(sentence[0]))
                    statements.append(st)
                    sentence_of_stmt[len(statements) - 1] = sentence
                    last_clause_role = (sentence[0], "growth")
                    continue
            if "分别" in body or continuation:
                piece.plural = True
            if _attach(statements, sentence_of_stmt, sentence, "growth", piece, literal, shown,
                       plural=piece.plural, name_part=name_part):
                last_clause_role = (sentence[0], "growth")
            continue
        if unit in ("个百分点", "百分点") and CHANGE_WORDS.search(body):
            cm = CHANGE_WORDS.search(body)
            piece.role = "change"
            piece.sign = -1 if cm.group(1) in NEGATIVE else 1
            _attach(statements, sentence_of_stmt, sentence, "change", piece, literal, shown,
                    plural="分别" in body, name_part=body[:cm.start()])
            continue
        if unit in ("个百分点", "百分点"):
            literal.append((piece, shown, "百分点的说法不明"))
            continue
        if unit != "%" and COMPARISON.search(body) and DELTA_WORDS.search(body):
            dm = DELTA_WORDS.search(body)
            piece.role = "delta"
            piece.sign = -1 if dm.group(1) in NEGATIVE else 1
            _attach(statements, sentence_of_stmt, sentence, "delta", piece, literal, shown,
                    plural="分别" in body, name_part="")
            continue
        named = COMPLETION_WORDS.search(body) and valid_name(clean_name(body[:COMPLETION_WORDS.search(body).start()])[0])
        if unit == "%" and COMPLETION_WORDS.search(body) and not named:   # "研发机构完成率97.6%" is a figure of its own
            piece.role = "completion"
            _attach(statements, sentence_of_stmt, sentence, "completion", piece, literal, shown,
                    plural="分别" in body, name_part="")
            continue
        rank_subject = subject is not None and subject.rank_kind
        if unit in ("位", "名") and rank_subject and COMPARISON.search(body) and RANK_MOVE.search(body):
            rm_ = RANK_MOVE.search(body)                 # "较上年提升56位": places up (a smaller rank)
            piece.role, piece.sign = "delta", (1 if rm_.group(1) in ("提升", "上升", "前进", "提高") else -1)
            _attach(statements, sentence_of_stmt, sentence, "delta", piece, literal, shown, plural=False, name_part="")
            continue
        # a value
        if COMPARISON.search(body):             # a change this grammar does not take
            literal.append((piece, shown, "增减的说法(保留原文)"))
            continue
        if in_paren and not YEAR_RE.match(stripped) and not stripped.startswith(("其中",)):
            if not re.match(r"^\d{4}\s*年", stripped):
                literal.append((piece, shown, "括号中的数字"))
                continue
        if continuation and pending_names and stripped in ("和", "、", "与", "及"):
            st = Statement(pending_names.pop(0), piece, text[sentence[0]:sentence[1]], period=period,
                           context=subject.name if subject else "")
            if subject is not None:
                st.period, st.year, st.qualifier, st.estimate = subject.period, subject.year, subject.qualifier, subject.estimate
            statements.append(st)
            sentence_of_stmt[len(statements) - 1] = sentence
            last_clause_role = (sentence[0], "value")
            continue
        name, said = clean_name(body)
        if "分别" in body and re.search(r"[和、及与]", name):
            names = [n for n in re.split(r"[和、及与]", name) if n]
            if len(names) > 1 and all(valid_name(n) for n in names):
                name, pending_names = names[0], names[1:]
        if not name and in_paren and dangling:
            name = dangling
        if not name and subject is not None and said["year"] is None and body:   # "…突破200家，达到231家"
            st = Statement(subject.name, piece, text[sentence[0]:sentence[1]], context=subject.context,
                           period=subject.period, year=subject.year, restated=True)
        elif valid_name(name):
            st = Statement(name, piece, text[sentence[0]:sentence[1]], period=period,
                           context=subject.name if subject else "")
        else:
            literal.append((piece, shown, "找不到指标名称" if not name else f"“{name}”不像指标名称"))
            if not subject:
                dangling = ""
            continue
        st.qualifier = said["qualifier"]
        if said["of"] and subject is not None:
            breakdown = subject.part_of or subject.name
        elif not (cstart > 0 and text[cstart - 1] == "、"):
            breakdown = ""
        if breakdown and not st.restated:
            st.part_of = breakdown
        st.estimate = said["estimate"]
        st.prefix = said["prefix"]
        if said["period"]:
            st.period = said["period"]
            period = said["period"]
        _time(st, said, year_in_sentence.get(sentence[0]))
        rest = text[end:]
        if rest.startswith("以上"):
            if plan:
                st.suffix = "以上"
            else:
                st.qualifier = st.qualifier or "以上"
        elif rest.startswith("左右"):
            st.qualifier = st.qualifier or "左右"
        statements.append(st)
        sentence_of_stmt[len(statements) - 1] = sentence
        last_clause_role = (sentence[0], "value")
        dangling = ""
    for m in CN_RANK_RE.finditer(text):          # 全省第三: the rank is kept, the words stay as written
        sentence = _sentence_of(text, m.start())
        owner = [k for k, s in sentence_of_stmt.items() if s == sentence and statements[k].value.start < m.start()]
        key = "city_rank" if m.group(1) == "全市" else "province_rank"
        try:
            rank = cn_value(m.group(2))
        except ValueError:          # 第十十: not a numeral, left as written
            continue
        if owner and key not in statements[owner[-1]].attached:
            statements[owner[-1]].attached[key] = Piece(m.start(2), m.end(2), Decimal(rank), "",
                                                        role="rank", scope=m.group(1), literal=True)
    return Parsed(text, statements, literal, period)


CN_RANK_RE = re.compile(rf"(全市|全省)(?:排名)?第([{CN_NUMERALS}]{{1,3}})(?![{CN_NUMERALS}批档])")


def _previous_clause_name(text: str, cstart: int, sentence: tuple[int, int]) -> str:
    """The subject of the clause before (in the same sentence): "科技创新指数位居全省第一档，在全省…排名第13位"."""
    if cstart - 1 <= sentence[0]:
        return ""
    prev = text[max(text.rfind(c, sentence[0], cstart - 1) for c in BOUNDARY) + 1:cstart - 1]
    prev = max(prev.split("，")[-1:] + [""], key=len)
    name = re.split(r"位居|名列|居|排名|达到|为|\d", prev)[0].strip()
    name, _ = clean_name(name)
    return name if valid_name(name) else ""


def last_piece_sign(statements, sentence_of_stmt, sentence) -> int:
    for k in range(len(statements) - 1, -1, -1):
        if sentence_of_stmt[k] != sentence:
            break
        g = statements[k].attached.get("growth")
        if g is not None:
            return g.sign
    return 1


def _time(st: Statement, said: dict, sentence_year: int | None) -> None:
    if said.get("year") is not None:
        st.year = said["year"]
    elif sentence_year is not None:
        st.year = sentence_year


def _attach(statements, sentence_of_stmt, sentence, role, piece, literal, shown, *, plural, name_part) -> bool:
    """Give a growth/change/completion to the statement it belongs to: the last one of the
    sentence, or with 分别 the first of the last k without one (k = the numbers of the clause)."""
    mine = [k for k, s in sentence_of_stmt.items() if s == sentence]
    if not mine:
        literal.append((piece, shown, "前面没有可归属的指标"))
        return False
    if plural:
        free = [k for k in mine if role not in statements[k].attached]
        # the first statement (in order) of the run still missing this role
        run = []
        for k in reversed(mine):
            if role in statements[k].attached and not statements[k].attached[role].plural:
                break
            run.append(k)
        run.reverse()
        target = next((k for k in run if role not in statements[k].attached), None)
        if target is None or not free:
            literal.append((piece, shown, "“分别”的数字多于指标"))
            return False
        statements[target].attached[role] = piece
        return True
    k = mine[-1]
    if role in statements[k].attached:
        literal.append((piece, shown, "同一指标的第二个" + {"growth": "增速", "change": "变化", "delta": "增减量",
                                                        "completion": "完成率"}[role]))
        return False
    statements[k].attached[role] = piece
    return True
