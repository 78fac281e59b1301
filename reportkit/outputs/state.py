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

import contextlib
import dataclasses
import datetime as dt
import errno
import hashlib
import json
import logging
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import config
from ..config import ReportPaths
from ..exceptions import OutputFolderError, ParameterError, ReportBusyError
from ..iorw import atomic_path, write_text
from ..portable import check_replaceable, process_alive, replace

STATE_VERSION = 1

log = logging.getLogger(__name__)

#: What a run writes into the report folder beside the .docx (and promotes, in this order, all or
#: nothing): the one list of a report's outputs.
OUTPUTS = ("report.ipynb", "report.html", "figures.csv", "figures.json", "changes.csv", "charts")

#: docx status -> how a message names it
DOCX_STATUS = {"missing": "尚未生成", "generated": "与上次生成的一致", "edited": "生成后被编辑过",
               "unknown": "没有生成记录", "interrupted": "上次生成在移入输出时中断"}


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
        if self.docx == "interrupted":
            return "上次生成在移入输出时中断,先补完再重新生成"
        if self.forced and not self.changed:
            return "强制重新生成"
        names = {"code": "代码或模板", "environment": "软件版本", "registry": "县区登记", "catalog": "指标目录", "values": "指标数据",
                 "targets": "目标", "narrative": "叙述", "params": "参数",
                 "settings": "汇总设置", "states": "县区报告状态"}
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
    if journal_path(paths).exists():      # a killed run's promotion: the run that builds completes it first
        return Decision("build", "interrupted", changed=list(fp["parts"]))
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
    state = state_record(sha256_file(paths.docx), fp, run_id, outcome)
    write_text(paths.state_file, json.dumps(state, ensure_ascii=False, indent=1))


#: What `make clean` may delete in a report folder: all of it can be generated again.
REGENERABLE = OUTPUTS + ("audit.csv",)


def clean(build_root: Path | None = None) -> list[tuple[Path, str]]:
    """Remove what a rebuild makes again; keep what it cannot: ``versions/``, a .docx an editor
    changed (or whose origin is unknown) with the record that tells so. Returns what was kept."""
    root = Path(build_root or config.BUILD_DIR)
    kept: list[tuple[Path, str]] = []
    found = set()
    for base in (root, root / config.CITY_DIRNAME):         # county reports, and the city views (build/_city/)
        found |= {p.parent for p in base.glob("*/*/report.ipynb")} | \
            {p.parent.parent for p in base.glob("*/*/.reportkit/state.json")} | {p.parent for p in base.glob("*/*/*.docx")}
    for out_dir in sorted(found):
        county, year = out_dir.parent.name, out_dir.name
        if not year.isdigit():
            continue
        city = out_dir.parent.parent == root / config.CITY_DIRNAME
        paths = (config.city_paths if city else config.report_paths)(county, int(year), root)
        if not paths.out_dir.exists():
            continue
        with report_lock(paths):           # not while a run of it is moving its outputs in
            recover(paths)
            _clean_one(paths, kept)
    _clean_staging(root)
    return kept


def _clean_staging(root: Path) -> None:
    """The staging folders killed runs left (build/.staging/<county>-<year>-<hash>-<suffix>/): each
    removed once no run of its county-year is under way, after a promotion it holds is completed."""
    staging = root / ".staging"
    for folder in sorted(staging.iterdir()) if staging.is_dir() else []:
        m = re.match(r"(.+)-(\d{4})-[0-9a-f]{12}-", folder.name)
        if not m:
            continue
        city = m[1].startswith("city-")                  # a city view's run: city-<city>-<year>-…
        paths = config.city_paths(m[1][5:], int(m[2]), root) if city else config.report_paths(m[1], int(m[2]), root)
        with report_lock(paths):
            recover(paths)
            shutil.rmtree(folder, ignore_errors=True)


def _clean_one(paths: ReportPaths, kept: list) -> None:
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


# ------------------------------------------------------------------ one run per county-year

#: How long a run waits for another run of the same county-year before it gives up (seconds;
#: REPORTKIT_LOCK_WAIT overrides): a report takes well under a minute, a batch holds each
#: county-year only while that one report is built.
LOCK_WAIT = 600.0
#: A lock taken on another machine cannot be checked; after this long it is taken to be left by
#: a run that was killed (no report takes hours).
OTHER_HOST_STALE = 3 * 3600.0
LOCKS_DIRNAME = ".locks"

_held: dict[tuple[str, int], int] = {}
_held_guard = None


def lock_path(paths: ReportPaths) -> Path:
    """``build/.locks/<county>-<year>.lock``: beside the published folders, not inside them."""
    return paths.root / LOCKS_DIRNAME / f"{paths.county}-{paths.year}.lock"


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def _process_start(pid: int) -> str:
    """When a process started, as this machine tells it ('' where it cannot): with the pid, it
    tells a live holder from a new process that got the same pid after a restart."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    fields = stat[stat.rfind(")") + 2:].split()
    return f"{_boot_id()}:{fields[19]}" if len(fields) > 19 else ""


def _read_lock(path: Path) -> dict | None:
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) and "token" in info else None


def _stale(info: dict) -> bool:
    """The rule for a lock left by a run that is gone: on this machine, its process no longer
    runs (or its pid now belongs to a process started later); on another machine, it is older
    than OTHER_HOST_STALE."""
    import socket
    if info.get("host") != socket.gethostname():
        return time.time() - float(info.get("started", 0)) > OTHER_HOST_STALE
    pid = int(info.get("pid", 0))
    if pid <= 0 or not process_alive(pid):
        return True
    started = info.get("process_start") or ""
    return bool(started) and _process_start(pid) not in ("", started)


def _break(path: Path, info: dict) -> None:
    """Remove a stale lock, unless another run has broken it and taken the lock meanwhile (one
    breaker at a time, through ``<lock>.break``)."""
    breaker = path.with_name(path.name + ".break")
    try:
        os.close(os.open(breaker, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
    except FileExistsError:
        try:            # a breaker killed in these few lines
            if time.time() - breaker.stat().st_mtime > 30:
                breaker.unlink(missing_ok=True)
        except OSError:
            pass
        return
    try:
        again = _read_lock(path)
        if (again and again.get("token") == info.get("token")) or (again is None and info.get("token") is None):
            path.unlink(missing_ok=True)
    finally:
        breaker.unlink(missing_ok=True)


def lock_wait() -> float:
    """Seconds to wait for another run: LOCK_WAIT, or REPORTKIT_LOCK_WAIT."""
    text = os.environ.get("REPORTKIT_LOCK_WAIT", "").strip()
    if not text:
        return LOCK_WAIT
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise ParameterError(f"环境变量 REPORTKIT_LOCK_WAIT=“{text}”不是秒数",
                             hint=f"写等待另一次运行的秒数,如 REPORTKIT_LOCK_WAIT=600(不设置时等 {LOCK_WAIT:.0f} 秒)")
    return seconds


def _unwritable(paths: ReportPaths, exc: OSError):
    return OutputFolderError(f"输出文件夹 {paths.root} 不可写({'只读的磁盘或共享文件夹' if exc.errno == errno.EROFS else '没有写权限'}),"
                             f"无法生成或更新报告", county=paths.county, year=paths.year,
                             hint=f"换一个可写的输出文件夹(make report 前设置 REPORTKIT_BUILD=…,或 --build),"
                                  f"或请管理员开放 {paths.root} 的写权限;上一次生成的文档未被改动")


def _holder_text(info: dict | None) -> str:
    if not info:
        return "另一次运行"
    return (f"另一次运行(主机 {info.get('host', '?')},进程 {info.get('pid', '?')},"
            f"开始于 {info.get('started_text', '?')})")


@contextlib.contextmanager
def report_lock(paths: ReportPaths, *, wait: float | None = None):
    """Hold the county-year's lock while building, promoting or reading its outputs: a lock file
    created with O_EXCL (no fcntl/msvcrt: it works the same on a shared folder and on Windows)
    holding pid, host and start time. Another run of the same county-year waits for it (saying so
    once, through logging) and takes over a lock whose run is gone; after ``wait`` seconds it gives up with
    ReportBusyError. Re-entrant within a thread (build_report holds it while run_report runs)."""
    import socket
    import threading
    import uuid
    global _held_guard
    if _held_guard is None:
        _held_guard = threading.Lock()
    path = lock_path(paths)
    key = (str(path), threading.get_ident())
    with _held_guard:
        if _held.get(key):
            _held[key] += 1
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield path
        finally:
            with _held_guard:
                _held[key] -= 1
        return
    if wait is None:
        wait = lock_wait()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _unwritable(paths, exc) from exc
    mine = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.time(),
            "started_text": dt.datetime.now().isoformat(timespec="seconds"),
            "process_start": _process_start(os.getpid()), "token": uuid.uuid4().hex,
            "county": paths.county, "year": paths.year}
    deadline = time.monotonic() + wait
    told = False
    while True:
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
        except FileExistsError:
            holder = _read_lock(path)
        except OSError as exc:          # read-only; or (Windows) the lock file being deleted this instant
            if exc.errno == errno.EROFS or not os.access(path.parent, os.W_OK) or not path.exists():
                raise _unwritable(paths, exc) from exc
            holder = None
        else:
            holder = False
        if holder is not False:
            if holder is None:          # being written this instant, or its writer died right then
                try:
                    if time.time() - path.stat().st_mtime > 30:
                        _break(path, {"token": None})
                        continue
                except OSError:
                    continue            # gone meanwhile
            elif _stale(holder):
                _break(path, holder)
                continue
            if time.monotonic() >= deadline:
                raise ReportBusyError(
                    f"{paths.county} {paths.year} 年的报告正由{_holder_text(holder)}生成,等待 {wait:.0f} 秒后仍未结束",
                    county=paths.county, year=paths.year, file=path,
                    hint=f"等那次运行结束后重试;如果那次运行已经不在了(进程已结束、机器已关),删除锁文件 {path} 后重试")
            if not told:
                log.info(f"{paths.county} {paths.year} 年的报告正由{_holder_text(holder)}生成,等它结束……")
                told = True
            time.sleep(0.2)
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(mine, ensure_ascii=False))
        break
    with _held_guard:
        _held[key] = 1
    try:
        yield path
    finally:
        with _held_guard:
            _held.pop(key, None)
        info = _read_lock(path)
        if info and info.get("token") == mine["token"]:
            path.unlink(missing_ok=True)


# ------------------------------------------------------------------ crash-safe promotion

#: ``.reportkit/promotion.json``: written (atomically) before the first output is moved, removed
#: after the last; while it exists the folder may hold a mix, and the next run (or any command
#: that reads the folder) completes the promotion first.
JOURNAL_NAME = "promotion.json"
#: Test hook: the process ends (os._exit) just before promotion step N (1: writing the journal).
DIE_AT_ENV = "REPORTKIT_TEST_DIE_AT_STEP"
_steps = 0


def journal_path(paths: ReportPaths) -> Path:
    return paths.state_dir / JOURNAL_NAME


def _step(what: str) -> None:
    """One step of a promotion; the kill-at-every-step tests end the process here."""
    global _steps
    _steps += 1
    if os.environ.get(DIE_AT_ENV) == str(_steps):
        os._exit(137)


def state_record(docx_sha256: str, fp: dict, run_id: str, outcome: dict | None = None) -> dict:
    return {"version": STATE_VERSION, "run_id": run_id, "docx_sha256": docx_sha256,
            "fingerprint": fp, "built": dt.datetime.now().isoformat(timespec="seconds"),
            "outcome": outcome or {}}


def _rel(path: Path, root: Path) -> str:
    """(mkdtemp gives an absolute path from Python 3.12 on, whatever the build root was given as)"""
    return Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()


def promote(stage: ReportPaths, paths: ReportPaths, run_id: str, names: list[str], fp: dict,
            outcome: dict | None = None) -> None:
    """Move a finished run's outputs from its staging folder into the report folder, all or
    nothing, together with the record of what was written (state.json, generated.docx).

    ``names``: the outputs (relative to the report folder) in the order they are moved; those
    the run did not make are removed from the report folder (kept as the previous version until
    the promotion is complete). The journal is written first; each old file or folder is moved
    aside (into the staging folder) before the new one takes its place, so that an error undoes
    every step (the previous outputs exactly as they were), and a killed process leaves a
    journal by which the next run completes the promotion (``recover``).
    """
    stage.state_dir.mkdir(parents=True, exist_ok=True)
    with atomic_path(stage.generated_docx) as tmp:
        shutil.copyfile(stage.docx, tmp)
    record_ = state_record(sha256_file(stage.docx), fp, run_id, outcome)
    write_text(stage.state_file, json.dumps(record_, ensure_ascii=False, indent=1))
    own = [_rel(p, paths.out_dir) for p in (paths.manifest(run_id), paths.docx, paths.generated_docx,
                                             paths.state_file)]
    items = []
    for name in [n for n in names if n not in own] + own:
        made = (stage.out_dir / name).exists()
        if made or (paths.out_dir / name).exists():
            items.append([name, "move" if made else "remove"])
    for name in ("report.failed.ipynb", "report.failed.html"):
        if (paths.out_dir / name).exists():
            items.append([name, "remove"])
    # Windows: an output open in Word/WPS/Excel cannot be replaced; refused before anything moves
    check_replaceable([paths.out_dir / name for name, _ in items], county=paths.county, year=paths.year)
    journal = {"version": 1, "run_id": run_id, "staging": _rel(stage.root, paths.root), "items": items,
               "docx_sha256": record_["docx_sha256"]}
    _step("journal")
    write_text(journal_path(paths), json.dumps(journal, ensure_ascii=False, indent=1))
    _carry_out(paths, journal, undo_on=BaseException)


def _places(paths: ReportPaths, journal: dict, name: str) -> tuple[Path, Path, Path]:
    """(new in staging, published, previous kept aside in staging) of one item."""
    staging = paths.root / journal["staging"]
    staged = dataclasses.replace(paths, root=staging).out_dir       # the same layout (a report or a city view)
    return staged / name, paths.out_dir / name, staging / ".previous" / name


def _forward(paths: ReportPaths, journal: dict) -> None:
    """Every step of the promotion, each done only if not done yet (so a second pass after a
    kill completes the first): the previous output aside, then the new one in."""
    for name, kind in journal["items"]:
        new, dest, previous = _places(paths, journal, name)
        if dest.exists() and not previous.exists() and (kind == "remove" or new.exists()):
            previous.parent.mkdir(parents=True, exist_ok=True)
            _step(f"aside {name}")
            replace(dest, previous)
        if kind == "move" and new.exists():
            dest.parent.mkdir(parents=True, exist_ok=True)
            _step(f"in {name}")
            replace(new, dest)


def _back(paths: ReportPaths, journal: dict) -> None:
    """Undo the steps done, last first: every previous output back in its place."""
    for name, kind in reversed(journal["items"]):
        new, dest, previous = _places(paths, journal, name)
        if kind == "move" and not new.exists() and dest.exists():
            new.parent.mkdir(parents=True, exist_ok=True)
            replace(dest, new)
        if previous.exists() and not dest.exists():
            replace(previous, dest)
    journal_path(paths).unlink(missing_ok=True)


def _carry_out(paths: ReportPaths, journal: dict, undo_on: type[BaseException]) -> None:
    """The journal's steps done; on ``undo_on`` all undone (the previous outputs back in place)
    and the error raised; then the journal and the staging folder removed."""
    try:
        _forward(paths, journal)
    except undo_on:
        _back(paths, journal)
        raise
    _step("done")
    journal_path(paths).unlink(missing_ok=True)
    _step("cleanup")
    shutil.rmtree(paths.root / journal["staging"], ignore_errors=True)


def recover(paths: ReportPaths) -> str:
    """Complete the promotion a killed run left (call with the county-year's lock held).

    Returns "" (nothing pending), "completed" (the new outputs are all in place, with their
    record) or "voided" (the run's staging folder is gone, so neither the new nor all the
    previous outputs can be put in place: the record is kept so that reportkit's own document
    is still told from an editor's, and marked so that the next build rebuilds)."""
    jpath = journal_path(paths)
    try:
        journal = json.loads(jpath.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return ""
    except (OSError, ValueError):
        journal = None
    journal = journal if isinstance(journal, dict) else {}
    staging = journal.get("staging")
    if not isinstance(journal.get("items"), list) or not isinstance(staging, str) \
            or not staging.startswith(".staging/") or not (paths.root / staging).is_dir():
        _void(paths, journal)
        jpath.unlink(missing_ok=True)
        return "voided"
    _carry_out(paths, journal, undo_on=OSError)    # interrupted again: the journal stays for the next run
    return "completed"


def _void(paths: ReportPaths, journal: dict) -> None:
    """The record made to say: rebuild (a void fingerprint); the .docx in place is reportkit's own
    if it is the one the journal names (or the one last recorded)."""
    state = load(paths) or {"version": STATE_VERSION, "run_id": "", "docx_sha256": "", "outcome": {}}
    if journal.get("docx_sha256") and paths.docx.exists() and sha256_file(paths.docx) == journal["docx_sha256"]:
        with atomic_path(paths.generated_docx) as tmp:
            shutil.copyfile(paths.docx, tmp)
        state.update(docx_sha256=journal["docx_sha256"], run_id=journal.get("run_id", ""))
    state["fingerprint"] = {"hash": "", "parts": {}}
    write_text(paths.state_file, json.dumps(state, ensure_ascii=False, indent=1))
