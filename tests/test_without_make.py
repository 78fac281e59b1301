"""The path without make (Windows offices): the README's commands, and the Windows fallbacks.

The README's section 在 Windows 上使用（不用 make） lists the set-up and the `reportkit` commands a
clerk types; here they run as written (``.venv\\Scripts\\reportkit`` → ``python -m reportkit``), with
data/ and build/ in temporary folders, and no help from make (no MPLBACKEND, no PATH to .venv).
The POSIX-only parts of reportkit/ are then taken away one by one to run their fallbacks.
"""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import types
from pathlib import Path

import pytest

import editing as ed
from helpers import copy_real_data
from reportkit import config

README = config.ROOT / "README.md"
SECTION = "## 在 Windows 上使用（不用 make）"
VENV_REPORTKIT = ".venv\\Scripts\\reportkit"


def windows_section() -> str:
    text = README.read_text(encoding="utf-8")
    assert SECTION in text, f"README.md has no section {SECTION!r}"
    return text.split(SECTION, 1)[1].split("\n## ", 1)[0]


def code_lines(section: str) -> list[str]:
    return [ln.strip() for block in re.findall(r"```bat\n(.*?)```", section, re.S)
            for ln in block.splitlines() if ln.strip()]


def readme_commands() -> list[list[str]]:
    """The `reportkit` commands of the Windows section's code blocks, in order, as arguments."""
    return [shlex.split(ln[len(VENV_REPORTKIT):]) for ln in code_lines(windows_section())
            if ln.startswith(VENV_REPORTKIT + " ")]


def test_readme_set_up_installs_exactly_what_make_setup_installs():
    """The set-up lines name lock files that exist and pass pip the flags the Makefile's set-up
    passes (hashes required, no dependency resolution): the same versions as `make setup`."""
    lines = code_lines(windows_section())
    assert lines[0] == "py -m venv .venv"
    pip = [ln for ln in lines if " -m pip install " in ln]
    assert pip[0] == ".venv\\Scripts\\python -m pip install --require-hashes --no-deps -r requirements\\runtime.txt"
    assert pip[1] == ".venv\\Scripts\\python -m pip install --no-deps -e ."
    makefile = (config.ROOT / "Makefile").read_text(encoding="utf-8")
    assert "--require-hashes --no-deps -r $(1)" in makefile          # install_lock
    assert "--no-deps -e ." in makefile
    for ln in lines + re.findall(r"-r (requirements\\\w+\.txt)", windows_section()):
        for lock in re.findall(r"requirements\\(\w+\.txt)", ln):
            assert (config.ROOT / "requirements" / lock).is_file(), lock


def test_readme_table_names_only_options_the_cli_has():
    """Every `reportkit <command> --option` in the README's Windows section exists."""
    from reportkit.cli import build_parser
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices
    found = re.findall(r"reportkit (\w+)((?: --?[\w-]+(?: (?!--)[^\s`|（）]+)?)*)", windows_section())
    assert len(found) >= 15
    for command, options in found:
        assert command in sub, command
        known = {o for a in sub[command]._actions for o in a.option_strings}
        for opt in re.findall(r"--[\w-]+", options):
            assert opt in known, f"reportkit {command} has no {opt}"


@pytest.fixture
def clerk(tmp_path):
    """A clerk's machine without make: data/ and build/ in temporary folders named in Chinese,
    the environment make would have set (MPLBACKEND, the venv on PATH) left out."""
    data = copy_real_data(tmp_path / "数据")
    build = tmp_path / "输出"
    env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "COUNTY", "YEAR", "FILE")}
    env.update(REPORTKIT_DATA=str(data), REPORTKIT_BUILD=str(build), PYTHONIOENCODING="utf-8")
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p)
    return types.SimpleNamespace(data=data, build=build, env=env, cwd=tmp_path)


def run_reportkit(clerk, args):
    return subprocess.run([sys.executable, "-m", "reportkit", *args], capture_output=True, text=True,
                          encoding="utf-8", env=clerk.env, cwd=clerk.cwd, timeout=600)


EDITED = "出台加快科技创新推动高质量发展的若干政策及实施细则，在 Windows 上由编辑改写。"


def test_the_readme_path_without_make(clerk):
    """check, figures, report, (an editor's edit in Word), harvest, audit — the README's own lines."""
    commands = readme_commands()
    assert [c[0] for c in commands] == ["check", "figures", "report", "harvest", "audit"]
    repo_narrative = (config.ROOT / "data" / "narrative" / "xinchang" / "2024.md").read_bytes()
    paths = config.report_paths("xinchang", 2024, clerk.build)
    outputs = {}
    for args in commands:
        r = run_reportkit(clerk, args)
        assert r.returncode == 0, f"reportkit {' '.join(args)}:\n{r.stdout}\n{r.stderr}"
        assert "Traceback" not in r.stderr
        outputs[args[0]] = r.stdout
        if args[0] == "report":              # the editor opens the report in Word and retypes a paragraph
            doc = ed.open_doc(paths.docx)
            ed.set_text(ed.find(doc, tag="policy"), EDITED)
            doc.save(paths.docx)
    assert "没有发现错误" in outputs["check"]
    assert "新昌县 2024 年主要科技创新指标" in outputs["figures"] and "指标表" in outputs["figures"]
    assert "完成" in outputs["report"] and str(paths.docx) in outputs["report"]
    for out in (paths.docx, paths.notebook, paths.html, paths.figures_csv, paths.figures_json):
        assert out.is_file(), out
    assert list(paths.charts_dir.glob("*.png"))
    assert "已写回" in outputs["harvest"]
    narrative = clerk.data / "narrative" / "xinchang" / "2024.md"
    assert EDITED in narrative.read_text(encoding="utf-8")
    assert "没有与数据不一致的数字" in outputs["audit"]
    assert paths.audit_csv.is_file()
    # everything went to the folders given by REPORTKIT_DATA / REPORTKIT_BUILD
    assert (config.ROOT / "data" / "narrative" / "xinchang" / "2024.md").read_bytes() == repo_narrative


def test_check_output_that_a_chinese_windows_console_cannot_encode(clerk):
    """`reportkit check > 结果.txt` on Chinese Windows writes cp936: a message that spells out an
    invisible character (‹U+200B›) must still be printed, not end in UnicodeEncodeError."""
    values = clerk.data / "values" / "xinchang.csv"
    text = values.read_text(encoding="utf-8-sig")
    line = next(ln for ln in text.splitlines() if ",hte_total," in ln and ",2024," in ln)
    values.write_text(text.replace(line, line.replace(",hte_total,", ",hte\x07total,"), 1), encoding="utf-8")
    env = dict(clerk.env, PYTHONIOENCODING="gbk")
    r = subprocess.run([sys.executable, "-m", "reportkit", "check"], capture_output=True, env=env,
                       cwd=clerk.cwd, timeout=300)
    out, err = r.stdout.decode("gbk", "replace"), r.stderr.decode("gbk", "replace")
    assert "Traceback" not in err and "UnicodeEncodeError" not in err, err
    assert r.returncode == 1
    assert "U+0007" in out and "xinchang.csv" in out
    assert "共 2 个错误" in err        # the row, and the narrative that needs it


# -- the Windows fallbacks, with the POSIX-only parts taken away --------------------------------

@pytest.fixture
def windows(monkeypatch):
    """reportkit as on Windows: portable.WINDOWS, and a stand-in for the _winapi module."""
    from reportkit import portable
    monkeypatch.setattr(portable, "WINDOWS", True)
    calls = []
    fake = types.SimpleNamespace(
        DUPLICATE_SAME_ACCESS=2, CREATE_NEW_PROCESS_GROUP=0x200,
        GetCurrentProcess=lambda: -1,
        DuplicateHandle=lambda *a: calls.append(("DuplicateHandle", a)) or 1844,
        CloseHandle=lambda h: calls.append(("CloseHandle", h)))
    monkeypatch.setitem(sys.modules, "_winapi", fake)

    class StartupInfo:
        lpAttributeList: dict = {}
    monkeypatch.setattr(subprocess, "STARTUPINFO", StartupInfo, raising=False)
    return calls


def test_kernel_watches_its_parent_by_handle_on_windows(windows):
    """ipykernel on Windows waits on JPY_PARENT_PID as a process handle: it gets an inheritable
    handle of this process (not the pid, which there is some other handle of the kernel's), passed
    to the kernel alone, and the kernel runs in a process group of its own."""
    from reportkit.run.warm import _launch_options
    env = {}
    extra, handle = _launch_options(env)
    assert env["JPY_PARENT_PID"] == "1844" != str(os.getpid())
    assert handle == 1844
    assert windows == [("DuplicateHandle", (-1, -1, -1, 0, True, 2))]      # inheritable, same access
    assert extra["creationflags"] == 0x200 and "start_new_session" not in extra
    assert extra["startupinfo"].lpAttributeList == {"handle_list": [1844]}


def test_kernel_watches_its_parent_by_pid_on_posix():
    from reportkit.run.warm import _launch_options
    env = {}
    extra, handle = _launch_options(env)
    assert env["JPY_PARENT_PID"] == str(os.getpid()) and extra == {"start_new_session": True} and handle is None


def test_kernel_start_closes_the_handle_it_passed(windows, monkeypatch):
    from reportkit.run import warm
    started = {}

    class Popen:
        def __init__(self, cmd, **kw):
            started.update(kw)
            self.pid, self.args = 4242, cmd
    monkeypatch.setattr(warm.subprocess, "Popen", Popen)
    kernel = warm.KeptKernel()
    kernel.start()
    try:
        assert started["env"]["JPY_PARENT_PID"] == "1844"
        assert windows[-1] == ("CloseHandle", 1844)
    finally:
        kernel.connection_file.unlink(missing_ok=True)


def test_memory_is_released_without_glibc(monkeypatch):
    """Not Linux (or no malloc_trim): a collection only, nothing loaded through ctypes."""
    import ctypes
    from reportkit.run import warm
    monkeypatch.setattr(warm.sys, "platform", "win32")
    monkeypatch.setattr(ctypes, "CDLL", lambda *a: pytest.fail("CDLL called off Linux"))
    warm.release_memory()


def test_memory_reading_without_proc(monkeypatch):
    """No /proc (Windows, macOS) and no psutil: 0, not an error."""
    import builtins
    from reportkit.run import warm
    real_open = builtins.open

    def no_proc(path, *a, **kw):
        if str(path).startswith("/proc/"):
            raise FileNotFoundError(2, "No such file or directory", str(path))
        return real_open(path, *a, **kw)
    monkeypatch.setattr(builtins, "open", no_proc)
    monkeypatch.setitem(sys.modules, "psutil", None)
    assert warm.memory_mb(None) == 0.0


def _staged(tmp_path):
    """A finished run in staging and the previous outputs in place: (stage, paths)."""
    stage = config.report_paths("xinchang", 2024, tmp_path / "build" / ".staging" / "run")
    paths = config.report_paths("xinchang", 2024, tmp_path / "build")
    for p in (stage, paths):
        p.out_dir.mkdir(parents=True)
        (p.out_dir / "charts").mkdir()
        (p.out_dir / "charts" / "trend.png").write_bytes(b"png " + p.root.name.encode())
        for name in ("report.ipynb", "report.html", "figures.csv", "figures.json", "changes.csv"):
            (p.out_dir / name).write_text(f"{name} of {p.root.name}", encoding="utf-8")
        p.docx.write_bytes(b"docx of " + p.root.name.encode())
    return stage, paths


def _snapshot(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _held_by_word(monkeypatch, held: Path, times: int | None = None):
    """os.open of ``held`` for writing fails as Windows fails it while Word has the file open
    (a sharing violation: PermissionError, errno 13, winerror 32), ``times`` times or always."""
    real = os.open
    count = {"n": 0}

    def fake(path, flags, *a, **kw):
        if Path(path) == held and flags & os.O_RDWR and (times is None or count["n"] < times):
            count["n"] += 1
            raise PermissionError(13, "The process cannot access the file because it is being used by "
                                      "another process", str(path), 32)
        return real(path, flags, *a, **kw)
    monkeypatch.setattr(os, "open", fake)
    return count


def _promote(stage, paths, run_id):
    """A run's outputs moved in, as run_report does (state.promote, with its journal and record)."""
    from reportkit.outputs import state
    state.promote(stage, paths, run_id, list(state.OUTPUTS), {"hash": "h", "parts": {}}, None)


def test_a_report_open_in_word_is_refused_before_anything_is_replaced(tmp_path, monkeypatch, windows):
    from reportkit import portable
    from reportkit.exceptions import FileInUseError
    monkeypatch.setattr(portable, "RETRY_DELAYS", (0.01, 0.01))
    stage, paths = _staged(tmp_path)
    before = _snapshot(paths.out_dir)
    _held_by_word(monkeypatch, paths.docx)
    with pytest.raises(FileInUseError) as ei:
        _promote(stage, paths, "run")
    assert _snapshot(paths.out_dir) == before                # not one output replaced
    msg = str(ei.value)
    assert "xinchang_2024.docx 正在被其他程序(Word、WPS 或 Excel)打开" in msg
    assert "关闭它后重新运行" in msg and "上一次生成的文档和其他输出都未被改动" in msg


def test_a_file_held_for_a_moment_is_waited_for(tmp_path, monkeypatch, windows):
    """A virus scanner holds a new file for a moment: the check retries, then the run promotes."""
    from reportkit import portable
    monkeypatch.setattr(portable, "RETRY_DELAYS", (0.01, 0.01, 0.01))
    stage, paths = _staged(tmp_path)
    count = _held_by_word(monkeypatch, paths.out_dir / "figures.csv", times=2)
    _promote(stage, paths, "run")
    assert count["n"] == 2
    assert paths.docx.read_bytes() == b"docx of run"
    assert (paths.out_dir / "figures.csv").read_text(encoding="utf-8") == "figures.csv of run"


def test_an_open_file_is_no_obstacle_off_windows(tmp_path, monkeypatch):
    """POSIX replaces a file another program has open, and a read-only one: nothing to check."""
    stage, paths = _staged(tmp_path)
    _held_by_word(monkeypatch, paths.docx)
    _promote(stage, paths, "run")
    assert paths.docx.read_bytes() == b"docx of run"


def test_a_failed_rename_names_the_file_replaced_not_the_temporary_one():
    """os.replace(tmp, dest) failing (Windows: dest open in Excel) names dest in the message."""
    from reportkit.cli import os_error_message
    exc = PermissionError(13, "Access is denied", r"build\xinchang\2024\.audit.csv.x1.tmp", 5,
                          r"build\xinchang\2024\audit.csv")
    msg = os_error_message(exc)
    assert msg.startswith(r"没有权限写入 build\xinchang\2024\audit.csv。") and ".tmp" not in msg
    assert "Word/WPS/Excel 打开(关闭后重试)" in msg


def test_code_hash_names_files_with_slashes_in_a_case_sensitive_order(tmp_path):
    """On Windows str(relative path) has backslashes and paths sort case-insensitively: the code
    hash is made of '/'-joined names in byte order, the same on every system."""
    from reportkit.inputs.index import sha
    from reportkit.run.fingerprint import files_hash
    (tmp_path / "pkg").mkdir()
    a, b = tmp_path / "pkg" / "a.py", tmp_path / "pkg" / "B.py"
    a.write_bytes(b"a = 1\n")
    b.write_bytes(b"B = 2\n")
    assert files_hash([a, b], tmp_path) == sha(b"pkg/B.py", b"B = 2\n", b"pkg/a.py", b"a = 1\n")


def test_batch_worker_speaks_utf8_whatever_the_console_encoding(tmp_path, monkeypatch):
    """Chinese Windows' console encoding is cp936: a worker started from there must still read a
    data folder with Chinese letters in its path, and say what is wrong in Chinese."""
    from reportkit.run.batch import WorkerProcess
    data = copy_real_data(tmp_path / "县区数据")
    monkeypatch.setenv("PYTHONIOENCODING", "gbk")
    with WorkerProcess() as worker:
        job = worker.build("nosuchcounty", 2024, data_dir=data, build_root=tmp_path / "输出")
    assert job.status == "failed"
    assert "nosuchcounty" in job.message and "未知" in job.message, job.message


def test_process_alive_tests_without_killing():
    """portable.process_alive (for stale locks): this process lives, a finished child does not —
    and on Windows it must not be os.kill(pid, 0), which terminates the process there."""
    from reportkit import portable
    assert portable.process_alive(os.getpid())
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert not portable.process_alive(child.pid)
    assert not portable.process_alive(0)


def test_process_alive_on_windows_asks_for_the_exit_code(windows, monkeypatch):
    """With Windows' kernel32 stood in: a running process (STILL_ACTIVE), an exited one, one of
    another user (access denied), none — and os.kill is never called."""
    import ctypes
    from reportkit import portable
    monkeypatch.setattr(os, "kill", lambda *a: pytest.fail("os.kill on Windows terminates the process"))
    processes = {100: 259, 200: 0}            # pid -> exit code (259: STILL_ACTIVE)
    state = {"error": 0}

    class Func:
        def __init__(self, fn):
            self.fn = fn

        def __call__(self, *a):
            return self.fn(*a)

    def open_process(access, inherit, pid):
        assert access == 0x1000
        if pid == 300:
            state["error"] = 5
            return None
        state["error"] = 87
        return pid if pid in processes else None

    def exit_code(handle, ref):
        ref._obj.value = processes[handle]
        return 1

    kernel32 = types.SimpleNamespace(OpenProcess=Func(open_process), GetExitCodeProcess=Func(exit_code),
                                     CloseHandle=Func(lambda h: 1))
    monkeypatch.setattr(ctypes, "WinDLL", lambda *a, **kw: kernel32, raising=False)
    monkeypatch.setattr(ctypes, "get_last_error", lambda: state["error"], raising=False)
    assert portable.process_alive(100) is True
    assert portable.process_alive(200) is False
    assert portable.process_alive(300) is True
    assert portable.process_alive(400) is False


def _flaky_replace(monkeypatch, failures: int | None):
    """os.replace failing as Windows fails it while a scanner holds the file, ``failures`` times
    (None: always)."""
    real = os.replace
    calls = {"n": 0}

    def fake(src, dst):
        calls["n"] += 1
        if failures is None or calls["n"] <= failures:
            raise PermissionError(13, "The process cannot access the file because it is being used by "
                                      "another process", str(src), 32, str(dst))
        return real(src, dst)
    monkeypatch.setattr(os, "replace", fake)
    return calls


def test_atomic_write_waits_for_a_file_held_for_a_moment(tmp_path, monkeypatch, windows):
    from reportkit import portable
    from reportkit.iorw import write_text
    monkeypatch.setattr(portable, "RETRY_DELAYS", (0.01, 0.01, 0.01))
    target = tmp_path / "audit.csv"
    target.write_text("old", encoding="utf-8")
    calls = _flaky_replace(monkeypatch, 2)
    write_text(target, "new")
    assert calls["n"] == 3 and target.read_text(encoding="utf-8") == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["audit.csv"]


def test_atomic_write_to_a_file_open_in_excel_is_refused_naming_it(tmp_path, monkeypatch, windows):
    """Held open the whole time (Excel): the write fails, the file keeps its content, no temporary
    file is left, and the message names the file, not the temporary one."""
    from reportkit import portable
    from reportkit.cli import os_error_message
    from reportkit.iorw import write_text
    monkeypatch.setattr(portable, "RETRY_DELAYS", (0.01, 0.01))
    target = tmp_path / "audit.csv"
    target.write_text("old", encoding="utf-8")
    calls = _flaky_replace(monkeypatch, None)
    with pytest.raises(PermissionError) as ei:
        write_text(target, "new")
    assert calls["n"] == 3
    assert target.read_text(encoding="utf-8") == "old" and [p.name for p in tmp_path.iterdir()] == ["audit.csv"]
    assert os_error_message(ei.value).startswith(f"没有权限写入 {target}。")


def test_no_retry_off_windows(tmp_path, monkeypatch):
    from reportkit.iorw import write_text
    calls = _flaky_replace(monkeypatch, None)
    with pytest.raises(PermissionError):
        write_text(tmp_path / "x.csv", "new")
    assert calls["n"] == 1


def test_readme_links_lead_somewhere():
    for doc in (README, config.ROOT / "docs" / "development.md"):
        for link in re.findall(r"\]\(([^)#]+)\)", doc.read_text(encoding="utf-8")):
            assert (doc.parent / link).exists(), f"{doc.name}: {link}"


def test_lock_without_make_is_what_make_lock_runs():
    """docs/development.md's uv commands: the Makefile's uv version and compile flags, every
    locked set, paths with '/'."""
    text = (config.ROOT / "docs" / "development.md").read_text(encoding="utf-8")
    makefile = (config.ROOT / "Makefile").read_text(encoding="utf-8")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip().startswith(".venv-lock\\Scripts\\")]
    version = re.search(r"^(?:override )?UV_VERSION := (\S+)", makefile, re.M).group(1)
    assert lines[0] == f".venv-lock\\Scripts\\python -m pip install uv=={version}"
    make_uv = re.search(r"^(?:override )?UV = \$\(LOCKTOOL\)/bin/uv (.*?)\$\(if", makefile, re.M | re.S).group(1)
    make_flags = shlex.split(make_uv.replace("\\\n", " "))
    outputs = []
    for ln in lines[1:]:
        args = shlex.split(ln[len(".venv-lock\\Scripts\\uv "):])
        assert args[:len(make_flags)] == make_flags
        rest = args[len(make_flags):]
        outputs.append(rest[-1])
        if rest[0] == "--extra":
            assert rest[2:4] == ["-c", "requirements/runtime.txt"]
    assert outputs == [f"requirements/{s}.txt" for s in ("runtime", "test", "cluster", "notebook")]
    assert all((config.ROOT / o).is_file() for o in outputs)
    assert "for extra in test cluster notebook" in makefile
