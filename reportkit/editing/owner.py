"""Whose document is this? The county and year an edited copy claims — by its run id, title,
落款, headings, properties and 表1's figures — checked before it is harvested or audited, so that
another county's or year's document is refused and named."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .. import config
from ..document.manifest import Manifest
from ..document.reader import DocxContent
from ..exceptions import ForeignDocumentError
from .align import item_kind

RUN_ID_RE = re.compile(r"^([a-z][a-z0-9_-]*?)-(\d{4})-[0-9A-Za-z]")
YEAR_RE = re.compile(r"((?:19|20)\d{2})\s*年")
SUMMARY_YEAR_RE = re.compile(r"((?:19|20)\d{2})\s*年(?:度)?(?:工作总结|科技创新工作|工作情况|工作落实)")


@dataclass
class Claim:
    """What one part of a document says about whose report it is."""
    county: str | None          # a registered slug
    year: int | None
    evidence: str               # where it says so, as the clerk sees it


def _registry(data_root: Path) -> list[dict]:
    from ..inputs.schema import ALIASES, COUNTY_COLS
    from ..inputs.tables import find_table, read_records
    return [r for r in read_records(find_table(data_root, config.COUNTIES_STEM), ALIASES, set(COUNTY_COLS))[1]
            if r.get("slug")]


def _county_in(text: str, registry: list[dict]) -> str | None:
    """The one registered county a text names (by its bureau, else by its name), or None."""
    found = {r["slug"] for r in registry if r.get("bureau") and r["bureau"] in text}
    if not found:
        found = {r["slug"] for r in registry if r.get("name") and r["name"] in text}
    return found.pop() if len(found) == 1 else None


def document_claims(content: DocxContent, registry: list[dict], year: int | None = None) -> list[Claim]:
    """Everything in a document that says whose report it is: the run id reportkit wrote, the
    title, the 落款, the part headings (2024年工作总结) and the document properties (subject,
    author, keywords) — so removing one of them does not make another county's report pass."""
    claims: list[Claim] = []
    slugs = {r["slug"] for r in registry}

    def add(text: str, label: str, *, county=True, want_year=True, year_re=YEAR_RE):
        text = (text or "").strip()
        if not text:
            return
        c = _county_in(text, registry) if county else None
        years = [int(y) for y in year_re.findall(text)] if want_year else []
        y = (year if year in years else years[0]) if years else None     # 2023—2024年: this year is named
        if c or y:
            claims.append(Claim(c, y, f"{label}“{text[:40]}”"))

    m = RUN_ID_RE.match(content.identifier or "")
    if m:
        claims.append(Claim(m.group(1) if m.group(1) in slugs else None, int(m.group(2)),
                            f"文档属性中的运行编号 {content.identifier}"))
    title = next((it.text for it in content.items if it.tag == "rk:title" or it.style == "title"), "") \
        or content.title
    add(title, "标题")
    for it in content.items:
        kind = item_kind(it)
        if kind == "signature":
            add(it.text, "落款", want_year=False)
        elif kind == "h1":
            add(it.text, "一级标题", county=False, year_re=SUMMARY_YEAR_RE)
    props = content.properties
    add(props.get("subject", ""), "文档属性“主题”")
    add(props.get("creator", ""), "文档属性“作者”", want_year=False)
    keywords = props.get("keywords", "")
    if keywords:
        years = [int(k) for k in re.split(r"[;；,，\s]+", keywords) if re.fullmatch(r"(19|20)\d{2}", k)]
        c = _county_in(keywords, registry)
        if c or years:
            claims.append(Claim(c, years[0] if len(years) == 1 else None, f"文档属性“关键词”“{keywords[:40]}”"))
    return claims


def _figure_claim(content: DocxContent, manifest: Manifest, county_name: str, year: int) -> Claim | None:
    """表1 of the document against the figures this county-year's report printed there: most of the
    本年 column different is another report (a revised figure or two is not)."""
    mine = next((g.cells for g in (manifest.items or []) if g.kind == "table" and g.cells), None)
    theirs = next((it.cells for it in content.items if it.kind == "table" and it.cells
                   and it.cells[0] and it.cells[0][0].strip() == "指标"), None)
    if not mine or not theirs or "本年" not in mine[0] or "本年" not in theirs[0]:
        return None
    a, b = mine[0].index("本年"), theirs[0].index("本年")
    expected = {r[0].strip(): r[a].strip() for r in mine[1:] if len(r) > a}
    rows = [r[0].strip() for r in theirs[1:] if r and r[0].strip()]
    compared = [(r[0].strip(), r[b].strip()) for r in theirs[1:] if len(r) > b and r[0].strip() in expected]
    if len(rows) >= 3 and len(compared) * 3 < min(len(rows), len(expected)):
        return Claim(None, None, f"表1的指标({'、'.join(rows[:3])}…)与{county_name}{year}年报告表1的指标"
                                 f"({'、'.join(list(expected)[:3])}…)几乎没有相同的")
    differ = [(name, v) for name, v in compared if v != expected[name]]
    if len(compared) >= 3 and len(differ) * 2 > len(compared):
        shown = "、".join(f"{n} {v}(应为 {expected[n]})" for n, v in differ[:3])
        return Claim(None, None, f"表1中 {len(compared)} 个指标有 {len(differ)} 个的本年数与{county_name}{year}年的数据不同:{shown}")
    return None


def check_owner(content: DocxContent, county: str, year: int, data_root: Path, file: Path, *,
                manifest: Manifest | None = None, command: str = "harvest", claims: bool = True) -> None:
    """Refuse a document that is another county's or year's report, saying whose it is (``claims``
    off: only its 表1 against ``manifest``, the rest having been checked already)."""
    registry = _registry(data_root)
    names = {r["slug"]: r.get("name") or r["slug"] for r in registry}
    claims = document_claims(content, registry, year) if claims else []
    if manifest is not None:
        fig = _figure_claim(content, manifest, names.get(county, county), year)
        if fig is not None:
            claims.append(fig)
    foreign = [c for c in claims if (c.county and c.county != county) or (c.year and c.year != year)
               or (c.county is None and c.year is None)]
    if not foreign:
        return

    def most(values):
        values = [v for v in values if v]
        return max(sorted(set(values), key=str), key=values.count) if values else None

    theirs_county = most(c.county for c in foreign if c.county != county) or county
    theirs_year = most(c.year for c in foreign if c.year != year) or year
    target = f"{names.get(county, county)}{year}年的"
    if (theirs_county, theirs_year) != (county, year):
        whose = f"这份文档是{names.get(theirs_county, theirs_county)}{theirs_year}年的报告,不是{target}"
        other = f"make {command} COUNTY={theirs_county} YEAR={theirs_year} FILE={file}"
        hint = f"检查 COUNTY、YEAR 和 FILE 是否对应(这份文档对应 {other})" + ("" if command != "harvest" else ";叙述文件没有改动")
    else:
        whose = f"这份文档看来不是{target}报告"
        hint = "检查 FILE 是否选对了文档" + ("" if command != "harvest" else ";叙述文件没有改动")
    raise ForeignDocumentError(f"{whose}(依据:{';'.join(c.evidence for c in foreign)})", file=file,
                               county=county, year=year, hint=hint)
