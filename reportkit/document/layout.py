"""Where lines break and where the 落款 stands, as GB/T 9704-2012 puts them.

- A title too long for one line breaks only at a meaningful boundary — after the issuing body's
  name, after 关于, after a 和 that joins two phrases — never inside "2025年工作思路", and its lines
  make a trapezoid (short over long) or, in three lines, a diamond.
- Unsealed: the issuer's name 右空二字; the 成文日期 on the next line with its first character two
  characters right of the name's first (when the date is the longer, the date 右空二字 and the name
  moves left to keep that offset); a date still to be typed is placed as 2024年12月20日 will be.
- An indicator name of 表1 that must wrap breaks between words, in even lines, never leaving one
  character alone on a line.
"""
from __future__ import annotations

import re
import unicodedata
from itertools import combinations

AUTOSPACE = 0.25     # the space Word and LibreOffice put between Chinese and digits/Latin letters
ISSUERS = ("科学技术局", "科技局", "人民政府", "委员会", "办公室", "管理局", "管委会")


# ------------------------------------------------------------------ the one text-width model
# Used by 表1's columns, the title and name breakers, the 落款 and the terminal summary of a batch.

def is_wide(ch: str) -> bool:
    """A character a CJK font sets a full em wide (and a terminal two columns): Chinese
    characters and full-width signs."""
    return unicodedata.east_asian_width(ch) in ("W", "F")


def char_ems(ch: str) -> float:
    """Printed width in ems: wide characters 1 (the GB fonts' CJK glyphs are square), "%" 0.85,
    digits and Latin letters 0.5 (Times New Roman)."""
    return 1.0 if is_wide(ch) else 0.85 if ch == "%" else 0.5


def ems(text: str) -> float:
    """Printed width of a line in ems, with the space Word and LibreOffice put between Chinese
    characters and digits or Latin letters (:data:`AUTOSPACE`)."""
    wide = [is_wide(c) for c in text]
    return sum(map(char_ems, text)) + AUTOSPACE * sum(1 for a, b in zip(wide, wide[1:]) if a != b)


def twips(text: str, size_pt: float) -> int:
    """Printed width of a line at ``size_pt``, in twips (a twentieth of a point)."""
    return round(ems(text) * size_pt * 20)


def columns(text: str) -> int:
    """Width of text in a terminal's columns: wide characters two, others one."""
    return sum(2 if is_wide(c) else 1 for c in text)


def title_breaks(title: str) -> list[int]:
    """Positions where a title may break, keeping words and phrases whole."""
    out = set()
    for name in ISSUERS:
        for m in re.finditer(name, title):
            out.add(m.end())
    for m in re.finditer("关于", title):
        out.update((m.start(), m.end()))
    for m in re.finditer(r"[和及暨与](?=\d{4}年|关于|[\u4e00-\u9fff]{2})", title):
        out.add(m.end())
    return sorted(p for p in out if 0 < p < len(title))


def title_lines(title: str, capacity: float, breaks: list[int] | None = None) -> list[str]:
    """The title in lines (one when it fits), broken where ``title_breaks`` allows (and at the
    positions ``breaks`` adds), shaped as a trapezoid (each line no longer than the next) or a
    diamond; unchanged when no break fits."""
    if ems(title) <= capacity:
        return [title]
    points = sorted(set(title_breaks(title)) | set(breaks or ()))
    best, best_score = [title], None
    for k in (1, 2):
        for cut in combinations(points, k):
            bounds = [0, *cut, len(title)]
            lines = [title[a:b] for a, b in zip(bounds, bounds[1:])]
            widths = [ems(x) for x in lines]
            if max(widths) > capacity:
                continue
            score = _shape_penalty(widths)
            if best_score is None or score < best_score:
                best, best_score = lines, score
        if best_score is not None:
            break
    return best


def _shape_penalty(widths: list[float]) -> float:
    """Lower is better: a trapezoid (short over long) or a diamond (long middle), lines balanced."""
    if len(widths) == 2:
        top, bottom = widths
        return (0 if top <= bottom else 10) + abs(bottom - top) * 0.1
    a, b, c = widths
    diamond = b >= a and b >= c
    trapezoid = a <= b <= c
    return (0 if diamond or trapezoid else 10) + (abs(a - c) if diamond else 0) * 0.1


#: Words of indicator names (the longest match wins; a character not in a word is a word of its
#: own): a name that must wrap in 表1 breaks only between them.
NAME_WORDS = frozenset("""
全社会 研发 经费 支出 比重 规上 工业 企业 费用 强度 高新技术 产业 投资 固定资产 增加值 新增 孵化 空间
面积 备案 创新 创业 人才 新引进 引进 各类 技术 合同 交易额 总数 认定 重新 科技型 中小企业 省级 市级 县级
省市级 入库 国家 机构 研发中心 研发机构 投入 上市 科技 贷款 后补助 财政 科技创新 技术创新 指数 全省 全市
排名 万人 拥有 人才量 人员 占比 累计 获得 国家级 科学技术奖 入选 项目 征集 攻关 计划 需求 实验室 科研
成果 转化 横向 课题 博士 教授 帮扶 人数 推荐 高企 高新区 众创空间 孵化器 专利 发明专利 授权 申请 数量
有效 产值 新产品 营业收入 利润 经济 总量 地区 生产总值 人均 完成 金额 资金 政策 兑现 补助 奖励 平台
""".split())


def name_words(name: str) -> list[str]:
    """An indicator name in words, by longest match against :data:`NAME_WORDS`; a run of digits
    or Latin letters (GDP, R&D) and a quoted phrase (“领雁”) are one word."""
    out, i = [], 0
    longest = max(map(len, NAME_WORDS))
    while i < len(name):
        m = re.match(r"[0-9A-Za-z&.%]+|“[^”]*”", name[i:])
        if m:
            out.append(m.group(0))
            i += len(m.group(0))
            continue
        for n in range(min(longest, len(name) - i), 0, -1):
            if n == 1 or name[i:i + n] in NAME_WORDS:
                out.append(name[i:i + n])
                i += n
                break
    return out


def name_lines(name: str, capacity: float) -> list[str]:
    """A 表1 indicator name in lines no wider than ``capacity`` ems (one when it fits), broken
    between words where it can be, never leaving a character alone on a line, the lines as even
    as can be (the longer first): "高新技术产业投资" at 7 ems -> 高新技术 / 产业投资, not 高新技术产业投 / 资."""
    if ems(name) <= capacity or len(name) < 4:
        return [name]
    words = name_words(name)
    bounds, at = set(), 0
    for w in words[:-1]:
        at += len(w)
        bounds.add(at)
    def cuts(start: int, k: int):
        """Break positions after ``start`` giving k more breaks, every line fitting, none of one character."""
        if k == 0:
            if ems(name[start:]) <= capacity and len(name) - start >= 2:
                yield ()
            return
        for c in range(start + 2, len(name) - 1):
            if ems(name[start:c]) > capacity:
                break
            for rest in cuts(c, k - 1):
                yield (c, *rest)

    best, best_score, fewest = [name], None, None
    for k in (1, 2, 3, 4):                  # the fewest lines, or one more to keep every word whole
        if fewest is not None and k > fewest + 1:
            break
        for cut in cuts(0, k):
            edges = [0, *cut, len(name)]
            lines = [name[a:b] for a, b in zip(edges, edges[1:])]
            widths = [ems(x) for x in lines]
            fewest = k if fewest is None else fewest
            mid_word = sum(1 for c in cut if c not in bounds)
            score = (mid_word, k, max(widths) - min(widths), [-w for w in widths])
            if best_score is None or score < best_score:
                best, best_score = lines, score
    return best


def signature_indents(name: str, date: str) -> tuple[float, float]:
    """(right indent of the name, right indent of the date), in characters, for an unsealed
    document: the name 右空二字, the date's first character two characters right of the name's."""
    wn, wd = ems(name), ems(date)
    name_ri, date_ri = 2.0, wn - wd
    if date_ri < 2:
        date_ri = 2.0
        name_ri = wd + 4 - wn
    return name_ri, date_ri


def date_as_written(date: str, year: int) -> str:
    """The 成文日期 the 落款 is sized for: the date itself, or — while it is still the 【待补充】
    placeholder — a date as an editor will type it (two-digit month and day, the widest form:
    2024年12月20日), so that the date typed later starts two characters right of the issuer."""
    return f"{year}年12月20日" if date.startswith("【待补充") else date


def full_width_brackets(text: str) -> str:
    """Half-width parentheses in Chinese text made full-width: 情况(2024年12月9日发布) -> 情况（…）."""
    return text.replace("(", "\uff08").replace(")", "\uff09")
