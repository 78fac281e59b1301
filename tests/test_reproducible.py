"""Same inputs, same bytes: a reviewer can verify a published report by checksum."""
import hashlib
import json
import subprocess
import sys

from helpers import copy_real_data
from reportkit import config
from reportkit.run import environment
from reportkit.charts.plan import draw_charts
from reportkit.document import builder
from reportkit.model.report import compute_report_figures

STABLE = ("jiangbei_2020.docx", "figures.csv", "figures.json", "changes.csv")


def digests(out_dir):
    files = [out_dir / n for n in STABLE] + sorted((out_dir / "charts").glob("*.png"))
    return {p.relative_to(out_dir).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def test_twice_in_one_process_gives_the_same_bytes(tmp_path):
    rf = compute_report_figures("jiangbei", 2020)
    charts = draw_charts(rf, tmp_path / "charts")
    a = builder.build_document(rf, charts, tmp_path / "a.docx", run_id="r").path.read_bytes()
    b = builder.build_document(rf, charts, tmp_path / "b.docx", run_id="r").path.read_bytes()
    assert a == b


def test_two_processes_two_folders_give_the_same_bytes(tmp_path):
    data = copy_real_data(tmp_path / "data")
    outs = []
    for n in (1, 2):
        build = tmp_path / f"build{n}"
        r = subprocess.run([sys.executable, "-m", "reportkit", "report", "--county", "jiangbei", "--year", "2020",
                            "--data", str(data), "--build", str(build), "--force", "--quiet"],
                           capture_output=True, text=True, cwd=config.ROOT, timeout=600)
        assert r.returncode == 0, r.stderr
        outs.append(config.report_paths("jiangbei", 2020, build).out_dir)
    first, second = (digests(o) for o in outs)
    assert first == second and len(first) >= 6
    for name in ("figures.csv", "figures.json"):
        text = (outs[0] / name).read_text(encoding="utf-8-sig")
        assert str(tmp_path) not in text and "/root" not in text      # no machine paths
    # the software it was made with, in the executed notebook as in figures.json
    nb = json.loads(config.report_paths("jiangbei", 2020, tmp_path / "build1").notebook.read_text(encoding="utf-8"))
    assert nb["metadata"]["reportkit"]["environment"] == environment.versions()
