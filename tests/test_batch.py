"""reportkit.run.batch: parallel builds, incremental rebuilds, failures, and the Dask executor."""
import json
import subprocess
import sys

import pytest
from docx import Document

from helpers import copy_real_data
from reportkit.run import batch
from reportkit import config


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("batch")
    data = copy_real_data(root / "data")
    build = root / "build"
    first = batch.run_batch(2024, data_dir=data, build_root=build, progress=False)
    return data, build, first


def statuses(jobs):
    return {j.county: j.status for j in jobs}


def test_builds_every_county_with_data_for_the_year(workspace):
    data, build, first = workspace
    assert statuses(first) == {"pingyang": "built", "xinchang": "built"}   # jiangbei has 2020 only
    for j in first:
        assert (build / j.county / "2024" / f"{j.county}_2024.docx").exists()
        assert 50 < j.peak_mb < 1000


def test_nothing_changed_rebuilds_nothing(workspace, monkeypatch):
    data, build, _ = workspace
    monkeypatch.setattr(batch.WorkerProcess, "build", lambda *a: pytest.fail("rebuilt"))
    again = batch.run_batch(2024, data_dir=data, build_root=build, progress=False)
    assert statuses(again) == {"pingyang": "skipped", "xinchang": "skipped"}


def test_one_county_changed_rebuilds_only_that_county(workspace):
    data, build, _ = workspace
    p = data / "values" / "xinchang.csv"
    p.write_text(p.read_text(encoding="utf-8").replace("xinchang,2024,listed_companies,全年,15",
                                                       "xinchang,2024,listed_companies,全年,16"), encoding="utf-8")
    before = (build / "pingyang" / "2024" / "pingyang_2024.docx").stat().st_mtime_ns
    jobs = batch.run_batch(2024, data_dir=data, build_root=build, progress=False)
    assert statuses(jobs) == {"pingyang": "skipped", "xinchang": "built"}
    assert (build / "pingyang" / "2024" / "pingyang_2024.docx").stat().st_mtime_ns == before
    payload = json.loads((build / "xinchang" / "2024" / "figures.json").read_text(encoding="utf-8"))
    assert "上市企业16家" in payload["paragraph"]


def test_broken_county_fails_alone_and_the_summary_says_why(workspace):
    data, build, _ = workspace
    p = data / "values" / "pingyang.csv"
    good = p.read_text(encoding="utf-8")
    p.write_text(good.replace("pingyang,2024,hte_renewed,全年,76", "pingyang,2024,hte_renewed,全年,七十六"),
                 encoding="utf-8")
    try:
        r = subprocess.run([sys.executable, "-m", "reportkit", "all", "--year", "2024", "--force",
                            "--no-progress", "--data", str(data), "--build", str(build)],
                           capture_output=True, text=True, cwd=config.ROOT)
    finally:
        p.write_text(good, encoding="utf-8")
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    failed = next(ln for ln in lines if ln.startswith("pingyang"))
    assert "失败" in failed and "pingyang.csv" in failed and "“七十六”不是数字" in failed
    assert any(ln.startswith("xinchang") and "已生成" in ln for ln in lines)
    assert "失败 1" in lines[-1]


def test_dask_local_cluster_gives_the_same_outputs(workspace, tmp_path):
    distributed = pytest.importorskip("distributed")
    data, build, _ = workspace
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        jobs = batch.run_batch(2024, data_dir=data, build_root=tmp_path, scheduler=cluster.scheduler_address,
                               force=True, progress=False)
    assert statuses(jobs) == {"pingyang": "built", "xinchang": "built"}
    local = batch.run_batch(2024, data_dir=data, build_root=tmp_path / "local", force=True, progress=False)
    assert statuses(local) == {"pingyang": "built", "xinchang": "built"}
    for county in ("pingyang", "xinchang"):
        a = json.loads((tmp_path / county / "2024" / "figures.json").read_text(encoding="utf-8"))
        b = json.loads((tmp_path / "local" / county / "2024" / "figures.json").read_text(encoding="utf-8"))
        a.pop("run_id"), b.pop("run_id")
        assert a == b
        da = Document(tmp_path / county / "2024" / f"{county}_2024.docx")
        db = Document(tmp_path / "local" / county / "2024" / f"{county}_2024.docx")
        assert [p.text for p in da.paragraphs] == [p.text for p in db.paragraphs]
        assert [[c.text for c in r.cells] for r in da.tables[0].rows] == \
            [[c.text for c in r.cells] for r in db.tables[0].rows]


def test_summary_table_lists_status_seconds_and_output(tmp_path):
    jobs = [batch.Job("a", 2024, "built", 3.21, str(tmp_path / "a" / "2024" / "a_2024.docx")),
            batch.Job("b", 2024, "failed", 1.0, message="错误:文件 x.csv,第 3 行:…"),
            batch.Job("c", 2024, "skipped", 0, str(tmp_path / "c" / "2024" / "c_2024.docx"))]
    text = batch.summary(jobs, tmp_path)
    assert "a  " in text and "已生成" in text and "3.2" in text and "a/2024/a_2024.docx" in text
    assert "错误:文件 x.csv,第 3 行" in text and "未变跳过" in text
    assert text.splitlines()[-1] == "共 3 份:生成 1,未变跳过 1,失败 1。"
