"""Harvest: read an edited report back into ``data/narrative/<county>/<year>.md``.

So that ``data/`` stays the one source that reproduces the polished report. The edited .docx
(E) is first checked to be this county-year's (``owner``), then aligned with what reportkit wrote
(G: the manifest of that build) item by item (``align``: content-control tags first, text
similarity where a copy re-saved by WPS or LibreOffice lost them) and walked in the editor's
order, edited text derived back to source with references (``derive``):

- headings make the parts and sections (renamed, added, deleted, reordered);
- a paragraph the editor did not touch keeps its narrative source as written;
- an edited paragraph keeps the references whose text the editor left standing, and a number
  the editor typed that equals a figure becomes a live reference again (``{hte_total}``);
- an edited generated paragraph (the indicator paragraph, the targets sentence) becomes the
  editor's wording, with references, in place of the generated one (``omit``);
- a deleted table, chart or note is omitted; a table cell that disagrees with the data, an
  edited caption, an inserted table or picture cannot be carried and are listed;
- tracked changes are read as accepted and listed with the comments.
"""
from __future__ import annotations

import dataclasses
import difflib
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .. import config
from ..narrative import source as nm
from ..outputs import state
from ..document.manifest import Manifest, load as load_manifest
from ..document.reader import DocxContent, Item, read_docx
from ..exceptions import DocumentError, HarvestConflictError, ManifestVersionError, NarrativeError
from ..iorw import write_text
from ..narrative.source import Block, Narrative, Part, Slot
from ..numbering import strip_number
from .align import align, item_kind
from .derive import Derive
from .owner import check_owner


#: a report to the standing committee's set pieces (blocks of the document), as editors call them
SET_PIECES = {"salutation": "称谓", "opening": "开头", "closing": "结束语"}


PLACEHOLDER_RE = re.compile(r"^【待补充[:：].*】$")
#: Words in an editor's own level-1 heading that name a known part.
PART_WORDS = (("problems", ("存在问题", "问题", "不足")), ("plan", ("工作思路", "思路", "打算", "下步", "下一步", "计划", "措施")),
              ("summary", ("工作总结", "总结", "基本情况", "落实情况")), ("results", ("成效", "成果")))
REUSED = "数据更新"   # reportkit's own revisions are not listed as an editor's


@dataclass
class HarvestResult:
    county: str
    year: int
    file: Path
    narrative: Path
    old_text: str
    new_text: str
    backup: Path | None = None
    kept: Path | None = None          # the harvested copy (FILE=…), kept under versions/
    written: bool = False
    notes: dict[str, list[str]] = field(default_factory=dict)
    _noted: dict[str, set[str]] = field(default_factory=dict, repr=False)   # notes as sets: a check per note, not a scan

    @property
    def changed(self) -> bool:
        return self.old_text != self.new_text

    def note(self, kind: str, text: str) -> None:
        self.notes.setdefault(kind, [])
        if kind not in self._noted:
            self._noted[kind] = set(self.notes[kind])
        seen = self._noted[kind]
        if text not in seen:
            seen.add(text)
            self.notes[kind].append(text)

    #: kind -> heading of the summary (in this order); the first group are the edits carried over
    KINDS = {
        "rewritten": "改写的段落", "added": "新增的段落", "deleted": "删除的段落",
        "sections": "小节和部分", "overrides": "改用编辑文字的生成段落", "omitted": "删去的生成内容",
        "meta": "标题、落款和日期", "linked": "数字改为随数据更新的引用",
        "literal": "保留为文字的数字(未对应任何指标,请核对)",
        "mismatch": "与数据不符的数字(请核对)", "not_carried": "未能写回(编辑稿已保留,请手工处理)",
        "revisions": "修订(已按“接受”读取)", "comments": "批注",
    }
    EDITS = ("rewritten", "added", "deleted", "sections", "overrides", "omitted", "meta")

    def counts(self) -> dict[str, int]:
        c = {k: len(self.notes.get(k, [])) for k in self.KINDS}
        c["total"] = sum(c[k] for k in self.EDITS)
        return c

    def summary_lines(self) -> list[str]:
        lines = []
        for kind, title in self.KINDS.items():
            items = self.notes.get(kind)
            if items:
                lines.append(f"{title}({len(items)}):")
                lines += [f"  - {x}" for x in items]
        return lines

    def diff(self) -> str:
        return "".join(difflib.unified_diff(self.old_text.splitlines(keepends=True),
                                            self.new_text.splitlines(keepends=True),
                                            fromfile=f"{self.narrative.name}(原)", tofile=f"{self.narrative.name}(写回后)"))


def manifest_for(paths: config.ReportPaths, identifier: str = "") -> tuple[Manifest | None, str]:
    """(manifest of the build that wrote the document, note): by the document's run id, else
    the latest build's. A manifest another version of reportkit wrote is not used (the note says so)."""
    skipped = []

    def load(run_id):
        try:
            return load_manifest(paths.manifest(run_id))
        except ManifestVersionError as exc:
            skipped.append(f"{exc.message},没有用它对照")
            return None
    if identifier:
        m = load(identifier)
        if m:
            return m, ""
    last = state.load(paths)
    if last and last.get("run_id") and last["run_id"] != identifier:
        m = load(last["run_id"])
        if m:
            note = "" if not identifier else \
                f"没有找到这份文档(运行编号 {identifier})的生成记录,按最近一次生成的版本对照"
            return m, "\n".join(skipped + [note] if note else skipped)
    return None, "\n".join(skipped)


def fresh_manifest(county: str, year: int, data_dir: Path | None) -> Manifest:
    """What the current data and narrative generate (when no record of the build is left)."""
    from ..charts.plan import draw_charts
    from ..document.builder import build_document
    from ..model.report import compute_report_figures
    rf = compute_report_figures(county, year, data_dir=data_dir)
    with tempfile.TemporaryDirectory(prefix="reportkit-harvest-") as tmp:
        charts = draw_charts(rf, Path(tmp) / "charts")
        return build_document(rf, charts, Path(tmp) / "g.docx").manifest


class _Rebuild:
    def __init__(self, base: Narrative, manifest: Manifest, result: HarvestResult):
        self.base = base
        self.manifest = manifest
        self.result = result
        self.derive = Derive(manifest, result.note)
        self.parts: list[Part] = []
        self.slot: Slot | None = None
        self.meta_updates: dict[str, object] = {}
        self.omit = set(base.omit)
        self.present: set[str] = set()     # generated blocks found in the edited document
        self.used_ids: set[str] = {s.id for s in base.slots()}
        self.base_blocks = {b.line: b for s in base.slots() for b in s.blocks if b.line}
        self.base_slots = {s.id: s for s in base.slots()}
        self.after_signature = False
        # a plain 工作总结 whose 工作总结 part was written without its heading (sections as 一、二、三)
        self.sections_lead = base.kind == "summary" and not any(
            g.kind == "h1" and g.part == "summary" for g in (manifest.items or []))
        self._paragraphs: dict[int, int] = {}   # id(slot) -> paragraphs added to it so far
        self._names: dict[tuple, str] = {}      # a slot's name as messages say it
        self._part("lead", "导语")

    # -- structure --------------------------------------------------------
    def _part(self, key: str, title: str) -> Part:
        base = self.base.part(key)
        intro_id = nm.INTRO_IDS.get(key, key)
        part = Part(key, base.title if base else title,
                    Slot(intro_id, base.intro.title if base else title, part=key, line=base.line if base else 0))
        self.parts.append(part)
        self.slot = part.intro
        return part

    @property
    def part(self) -> Part:
        return self.parts[-1]

    def _new_id(self, part: Part) -> str:
        k = len(part.sections) + 1
        while part.auto_id(k) in self.used_ids:
            k += 1
        self.used_ids.add(part.auto_id(k))
        return part.auto_id(k)

    def add(self, block: Block) -> None:
        self.slot.blocks.append(block)
        if block.kind == "p":
            self._paragraphs[id(self.slot)] = self._paragraphs.get(id(self.slot), 0) + 1

    def logical(self, kind: str, e: Item, g: dict | None) -> tuple[str, Item]:
        """An item as the narrative has it. In a plain 工作总结 the 工作总结 part has no heading of
        its own and its sections are shown one level up (一、 for ##, (一) for ###): they are read
        back as sections, their numbering read at the level shown; so are headings the editor
        typed among them (a new 一、 is a new section, a new (一) a sub-heading)."""
        if not self.sections_lead:
            return kind, e
        if (g.part if g else None) == "summary" and self.part.key == "lead":
            self._part("summary", self.base.part_titles.get("summary", "工作总结"))   # no heading starts it
        shown = g.shown if g else None
        if shown is not None:
            if shown != kind:
                return kind, e
            logical = g.kind
        elif g is None and self.part.key == "summary" and kind in ("h1", "h2", "h3"):
            title = strip_number(kind, e.text)
            if kind == "h1" and any(w in title for key, words in PART_WORDS if key != "summary" for w in words):
                return kind, e                     # the editor's own part (存在问题 …)
            shown, logical = kind, {"h1": "h2", "h2": "h3", "h3": "h3"}[kind]
        else:
            return kind, e
        title = strip_number(shown, e.text)
        return logical, dataclasses.replace(e, text={"h2": "（一）", "h3": "1."}[logical] + title)

    # -- items --------------------------------------------------------------
    def title(self, e: Item, g: dict | None) -> None:
        text = e.text.strip()
        if g is not None and text and text != (g.text or "").strip():
            self.meta_updates["title"] = text
            self.result.note("meta", f"标题:{text}")

    def h1(self, e: Item, g: dict | None) -> None:
        title = strip_number("h1", e.text)
        key = g.part if g else None
        if key is None:
            key = next((k for k, words in PART_WORDS if any(w in title for w in words)), None)
        if key is None or any(p.key == key for p in self.parts):
            key = next(f"part-{k}" for k in range(1, 100) if f"part-{k}" not in {p.key for p in self.parts}
                       and self.base.part(f"part-{k}") is None)
            self.result.note("sections", f"新增一级部分“{title}”")
            part = self._part(key, title)
            part.title = title
            part.intro.title = title
            return
        part = self._part(key, title)
        if part.free:
            if title != part.title:
                self.result.note("sections", f"一级标题“{part.title}”改为“{title}”")
            part.title = part.intro.title = title
            return
        if g is not None and title == g.title:
            return
        name = self.base.part_titles.get(key, key)
        headings = dict(self.meta_updates.get("headings", self.base.meta.get("headings") or {}))
        if g is not None and title == g.default_title:
            headings.pop(name, None)
        else:
            headings[name] = title
        self.meta_updates["headings"] = headings or None
        self.result.note("sections", f"一级标题“{g.title if g else name}”改为“{title}”")

    def h2(self, e: Item, g: dict | None) -> None:
        title = strip_number("h2", e.text)
        part = self.part
        if part.key == "lead":
            self.result.note("not_carried", f"导语中的小标题“{title}”按段落写回")
            self.p(e, None, as_text=True)
            return
        if g is not None and g.slot:
            sid = g.slot
            base = self.base_slots.get(sid)
            source = g.source
            if title == g.title and source is not None:
                new_title = source
            elif title == g.title:
                new_title = nm.escape(title)
            else:
                new_title = nm.escape(title)
                self.result.note("sections", f"小节“{g.title}”改名为“{title}”")
            slot = Slot(sid, new_title, part=part.key, heading=True,
                        explicit_id=bool(base and base.explicit_id) or sid == nm.INDICATORS,
                        line=base.line if base else 0)
        else:
            sid = self._new_id(part)
            slot = Slot(sid, nm.escape(title), part=part.key, heading=True, explicit_id=True)
            self.result.note("sections", f"新增小节“{title}”")
        part.sections.append(slot)
        self.slot = slot

    def h3(self, e: Item, g: dict | None) -> None:
        title = strip_number("h3", e.text)
        if not self.slot.heading:
            self.result.note("not_carried", f"三级标题“{title}”不在小节中,按段落写回")
            self.p(e, None, as_text=True)
            return
        if g is not None and title == g.title and g.source is not None:
            base = self.base_blocks.get(g.line)
            self.add(Block("h3", g.source, raw=base.raw if base and base.text == g.source else ""))
            return
        self.add(Block("h3", nm.escape(title)))
        self.result.note("rewritten" if g else "added", f"三级标题“{title}”")

    def p(self, e: Item, g: dict | None, *, as_text: bool = False) -> None:
        text = e.text.strip()
        if not text:
            return
        where = self._where()
        if PLACEHOLDER_RE.match(text):
            return
        block = (g.block or "") if g and not as_text else ""
        if self.after_signature and block != "notes":       # the 附注 stands after the 落款 by design
            self.result.note("not_carried", f"落款之后的文字“{text[:20]}…”写入了最后一个小节,请核对位置")
        if block in ("indicator_paragraph", "targets_sentence"):
            self.present.add(block)
            if text == g.text:
                self.add(Block("block", block))
                return
            name = nm.block_label(block)
            self.add(Block("p", self.derive.source(e, name)))
            self.omit.add(block)
            self.present.discard(block)
            self.result.note("overrides", f"{name}改为编辑的文字(其中的数字仍随数据更新)")
            return
        if block in SET_PIECES:                              # a congress report's set pieces
            if text != (g.text or "").strip():
                key = {"salutation": "addressee"}.get(block, block)
                self.meta_updates[key] = text
                self.result.note("meta", f"{SET_PIECES[block]}:{text}")
            return
        if block in ("sources", "notes"):
            self.present.add(block)
            if block == "sources":
                self.add(Block("block", "sources"))
            if text != g.text:
                self.result.note("not_carried", f"{nm.block_label(block)}的改动(由数据生成)")
            return
        if g is not None and g.placeholder:
            self.add(Block("p", self.derive.source(e, where)))
            self.result.note("added", f"{where}(原为待补充)“{text[:16]}…”")
            return
        if g is not None and g.source is not None and g.kind == "p":
            source = g.source
            base = self.base_blocks.get(g.line)
            if self.derive.unchanged(source, e):
                self.add(Block("p", source, raw=base.raw if base and base.text == source else ""))
                if g.slot != self.slot.id:
                    self.result.note("sections", f"段落“{text[:16]}…”移到了{_slot_name(self.slot)}")
                return
            self.add(Block("p", self.derive.source(e, where, source)))
            self.result.note("rewritten", f"{where}“{text[:16]}…”")
            return
        self.add(Block("p", self.derive.source(e, where)))
        self.result.note("added", f"{where}“{text[:16]}…”")

    def _where(self) -> str:
        n = self._paragraphs.get(id(self.slot), 0) + 1       # counted as they are added (a recount per paragraph is quadratic)
        key = (id(self.slot), self.slot.title, self.slot.heading)
        if key not in self._names:
            self._names[key] = _slot_name(self.slot)
        return f"{self._names[key]}第{n}段"

    def table(self, e: Item, g: dict | None) -> None:
        if g is None:
            self.result.note("not_carried", f"编辑插入的表格(首行:{'、'.join(e.cells[0]) if e.cells else ''})")
            return
        self.present.add("table")
        self.add(Block("block", "table"))
        names = (self.manifest.names or {})
        gcells = (g.cells or [])
        for r, (grow, erow) in enumerate(zip(gcells, e.cells)):
            for c, (gc, ec) in enumerate(zip(grow, erow)):
                if gc.strip() != ec.strip():
                    row = grow[0] if r else "表头"
                    col = gcells[0][c] if gcells else str(c)
                    kind = "not_carried" if r == 0 else "mismatch"
                    self.result.note(kind, f"表1“{row}”行“{col}”列:编辑稿为“{ec}”,数据为“{gc}”"
                                     + ("(表格由数据生成:如数据有误请改 data/ 中的数据)" if r else ""))
        if len(e.cells) != len(gcells):
            self.result.note("not_carried", f"表1的行数由 {len(gcells)} 行改为 {len(e.cells)} 行(表格由数据生成)")
        del names

    def picture(self, e: Item, g: dict | None) -> None:
        if g is None:
            self.result.note("not_carried", "编辑插入的图片")
            return
        self.present.add(g.block)
        self.add(Block("block", g.block))

    def caption(self, e: Item, g: dict | None) -> None:
        if g is None:
            self.result.note("not_carried", f"题注“{e.text.strip()}”(没有对应的生成表格或图)")
        elif e.text.strip() != (g.text or "").strip():
            self.result.note("not_carried", f"题注“{g.text}”改为“{e.text.strip()}”(题注由数据生成)")

    def end_matter(self, e: Item, g: dict | None, kind: str) -> None:
        self.after_signature = True
        text = e.text.strip()
        old = ((g.text or "") if g else "").strip()
        if text == old or PLACEHOLDER_RE.match(text):
            return
        key = "date" if kind == "date" else "signature"
        self.meta_updates[key] = text
        self.result.note("meta", f"{'成文日期' if key == 'date' else '落款'}:{text}")


def _slot_name(slot: Slot) -> str:
    title = nm.plain(slot.title)
    return f"“{title}”" if slot.heading else f"{title}部分"


def harvest(county: str, year: int, *, file: Path | None = None, data_dir: Path | None = None,
            build_root: Path | None = None, write: bool = True, allow_conflict: bool = False) -> HarvestResult:
    """Read an edited report (default: the .docx in build/) back into the narrative file.

    Writes the new narrative (the old one kept under ``versions/``) unless ``write`` is off or
    nothing changed. Raises HarvestConflictError when the narrative file changed since the
    document was generated (unless ``allow_conflict``: then the document wins and the narrative's
    own changes are kept in the backup and shown in the diff).
    """
    year = int(year)
    paths = config.report_paths(county, year, build_root)
    data_root = Path(data_dir or config.DATA_DIR)
    npath = config.narrative_path(county, year, data_root)
    file = Path(file or paths.docx)
    content = read_docx(file)
    check_owner(content, county, year, data_root, file)       # before anything is compared or written
    manifest, note = manifest_for(paths, content.identifier)
    if manifest is None:
        manifest = fresh_manifest(county, year, data_dir)
        note = (note + "\n" if note else "") + \
            "没有可用的生成记录:按当前数据和叙述生成的版本对照(编辑稿中的旧数字会列为与数据不符)"
    check_owner(content, county, year, data_root, file, manifest=manifest, claims=False)
    current = nm.read_text(npath) if npath.exists() else ""
    base_text = manifest.narrative or ""
    base = nm.parse(base_text, npath) if base_text else nm.empty()
    result = HarvestResult(county, year, file, npath, current, current)
    for line in note.split("\n"):
        if line:
            result.note("not_carried", line)
    new = _rebuild(base, manifest, content, result)
    new_text = nm.dumps(new) if result.counts()["total"] or new.front != base.front else base_text
    try:
        nm.parse(new_text, npath)   # what we write must read back
    except NarrativeError as exc:   # e.g. a 成文日期 typed in Word that no report of this year can have
        raise DocumentError(f"编辑稿写回后的叙述文件不能使用:{exc.message}", file=file, county=county, year=year,
                            hint=f"{exc.hint or '改正后再试'}(在文档中改正后再写回;叙述文件没有改动)") from None
    moved_on = _norm(current) != _norm(base_text)
    if moved_on and _norm(current) != _norm(new_text) and not allow_conflict:
        raise HarvestConflictError(
            f"叙述文件 {npath.name} 在这份文档生成之后被改过,文档也被编辑过,二者会互相覆盖",
            file=npath, county=county, year=year,
            hint=f"用 make harvest COUNTY={county} YEAR={year} FORCE=1 以文档为准写回(叙述文件的改动会备份并显示在差异中),"
                 "或撤销叙述文件的改动后重试")
    result.new_text = current if _norm(current) == _norm(new_text) else new_text
    for it in content.items:
        for r in it.revisions:
            if r.author != REUSED and r.text.strip():
                result.note("revisions", f"{'插入' if r.kind == 'ins' else '删除'}“{r.text.strip()[:30]}”"
                                         f"({r.author or '未署名'})")
    pending = sum(1 for r in content.revisions if r.author == REUSED)
    if pending:
        result.note("revisions", f"{pending} 处“数据更新”修订尚未接受(已按接受读取)")
    for cid, (author, text) in content.comments.items():
        anchor = next((it.text.strip()[:16] for it in content.items if cid in it.comments), "")
        result.note("comments", f"{author or '未署名'}:“{text.strip()[:40]}”" + (f"(在“{anchor}…”处)" if anchor else ""))
    if write and _outside(file, paths):       # what cannot be carried over survives in versions/
        result.kept = state.keep_copy(file, paths.kept_harvested(file, state.stamp()))
    if write and result.changed:
        if npath.exists():
            result.backup = state.keep_copy(npath, paths.kept_narrative(state.stamp()))
        write_text(npath, result.new_text)
        result.written = True
    return result


def _outside(file: Path, paths: config.ReportPaths) -> bool:
    """A copy other than the report in build/ (which a rebuild keeps itself) and not one of the
    kept versions already."""
    try:
        where = file.resolve()
    except OSError:
        return True
    return where != paths.docx.resolve() and where.parent != paths.versions_dir.resolve()


def _norm(text: str) -> str:
    return text.replace("\r\n", "\n")


def _rebuild(base: Narrative, manifest: Manifest, content: DocxContent, result: HarvestResult) -> Narrative:
    g_items = (manifest.items or [])
    origin = align(g_items, content.items)
    rb = _Rebuild(base, manifest, result)
    matched = set()
    for e, o in zip(content.items, origin):
        g = g_items[o] if o is not None else None
        if o is not None:
            matched.add(o)
        kind = item_kind(e)
        if kind == "notice" or (kind == "p" and g is not None and g.kind == "template"):
            continue
        kind, e = rb.logical(kind, e, g)
        if kind in ("date", "signature"):
            rb.end_matter(e, g, kind)
        else:
            getattr(rb, {"h1": "h1", "h2": "h2", "h3": "h3", "table": "table", "picture": "picture",
                         "caption": "caption", "title": "title"}.get(kind, "p"))(e, g)
    _deletions(rb, g_items, matched, result)
    _part_order(rb, result)
    return _finish(rb, base)


def _deletions(rb: _Rebuild, g_items: list[dict], matched: set[int], result: HarvestResult) -> None:
    for i, g in enumerate(g_items):
        if i in matched:
            continue
        block = (g.block or "")
        if g.kind == "p" and g.source is not None and not g.placeholder:
            result.note("deleted", f"{g.label or ''}“{(g.text or '')[:16]}…”")
        elif g.kind == "h2" and g.slot not in {s.id for p in rb.parts for s in p.sections}:
            result.note("sections", f"删除小节“{g.title}”")
        elif g.kind == "h1" and g.part not in {p.key for p in rb.parts}:
            result.note("sections", f"删除一级部分“{g.title}”(其中的内容见上)")
        elif g.kind == "notice":
            result.note("not_carried", "删除的提示(示例数据/示例叙述提示由数据决定,重新生成时仍会出现)")
        elif block in SET_PIECES:
            result.note("not_carried", f"删除的{SET_PIECES[block]}"
                                       "(人大报告的固定部分,可在设置区改写)")
        elif block and block not in rb.present and g.kind in ("p", "table", "picture") \
                and block not in rb.omit:
            rb.omit.add(block)
            result.note("omitted", nm.block_label(block))


def _part_order(rb: _Rebuild, result: HarvestResult) -> None:
    order = [p.key for p in rb.parts if not p.free]
    template = [k for k in nm.TEMPLATE_PARTS if k in order]
    if order != template:
        result.note("not_carried", "一级部分的先后顺序(由模板决定,仍按导语、工作总结、存在问题、工作思路排列)")


def _finish(rb: _Rebuild, base: Narrative) -> Narrative:
    """Drop what the defaults give anyway (so an untouched document changes nothing), keep the
    parts the template needs, and write the front matter changes."""
    parts = rb.parts
    lead = next((p for p in parts if p.key == "lead"), None)
    if lead is not None and base.part("lead") is None and not lead.sections \
            and all(b.placeholder for b in lead.intro.blocks):
        parts.remove(lead)          # a kind that may open without a 导语 (status, congress) and did
    for key in nm.required_parts(base.kind):
        if not any(p.key == key for p in parts):
            title = base.part_titles.get(key)
            if title:
                parts.append(Part(key, title, Slot(nm.INTRO_IDS[key], title, part=key)))
    # keep each part's base title (the # line) for known parts
    summary = next((p for p in parts if p.key == "summary"), None)
    if summary is not None:
        _default_indicators(summary, base, rb)
    plan = next((p for p in parts if p.key == "plan"), None)
    if plan is not None:
        blocks = plan.intro.blocks
        base_plan = base.part("plan")
        explicit = base_plan is not None and any(b.kind == "block" and b.text == "targets_sentence"
                                                 for b in base_plan.intro.blocks)
        if blocks and blocks[-1].kind == "block" and blocks[-1].text == "targets_sentence" and not explicit:
            blocks.pop()
    # order known parts as the template writes them; free parts stay after their predecessor
    front = base.front
    for key, value in rb.meta_updates.items():
        if base.meta.get(key) != value:
            front = nm.set_front(front, key, value)
    omit = sorted(rb.omit - rb.present)
    if set(omit) != base.omit:
        front = nm.set_front(front, "omit", omit or None)
    meta = (yaml.safe_load(front) or {}) if front else {}
    return Narrative(base.path, meta, parts, front)


def _default_indicators(summary: Part, base: Narrative, rb: _Rebuild) -> None:
    """The figures section as the builder writes it by default needs no lines in the file:
    first in 工作总结, default heading, its generated blocks in their order (less those omitted)."""
    idx = next((i for i, s in enumerate(summary.sections) if s.id == nm.INDICATORS), None)
    if idx is None:
        return
    sec = summary.sections[idx]
    charts = [g.block for g in (rb.manifest.items or []) if g.kind == "picture"]
    kept = [c for c in charts if c not in rb.omit]
    names = [b.text if b.kind == "block" else None for b in sec.blocks]
    if kept and names[-len(kept):] == kept and not any(n in kept for n in names[:-len(kept)]):
        sec.blocks = sec.blocks[:-len(kept)] + [Block("block", "charts")]
        names = names[:-len(kept)] + ["charts"]
    default = [x for x in ("indicator_paragraph", "table", "sources") if x not in rb.omit
               and any(g.block == x for g in (rb.manifest.items or []))] + (["charts"] if kept else [])
    if base.slot(nm.INDICATORS) is None and idx == 0 and names == default:
        summary.sections.pop(idx)
        heading = nm.plain(sec.title)
        if heading != str(base.meta.get("indicator_heading") or "主要科技创新指标"):
            rb.meta_updates["indicator_heading"] = heading
        return
    sec.explicit_id = True
