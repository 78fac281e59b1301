"""Chinese numerals and the numbers of 公文 headings (GB/T 9704-2012: 一、 / （一） / 1. / （1）).

One grammar for everyone who writes or reads them: the document builder numbers its headings
with it; the harvest, the report importer, the source reader and the statistics-table reader
recognise and strip the numbers with it; the statement reader reads 全市第三 with it."""
from __future__ import annotations

import re

CN_DIGITS = "零一二三四五六七八九"
#: the numerals heading numbers and ranks are written with (十一 … 九十九 are made of them)
CN_NUMERALS = "一二三四五六七八九十"
LP, RP = "\uff08", "\uff09"   # full-width parentheses of "（一）"

#: a heading's number at each level as a reader accepts it: the separator typed as 、 . or ．,
#: half- or full-width parentheses, spaces around; "1.5亿元" is not a number "1." (the digit after)
NUMBER_RE = {
    "h1": re.compile(rf"^([{CN_NUMERALS}]{{1,3}})\s*[、.．]\s*"),
    "h2": re.compile(rf"^[(（]\s*([{CN_NUMERALS}]{{1,3}})\s*[)）]\s*"),
    "h3": re.compile(r"^(\d{1,2})\s*[.、．](?!\d)\s*"),
    "h4": re.compile(r"^[(（]\s*(\d{1,2})\s*[)）]\s*"),
}


def cn_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 21 -> 二十一, 100 -> 一百, 105 -> 一百零五, 110 -> 一百一十,
    2024 -> 二千零二十四 (up to 9999)."""
    if not 0 <= n < 10000:
        raise ValueError(f"cn_number: {n} is out of range (0-9999)")
    if n < 10:
        return CN_DIGITS[n]
    if n < 20:
        return "十" + (CN_DIGITS[n - 10] if n > 10 else "")
    out, zero = "", False
    for unit, size in (("千", 1000), ("百", 100), ("十", 10), ("", 1)):
        digit, n = divmod(n, size)
        if digit:
            out += ("零" if zero and out else "") + CN_DIGITS[digit] + unit
            zero = False
        elif out:
            zero = True
    return out


_VALUES = {d: i for i, d in enumerate(CN_DIGITS)} | {"两": 2}


def cn_value(text: str) -> int:
    """The inverse of cn_number for 1 … 99 as ranks and headings write them: 三 -> 3, 十 -> 10,
    十二 -> 12, 二十 -> 20, 二十一 -> 21, 两 -> 2. Anything else raises ValueError."""
    tens, ten, ones = text.partition("十")
    try:
        if not ten:
            value = _VALUES[text] if len(text) == 1 else -1
        else:
            value = (_VALUES[tens] if tens else 1) * 10 + (_VALUES[ones] if ones else 0)
    except KeyError:
        value = -1
    if value < 1 or (ten and (tens == "零" or ones == "零")):
        raise ValueError(f"cn_value: {text!r} is not a Chinese numeral of 1-99")
    return value


def heading_number(level: str, n: int) -> str:
    """The number the builder writes before a heading: 一、 （一） 1. （1）."""
    return {"h1": f"{cn_number(n)}、", "h2": f"{LP}{cn_number(n)}{RP}", "h3": f"{n}.", "h4": f"{LP}{n}{RP}"}[level]


def split_number(level: str, text: str) -> tuple[str, str] | None:
    """(number, rest) of a line numbered as a heading of ``level`` with text after the number."""
    m = NUMBER_RE[level].match(text)
    return (m.group(1), text[m.end():]) if m and text[m.end():] else None


def strip_number(level: str, text: str) -> str:
    """A heading's text without its number of ``level`` (unchanged when it has none)."""
    text = text.strip()
    return NUMBER_RE[level].sub("", text, count=1) if level in NUMBER_RE else text


def strip_any_number(text: str) -> str:
    """A label without whatever heading number it starts with ("（一）创新投入" -> "创新投入");
    one without a number is returned as it is."""
    for pattern in NUMBER_RE.values():
        if pattern.match(text.lstrip()):
            return pattern.sub("", text.lstrip(), count=1)
    return text
