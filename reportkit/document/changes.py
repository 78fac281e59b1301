"""What a rebuild revised: the figures the previous version stated that print differently now
(changes.csv), and the revisions a document carries while the editor has not accepted them."""
from __future__ import annotations

import re

from ..model.report import ReportFigures
from .manifest import Manifest
from .writer import Writer


def pending_revisions(w: Writer, refs) -> dict:
    """The revisions this document carries, as what each revised piece and figure printed
    before: while the editor has not accepted them, the next build compares with these (a
    forced rebuild, or one for another figure, must not drop them)."""
    from ..model.references import split_key
    pieces = {pid: w.prev_pieces[pid] for pid in sorted(w.revised) if "/" in pid and pid in w.prev_pieces}
    inds = {pid.split("/")[1] for pid in pieces} | {split_key(k)[0] for k in w.revised if "/" not in k}
    old = {k: v for k, v in w.prev_refs.items() if split_key(k)[0] in inds and refs.values.get(k) != v}
    return {"pieces": pieces, "refs": dict(sorted(old.items()))}


#: Attributes a change is reported for (the phrases repeat them).
CHANGE_ATTRS = ("value", "prev", "growth", "delta", "completion", "target", "city_rank", "province_rank",
                "next_target")


#: Reference attributes that state another attribute (增长8.28% states the growth).
STATES = {"growth_phrase": ("growth",), "delta_phrase": ("delta",), "change": ("growth", "delta"),
          "next_phrase": ("next_target",), "ordinal": ("value",), "city_rank_ordinal": ("city_rank",),
          "province_rank_ordinal": ("province_rank",)}


def revised_figures(w: Writer, rf: ReportFigures, refs, previous: Manifest | None) -> list[dict]:
    """Figures the previous version stated that print differently now, each with the places the
    new document states it: indicator, attribute, old, new, where."""
    if not previous:
        return []
    from ..model.references import key as ref_key, split_key
    old_refs = previous.refs
    old_stated = set(previous.stated)
    where: dict[str, list[str]] = {}
    for seg, place in w.placed:
        if "/" in seg.ref:        # generated text of one indicator: which of its values it shows
            ind = seg.ref.split("/")[1]
            attrs = [a for a in CHANGE_ATTRS if refs.values.get(ref_key(ind, a)) and
                     _shows(seg.text, refs.values[ref_key(ind, a)])]
        else:                     # a reference: what it prints (a change clause may state the growth only)
            ind, attr = split_key(seg.ref)
            attrs = [a for a in STATES.get(attr, (attr,)) if a == attr or
                     _states(seg.text, refs.values.get(ref_key(ind, a)))]
        for a in attrs:
            places = where.setdefault(ref_key(ind, a), [])
            if place not in places:
                places.append(place)
    order = {i: n for n, i in enumerate(rf.dataset.indicator_ids)}
    out = []
    for ind in sorted(w.stated & old_stated, key=lambda i: (order.get(i, len(order)), i)):
        for attr in CHANGE_ATTRS:
            k = ref_key(ind, attr)
            old, new = old_refs.get(k), refs.values.get(k)
            if old is not None and new is not None and old != new and where.get(k):
                out.append({"indicator": ind, "name": refs.names.get(ind, ind), "attr": attr,
                            "label": refs.label(k), "old": old, "new": new, "where": "、".join(where[k])})
    return out


def _states(text: str, value: str | None) -> bool:
    """Does a phrase state this printed value, unit and all (比上年增长19.28% states 19.28%, not
    the 变化量 15亿元)?"""
    return bool(value) and re.search(r"(?<![\d.])" + re.escape(value), text) is not None


def _shows(text: str, value: str) -> bool:
    """Does generated text show this printed value? Its number as a whole number (a table cell
    shows 327 for 327家, +8.28% for 8.28%)."""
    m = re.search(r"\d+(?:\.\d+)?", value)
    return bool(m) and re.search(r"(?<![\d.])" + re.escape(m.group(0)) + r"(?![\d.])", text) is not None
