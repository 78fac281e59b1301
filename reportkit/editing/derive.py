"""An edited paragraph back to narrative source: the references whose text the editor left
standing kept, a typed number equal to a figure made a live reference again, the editor's bold
and italics kept as inline marks."""
from __future__ import annotations

import difflib
from itertools import chain, groupby, repeat
from typing import Callable

from ..narrative import source as nm
from ..document.manifest import Manifest
from ..document.reader import Item
from ..narrative.source import Span
from ..model.references import ATTRS, split_key
from .tracing import Tracer, find_numbers


class Derive:
    """Edited text back to narrative source, with references."""

    def __init__(self, manifest: Manifest, note: Callable[[str, str], None]):
        self.refs: dict[str, str] = (manifest.refs or {})
        self.names: dict[str, str] = (manifest.names or {})
        self.tracer = Tracer(self.refs, self.names)
        self.note = note          # (kind, text): what the harvest lists for the clerk

    def old_spans(self, source: str) -> list[Span]:
        """The generated paragraph: its source rendered with the values of that build."""
        def resolve(name, attr):
            return self.refs.get(nm.ref_key(name, attr))
        try:
            return nm.render(source, resolve)
        except Exception:   # a reference the record cannot resolve: compare as written
            return nm.spans(source)

    def unchanged(self, source: str, e: Item) -> bool:
        old = self.old_spans(source)
        return _flat(old) == _flat_runs(e.runs)

    def source(self, e: Item, where: str, base: str | None = None, *, override: str | None = None) -> str:
        """Narrative source for the edited paragraph ``e``; ``base`` is the source it was
        generated from (its references are kept where their text still stands)."""
        text = e.text.strip()
        lead = len(e.text) - len(e.text.lstrip())
        fmt = _char_formats(e.runs)[lead:lead + len(text)]
        keep: list[tuple[int, int, str]] = []        # (start, end, key) in text
        new_regions: list[tuple[int, int]] = [(0, len(text))]
        if base is not None:
            old = self.old_spans(base)
            r = "".join(s.text for s in old)
            ops = difflib.SequenceMatcher(None, r, text, autojunk=False).get_opcodes()
            pos = 0
            spans_at = []
            for s in old:
                spans_at.append((pos, pos + len(s.text), s))
                pos += len(s.text)
            for a, b, s in spans_at:
                if s.ref is None:
                    continue
                for op, i1, i2, j1, j2 in ops:
                    if op == "equal" and i1 <= a and b <= i2:
                        keep.append((a + j1 - i1, b + j1 - i1, s.key))
                        break
            new_regions = [(j1, j2) for op, i1, i2, j1, j2 in ops if op in ("insert", "replace") and j2 > j1]
        links = list(keep)
        hits = self.tracer.name_hits(text)
        for n in find_numbers(text, self.tracer.units):
            if not any(a < n.end and n.start < b for a, b in new_regions):
                continue       # a number the editor did not touch: literal as the clerk wrote it
            if any(a < n.end and n.start < b for a, b, _ in links):
                continue
            t = self.tracer.trace(text, n, hits)
            if t.kind == "ref" and not any(a < t.end and t.start < b for a, b, _ in links):
                links.append((t.start, t.end, t.key))
                self.note("linked", f"{text[t.start:t.end]} → {{{t.key}}}({self._label(t.key)},{where})")
            elif t.kind == "mismatch":
                self.note("mismatch", f"{n.text}({where}):{t.note},数据为 {t.expected}")
            elif t.kind == "literal":
                self.note("literal", f"{n.text}({where})" + (f":{t.note}" if t.note else ""))
        links.sort()
        out: list[Span] = []
        pos = 0
        for a, b, key in links:
            out += _literal_spans(text[pos:a], fmt[pos:a])
            name, attr = split_key(key)
            bold, italic = fmt[a] if a < len(fmt) else (False, False)
            out.append(Span(text[a:b], bold, italic, (name, None if attr == "value" else attr)))
            pos = b
        out += _literal_spans(text[pos:], fmt[pos:])
        return nm.to_source(out)

    def _label(self, key: str) -> str:
        name, attr = split_key(key)
        return self.names.get(name, name) + ATTRS.get(attr, "")


def _flat(spans: list[Span]) -> list[tuple[str, bool, bool]]:
    return [(c, s.bold, s.italic) for s in spans for c in s.text]


def _flat_runs(runs) -> list[tuple[str, bool, bool]]:
    out = [(c, b, i) for t, b, i in runs for c in t]
    while out and out[0][0].isspace():
        out.pop(0)
    while out and out[-1][0].isspace():
        out.pop()
    return out


def _char_formats(runs) -> list[tuple[bool, bool]]:
    return list(chain.from_iterable(repeat((b, i), len(t)) for t, b, i in runs))


def _literal_spans(text: str, fmt: list[tuple[bool, bool]]) -> list[Span]:
    """Literal text in spans of one format each (``fmt``: the format of each character)."""
    out: list[Span] = []
    pos = 0
    for (b, i), same in groupby(fmt[:len(text)]):     # runs of one format, not a step per character
        n = len(list(same))
        out.append(Span(text[pos:pos + n], b, i))
        pos += n
    return out
