"""Fill the 公文 template with a county-year's figures, table, charts and narrative.

Every paragraph written sits in a content control whose tag says what it is (a narrative slot
id, or ``rk:…`` for generated blocks; a table by its tagged caption, a chart by its caption and
the picture's alt text), and every item is listed in a manifest: what was written where, from
which narrative source and which figures. The manifest is what an edited copy is read back
against (reportkit.editing.harvest) and what the next build compares with to show revised figures as
tracked changes.

This module runs the build in order (:func:`build_document`); each job has its own module:
``package`` (the template opened, properties, saved to the same bytes), ``signature`` (fields
and the 落款), ``blocks`` (what each template marker writes), ``writer`` (paragraphs, headings,
tags, the manifest's items), ``table`` (表1 and its sources), ``titles`` (names and titles),
``changes`` (the figures a rebuild revised) and, below them, ``layout``, ``revisions``,
``template``, ``oxml`` and ``manifest``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from docx.oxml.ns import qn

from .. import config
from ..exceptions import CarriedOverError, NarrativeError, TemplateError
from ..iorw import atomic_path
from ..model.report import ReportFigures
from ..dates import w3c
from .manifest import Item as ManifestItem, Manifest
from .revisions import Reviser
from .template import BLOCKS
from .blocks import BLOCK_WRITERS, Blocks
from .changes import pending_revisions, revised_figures
from .package import document_date, open_template, save_reproducibly, set_properties
from .signature import fill_fields, keep_signature_with_body, place_signature
from .titles import report_title
from .writer import TAG_SIGNATURE, Writer


@dataclass
class BuiltDocument:
    path: Path
    manifest: Manifest
    changes: list[dict] = field(default_factory=list)   # revised figures (for changes.csv)


def check_strict(rf: ReportFigures) -> None:
    """In strict mode every narrative slot must be filled; list the empty ones."""
    if rf.narrative is None:
        raise NarrativeError(f"{rf.county.name} {rf.year} 年没有叙述文件",
                             file=config.narrative_path(rf.county.slug, rf.year, rf.dataset.root),
                             hint="复制 data/narrative/TEMPLATE.md 并填写")
    empty = [f"“{s.title}”(第 {s.line} 行)" for s in rf.narrative.empty_slots()]
    if not rf.narrative.meta.get("date"):
        empty.append("成文日期(设置区的 date)")
    carried = rf.narrative.carried_over()
    from ..narrative.source import CARRIED_MARK
    carried_text = "、".join(f"第 {b.line} 行(“{s.title}”)" for s, b in carried)
    carried_hint = f"逐段改写;内容仍然适用的,删去段首的“{CARRIED_MARK}”表示已确认"
    if empty:
        also = f";另有 {len(carried)} 段还是上年的原文:{carried_text}" if carried else ""
        raise NarrativeError(f"严格模式:以下内容为空:{'、'.join(empty)}{also}", file=rf.narrative.path,
                             county=rf.county.slug, year=rf.year,
                             hint="填写这些内容后再生成" + (f";上年的原文请{carried_hint}" if carried else ""))
    if carried:
        raise CarriedOverError(f"严格模式:{len(carried)} 段还是上年的原文,没有修改或确认:{carried_text}",
                               file=rf.narrative.path, county=rf.county.slug, year=rf.year, hint=carried_hint)


def build_document(rf: ReportFigures, charts=(), out_path: Path | None = None, *,
                   template: Path | None = None, strict: bool = False, run_id: str = "",
                   previous: Manifest | None = None, track_changes: bool = True) -> BuiltDocument:
    """Write the report .docx atomically (on any error the previous file stays) and return it
    with its manifest and the figures revised since ``previous`` (the manifest of the version
    it replaces; revised figures are written as tracked changes unless ``track_changes`` is off).
    """
    from ..narrative.source import empty as empty_narrative
    from ..model.references import References
    if strict:
        check_strict(rf)
    if rf.narrative is None:
        rf.narrative = empty_narrative()
    doc, styles = open_template(template)
    charts = list(charts)
    refs = References(rf, every_indicator=True)
    stamp = w3c(document_date(rf))
    w = Writer(doc, styles, rf, previous, Reviser(enabled=track_changes and previous is not None, date=stamp))
    blocks = Blocks(w, rf, charts)
    tagged = fill_fields(list(doc.paragraphs) + [p for s in doc.sections for part in
                                                  (s.header, s.footer, s.even_page_header, s.even_page_footer)
                                                  for p in part.paragraphs], rf)
    place_signature(tagged, styles, rf.year)
    for p, tag in tagged:
        if p._p.getparent() is doc.element.body:
            w.record(p._p, {"kind": tag[3:], "text": p.text}, tag, "落款" if tag == TAG_SIGNATURE else "成文日期")
    body = doc.element.body
    markers = [p for p in doc.paragraphs if p.text.strip() in BLOCKS]
    if not any(p.text.strip() == "{{工作总结}}" for p in markers):
        raise TemplateError("模板中没有“{{工作总结}}”标记", file=template,
                            hint="在模板中单独一段写上 {{工作总结}}")
    for marker in markers:
        before = len(body)
        BLOCK_WRITERS[marker.text.strip()](w, rf, blocks)
        new = list(body)[before - 1:len(body) - 1]   # added before the final sectPr
        for el in new:
            marker._p.addprevious(el)
        body.remove(marker._p)
    signature = next((p for p, tag in tagged if tag == TAG_SIGNATURE and p._p.getparent() is not None), None)
    if signature is not None:
        keep_signature_with_body(signature._p)
    title = report_title(rf)
    set_properties(doc, rf, title, rf.shows_illustrative(charts))
    doc.core_properties.identifier = run_id or ""
    manifest = _manifest(w, rf, refs, run_id)
    changes = revised_figures(w, rf, refs, previous)
    out_path = Path(out_path or config.report_paths(rf.county.slug, rf.year).docx)
    with atomic_path(out_path) as tmp:
        save_reproducibly(doc, tmp)
    return BuiltDocument(out_path, manifest, changes)


def _manifest(w: Writer, rf: ReportFigures, refs, run_id: str) -> Manifest:
    """Items in document order (walking the body, into content controls), with the pieces,
    every reference's printed value and the narrative source this build used."""
    items = []
    for el in w.doc.element.body.iter(qn("w:p"), qn("w:tbl")):
        item = w.items.get(id(el))
        if item is not None and w.elements.get(id(el)) is el:
            items.append(ManifestItem.from_dict(item))
        elif el.getparent().tag in (qn("w:body"), qn("w:sdtContent")) and el.tag == qn("w:p") \
                and not _in_table(el):
            items.append(ManifestItem("template", text="".join(t.text or "" for t in el.iter(qn("w:t")))))
    n = rf.narrative
    from ..narrative.source import read_text as narrative_text      # decoded as it was parsed (UTF-8, or GBK from Notepad)
    return Manifest(run_id=run_id, county=rf.county.slug, year=rf.year, items=items,
                    narrative=narrative_text(n.path) if n.path and Path(n.path).exists() else None,
                    refs=refs.values, names=refs.names, units=refs.units, stated=sorted(w.stated),
                    pieces=w.pieces, pending=pending_revisions(w, refs))


def _in_table(el) -> bool:
    return any(a.tag == qn("w:tbl") for a in el.iterancestors())
