"""The manifest: what a build wrote where — the contract between the builder and everything that
reads an edited document back (harvest, audit) or builds the next version (revised figures).

One :class:`Item` per paragraph, table or picture the builder wrote, in document order; the
:class:`Manifest` around them keeps the build's run id, county-year, the narrative it used, every
reference's printed value and the generated pieces. It is stored as JSON beside the report
(``.reportkit/manifest-<run id>.json``) and read back only through :func:`load`, which checks its
version: a manifest written by another version of reportkit is refused with a message, never
half-read.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from pathlib import Path

from ..exceptions import ManifestVersionError

#: The manifest's format. 2: items carry the level a heading is shown at (``shown``) and the
#: manifest the revisions not yet accepted (``pending``).
VERSION = 2
#: The versions :func:`load` reads: 1 is 2 without those two (a build record left by the reportkit
#: before, in a user's build/ folder, still serves the next build and harvest after an upgrade).
READABLE = (1, 2)


@dataclass
class Item:
    """One thing the builder wrote: its ``kind`` (title, notice, h1, h2, h3, p, caption, table,
    picture, template) and where it came from."""
    kind: str
    text: str | None = None            # as a reader sees it (a heading: with its number)
    part: str | None = None            # the narrative part (lead, summary, problems, plan …)
    slot: str | None = None            # the narrative slot id of a section or paragraph
    block: str | None = None           # a generated block (indicator_paragraph, table, chart id …)
    source: str | None = None          # the narrative source text of a paragraph or heading
    line: int | None = None            # its line in the narrative file
    title: str | None = None           # a heading's title (without its number)
    default_title: str | None = None   # the kind's own title for the part
    shown: str | None = None           # a heading shown at another level than its kind (h1)
    tag: str | None = None             # the content control's tag
    alias: str | None = None           # the content control's title
    label: str | None = None           # how messages name it (指标段, a slot's name)
    placeholder: bool | None = None    # a yellow 【待补充】 paragraph
    cells: list | None = None          # a table's cell texts, row by row
    alt: str | None = None             # a picture's alt text (reportkit:<chart id>)
    refs: list | None = None           # the references a narrative paragraph printed
    rows: list | None = None           # 表1's rows: the indicator of each

    @classmethod
    def from_dict(cls, data: dict) -> "Item":
        """An item from its stored form; a key the class does not declare is an error (the
        builder and this class must agree on every field)."""
        return cls(**data)

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}


@dataclass
class Manifest:
    """What one build wrote (see the module docstring)."""
    run_id: str
    county: str
    year: int
    items: list[Item] = field(default_factory=list)
    narrative: str | None = None                               # the narrative file's text the build used
    refs: dict[str, str] = field(default_factory=dict)         # reference key -> printed value
    names: dict[str, str] = field(default_factory=dict)        # indicator id -> name
    units: dict[str, str] = field(default_factory=dict)        # indicator id -> unit
    stated: list[str] = field(default_factory=list)            # indicators the document states
    pieces: dict[str, str] = field(default_factory=dict)       # generated piece id -> text
    pending: dict = field(default_factory=dict)                # revisions not yet accepted, by part
    version: int = VERSION

    @classmethod
    def from_dict(cls, data: dict, source: str | Path = "") -> "Manifest":
        if not isinstance(data, dict) or data.get("version") not in READABLE:
            found = data.get("version") if isinstance(data, dict) else None
            raise ManifestVersionError(
                f"生成记录 {Path(source).name or ''} 的格式版本是 {found if found is not None else '(未写明)'},"
                f"这一版 reportkit 只读版本 {'、'.join(map(str, READABLE))}(记录由另一版 reportkit 写出)",
                file=source or None,
                hint="重新生成一次报告(make report … FORCE=1),之后的编辑稿即可按新记录写回")
        items = [Item.from_dict(i) for i in data.get("items", [])]
        known = {f.name for f in fields(cls)} - {"items"}
        return cls(items=items, **{k: v for k, v in data.items() if k in known})

    def to_dict(self) -> dict:
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "items"}
        out["items"] = [i.to_dict() for i in self.items]
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1)


def load(path: Path) -> Manifest | None:
    """The manifest stored at ``path``; None when there is none (or it is not JSON); refused
    (:class:`ManifestVersionError`) when another version of reportkit wrote it."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return Manifest.from_dict(data, path)
