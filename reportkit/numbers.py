"""Exact decimal arithmetic, the one rounding rule (四舍五入) and units as people write them."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .exceptions import NumberTextError

HUNDRED = Decimal(100)

#: Full-width digits and signs typed with a Chinese input method, and the minus signs of
#: word processors, read as the ASCII a number is made of.
_FULLWIDTH = str.maketrans("０１２３４５６７８９．－＋，％\u2212\u2013", "0123456789.-+,%--")
_PLAIN_RE = re.compile(r"-?(?:[0-9]+(?:\.[0-9]+)?)\Z")
_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_GROUPED_RE = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
EXCEL_ERRORS = ("#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!")
MAX_DIGITS = 15      # what Excel keeps; more is a pasted identifier or garbage


def parse_decimal(text: str, *, percent: bool = False) -> Decimal | None:
    """Parse a cell into a Decimal; '' gives None; raises NumberTextError on anything else.

    Accepts full-width digits and signs, thousands separators in a valid grouping (1,234.5) and,
    where ``percent`` (the unit is %), a trailing % sign; rejects a decimal comma (3,45), units,
    words, exponents and more than 15 digits, so that nothing is silently misread."""
    if isinstance(text, str) and len(text) <= MAX_DIGITS and _PLAIN_RE.match(text):   # the common case, quickly
        return Decimal(text)
    s = str(text).strip().translate(_FULLWIDTH).replace(" ", "")
    if s == "":
        return None
    if s.upper() in EXCEL_ERRORS:
        raise NumberTextError(text, f"单元格显示 Excel 错误值 {s}(公式出错)", "修正公式,或直接填写数值")
    if s.endswith("%"):
        if not percent:
            raise NumberTextError(text, "带有百分号,而这一项的单位不是 %", "去掉百分号;比重、增速等单位为 % 的指标才可带 %")
        s = s[:-1]
    if "," in s:
        if not _GROUPED_RE.match(s):
            raise NumberTextError(text, "逗号不是有效的千位分隔符(小数点应写“.”)",
                                  "小数用英文句点,如 3.45;千位分隔写成 1,234 或不写")
        s = s.replace(",", "")
    if re.search(r"\d[eE][+-]?\d", s):
        raise NumberTextError(text, "是科学计数法,可能已丢失精度", "在 Excel 中把这一列设为“数值”格式后重新保存")
    if not _NUMBER_RE.match(s):
        raise NumberTextError(text, "不是数字", "只填数字(不带单位或文字),如 15.44;单位写在“unit”列")
    if len(re.sub(r"\D", "", s).lstrip("0")) > MAX_DIGITS:
        raise NumberTextError(text, f"数字超过 {MAX_DIGITS} 位有效数字,不像真实的统计数", "检查是否粘贴了编号或多余的数字")
    try:
        return Decimal(s)
    except InvalidOperation as exc:  # pragma: no cover - the checks above guard this
        raise NumberTextError(text, "不是数字") from exc


def round_half_up(value: Decimal, decimals: int) -> Decimal:
    """四舍五入 to ``decimals`` places: the single rounding rule of every printed figure."""
    return Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def fmt(value: Decimal, decimals: int) -> str:
    """Round half up, then write without trailing zeros ("112", "9.9", "124.75").

    Published reports write 完成率112% and 16.1%, not 112.00% and 16.10%.
    """
    r = round_half_up(value, decimals)
    if r == 0:
        return "0"
    text = format(r, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def half_unit(value: Decimal) -> Decimal:
    """Half a unit of the last stated digit: 15.44 -> 0.005 (the rounding uncertainty)."""
    exp = Decimal(value).as_tuple().exponent
    return Decimal(5).scaleb(exp - 1) if isinstance(exp, int) else Decimal(0)


def is_zero_when_rounded(value: Decimal, decimals: int) -> bool:
    return round_half_up(value, decimals) == 0


# ---------------------------------------------------------------- units

@dataclass(frozen=True)
class Unit:
    name: str
    family: str | None
    factor: Decimal  # size in the family's base unit


_UNITS = {
    "元": Unit("元", "money", Decimal(1)),
    "万元": Unit("万元", "money", Decimal(10) ** 4),
    "亿元": Unit("亿元", "money", Decimal(10) ** 8),
    "平方米": Unit("平方米", "area", Decimal(1)),
    "万平方米": Unit("万平方米", "area", Decimal(10) ** 4),
    "人": Unit("人", "people", Decimal(1)),
    "万人": Unit("万人", "people", Decimal(10) ** 4),
}

#: Units a figure of each family is written in, largest first; a figure is written
#: in the largest unit in which it is at least 1 (9368万元, 1.29亿元, 9.98万平方米).
_DISPLAY = {
    "money": ("亿元", "万元", "元"),
    "area": ("万平方米", "平方米"),
    "people": ("万人", "人"),
}


def unit(name: str) -> Unit:
    return _UNITS.get(name, Unit(name, None, Decimal(1)))


def convertible(a: str, b: str) -> bool:
    ua, ub = unit(a), unit(b)
    return a == b or (ua.family is not None and ua.family == ub.family)


def convert(value: Decimal, from_unit: str, to_unit: str) -> Decimal:
    if from_unit == to_unit:
        return value
    uf, ut = unit(from_unit), unit(to_unit)
    if uf.family is None or uf.family != ut.family:
        raise ValueError(f"{from_unit} -> {to_unit}")
    return value * uf.factor / ut.factor


def scale_for_display(value: Decimal, unit_name: str) -> tuple[Decimal, str]:
    """Pick the unit people write this amount in, and convert to it."""
    u = unit(unit_name)
    if u.family not in _DISPLAY:
        return value, unit_name
    for candidate in _DISPLAY[u.family]:
        converted = convert(value, unit_name, candidate)
        if abs(converted) >= 1:
            return converted, candidate
    smallest = _DISPLAY[u.family][-1]
    return convert(value, unit_name, smallest), smallest


def format_quantity(value: Decimal, unit_name: str, decimals: int, *, scale: bool = True) -> tuple[str, str]:
    """(number text, unit) of an amount, scaled as people write it and rounded once."""
    if scale:
        scaled, shown = scale_for_display(value, unit_name)
        if unit(shown).factor > unit(unit_name).factor:
            decimals = max(decimals, 2)  # 17400人 -> 1.74万人, not 2万人
        value, unit_name = scaled, shown
    return fmt(value, decimals), unit_name
