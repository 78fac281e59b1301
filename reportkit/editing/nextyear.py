"""Next year's narrative started from this year's (``reportkit new``).

The new file keeps the kind, settings, headings, indicator list and references; every paragraph of
prose is carried over with ``narrative.CARRIED_MARK`` at its start, so the document shows which
paragraphs are still last year's and a strict build refuses until each is edited or confirmed
(the mark deleted). The 成文日期 is left out (it is next year's to fill); years named in the title
and headings move on by one; ``sample: true`` stays (carried-over sample prose is still a sample).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .. import config
from ..narrative import source as narrative_mod
from ..exceptions import NarrativeError


@dataclass
class NewYear:
    path: Path
    source: Path
    text: str
    carried: int


def _shift_years(text: str, year: int) -> str:
    """2024年 -> 2025年 and 2025年 -> 2026年, in one pass (so nothing moves twice)."""
    return re.sub(rf"(?<!\d)({year}|{year + 1})(?=年)", lambda m: str(int(m.group(1)) + 1), text)


def start_next_year(county: str, year: int, *, data_dir: Path | None = None, preview: bool = False) -> NewYear:
    """Write narrative/<county>/<year>.md from <year-1>.md; an existing file is never replaced."""
    root = Path(data_dir or config.DATA_DIR)
    src = config.narrative_path(county, year - 1, root)
    dst = config.narrative_path(county, year, root)
    if not src.exists():
        raise NarrativeError(f"没有 {year - 1} 年的叙述文件,无法据以开始 {year} 年", file=src,
                             hint=f"先导入 {year - 1} 年的报告(make import),或复制 data/narrative/TEMPLATE.md")
    if dst.exists():
        raise NarrativeError(f"{year} 年的叙述文件已经存在,没有改动它", file=dst,
                             hint="要重新开始,先把它改名或移走")
    n = narrative_mod.load(src)
    carried = 0
    for slot in n.slots():
        for b in slot.blocks:
            if b.kind == "p" and not b.placeholder and not b.carried:
                b.raw = narrative_mod.CARRIED_MARK + (b.raw or b.text)
                carried += 1
    front = n.front
    if n.meta.get("date") is not None:
        front = narrative_mod.set_front(front, "date", None)
    for key in ("title", "headings"):
        if n.meta.get(key) is not None:
            front = narrative_mod.set_front(front, key, _shift_years_value(n.meta[key], year - 1))
    n.front = f"# 由 {year - 1}.md 开始:段首标有“{narrative_mod.CARRIED_MARK}”的是上年原文,逐段修改或确认后删去标记\n" + front
    text = narrative_mod.dumps(n)
    narrative_mod.parse(text, dst)                     # what is written reads back
    if not preview:
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_text(text, encoding="utf-8")
    return NewYear(dst, src, text, carried)


def _shift_years_value(value, year: int):
    if isinstance(value, dict):
        return {k: _shift_years_value(v, year) for k, v in value.items()}
    if isinstance(value, str):
        return _shift_years(value, year)
    return value
