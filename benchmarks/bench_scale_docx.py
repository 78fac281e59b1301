"""Benchmark harvest and audit on big edited documents; writes benchmarks/RESULTS_SCALE_DOCX.md.

An editor's document can be far longer than the report reportkit wrote (pasted annexes, a whole
year's minutes). Harvest and audit must stay linear in the document: a 15 MB .docx within the
reader's size caps in under 30 s and 500 MB each. This script

1. builds xinchang 2024 (in process, as ``make report`` does) into a temporary build folder;
2. makes edited copies of its .docx with 5,000 / 20,000 / 80,000 paragraphs typed into the
   narrative sections (outside the content controls, as Word does when an editor presses Enter
   after the last paragraph of a section), with numbers in them, and one ~15 MB copy whose
   paragraphs are long and hardly compressible (the size cap, not the paragraph count, binds);
3. times ``harvest(write=False)`` and ``audit(write=False)`` on each, every measurement a fresh
   process (imports included) with its peak resident set from wait4, interleaved: the code
   before the change (``--old``, default the merge-base with main, exported with git archive into
   a temporary folder) and this checkout, one after the other for each size and repeat.

Runs of the old code that pass ``--timeout`` seconds are stopped and recorded as such.
Usage: python benchmarks/bench_scale_docx.py [--sizes 5000 20000 80000] [--big-mb 15] [--repeat 1]
       [--old <commit>] [--timeout 300] [--no-old]
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "RESULTS_SCALE_DOCX.md"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
LIMIT_SECONDS, LIMIT_MB = 30.0, 500.0
COUNTY, YEAR = "xinchang", 2024

#: Common characters of report prose, for text that compresses like real text (small docs) or
#: hardly at all (the 15 MB one: drawn at random).
HANZI = ("科技创新企业研发投入平台建设人才引进项目资金成果转化高新技术产业园区孵化服务体系改革政策落实工作推进"
         "全面加强持续深化完善提升培育打造实施组织开展重点领域关键核心攻关合作交流示范应用数字经济绿色发展")


def build_report(tmp: Path) -> Path:
    """xinchang 2024 generated into tmp/build (the steps of the notebook, in this process)."""
    sys.path.insert(0, str(ROOT))
    from reportkit.run import state
    from reportkit.run.fingerprint import DataIndex, code_hash
    from reportkit.run.pipeline import ReportRun
    data = tmp / "data"
    shutil.copytree(ROOT / "data", data)
    run = ReportRun(COUNTY, YEAR, data_dir=data, build_root=tmp / "build", run_id=f"{COUNTY}-{YEAR}-bench")
    run.load()
    run.compute()
    run.draw()
    run.write_outputs()
    state.record(run.paths, DataIndex.read(data).fingerprint(COUNTY, YEAR, code_hash()), run.run_id)
    return run.paths.docx


def _paragraph(text: str):
    from lxml import etree
    p = etree.Element(W + "p")
    r = etree.SubElement(p, W + "r")
    t = etree.SubElement(r, W + "t")
    t.text = text
    return p


def make_edited(src: Path, dest: Path, paragraphs: int, *, random_chars: int = 0, seed: int = 20) -> dict:
    """A copy of ``src`` with ``paragraphs`` paragraphs typed after the narrative paragraphs of
    every section (spread evenly); ``random_chars`` > 0 makes each paragraph that many random
    characters (hardly compressible) instead of a short sentence with numbers."""
    from lxml import etree
    rng = random.Random(seed)
    with zipfile.ZipFile(src) as z:
        parts = {i.filename: (i, z.read(i.filename)) for i in z.infolist()}
    root = etree.fromstring(parts["word/document.xml"][1])
    body = root.find(W + "body")
    # narrative paragraphs: content controls whose tag is a slot id (not rk:… generated blocks)
    anchors = []
    for sdt in body.iter(W + "sdt"):
        tag = sdt.find(f"{W}sdtPr/{W}tag")
        if tag is not None and not tag.get(W + "val", "").startswith("rk:") and sdt.getparent() is body:
            anchors.append(sdt)
    per = [paragraphs // len(anchors) + (1 if k < paragraphs % len(anchors) else 0) for k in range(len(anchors))]
    n = 0
    for sdt, count in zip(anchors, per):
        at = sdt
        for _ in range(count):
            n += 1
            if random_chars:
                text = "".join(rng.choice(HANZI) for _ in range(random_chars)) + "。"
            else:
                text = (f"第{n}项工作：组织实施科技项目{n % 37 + 3}个，投入资金{n % 97}.5万元，"
                        f"新增合作企业{n % 13 + 1}家，{HANZI[n % 40:n % 40 + 12]}。")
            p = _paragraph(text)
            at.addnext(p)
            at = p
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as z:
        for name, (info, data) in parts.items():
            z.writestr(info, xml if name == "word/document.xml" else data)
    return {"paragraphs": paragraphs, "xml_mb": len(xml) / 2**20, "docx_mb": dest.stat().st_size / 2**20}


def export_old(commit: str, dest: Path) -> Path:
    """The reportkit package as of ``commit`` (git archive: no worktree is added to the repo; the
    data and build of the measurement are passed explicitly)."""
    dest.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", commit, "reportkit", "templates", "notebooks", "pyproject.toml"],
                             cwd=ROOT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


SCRIPT = """
import sys
from pathlib import Path
from reportkit.{mod} import {mod}
tmp = Path(sys.argv[1])
r = {mod}({county!r}, {year}, file=Path(sys.argv[2]), data_dir=tmp / "data", build_root=tmp / "build", write=False)
print(next(ln.split()[1] for ln in open("/proc/self/status") if ln.startswith("VmHWM:")))
"""


def _hwm(pid: int) -> int:
    """The process's peak resident set so far, in kB (VmHWM belongs to the program after exec: the
    forked parent's pages, which wait4's ru_maxrss keeps, are not in it)."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            return next(int(ln.split()[1]) for ln in fh if ln.startswith("VmHWM:"))
    except (OSError, StopIteration, ValueError):
        return 0


def timed(code_root: Path, what: str, tmp: Path, docx: Path, timeout: float) -> tuple[float, float, float, bool]:
    """(seconds, CPU seconds, peak MB, finished) of one harvest or audit in a fresh process running
    the reportkit of ``code_root`` (CPU seconds: user + system, less sensitive to a shared machine)."""
    env = dict(os.environ, PYTHONPATH=str(code_root), PYTHONDONTWRITEBYTECODE="1")
    cmd = [sys.executable, "-c", SCRIPT.format(mod=what, county=COUNTY, year=YEAR), str(tmp), str(docx)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=code_root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    finished = True
    deadline = t0 + timeout
    peak = 0
    try:
        while True:
            peak = max(peak, _hwm(proc.pid))
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                peak = max(peak, _hwm(proc.pid))
                os.killpg(proc.pid, signal.SIGKILL)
                _, status, usage = os.wait4(proc.pid, 0)
                finished = False
                break
            time.sleep(0.05)
    except BaseException:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    seconds = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if finished and code != 0:
        raise SystemExit(f"failed ({code_root.name} {what} {docx.name}):\n{proc.stderr.read().decode()[-3000:]}")
    out = proc.stdout.read().decode().split()
    if finished and out and out[-1].isdigit():
        peak = max(peak, int(out[-1]))
    return seconds, usage.ru_utime + usage.ru_stime, peak / 1024, finished


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="*", default=[5000, 20000, 80000])
    ap.add_argument("--big-mb", type=float, default=15.0, help="size of the hardly compressible document (0: none)")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--old", default=None, help="commit of the code before the change (default: merge-base with main)")
    ap.add_argument("--no-old", action="store_true")
    ap.add_argument("--new", default=None, help="commit to measure as the new code (default: this checkout as it is)")
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))     # stopped: the temporary folder and the child go too
    old = None if args.no_old else (args.old or subprocess.run(["git", "merge-base", "HEAD", "main"], cwd=ROOT,
                                                                 capture_output=True, text=True).stdout.strip())
    with tempfile.TemporaryDirectory(prefix="bench-scale-docx-") as t:
        tmp = Path(t)
        src = build_report(tmp)
        docs = []
        for n in args.sizes:
            docs.append((f"{n:,} 段", tmp / f"p{n}.docx"))
            docs[-1] += (make_edited(src, docs[-1][1], n),)
        if args.big_mb:
            chars = 120
            n = int(args.big_mb * 2**20 / 150)         # ~150 compressed bytes per paragraph of 120 random characters
            path = tmp / "big.docx"
            info = make_edited(src, path, n, random_chars=chars)
            docs.append((f"{info['docx_mb']:.1f} MB", path, info))
        codes = [("改动前", export_old(old, tmp / "old")) if old else None,
                 ("改动后", export_old(args.new, tmp / "new") if args.new else ROOT)]
        codes = [c for c in codes if c]
        rows = []
        for label, path, info in docs:
            for what in ("harvest", "audit"):
                for _ in range(args.repeat):
                    for name, code_root in codes:
                        s, cpu, mb, done = timed(code_root, what, tmp, path, args.timeout)
                        rows.append((label, info, what, name, s, cpu, mb, done))
                        print(f"{label:>10} {what:8} {name}: {s:7.1f} s {cpu:7.1f} cpu-s {mb:7.0f} MB"
                              + ("" if done else " (stopped)"), flush=True)
    write_results(args, old, rows)


def write_results(args, old, rows) -> None:
    lines = [
        "# Harvest and audit on big documents (benchmarks/bench_scale_docx.py)",
        "",
        f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC · {platform.platform()} · Python {platform.python_version()} · "
        f"{os.cpu_count()} CPUs (shared with other jobs while measured)",
        "",
        f"Each row is one fresh process (imports included): `harvest(write=False)` or `audit(write=False)` of "
        f"{COUNTY} {YEAR} on an edited copy of its report; time is wall time, CPU is user + system. "
        f"Old (改动前) = {old or '—'}, new (改动后) = {args.new or 'this checkout'}, interleaved. Limits: {LIMIT_SECONDS:.0f} s and "
        f"{LIMIT_MB:.0f} MB for the 15 MB document. Peak is the process's VmHWM (its largest resident set after exec). A run stopped at the timeout ({args.timeout:.0f} s) is marked “>”.",
        "",
        "| 文档 | 段落 | document.xml | .docx | 步骤 | 代码 | 秒 | CPU 秒 | 峰值 MB |",
        "|---|---:|---:|---:|---|---|---:|---:|---:|",
    ]
    for label, info, what, name, s, cpu, mb, done in rows:
        lines.append(f"| {label} | {info['paragraphs']:,} | {info['xml_mb']:.1f} MB | {info['docx_mb']:.1f} MB | {what} | {name} | "
                     f"{'' if done else '>'}{s:.1f} | {'' if done else '>'}{cpu:.1f} | {mb:.0f} |")
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
