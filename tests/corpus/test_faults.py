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


def _make(tmp_path, *args, env=None):
    """make with data/ and build/ in tmp (nothing of the checkout is touched), the venv taken as it is."""
    env = dict(os.environ, REPORTKIT_DATA=str(tmp_path / "data"), REPORTKIT_BUILD=str(tmp_path / "build"),
               **(env or {}))
    return subprocess.run(["make", "-s", "-o", ".venv/.installed", *args], capture_output=True, text=True,
                          cwd=config.ROOT, env=env, timeout=120)


#: (variable, value with {m} for the marker file, what the refusal names)
INJECTIONS = [
    ("COUNTY", "$(shell touch {m})xinchang", "含有“$”"),
    ("COUNTY", "${{shell touch {m}}}xinchang", "含有“$”"),
    ("COUNTY", "$$(touch {m})xinchang", "含有“$”"),
    ("COUNTY", "`touch {m}`xinchang", "含有反引号(`)"),
    ("COUNTY", "xinchang\ntouch {m}", "含有换行"),
    ("YEAR", "2024$(shell touch {m})", "含有“$”"),
    ("FILE", "$(shell touch {m}).docx", "含有“$”"),
    ("FILE", "a`touch {m}`.docx", "含有反引号(`)"),
    ("STRICT", "$(shell touch {m})", "含有“$”"),      # used by $(if …) in the recipe
    ("FORCE", "$(shell touch {m})", "含有“$”"),
    ("VERBOSE", "`touch {m}`", "含有反引号(`)"),
    ("JOBS", "1$(shell touch {m})", "含有“$”"),
    ("SCHEDULER", "tcp://x\ntouch {m}", "含有换行"),
    ("WITH", "$(shell touch {m})", "含有“$”"),        # a prerequisite of make setup
    ("PYTHON", "$(shell touch {m})", "含有“$”"),
]


@pytest.mark.parametrize("target", ["report", "harvest", "setup"])
@pytest.mark.parametrize("name,value,why", INJECTIONS)
@pytest.mark.parametrize("how", ["argument", "environment"])
def test_no_make_variable_runs_a_command(tmp_path, target, name, value, why, how):
    marker = tmp_path / "pwned"
    value = value.format(m=marker)
    given = {"COUNTY": "xinchang", "YEAR": "2024", name: value}
    if how == "argument":
        r = _make(tmp_path, target, *(f"{k}={v}" for k, v in given.items()))
    else:
        r = _make(tmp_path, target, env=given)
    assert not marker.exists()
    assert r.returncode == 2, r.stdout + r.stderr
    shown = value.replace("\n", "⏎")
    assert f"make 变量 {name} 的值“{shown}”{why},已拒绝(其中的命令不会执行)" in r.stderr
    assert "请去掉这些字符后重新运行" in r.stderr


def test_the_projects_own_make_settings_cannot_be_replaced(tmp_path):
    marker = tmp_path / "pwned"
    script = tmp_path / "evil.sh"
    script.write_text(f"#!/bin/sh\ntouch {marker}\n")
    script.chmod(0o755)
    for arg in (f"SHELL={script}", f"BIN=/nonexistent; touch {marker};", f"STAMP=x; touch {marker}",
                f"VENV=x; touch {marker};", f"CURDIR=$(shell touch {marker})", f".SHELLFLAGS=-c touch {marker};"):
        r = _make(tmp_path, "report", "COUNTY=nowhere", "YEAR=2024", arg)
        assert not marker.exists(), arg
        assert r.returncode == 2 and "找不到“counties.csv”" in r.stderr, (arg, r.stderr)   # reportkit ran as usual


def test_a_command_in_path_is_not_run_by_make(tmp_path):
    marker = tmp_path / "pwned"
    r = _make(tmp_path, "help", env={"PATH": f"$(shell touch {marker}):{os.environ['PATH']}"})
    assert r.returncode == 0 and "用法: make <目标>" in r.stdout and not marker.exists()


def test_make_refuses_an_unknown_extra_set(tmp_path):
    r = _make(tmp_path, "setup", "WITH=tset")
    assert r.returncode == 2 and "WITH=“tset”中的“tset”不是可安装的附加部分;可用:test cluster notebook" in r.stderr


def test_plain_values_still_reach_reportkit_unchanged(tmp_path):
    """Spaces, quotes and semicolons are no danger (the recipe quotes them) and arrive as typed."""
    marker = tmp_path / "pwned"
    r = _make(tmp_path, "audit", "COUNTY=xinchang", "YEAR=2024", f"FILE=a b'; touch {marker}; '.docx")
    assert not marker.exists() and r.returncode != 0
    assert f"a b'; touch {marker}; '.docx" in r.stderr, r.stderr


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


# ---------------------------------------------------------------- the run layer's messages

import contextlib  # noqa: E402
import shutil  # noqa: E402

from reportkit.outputs import state  # noqa: E402


@contextlib.contextmanager
def small_disk(path, size):
    """A real file system of ``size`` (tmpfs): disk full and read-only as the user meets them."""
    path.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True)
    if r.returncode:
        pytest.skip("cannot mount a small file system here (needs root)")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def report(data, build, *extra, env=None):
    return subprocess.run([sys.executable, "-m", "reportkit", "report", "--county", "jiangbei", "--year", "2020",
                           "--data", str(data), "--build", str(build), *extra], capture_output=True, text=True,
                          cwd=config.ROOT, timeout=600, env=env)


def test_a_full_disk_is_named_with_the_fix_and_the_last_outputs_stay(tmp_path):
    data = copy_real_data(tmp_path / "data")
    with small_disk(tmp_path / "disk", "2200k") as disk:
        first = report(data, disk / "build")
        assert first.returncode == 0, first.stderr        # room for one report, not for a second beside it
        out = config.report_paths("jiangbei", 2020, disk / "build").out_dir
        before = digest(out)
        r = report(data, disk / "build", "--force")
        assert r.returncode == 1 and "Traceback" not in r.stderr
        assert f"磁盘空间不足,无法写入 {disk / 'build'}" in r.stderr and "所在的磁盘已满" in r.stderr, r.stderr
        assert "nbconvert" not in r.stderr
        assert "请清理这个磁盘" in r.stderr and "REPORTKIT_BUILD" in r.stderr and "上一次生成的文档未被改动" in r.stderr
        assert "无法运行笔记本" not in r.stderr and "No space" not in r.stderr
        assert digest(out) == before and not any((disk / "build" / ".staging").iterdir())
        assert not list(out.rglob("*.tmp")) and not state.lock_path(config.report_paths("jiangbei", 2020, disk / "build")).exists()


def test_a_full_disk_inside_a_notebook_step_is_named_too():
    text = execute._os_error_text("OSError", "[Errno 28] No space left on device: '/b/.staging/x/jiangbei_2020.docx'")
    assert text.startswith("磁盘空间不足,无法写入 /b/.staging/x/jiangbei_2020.docx(所在的磁盘已满)")
    assert execute._os_error_text("ValueError", "[Errno 28] x") is None
    assert execute._os_error_text("OSError", "something else") is None


def test_a_read_only_build_folder_is_named(tmp_path):
    data = copy_real_data(tmp_path / "data")
    with small_disk(tmp_path / "disk", "8m") as disk:
        assert report(data, disk / "build").returncode == 0
        out = config.report_paths("jiangbei", 2020, disk / "build").out_dir
        before = digest(out)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        r = report(data, disk / "build", "--force")
        assert r.returncode == 1 and "Traceback" not in r.stderr
        assert f"输出文件夹 {disk / 'build'} 不可写(只读的磁盘或共享文件夹)" in r.stderr, r.stderr
        assert "REPORTKIT_BUILD" in r.stderr and "上一次生成的文档未被改动" in r.stderr
        assert "Invalid cross-device link" not in r.stderr and digest(out) == before


def test_a_read_only_report_folder_inside_a_writable_build_is_named(tmp_path):
    """build/jiangbei/2020 mounted read-only on its own (the moves would cross file systems:
    'Invalid cross-device link' was all the user saw)."""
    data = copy_real_data(tmp_path / "data")
    build = tmp_path / "build"
    assert report(data, build).returncode == 0
    out = config.report_paths("jiangbei", 2020, build).out_dir
    saved = tmp_path / "saved"
    shutil.copytree(out, saved)
    with small_disk(out, "8m"):
        shutil.copytree(saved, out, dirs_exist_ok=True)
        before = digest(out)
        subprocess.run(["mount", "-o", "remount,ro", str(out)], check=True)
        r = report(data, build, "--force")
        assert r.returncode == 1 and "Traceback" not in r.stderr
        assert f"输出文件夹 {out} 不可写(只读的磁盘或共享文件夹,或没有写权限),报告无法放入" in r.stderr, r.stderr
        assert "Invalid cross-device link" not in r.stderr and "文件操作失败" not in r.stderr
        assert digest(out) == before and not any((build / ".staging").iterdir())


def test_an_output_folder_on_another_file_system_than_staging_is_named(tmp_path, monkeypatch):
    paths = config.report_paths("jiangbei", 2020, tmp_path / "build")
    paths.out_dir.mkdir(parents=True)
    staging = tmp_path / "build" / ".staging" / "x"
    staging.mkdir(parents=True)
    real_stat = os.stat
    monkeypatch.setattr(os, "stat", lambda p, *a, **k: os.stat_result((*real_stat(p)[:2], 99, *real_stat(p)[3:]))
                        if str(p) == str(paths.out_dir) else real_stat(p, *a, **k))
    from reportkit.exceptions import OutputFolderError
    with pytest.raises(OutputFolderError) as ei:
        execute.check_writable(paths, staging)
    assert "与临时文件夹" in str(ei.value) and "不在同一个磁盘" in str(ei.value)


@pytest.mark.parametrize("setting", ["missing", "folder"])
def test_a_missing_template_is_named(tmp_path, setting):
    data = copy_real_data(tmp_path / "data")
    template = tmp_path / "house.docx"
    if setting == "folder":
        template.mkdir()
    r = report(data, tmp_path / "build", env=dict(os.environ, REPORTKIT_TEMPLATE=str(template)))
    what = "找不到" if setting == "missing" else "是一个文件夹,不是 Word 文档"
    assert r.returncode == 1 and f"文件 {template}:REPORTKIT_TEMPLATE 指定的 Word 模板{what}" in r.stderr, r.stderr
    assert "改正 REPORTKIT_TEMPLATE 的设置" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "build" / "jiangbei").exists() or not any((tmp_path / "build" / "jiangbei").rglob("*.docx"))


def test_the_checkouts_own_template_missing_is_named(monkeypatch, tmp_path):
    from reportkit.exceptions import TemplateError
    monkeypatch.delenv("REPORTKIT_TEMPLATE", raising=False)
    monkeypatch.setattr(config, "DEFAULT_TEMPLATE", tmp_path / "resources" / "gongwen.docx")   # as config falls back
    with pytest.raises(TemplateError) as ei:
        execute.check_template()
    assert str(ei.value).startswith(f"文件 {config.ROOT / 'templates' / 'gongwen.docx'}:Word 模板找不到")
    assert "git checkout templates/gongwen.docx" in str(ei.value)


@pytest.mark.parametrize("command", ["harvest", "audit", "pdf"])
def test_a_folder_given_as_file_is_named_with_its_documents(tmp_path, command):
    folder = tmp_path / "edits"
    folder.mkdir()
    (folder / "xinchang_2024_改.docx").write_bytes(b"")
    (folder / "~$ncheng_2024_改.docx").write_bytes(b"")         # Word's owner file: not a candidate
    r = subprocess.run([sys.executable, "-m", "reportkit", command, "--county", "xinchang", "--year", "2024",
                        "--build", str(tmp_path / "build"), "--file", str(folder)], capture_output=True, text=True,
                       cwd=config.ROOT)
    assert r.returncode == 2, r.stderr
    assert f"FILE=“{folder}”是一个文件夹,不是 Word 文档;其中的 Word 文档:xinchang_2024_改.docx" in r.stderr
    assert f"FILE= 请写到文件本身,如 FILE={folder / 'xinchang_2024_改.docx'}" in r.stderr
    assert "Is a directory" not in r.stderr


@pytest.mark.parametrize("command", ["harvest", "audit", "pdf"])
def test_a_symlink_loop_given_as_file_is_named(tmp_path, command):
    a, b = tmp_path / "a.docx", tmp_path / "b.docx"
    a.symlink_to(b)
    b.symlink_to(a)
    r = subprocess.run([sys.executable, "-m", "reportkit", command, "--county", "xinchang", "--year", "2024",
                        "--build", str(tmp_path / "build"), "--file", str(a)], capture_output=True, text=True,
                       cwd=config.ROOT)
    assert r.returncode == 1, r.stderr
    assert f"错误:{a} 是循环的符号链接(链接最终又指回自己),打不开。请给出文档本身的路径,或改正这个链接" in r.stderr
    assert "文件不存在" not in r.stderr and "Too many levels" not in r.stderr and "ymlink loop" not in r.stderr


@pytest.mark.parametrize("code,words", [
    (errno.EISDIR, "是一个文件夹,不是文件"), (errno.ELOOP, "是循环的符号链接"), (errno.EXDEV, "不在同一个磁盘上"),
    (errno.ENOTDIR, "有一段是文件而不是文件夹"), (errno.ENAMETOOLONG, "路径太长"), (errno.EBUSY, "正被另一个程序占用"),
    (errno.EIO, "文件操作失败(系统错误 EIO)"), (errno.EDQUOT, "空间配额已用完"),
])
def test_file_system_errors_are_said_in_chinese(code, words):
    text = cli.os_error_message(OSError(code, os.strerror(code), "/b/x.docx"))
    assert words in text and os.strerror(code) not in text
