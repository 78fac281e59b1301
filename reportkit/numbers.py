"""Exact decimal arithmetic, the one rounding rule (四舍五入) and units as people write them."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

HUNDRED = Decimal(100)

_FULLWIDTH = str.maketrans("0123456789.-+,", "0123456789.-+,")
_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def parse_decimal(text: str) -> Decimal | None:
    """Parse a cell into a Decimal; '' gives None; raises ValueError on anything else.

    Accepts full-width digits and thousands separators ("1,234.5"); rejects
    units, percent signs and words so that nothing is silently misread.
    """
    s = str(text).strip().translate(_FULLWIDTH).replace(",", "").replace(" ", "")
    if s == "":
        return None
    if not _NUMBER_RE.match(s):
        raise ValueError(text)
    try:
        return Decimal(s)
    except InvalidOperation as exc:  # pragma: no cover - regex guards this
        raise ValueError(text) from exc


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
