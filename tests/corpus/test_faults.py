"""Faults and misuse: each ends in a Chinese message, never a traceback, and leaves the last good outputs."""
import errno
import hashlib
import json
import os
import subprocess
import sys

import pytest

from helpers import copy_real_data
from reportkit.run import batch, execute
from reportkit import cli, config
from reportkit.exceptions import NoDataError, PipelineError


def digest(out_dir):
    return {str(p.relative_to(out_dir)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out_dir.rglob("*")) if p.is_file() and "failed" not in p.name}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """jiangbei 2020 built once by a real run (kernel) into its own data/build."""
    root = tmp_path_factory.mktemp("faults")
    data = copy_real_data(root / "data")
    r = execute.run_report("jiangbei", 2020, data_dir=data, build_root=root / "build")
    return root, r


@pytest.mark.parametrize("code,message", [
    (errno.ENOSPC, "磁盘空间不足,无法写入"),
    (errno.EACCES, "没有权限写入"),
    (errno.EROFS, "所在的磁盘是只读的"),
])
def test_file_system_failures_are_chinese_messages(monkeypatch, capsys, tmp_path, code, message):
    def fail(*a, **k):
        raise OSError(code, os.strerror(code), str(tmp_path / "build" / "x.docx"))
    monkeypatch.setattr(execute, "run_report", fail)
    rc = cli.main(["report", "--county", "jiangbei", "--year", "2020", "--build", str(tmp_path / "build")])
    err = capsys.readouterr().err
    assert rc == 1 and message in err and "x.docx" in err and "Traceback" not in err


def test_dead_kernel_keeps_the_last_good_outputs(built, tmp_path):
    root, good = built
    before = digest(good.out_dir)
    dying = tmp_path / "dying.ipynb"
    nb = json.loads(execute.REPORT_NOTEBOOK.read_text(encoding="utf-8"))
    nb["cells"].insert(4, {"cell_type": "code", "id": "die", "metadata": {}, "execution_count": None, "outputs": [],
                           "source": ["import os\n", "os._exit(1)"]})
    dying.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(PipelineError) as ei:
        execute.run_report("jiangbei", 2020, data_dir=root / "data", build_root=root / "build", notebook=dying)
    assert "内核意外退出" in str(ei.value) and "上一次生成的文档和其他输出都未被改动" in str(ei.value)
    assert digest(good.out_dir) == before


def test_leftovers_of_a_killed_run_are_cleared(built):
    root, good = built
    tmp = good.out_dir / ".jiangbei_2020.docx.x1y2.tmp"
    tmp.write_bytes(b"half a document")
    stale = root / "build" / ".staging" / "jiangbei-2020-19990101T000000-abcdef"
    stale.mkdir(parents=True)
    before = good.docx.read_bytes()
    execute.run_report("jiangbei", 2020, data_dir=root / "data", build_root=root / "build")
    assert not tmp.exists() and not stale.exists()
    assert good.docx.read_bytes() != b"" and good.docx.stat().st_mode & 0o044 == 0o044
    assert before[:2] == b"PK"


def test_one_countys_broken_file_does_not_stop_the_batch(tmp_path):
    data = copy_real_data(tmp_path / "data")
    broken = data / "values" / "pingyang.csv"
    lines = broken.read_text(encoding="utf-8").splitlines()
    broken.write_text("\n".join(ln.rsplit(",", 1)[0] for ln in lines) + "\n", encoding="utf-8")   # no source column
    jobs = batch.run_batch(2024, data_dir=data, build_root=tmp_path / "build", progress=False)
    status = {j.county: j for j in jobs}
    assert status["pingyang"].status == "failed" and "缺少必需的列“source”" in status["pingyang"].message
    assert status["xinchang"].status == "built"
    text = batch.summary(jobs, tmp_path / "build")
    assert "失败" in text and "已生成" in text and "共 2 份:生成 1,未变跳过 0,失败 1。" in text
    broken.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 64)                # not even readable: still isolated
    jobs = batch.run_batch(2024, data_dir=data, build_root=tmp_path / "build", progress=False)
    assert {j.county: j.status for j in jobs} == {"pingyang": "failed", "xinchang": "skipped"}
    assert any("无法读取 pingyang.csv" in n for n in batch.notes(2024, data))


def test_batch_lists_unregistered_counties_and_data_without_narrative(tmp_path):
    data = copy_real_data(tmp_path / "data")
    (data / "values" / "extra.csv").write_text(
        "county,year,indicator,value,source\nwenchen,2024,hte_total,12,示例\nruian,2024,hte_total,300,示例\n",
        encoding="utf-8")
    notes = batch.notes(2024, data)
    assert "values/extra.csv 中的县区“wenchen”未在 counties.csv 登记,没有生成报告" in notes
    assert any(n.startswith("有 2024 年数据但没有叙述文件、未生成的县区:ruian") for n in notes)


def test_a_year_without_reports_says_so(tmp_path):
    with pytest.raises(NoDataError) as ei:
        batch.run_batch(2031, progress=False, build_root=tmp_path)
    assert "2031 年没有要生成的报告" in str(ei.value)
    r = subprocess.run([sys.executable, "-m", "reportkit", "all", "--year", "2019", "--build", str(tmp_path)],
                       capture_output=True, text=True, cwd=config.ROOT)
    assert r.returncode == 1 and "2019 年没有要生成的报告" in r.stderr and "有 2019 年数据的县区:jiangbei" in r.stderr


@pytest.mark.parametrize("argv,message", [
    (["report", "--county", "xinchang"], "错误:缺少必需的参数:--year"),
    (["report", "--county", "xinchang", "--year", "2024", "--bogus"], "错误:不认识的参数:--bogus"),
    (["all", "--year", "二〇二四"], "错误:参数 --year 的值“二〇二四”不是整数"),
    (["repot"], "错误:没有“repot”这个命令或选项"),
    (["report", "--county", "../x", "--year", "2024"], "县区代码 COUNTY=“../x”不合法"),
])
def test_usage_errors_are_chinese(argv, message):
    r = subprocess.run([sys.executable, "-m", "reportkit", *argv], capture_output=True, text=True, cwd=config.ROOT)
    assert r.returncode == 2 and message in r.stderr and "Traceback" not in r.stderr
    assert "usage" not in r.stderr


def test_make_variables_cannot_run_commands(tmp_path):
    marker = tmp_path / "pwned"
    r = subprocess.run(["make", "-s", "figures", f'COUNTY=x" ; touch {marker} ; echo "', "YEAR=2024"],
                       capture_output=True, text=True, cwd=config.ROOT)
    assert r.returncode != 0 and not marker.exists() and "不合法" in r.stderr


def test_a_header_only_file_is_named_as_the_reason(tmp_path):
    data = copy_real_data(tmp_path / "data")
    path = data / "values" / "xinchang.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "reportkit", "report", "--county", "xinchang", "--year", "2024",
                        "--data", str(data), "--build", str(tmp_path / "b")], capture_output=True, text=True,
                       cwd=config.ROOT)
    assert r.returncode == 1 and "xinchang.csv 只有表头,没有数据行" in r.stderr    # the data is at fault


def test_audit_copy_refuses_a_bomb_in_the_media(tmp_path):
    import zipfile
    from reportkit.document.reader import check_members
    from reportkit.exceptions import DocumentError
    path = tmp_path / "b.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>')
        z.writestr("word/media/image1.png", b"\0" * (200 * 1024 * 1024))
    with pytest.raises(DocumentError) as ei:
        check_members(path)
    assert "word/media/image1.png 解压后过大" in str(ei.value)
