"""Numbers audit: every number of a report, traced to the data, listed as a literal, or flagged.

``make audit COUNTY=… YEAR=… [FILE=…]`` reads a report (a fresh one, or one an editor worked
on) and classifies each number — with its unit or % — in the body, the captions and the table:

- 对应数据: it is a figure of this county-year (value, growth, change, completion, rank,
  target …), named with the data rows it comes from — by construction when a narrative
  reference (``{hte_renewed}``) printed it and the text still stands as the build wrote it
  (the build's manifest says where), else by the indicator named before it;
- 不一致: it stands for an indicator (the indicator is named before it, it sits in that
  indicator's table row, or a reference printed it) but differs from the data now — e.g.
  849家 typed for 894家, a place that lost its unit (第4 for 第4位);
- 叙述数字: a number people typed that no figure stands behind (listed for review);
- 年份编号: years, dates, periods, caption and heading numbers.

Writes ``audit.csv``; exits non-zero on any mismatch; optionally a copy of the document with a
Word comment on each flagged number.
"""
from __future__ import annotations

import copy
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import config
from ..document.reader import Item, W, check_members, paragraph_item, read_docx
from ..iorw import atomic_path, write_text
from ..model.references import ATTRS, BUILTINS, CLAUSES, References, split_key
from ..model.report import TABLE_COLUMNS, compute_report_figures
from .tracing import Tracer

KINDS = {"ref": "对应数据", "mismatch": "不一致", "literal": "叙述数字", "label": "年份编号"}
COLUMNS = ["位置", "数字", "类别", "指标", "项目", "数据中的值", "来源", "上下文", "说明"]
EMPTY_CELL = "—"
COMMENT_AUTHOR = "数字核对"


@dataclass
class Finding:
    where: str
    number: str
    kind: str                 # a KINDS key
    indicator: str = ""       # name
    attr: str = ""            # label of the attribute (增速 …)
    data: str = ""            # the value in the data
    source: str = ""
    context: str = ""
    note: str = ""
    item: int = -1            # index of the document item
    span: tuple[int, int] = (0, 0)
    cell: tuple[int, int] | None = None

    def row(self) -> list[str]:
        return [self.where, self.number, KINDS[self.kind], self.indicator, self.attr, self.data, self.source,
                self.context, self.note]


@dataclass
class AuditResult:
    county: str
    year: int
    file: Path
    findings: list[Finding] = field(default_factory=list)
    csv_path: Path | None = None
    commented: Path | None = None

    def of(self, kind: str) -> list[Finding]:
        return [f for f in self.findings if f.kind == kind]

    @property
    def ok(self) -> bool:
        return not self.of("mismatch")

    def summary_lines(self) -> list[str]:
        counts = "、".join(f"{KINDS[k]} {len(self.of(k))} 个" for k in KINDS)
        lines = [f"共 {len(self.findings)} 个数字:{counts}。"]
        if self.of("mismatch"):
            lines.append("与数据不一致的数字(请核对,数据有误时改 data/,文字有误时改文档):")
            lines += [f"  - {f.where}:{f.number}({f.indicator}{f.attr},数据为 {f.data})" for f in self.of("mismatch")]
        if self.of("literal"):
            lines.append("叙述中的数字(没有对应的指标,请人工核对):")
            lines += [f"  - {f.where}:{f.number}" + (f"({f.note})" if f.note else "") for f in self.of("literal")]
        return lines

    def csv_text(self) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(COLUMNS)
        for f in self.findings:
            w.writerow(f.row())
        return buf.getvalue()


class _Places:
    """Where an item is, as an editor would say it: 一、…›(二)…›第2段."""

    def __init__(self):
        self.h1 = self.h2 = ""
        self.n = 0

    def see(self, it: Item) -> str:
        text = it.text.strip()
        if it.style == "heading1" or it.tag.startswith("rk:part:"):
            self.h1, self.h2, self.n = text, "", 0
            return text
        if it.style == "heading2" or it.tag.startswith("rk:heading:"):
            self.h2, self.n = text, 0
            return text
        if it.style in ("title", "caption", "signature") or it.tag in ("rk:title", "rk:date", "rk:signature"):
            return {"title": "标题"}.get(it.style, text[:20])
        self.n += 1
        trail = [x for x in (self.h1, self.h2) if x] or ["开头"]
        return "›".join(trail) + f"›第{self.n}段"


def audit(county: str, year: int, *, file: Path | None = None, data_dir: Path | None = None,
          build_root: Path | None = None, write: bool = True, comments: bool = False) -> AuditResult:
    year = int(year)
    paths = config.report_paths(county, year, build_root)
    file = Path(file or paths.docx)
    content = read_docx(file)
    rf = compute_report_figures(county, year, data_dir=data_dir)
    from .owner import check_owner
    check_owner(content, county, year, rf.dataset.root, file, command="audit")
    refs = References(rf, every_indicator=True)
    tracer = Tracer(refs.values, refs.names)
    result = AuditResult(county, year, file)
    places = _Places()
    expected_rows = {row["指标"]: (fig, row) for fig, row in zip(rf.figures, rf.table_rows())}
    built = built_references(paths, content)
    for it in content.items:
        if it.kind == "table":
            _table(result, it, tracer, refs, expected_rows)
            continue
        where = places.see(it)
        text = it.text
        for t in tracer.trace_all(text):
            f = Finding(where, t.number.text, t.kind, item=it.index, span=(t.number.start, t.number.end),
                        context=_context(text, t.number.start, t.number.end), note=t.note)
            made = _made_by(built.get(it.index, []), t)
            if made is not None:
                _by_construction(f, text, t, made, tracer, refs)
            elif t.kind == "ref":
                name, attr = split_key(t.key)
                f.indicator, f.attr = refs.names.get(name, name), ATTRS.get(attr, attr)
                f.data, f.source = refs.values[t.key], "; ".join(refs.sources.get(name, []))
                _lost_unit(f, text, t, refs)
            elif t.kind == "mismatch":
                f.indicator, f.data = refs.names.get(t.indicator, t.indicator), t.expected
                f.source = "; ".join(refs.sources.get(t.indicator, []))
            result.findings.append(f)
    if write:
        result.csv_path = paths.audit_csv
        write_text(paths.audit_csv, result.csv_text(), encoding="utf-8-sig")
    if comments and result.of("mismatch"):
        result.commented = paths.commented(file)
        write_commented(file, result, result.commented)
    return result


# ------------------------------------------------------------------ numbers the build wrote

def built_references(paths: config.ReportPaths, content) -> dict[int, list[tuple[int, int, str]]]:
    """Where the narrative's own references stand in the document, as the build that wrote it
    recorded them: {item index: [(start, end, key)]} in the item's text. A paragraph is matched
    with the record of that build (align.align: by tag, else by text), its source rendered with
    that build's values, and a reference counts where its text still stands unedited. Without a
    record (a document from elsewhere), nothing is known by construction."""
    import difflib

    from ..narrative import source as nm
    from .align import align
    from .harvest import manifest_for
    manifest, _ = manifest_for(paths, content.identifier)
    if not manifest or manifest.county != paths.county or manifest.year != paths.year:
        return {}
    values = (manifest.refs or {})
    g_items = (manifest.items or [])
    out: dict[int, list[tuple[int, int, str]]] = {}
    for e, o in zip(content.items, align(g_items, content.items)):
        g = g_items[o] if o is not None else None
        if g is None or g.kind not in ("p", "h3") or not g.source or g.placeholder:
            continue
        try:
            spans = nm.render(g.source, lambda name, attr: values.get(nm.ref_key(name, attr)))
        except Exception:     # a source that record cannot render: nothing known of it
            continue
        old = "".join(sp.text for sp in spans)
        text = e.text.strip()
        lead = len(e.text) - len(e.text.lstrip())
        ops = [op for op in difflib.SequenceMatcher(None, old, text, autojunk=False).get_opcodes() if op[0] == "equal"]
        pos, found = 0, []
        for sp in spans:
            a, b = pos, pos + len(sp.text)
            pos = b
            if sp.ref is None:
                continue
            for _, i1, i2, j1, _j2 in ops:
                if i1 <= a and b <= i2:
                    found.append((a + j1 - i1 + lead, b + j1 - i1 + lead, sp.key))
                    break
        if found:
            out[e.index] = found
    return out


def _made_by(spans: list[tuple[int, int, str]], t) -> tuple[int, int, str] | None:
    """The reference whose printed text holds this number (its digits; a place's 位 may follow)."""
    n = t.number
    for a, b, key in spans:
        if a <= n.start and n.start + len(n.number) <= b and split_key(key)[0] not in BUILTINS:
            return a, b, key
    return None


def _by_construction(f: Finding, text: str, t, made: tuple[int, int, str], tracer: Tracer,
                     refs: References) -> None:
    """A number the narrative's reference ``made`` printed: traced to that figure, or (the
    data changed since the document was built) a mismatch with the value now."""
    a, b, key = made
    name, attr = split_key(key)
    now = refs.values.get(key)
    f.indicator, f.source = refs.names.get(name, name), "; ".join(refs.sources.get(name, []))
    if now is not None and now == text[a:b]:
        f.note = f"由叙述中的引用 {{{_as_written(key)}}} 生成"
        precise = next((k for k, *_ in tracer.candidates(text, t.number) if split_key(k)[0] == name), None)
        if attr in CLAUSES and precise:      # a clause states several figures: the one this number is
            key, attr = precise, split_key(precise)[1]
        f.kind, f.attr, f.data = "ref", ATTRS.get(attr, attr), refs.values[key]
        t.key, t.start, t.end = key, a, t.number.start + len(t.number.number)
        _lost_unit(f, text, t, refs)
        return
    f.kind, f.attr = "mismatch", ATTRS.get(attr, attr)
    f.data = now or "(数据中已没有这个数)"
    f.note = f"由叙述中的引用 {{{_as_written(key)}}} 生成,文档生成后数据变了:重新生成即可更新"


def _as_written(key: str) -> str:
    """A reference as the narrative writes it: hte_total, hte_total.growth."""
    name, attr = split_key(key)
    return name if attr == "value" else f"{name}.{attr}"


def _lost_unit(f: Finding, text: str, t, refs: References) -> None:
    """A place of a rank indicator is written with its unit (第4位): a bare 第4 lost it (an
    edit or a narrative reference without the unit) and is flagged."""
    name, attr = split_key(t.key)
    unit = refs.units.get(name, "")
    if attr == "value" and unit in ("位", "名") and text[:t.start].endswith("第") \
            and not text[t.end:].startswith(unit):
        f.kind, f.data = "mismatch", f"第{refs.values[t.key]}{unit}"
        f.note = f"排名缺少单位“{unit}”:应为“第{refs.values[t.key]}{unit}”"


def _context(text: str, a: int, b: int, width: int = 14) -> str:
    return ("…" if a > width else "") + text[max(0, a - width):b + 4] + ("…" if b + 4 < len(text) else "")


#: table column -> the attribute it prints
COLUMN_ATTRS = {"本年": "value", "上年": "prev", "增减": "growth", "目标": "target", "完成率": "completion",
                "排名": "city_rank"}


def _table(result: AuditResult, it: Item, tracer: Tracer, refs: References, expected_rows) -> None:
    cells = it.cells
    header = cells[0] if cells else []
    ours = bool(header) and header[0] == "指标" and set(header) <= set(TABLE_COLUMNS)
    for r, row in enumerate(cells[1:], start=1):
        name = row[0].strip() if row else ""
        fig_row = expected_rows.get(name) if ours else None
        for c, cell in enumerate(row):
            text = cell.strip()
            if not re.search(r"\d", text) or (ours and c == 0):
                continue
            col = header[c] if c < len(header) else str(c + 1)
            where = f"表 第{r}行“{name}”·{col}"
            if fig_row is not None:
                fig, exp = fig_row
                want = exp[col] or EMPTY_CELL
                attr = ATTRS.get(COLUMN_ATTRS.get(col, ""), col)
                f = Finding(where, text, "ref" if text == want else "mismatch", fig.name, attr, want,
                            "; ".join(refs.sources.get(fig.id, [])), context=f"{name} {col}", item=it.index,
                            cell=(r, c))
                if f.kind == "mismatch":
                    f.note = "表格由数据生成:如数据有误请改 data/,否则重新生成即可恢复"
                result.findings.append(f)
                continue
            for t in tracer.trace_all(f"{name}{text}"):
                if t.number.start < len(name):
                    continue
                f = Finding(where, t.number.text, t.kind, context=f"{name} {col}", item=it.index, cell=(r, c),
                            note=t.note)
                if t.kind == "ref":
                    n, attr = split_key(t.key)
                    f.indicator, f.attr, f.data = refs.names.get(n, n), ATTRS.get(attr, attr), refs.values[t.key]
                elif t.kind == "mismatch":
                    f.indicator, f.data = refs.names.get(t.indicator, t.indicator), t.expected
                result.findings.append(f)


# ------------------------------------------------------------------ the commented copy

def write_commented(src: Path, result: AuditResult, out: Path) -> Path:
    """A copy of the document with a Word comment on each mismatch (the original is untouched).

    The copy is for review: its content controls are removed (LibreOffice cannot print comments
    that sit inside one), which ``make harvest`` copes with like any copy without them."""
    from docx import Document
    from docx.text.run import Run
    from ..document.oxml import unwrap_sdts
    check_members(src)
    doc = Document(src)
    body = doc.element.body
    unwrap_sdts(body)
    paragraphs = [p for p in body.iter(W + "p") if not any(a.tag == W + "tbl" for a in p.iterancestors())]
    tables = list(body.iter(W + "tbl"))
    by_text: dict[str, list] = {}
    for p in paragraphs:
        by_text.setdefault(paragraph_item(p, [], {})[0].text, []).append(p)
    content = read_docx(src)
    table_idx = [i for i, it in enumerate(content.items) if it.kind == "table"]
    for f in result.of("mismatch"):
        item = content.items[f.item]
        note = f"{f.indicator}{f.attr}:文中为 {f.number},数据为 {f.data}" + (f"({f.source})" if f.source else "")
        if f.cell is not None:
            tbl = tables[table_idx.index(f.item)] if f.item in table_idx and table_idx.index(f.item) < len(tables) else None
            if tbl is None:
                continue
            rows = [tr for tr in tbl.iter(W + "tr")]
            tc = rows[f.cell[0]].findall(W + "tc")[f.cell[1]]
            runs = [r for r in tc.iter(W + "r") if not _deleted(r)]
            if runs:
                doc.add_comment([Run(runs[0], None), Run(runs[-1], None)], note, COMMENT_AUTHOR, "核")
            continue
        candidates = by_text.get(item.text, [])
        if not candidates:
            continue
        p = candidates[0]
        runs = _isolate(p, *f.span)
        if runs:
            doc.add_comment([Run(runs[0], None), Run(runs[-1], None)], note, COMMENT_AUTHOR, "核")
    with atomic_path(out) as tmp:
        doc.save(tmp)
    return out


def _deleted(r) -> bool:
    return any(a.tag in (W + "del", W + "moveFrom") for a in r.iterancestors())


def _run_text(r) -> str:
    return "".join(("\t" if c.tag == W + "tab" else c.text or "") for c in r if c.tag in (W + "t", W + "tab"))


def _isolate(p, start: int, end: int) -> list:
    """The runs covering accepted-text offsets [start, end) of paragraph ``p``, split at the
    boundaries when a run is plain text (so the comment marks the number itself)."""
    runs = [r for r in p.iter(W + "r") if not _deleted(r)]
    pos = 0
    out = []
    for r in runs:
        text = _run_text(r)
        a, b = pos, pos + len(text)
        pos = b
        if b <= start or a >= end or not text:
            continue
        ts = r.findall(W + "t")
        if len(ts) == 1 and len([c for c in r if c.tag != W + "rPr"]) == 1:
            cut_lo, cut_hi = max(start - a, 0), min(end - a, len(text))
            pieces = [(text[:cut_lo], False), (text[cut_lo:cut_hi], True), (text[cut_hi:], False)]
            anchor = r
            made = []
            for piece, mid in pieces:
                if not piece:
                    continue
                nr = copy.deepcopy(r)
                t = nr.find(W + "t")
                t.text = piece
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                anchor.addnext(nr)
                anchor = nr
                if mid:
                    made.append(nr)
            r.getparent().remove(r)
            out += made
        else:
            out.append(r)
    return out
