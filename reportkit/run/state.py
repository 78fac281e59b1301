"""What reportkit last wrote for a report, and the one rule whether to (re)build it.

After every successful build ``build/<c>/<y>/.reportkit/`` holds the hash of the .docx it
wrote, an exact copy of that file and the input fingerprint. From these the rule tells:

- the .docx is missing, or exactly what reportkit wrote ("generated"), or changed since
  ("edited": an editor worked on it), or of unknown origin (no record: an older reportkit
  or a file copied in);
- whether the inputs changed since (fingerprint), so a rebuild is due.

An edited or unknown document is never overwritten without a dated copy under ``versions/``.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..config import ReportPaths
from ..iorw import atomic_path, write_text

STATE_VERSION = 1

#: docx status -> how a message names it
DOCX_STATUS = {"missing": "尚未生成", "generated": "与上次生成的一致", "edited": "生成后被编辑过",
               "unknown": "没有生成记录"}


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load(paths: ReportPaths) -> dict | None:
    try:
        state = json.loads(paths.state_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) and state.get("version") == STATE_VERSION else None


def docx_status(paths: ReportPaths, state: dict | None = None) -> str:
    if not paths.docx.exists():
        return "missing"
    state = load(paths) if state is None else state
    if not state or not state.get("docx_sha256"):
        return "unknown"
    return "generated" if sha256_file(paths.docx) == state["docx_sha256"] else "edited"


@dataclass
class Decision:
    """Whether to build one report, and why (Chinese, for the console and the batch summary)."""
    action: str                      # "build" | "skip" (up to date) | "keep" (edited, inputs unchanged)
    docx: str                        # a DOCX_STATUS key
    changed: list[str] = field(default_factory=list)   # input parts that changed
    forced: bool = False

    @property
    def reason(self) -> str:
        if self.action == "skip":
            return "报告已是最新(数据、叙述、模板和代码都没有变化)"
        if self.action == "keep":
            return "Word 文档生成后被编辑过,数据没有变化:未重新生成,文档保持原样"
        if self.docx == "missing":
            return "尚未生成"
        if self.forced and not self.changed:
            return "强制重新生成"
        names = {"code": "代码或模板", "environment": "软件版本", "registry": "县区登记", "catalog": "指标目录", "values": "指标数据",
                 "targets": "目标", "narrative": "叙述", "params": "参数"}
        return "输入有变化:" + "、".join(names.get(c, c) for c in self.changed) if self.changed else "重新生成"


def changed_parts(state: dict | None, fp: dict) -> list[str]:
    old = (state or {}).get("fingerprint", {}).get("parts", {})
    return [k for k, v in fp["parts"].items() if old.get(k) != v]


def decide(paths: ReportPaths, fp: dict, *, force: bool = False) -> Decision:
    """The rule, shared by `make report` and `make all`.

    - nothing changed and the .docx is reportkit's own: skip;
    - nothing changed and an editor worked on the .docx: leave it alone (harvest on demand);
    - otherwise build; an edited or unknown .docx is kept and (edited) harvested first —
      ``force`` rebuilds an unchanged report but never skips that.
    """
    state = load(paths)
    status = docx_status(paths, state)
    changed = changed_parts(state, fp) if state else list(fp["parts"])
    unchanged = bool(state) and state.get("fingerprint", {}).get("hash") == fp["hash"]
    if unchanged and not force and status == "generated":
        return Decision("skip", status)
    if unchanged and not force and status == "edited":
        return Decision("keep", status)
    return Decision("build", status, changed=[] if unchanged else changed, forced=force)


def stamp(now: dt.datetime | None = None) -> str:
    return (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")


def _unique(path: Path) -> Path:
    n = 2
    candidate = path
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return candidate


def keep_copy(src: Path, dest: Path) -> Path:
    """Copy ``src`` to ``dest`` (a unique name is made if taken), unless an identical copy is
    already in that folder (a retried build keeps one copy, not one per attempt). Returns the copy."""
    dest_dir = dest.parent
    dest_dir.mkdir(parents=True, exist_ok=True)
    digest = sha256_file(src)
    for existing in sorted(dest_dir.glob(f"*{dest.suffix}")):
        if existing.stat().st_size == src.stat().st_size and sha256_file(existing) == digest:
            return existing
    dest = _unique(dest)
    with atomic_path(dest) as tmp:
        shutil.copyfile(src, tmp)
    return dest


def keep_docx(paths: ReportPaths, status: str) -> Path:
    """The .docx about to be replaced, kept as a dated version: ``versions/<c>_<y>.edited-…docx``
    (an editor's work) or ``.previous-…`` (no record of what reportkit wrote)."""
    return keep_copy(paths.docx, paths.kept_docx("edited" if status == "edited" else "previous", stamp()))


def record(paths: ReportPaths, fp: dict, run_id: str, *, outcome: dict | None = None) -> None:
    """After a successful build: remember the .docx written (hash and copy) and the fingerprint.
    Written last, so an interrupted build leaves the previous record (and a rebuild next time)."""
    paths.state_dir.mkdir(parents=True, exist_ok=True)
    with atomic_path(paths.generated_docx) as tmp:
        shutil.copyfile(paths.docx, tmp)
    state = {"version": STATE_VERSION, "run_id": run_id, "docx_sha256": sha256_file(paths.docx),
             "fingerprint": fp, "built": dt.datetime.now().isoformat(timespec="seconds"),
             "outcome": outcome or {}}
    write_text(paths.state_file, json.dumps(state, ensure_ascii=False, indent=1))


#: What `make clean` may delete in a report folder: all of it can be generated again.
REGENERABLE = ("report.ipynb", "report.html", "figures.csv", "figures.json", "changes.csv", "audit.csv", "charts")


def clean(build_root: Path | None = None) -> list[tuple[Path, str]]:
    """Remove what a rebuild makes again; keep what it cannot: ``versions/``, a .docx an editor
    changed (or whose origin is unknown) with the record that tells so. Returns what was kept."""
    from ..config import BUILD_DIR, report_paths
    root = Path(build_root or BUILD_DIR)
    kept: list[tuple[Path, str]] = []
    found = {p.parent for p in root.glob("*/*/report.ipynb")} | \
        {p.parent.parent for p in root.glob("*/*/.reportkit/state.json")} | {p.parent for p in root.glob("*/*/*.docx")}
    for out_dir in sorted(found):
        county, year = out_dir.parent.name, out_dir.name
        if not year.isdigit():
            continue
        paths = report_paths(county, int(year), root)
        if not paths.out_dir.exists():
            continue
        for name in REGENERABLE:
            target = paths.out_dir / name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
        status = docx_status(paths)
        if status in ("edited", "unknown"):
            kept.append((paths.docx, DOCX_STATUS[status]))
        else:
            if paths.docx.exists():
                paths.docx.unlink()
            if paths.state_dir.exists():
                shutil.rmtree(paths.state_dir)
        if paths.versions_dir.exists():
            kept.append((paths.versions_dir, "保留的编辑稿和叙述备份"))
        for d in (paths.out_dir, paths.out_dir.parent):
            if d.exists() and not any(d.iterdir()):
                d.rmdir()
    test_dir = root / "_test"
    if test_dir.exists():
        shutil.rmtree(test_dir)
    return kept
