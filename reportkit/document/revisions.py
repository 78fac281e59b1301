"""Revised figures as real Word revisions (tracked changes): w:del of the old text, w:ins of the new.

Editors and leaders accept or reject them in Word or WPS like any colleague's edit. The diff is
by tokens in which a number is one token, so 327家 -> 330家 marks 327 -> 330, not single digits.
"""
from __future__ import annotations

import dataclasses
import difflib
import re
from dataclasses import dataclass

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

AUTHOR = "数据更新"
_TOKEN = re.compile(r"\d+(?:\.\d+)?|.", re.S)


def diff(old: str, new: str) -> list[tuple[str, str]]:
    """[('=', text) | ('-', text) | ('+', text)] turning ``old`` into ``new``."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("=", "".join(a[i1:i2])))
        else:
            if i2 > i1:
                out.append(("-", "".join(a[i1:i2])))
            if j2 > j1:
                out.append(("+", "".join(b[j1:j2])))
    return out


@dataclass
class Seg:
    """A piece of a paragraph to write: its text and formatting; ``old`` is what the previous
    version printed here (None: nothing to compare), ``ref`` what the piece states (a reference
    key such as 'hte_total.growth', or a piece id of generated text)."""
    text: str
    bold: bool = False
    italic: bool = False
    old: str | None = None
    ref: str | None = None

    @property
    def revised(self) -> bool:
        return self.old is not None and self.old != self.text


class Reviser:
    """Writes segments into paragraphs, as revisions where a piece changed since the previous
    version (unless ``enabled`` is off: CLEAN=1), numbering revision ids per document."""

    def __init__(self, date: str, enabled: bool = True, author: str = AUTHOR):
        self.enabled = enabled
        self.author = author
        self.date = date          # W3C, from reportkit.dates.document_date: the same bytes each build
        self._next_id = 1

    def _mark(self, tag: str):
        el = OxmlElement(tag)
        el.set(qn("w:id"), str(self._next_id))
        el.set(qn("w:author"), self.author)
        el.set(qn("w:date"), self.date)
        self._next_id += 1
        return el

    def write(self, paragraph, segs: list[Seg]) -> list[Seg]:
        """Append the segments as runs; returns those written as revisions."""
        revised = []
        for seg in segs:
            if not (self.enabled and seg.revised):
                _run(paragraph, seg.text, seg.bold, seg.italic)
                continue
            revised.append(seg)
            for op, text in diff(seg.old, seg.text):
                run = _run(paragraph, text, seg.bold, seg.italic)
                if op == "=":
                    continue
                wrapper = self._mark("w:ins" if op == "+" else "w:del")
                run._r.addprevious(wrapper)
                wrapper.append(run._r)
                if op == "-":
                    for t in run._r.findall(qn("w:t")):
                        t.tag = qn("w:delText")
        return revised


def with_pending(previous, revisions):
    """The previous version's manifest as the next build compares with it: each revision it
    wrote (its ``pending``) that the current document still shows unaccepted — its deleted and
    inserted text still there as 数据更新 revisions (``revisions``: the document's, each with
    ``kind``, ``author``, ``text``) — counts as not yet seen, so the new build marks the change
    again from the text the editor last accepted (a forced rebuild keeps it; a figure revised
    again shows 327 → 333, not 330 → 333). Accepted or rejected revisions are gone from the
    document and are not carried."""
    from collections import Counter
    if not previous or not previous.pending:
        return previous
    shown = Counter((r.kind, r.text) for r in revisions if r.author == AUTHOR)
    out = {}
    for part in ("pieces", "refs"):
        now = dict(getattr(previous, part))
        for key, old in previous.pending.get(part, {}).items():
            new = now.get(key)
            if new is None or old == new:
                continue
            ops = Counter(("del" if op == "-" else "ins", t) for op, t in diff(old, new) if op != "=")
            if all(shown[k] >= n for k, n in ops.items()):
                now[key] = old
        out[part] = now
    return dataclasses.replace(previous, **out)


WJ = "\u2060"   # WORD JOINER: no line break on either side (Word and LibreOffice honour it)
#: Periods and ranges that must stand whole on one line: 1-10月, 2020—2024年.
_UNBREAKABLE = re.compile(r"\d+[-—–~]\d+[月年]")
#: Where a line can break inside one: beside the dash and before 年/月 (never inside a number).
_BREAKS = re.compile(r"(?<=\d)(?=[-—–~月年])|(?<=[-—–~])(?=\d)")


def glue(text: str) -> str:
    """Text with a word joiner at each place a line could break inside a period or range, so a
    line never breaks in "1-10月" (LibreOffice breaks after a hyphen, even a non-breaking one,
    and before 年/月) — and nowhere else: the numbers stay whole for Word's and WPS's Find."""
    return _UNBREAKABLE.sub(lambda m: _BREAKS.sub(WJ, m.group(0)), text)


def _run(paragraph, text: str, bold: bool, italic: bool):
    run = paragraph.add_run(glue(text))
    if bold:
        run.bold = True
    if italic:
        run.italic = True
    return run
