"""Chinese statistical phrasing assembled from figures (never stored as finished sentences)."""
from __future__ import annotations

from decimal import Decimal

from ..inputs.data import ESTIMATE, QUALIFIERS_AFTER
from .figures import RATE_DECIMALS, Figure, NextTarget, quantity_parts
from ..numbers import fmt, is_zero_when_rounded

RATIO_UNIT = "个百分点"
# Full-width punctuation of a 公文 (written as escapes so no editor can turn them into ASCII).
COMMA, SEMICOLON, PERIOD = "\uff0c", "\uff1b", "\u3002"
#: Target prefixes that already say the bound, so no 达到 follows (技术需求不少于30个).
BOUND_PREFIXES = ("不少于", "不低于", "超过")


def split_qualifier(q: str) -> tuple[str, str, str]:
    """'预计超过' -> ('预计', '超过', ''); '以上' -> ('', '', '以上')."""
    lead = ESTIMATE if q.startswith(ESTIMATE) else ""
    core = q[len(lead):]
    if core in QUALIFIERS_AFTER:
        return lead, "", core
    return lead, core, ""


def value_phrase(fig: Figure) -> str:
    """'规上工业企业研发费用累计15.44亿元', '研发强度3.52%', '高新技术企业达到151家'."""
    ind = fig.indicator
    lead, before, after = split_qualifier(fig.qualifier)
    num, unit = fig.value_parts
    if ind.kind == "rank":
        return f"{lead}{ind.name}第{num}位"
    head = ind.name
    if fig.cumulative and ind.kind in ("amount", "count", "index") and not head.startswith("新增"):
        head += "累计"
    verb = "" if before else ind.verb  # 超过23亿元, not 达到超过23亿元
    if after == "余":
        quantity = f"{before}{num}余{unit}"
    else:
        quantity = f"{before}{num}{unit}{after}"
    return f"{lead}{head}{verb}{quantity}"


#: what a computed change rests on, when it is not plain data: 示例 (invented) or 推算 (worked back)
BASIS_WORDS = {"示例": "示例数据", "推算": "推算的上年数"}
BASIS_NOTE = {basis: f"\uff08按{words}计算\uff09" for basis, words in BASIS_WORDS.items()}


def change_phrase(fig: Figure) -> str:
    """Year-on-year change: 同比/比上年 增长/下降 x% for amounts, 提升/降低 x个百分点 for
    ratios, 提升/下降 x位 for ranks, 与上年持平 when it rounds to zero, '' when unknown; a change
    computed from an invented (示例) or worked-back (推算) last-year row says so."""
    phrase = _change_phrase(fig)
    return phrase + BASIS_NOTE.get(fig.change_basis, "") if phrase else phrase


def _change_phrase(fig: Figure) -> str:
    ind = fig.indicator
    base = "同比" if fig.cumulative else "比上年"
    flat = "与去年同期持平" if fig.cumulative else "与上年持平"
    than = "较去年同期" if fig.cumulative else "较上年"
    if ind.kind == "ratio":
        if fig.change is None:
            return ""
        if is_zero_when_rounded(fig.change, RATE_DECIMALS):
            return flat
        word = "提升" if fig.change > 0 else "降低"
        return f"{than}{word}{fmt(abs(fig.change), RATE_DECIMALS)}{RATIO_UNIT}"
    if ind.kind == "rank":
        if fig.change is None:
            return ""
        if fig.change == 0:
            return flat
        word = "提升" if fig.change > 0 else "下降"
        return f"{than}{word}{fmt(abs(fig.change), 0)}位"
    parts = []
    if ind.kind == "count" and fig.change is not None and fig.growth_source == "computed":
        if fig.change == 0:
            return flat
        word = "增加" if fig.change > 0 else "减少"
        num, unit = quantity_parts(ind, abs(fig.change))
        parts.append(f"{base}{word}{num}{unit}")
    if fig.growth is not None:
        if is_zero_when_rounded(fig.growth, RATE_DECIMALS):
            return flat
        word = "增长" if fig.growth > 0 else "下降"
        g = fmt(abs(fig.growth), RATE_DECIMALS)
        parts.append(f"{word}{g}%" if parts else f"{base}{word}{g}%")
    return COMMA.join(parts)


def completion_phrase(fig: Figure) -> str:
    if fig.completion is None:
        return ""
    return f"完成年度目标的{fmt(fig.completion, RATE_DECIMALS)}%"


def rank_phrase(fig: Figure) -> str:
    parts = []
    if fig.city_rank is not None:
        parts.append(f"全市排名第{fig.city_rank}")
    if fig.province_rank is not None:
        parts.append(f"全省排名第{fig.province_rank}")
    return COMMA.join(parts)


def figure_sentence(fig: Figure, *, with_period: bool = True) -> str:
    """One indicator's clause, e.g. '1-10月规上工业企业研发费用累计15.44亿元,同比增长1.32%'."""
    prefix = fig.period if (with_period and fig.cumulative) else ""
    clauses = [prefix + value_phrase(fig), change_phrase(fig), completion_phrase(fig), rank_phrase(fig)]
    return COMMA.join(c for c in clauses if c)


def indicator_pieces(figs: list[Figure]) -> list[tuple[str | None, str]]:
    """The paragraph of 主要科技创新指标 as (indicator id, clause) and (None, punctuation) pieces:
    consecutive figures of one period share one sentence (joined by ';'), the period named once
    at its start. The document marks a revised figure within its own clause."""
    pieces: list[tuple[str | None, str]] = []
    last_period = None
    for i, fig in enumerate(figs):
        if i:
            pieces.append((None, PERIOD if fig.period != last_period else SEMICOLON))
        pieces.append((fig.id, figure_sentence(fig, with_period=fig.period != last_period)))
        last_period = fig.period
    if figs:
        pieces.append((None, PERIOD))
    return pieces


def indicator_paragraph(figs: list[Figure]) -> str:
    return "".join(text for _, text in indicator_pieces(figs))


def target_phrase(t: NextTarget) -> str:
    """'高新技术企业总数力争达到170家以上', '力争新增高新技术企业20家以上', '规上工业企业研发费用增长10%以上'."""
    name = t.indicator.name
    num, unit = t.target_parts
    if t.type == "growth":
        return f"{name}{t.prefix}增长{num}%{t.suffix}"
    if name.startswith(("新增", "推荐", "征集")):
        # the name carries its own verb: 力争新增高新技术企业20家以上
        if t.prefix in BOUND_PREFIXES:
            return f"{name}{t.prefix}{num}{unit}{t.suffix}"
        return f"{t.prefix}{name}{num}{unit}{t.suffix}"
    verb = "" if t.prefix in BOUND_PREFIXES else "达到"
    return f"{name}{t.prefix}{verb}{num}{unit}{t.suffix}"


def target_pieces(targets: list[NextTarget]) -> list[tuple[str | None, str]]:
    pieces: list[tuple[str | None, str]] = []
    for i, t in enumerate(targets):
        if i:
            pieces.append((None, SEMICOLON))
        pieces.append((t.indicator.id, target_phrase(t)))
    if targets:
        pieces.append((None, PERIOD))
    return pieces


def targets_sentence(targets: list[NextTarget]) -> str:
    return "".join(text for _, text in target_pieces(targets))


def growth_word(value: Decimal | None) -> str:
    """增长/下降/持平 of a % change (for tables)."""
    if value is None:
        return ""
    if is_zero_when_rounded(value, RATE_DECIMALS):
        return "持平"
    return "增长" if value > 0 else "下降"
