"""Who issues the document and what it and its parts are called: the 落款's issuer, the presenter of
a congress report, the title of each kind, the level-1 heading of each part."""
from __future__ import annotations

from ..model.report import ReportFigures


def presenter(rf: ReportFigures) -> str:
    """Who reports to the congress (front matter ``presenter``, e.g. 区人民政府)."""
    return str(rf.narrative.meta.get("presenter") or f"{rf.county.name}人民政府")


def issuer(rf: ReportFigures) -> str:
    """Who signs: front matter ``signature``, the presenter of a congress report, else the bureau."""
    meta = rf.narrative.meta
    return str(meta.get("signature") or (presenter(rf) if rf.narrative.kind == "congress" else rf.county.bureau))


def default_title(rf: ReportFigures) -> str:
    """The title of each kind of report, naming the issuer as the 落款 does."""
    y = rf.year
    return {"summary": f"{issuer(rf)}{y}年工作总结",
            "status": f"{issuer(rf)}{y}年科技创新工作情况",
            "congress": f"{presenter(rf)}关于{y}年科技创新工作情况的报告",
            }.get(rf.narrative.kind, f"{issuer(rf)}{y}年工作总结和{y + 1}年工作思路")


def part_heading(rf: ReportFigures, key: str, title: str, *, custom: bool = True) -> str:
    """The level-1 heading of a part (numbering aside): front matter ``headings`` wins."""
    name = rf.narrative.part_titles.get(key, title)
    headings = rf.narrative.meta.get("headings") or {}
    custom = custom and (headings.get(name) or headings.get(title))     # title: as written (another kind's)
    if custom:
        return rf.render_text(str(custom))
    if rf.narrative.kind in ("summary-and-plan", "summary"):
        return {"summary": f"{rf.year}年工作总结", "plan": f"{rf.year + 1}年工作思路"}.get(key, name)
    return name          # a part written under another kind's name prints as this kind names it


def report_title(rf: ReportFigures) -> str:
    return str((rf.narrative.meta.get("title") if rf.narrative else None) or default_title(rf))
