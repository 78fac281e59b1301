"""Benchmark `make import` of a 20 KB published report; writes benchmarks/RESULTS_IMPORT.md.

The report is the longest seed (../shared/seeds/000_….txt, a county bureau's 工作总结和工作思路 as
published, 18.8 KB) with paragraphs of another seed's summary added into its last section until the
file is 20 KB (20,480 bytes of UTF-8); without the seeds, a report of the same size is put together
from figure statements of the statistical-wording note. It is imported into a copy of data/
without that county's rows and narrative, as a clerk onboarding a county would.

Measured, interleaved, as wall time of the whole command (process start, imports, reading,
conversion, the statement grammar, the scratch-copy check of every reference, writing):

- import:  `reportkit import --county pingyang --year 2024 --file report.txt --data <copy>`
           (a fresh copy each time: nothing to reuse);
- preview: the same with --preview (writes nothing);
- in-process: import_report() alone, the interpreter and its imports already warm;
- floor:   `python -c "import reportkit.inputs.data"`: starting Python and importing the data loader
           (pandas) that every reportkit command needs before it reads data/.

Target: an import under 2 s. Usage: python benchmarks/bench_import.py [--repeat 5]
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SEEDS = ROOT.parent / "shared" / "seeds"
SIZE = 20 * 1024
TARGET = 2.0


def report_text() -> tuple[str, str]:
    main = SEEDS / "000_99b21ee68ab6dee0.txt"
    extra = SEEDS / "004_3258986bbc9119fe.txt"
    if main.exists() and extra.exists():
        text = main.read_text(encoding="utf-8")
        plan = text.index("二、2025年工作思路")
        adds = [ln for ln in extra.read_text(encoding="utf-8").splitlines()
                if len(ln) > 80 and not ln.startswith(("一、", "二、", "("))]
        body, k = text[:plan], 0
        while len((body + text[plan:]).encode("utf-8")) < SIZE:
            body += adds[k % len(adds)] + "\n"
            k += 1
        return body + text[plan:], "seed 000 + paragraphs of seed 004"
    lines = ["2024年,县科技局围绕创新深化,全面提升科技创新能力。现将2024年工作总结和2025年工作思路汇报如下:",
             "一、2024年工作总结", "(一)主要科技创新指标稳步增长。"]
    k = 0
    while len("\n".join(lines).encode("utf-8")) < SIZE - 600:
        k += 1
        lines.append(f"1-10月规上工业企业研发费用累计申报{10 + k % 7}.{k % 100:02d}亿元,累计增速{k % 9}.{k % 10}%,"
                     f"研发强度3.{k % 90 + 10}%,较去年同期提升0.{k % 9 + 1}个百分点。新增孵化企业备案{100 + k}家,"
                     f"完成率11{k % 10}%,全市排名第{k % 11 + 1}。")
    lines += ["二、2025年工作思路", "(一)围绕高质量建设创新主体。", "高新技术企业总数力争达到170家以上。"]
    return "\n".join(lines) + "\n", "synthetic (no seeds)"


def fresh_data(tmp: Path) -> Path:
    dest = tmp / f"data-{time.monotonic_ns()}"
    shutil.copytree(ROOT / "data", dest)
    for sub in ("values", "targets"):
        for f in (dest / sub).glob("pingyang*"):
            f.unlink()
    shutil.rmtree(dest / "narrative" / "pingyang", ignore_errors=True)
    return dest


def timed(cmd: list[str], env) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    text, origin = report_text()
    results = {"import": [], "preview": [], "in-process": [], "floor": []}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        report = tmp / "report.txt"
        report.write_text(text, encoding="utf-8")
        env = dict(os.environ, REPORTKIT_BUILD=str(tmp / "build"))
        exe = str(BIN / "reportkit")
        from reportkit.editing.importer import import_report
        import_report("pingyang", 2024, report, data_dir=fresh_data(tmp), preview=True)   # warm
        for _ in range(args.repeat):
            base = ["--county", "pingyang", "--year", "2024", "--file", str(report)]
            results["import"].append(timed([exe, "import", *base, "--data", str(fresh_data(tmp))], env))
            results["preview"].append(timed([exe, "import", *base, "--data", str(fresh_data(tmp)), "--preview"], env))
            results["floor"].append(timed([sys.executable, "-c", "import reportkit.inputs.data"], env))
            data = fresh_data(tmp)
            t = time.perf_counter()
            result = import_report("pingyang", 2024, report, data_dir=data, preview=True)
            results["in-process"].append(time.perf_counter() - t)
    med = {k: statistics.median(v) for k, v in results.items()}
    ok = med["import"] < TARGET
    lines = [
        "# `make import` of a 20 KB report",
        "",
        f"Run {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC on {platform.machine()}, {os.cpu_count()} cores "
        f"(shared with other work while measured), Python {platform.python_version()}; "
        f"`python benchmarks/bench_import.py --repeat {args.repeat}`.",
        "",
        f"Report: {len(text.encode('utf-8'))} bytes ({origin}); {len(result.taken)} figures taken, "
        f"{len(result.catalog)} catalog rows added, {len(result.literal)} numbers left as text.",
        "",
        "| what | median (s) | min (s) | max (s) |",
        "|---|---|---|---|",
    ]
    for k, v in results.items():
        lines.append(f"| {k} | {med[k]:.2f} | {min(v):.2f} | {max(v):.2f} |")
    lines += ["", f"Target: an import under {TARGET:.0f} s — {'met' if ok else 'NOT met'} "
              f"(median {med['import']:.2f} s; of it {med['floor']:.2f} s is the floor of any command that "
              f"reads data/, and {med['in-process']:.2f} s the import itself)."]
    out = ROOT / "benchmarks" / "RESULTS_IMPORT.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
