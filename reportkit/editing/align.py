"""Alignment: which item reportkit wrote (the build's manifest) each item of an edited copy comes
from — by content-control tag first, then by text similarity in order, where a copy re-saved by
WPS or LibreOffice lost the tags — and what kind of item each is."""
from __future__ import annotations

import operator
import re
from collections import Counter

from ..document.manifest import Item as ManifestItem
from ..document.reader import Item
from ..numbering import NUMBER_RE, strip_number


def item_kind(it: Item) -> str:
    """What an edited item is, by tag, style and shape."""
    tag = it.tag
    if it.kind == "table":
        return "table"
    if it.pictures and not it.text.strip():
        return "picture"
    if tag.startswith("rk:part:"):
        return "h1"
    if tag.startswith("rk:heading:"):          # a section's heading; shown one level up in a plain 工作总结
        return "h1" if it.style == "heading1" else "h2"
    for t, k in (("rk:title", "title"), ("rk:notice", "notice"), ("rk:date", "date"), ("rk:signature", "signature")):
        if tag == t:
            return k
    text = it.text.strip()
    if it.style == "signature":
        return "date" if re.search(r"\d{4}年|成文日期", text) else "signature"
    style = {"title": "title", "heading1": "h1", "heading2": "h2", "heading3": "h3", "caption": "caption",
             "notice": "notice"}.get(it.style)
    if style:
        return style
    if text and len(text) <= 30 and "。" not in text[:-1]:   # a heading typed in body style
        for level in ("h1", "h2"):
            if NUMBER_RE[level].match(text):
                return level
    return "p"


def _bigrams(text: str) -> set[str]:
    t = re.sub(r"\s+", "", text)
    return set(map(operator.add, t, t[1:])) or ({t} if t else set())


def _sim(a: set, b: set) -> float:
    if not a and not b:
        return 1.0
    return 2 * len(a & b) / (len(a) + len(b)) if a or b else 0.0


def align(g_items: list[ManifestItem], e_items: list[Item]) -> list[int | None]:
    """For each edited item, the index of the generated item it comes from (or None).

    The best order-keeping matching (a weighted longest common subsequence) of the generated
    items against the edited ones. Linear in the edited document: each edited item's text is
    compared with the generated items of its kind once, as it is read (its bigrams are not kept);
    only the edited items that could match anything enter the dynamic programme, whose rows are
    computed with numpy (a row is a suffix maximum)."""
    import numpy as np
    gk = [g.shown or (g.kind if g.kind != "template" else "p") for g in g_items]   # as shown
    gt = [_bigrams(strip_number(k, (g.text or "") or cells_text(g.cells))) for k, g in zip(gk, g_items)]
    gtag = [(g.tag or "") for g in g_items]
    by_kind: dict[str, list[int]] = {}
    for i, k in enumerate(gk):
        by_kind.setdefault(k, []).append(i)

    def score(i: int, e: Item, ek: str, et: set) -> float:
        g = g_items[i]
        if gk[i] != ek:
            return 0.0
        if gk[i] == "picture":
            alt = (g.alt or "")
            return 2.0 if alt and any(alt in p for p in e.pictures) else 0.6
        if g.kind == "template":
            return 0.8 if ((g.text or "") == e.text and not e.tag) else 0.0
        bonus = 0.0
        tag = e.tag
        if tag and gtag[i]:
            bonus = (1.0 if tag.startswith("rk:") else 0.4) if tag == gtag[i] else -0.3
        threshold = 0.45 if gk[i] in ("p", "h3", "table") else 0.5
        if gk[i] in ("title", "signature", "date", "table"):
            threshold = 0.0          # one of each: matched by position in the order
        exact = (g.text or "") == e.text and gk[i] != "table"
        if not exact:
            la, lb = len(gt[i]), len(et)
            if la + lb and 2 * min(la, lb) / (la + lb) + bonus < threshold:
                return 0.0           # not even a full overlap would reach the threshold
        sim = (1.0 if exact else _sim(gt[i], et)) + bonus
        return sim + 0.01 if sim >= threshold else 0.0

    # Text items can only score with a generated item that shares a bigram, has the same text or
    # the same tag: an index of the generated bigrams finds those without comparing every pair.
    positional = ("title", "signature", "date", "table", "picture")
    index: dict[str, list[int]] = {}
    by_text: dict[str, list[int]] = {}
    by_tag: dict[str, list[int]] = {}
    empty: list[int] = []
    for i, g in enumerate(g_items):
        if gk[i] in positional:
            continue
        by_text.setdefault((g.text or ""), []).append(i)
        if g.kind == "template":
            continue
        if gtag[i]:
            by_tag.setdefault(gtag[i], []).append(i)
        if not gt[i]:
            empty.append(i)
        for bg in gt[i]:
            index.setdefault(bg, []).append(i)
    keys = set(index)
    near: dict[int, list[tuple[int, float]]] = {}    # edited item -> generated items it may be a moved copy of
    ek = [item_kind(e) for e in e_items]
    cols: list[int] = []                     # edited items that match some generated item
    found: list[dict[int, float]] = []
    for j, e in enumerate(e_items):
        cand = by_kind.get(ek[j])
        if not cand:
            continue
        et = _bigrams(strip_number(ek[j], e.text or cells_text(e.cells)))
        if ek[j] not in positional:
            shared = Counter()
            for bg in et & keys:
                shared.update(index[bg])
            cand = sorted(set(shared).union(by_text.get(e.text, ()), by_tag.get(e.tag, ()) if e.tag else (),
                                            empty if not et else ()))
            if ek[j] in ("p", "h2", "h3"):   # what the pass for moved items needs, kept small
                sims = [(i, _sim(gt[i], et) if et else 1.0) for i in (shared if et else empty)]
                sims = [(i, x) for i, x in sorted(sims) if gk[i] == ek[j] and x + 0.3 >= 0.85
                        and g_items[i].kind != "template"]
                if sims:
                    near[j] = sims
        scores = {i: sc for i in cand if (sc := score(i, e, ek[j], et)) > 0}
        if scores:
            cols.append(j)
            found.append(scores)
    n, m = len(g_items), len(cols)
    S = np.zeros((n, m))
    for k, scores in enumerate(found):
        for i, sc in scores.items():
            S[i, k] = sc
    del found
    dp = np.zeros((n + 1, m + 1))
    for i in range(n - 1, -1, -1):           # dp[i][k] = max(dp[i+1][k], dp[i][k+1], dp[i+1][k+1] + S[i][k])
        nxt, s = dp[i + 1], S[i]
        a = nxt[:m].copy()
        hit = s > 0
        a[hit] = np.maximum(a[hit], nxt[1:][hit] + s[hit])
        dp[i, :m] = np.maximum.accumulate(a[::-1])[::-1]
    origin: list[int | None] = [None] * len(e_items)
    i = k = 0
    while i < n and k < m:
        sc = S[i, k]
        if sc > 0 and abs(dp[i, k] - (dp[i + 1, k + 1] + sc)) < 1e-9:
            origin[cols[k]] = i
            i, k = i + 1, k + 1
        elif abs(dp[i, k] - dp[i + 1, k]) < 1e-9:
            i += 1
        else:
            k += 1
    del S, dp
    # moved items: unmatched on both sides and (nearly) the same
    used = {o for o in origin if o is not None}
    for j in sorted(near):
        e = e_items[j]
        if origin[j] is not None:
            continue
        best, best_i = 0.0, None
        for i, sim in near[j]:         # the others cannot reach 0.85
            if i in used:
                continue
            sc = sim + (0.3 if e.tag and e.tag == gtag[i] else 0.0)
            if sc > best:
                best, best_i = sc, i
        if best_i is not None and best >= 0.85:
            origin[j] = best_i
            used.add(best_i)
    return origin


def cells_text(cells) -> str:
    return "".join("".join(r) for r in cells or [])
