"""reportkit.outputs.state: what reportkit last wrote, and the one rule whether to rebuild."""
import os

import pytest

from reportkit import config
from reportkit.outputs import state
from reportkit.iorw import FILE_MODE


def fp(h="h1", **parts):
    return {"hash": h, "parts": {"values": "v", "narrative": "n", **parts}}


@pytest.fixture
def paths(tmp_path):
    p = config.report_paths("alpha", 2024, tmp_path)
    p.out_dir.mkdir(parents=True)
    return p


def built(paths, content=b"generated", fingerprint=None):
    paths.docx.write_bytes(content)
    state.record(paths, fingerprint or fp(), "run-1")


def test_missing_document_builds(paths):
    d = state.decide(paths, fp())
    assert (d.action, d.docx, d.reason) == ("build", "missing", "尚未生成")


def test_unchanged_inputs_and_own_document_skip(paths):
    built(paths)
    d = state.decide(paths, fp())
    assert (d.action, d.docx) == ("skip", "generated")
    assert "已是最新" in d.reason


def test_force_rebuilds_an_unchanged_report(paths):
    built(paths)
    d = state.decide(paths, fp(), force=True)
    assert (d.action, d.docx, d.reason) == ("build", "generated", "强制重新生成")


def test_edited_document_with_unchanged_inputs_is_left_alone(paths):
    built(paths)
    paths.docx.write_bytes(b"edited by an editor")
    d = state.decide(paths, fp())
    assert (d.action, d.docx) == ("keep", "edited")
    assert "被编辑过" in d.reason and "保持原样" in d.reason


def test_edited_document_with_changed_data_builds_and_says_what_changed(paths):
    built(paths)
    paths.docx.write_bytes(b"edited by an editor")
    d = state.decide(paths, fp("h2", values="v2"))
    assert (d.action, d.docx, d.changed) == ("build", "edited", ["values"])
    assert d.reason == "输入有变化:指标数据"


def test_force_does_not_hide_an_edit(paths):
    built(paths)
    paths.docx.write_bytes(b"edited")
    d = state.decide(paths, fp(), force=True)
    assert (d.action, d.docx) == ("build", "edited")


def test_document_without_record_is_unknown(paths):
    paths.docx.write_bytes(b"from an older reportkit")
    d = state.decide(paths, fp())
    assert (d.action, d.docx) == ("build", "unknown")


def test_record_keeps_an_exact_copy_and_hash(paths):
    built(paths, b"the document")
    assert paths.generated_docx.read_bytes() == b"the document"
    s = state.load(paths)
    assert s["run_id"] == "run-1" and s["docx_sha256"] == state.sha256_file(paths.docx)


def test_kept_versions_are_exact_dated_and_not_duplicated(paths):
    built(paths)
    paths.docx.write_bytes(b"edited once")
    first = state.keep_docx(paths, "edited")
    assert first.parent == paths.versions_dir and first.read_bytes() == b"edited once"
    assert first.name.startswith("alpha_2024.edited-") and first.suffix == ".docx"
    assert state.keep_docx(paths, "edited") == first           # a retried build keeps one copy
    paths.docx.write_bytes(b"edited twice")
    second = state.keep_docx(paths, "edited")
    assert second != first and second.read_bytes() == b"edited twice" and first.exists()


def test_outputs_get_the_users_permissions(paths):
    """Not mkstemp's 0600: colleagues on a shared folder must be able to open the files."""
    built(paths)
    mask = os.umask(0)
    os.umask(mask)
    for f in (paths.state_file, paths.generated_docx):
        assert f.stat().st_mode & 0o777 == FILE_MODE == 0o666 & ~mask


# ---------------------------------------------------------------- crash-safe promotion

import hashlib  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

from helpers import set_value  # noqa: E402


def snapshot(out_dir):
    """Every file of a report folder as a user (or the next run) finds it; state.json without its
    build time."""
    out = {}
    for p in sorted(out_dir.rglob("*")):
        if not p.is_file():
            continue
        data = p.read_bytes()
        if p.name == "state.json":
            s = json.loads(data)
            s.pop("built")
            data = json.dumps(s, sort_keys=True).encode()
        out[p.relative_to(out_dir).as_posix()] = hashlib.sha256(data).hexdigest()
    return out


PROMOTE = """
import json, sys
from pathlib import Path
from reportkit import config
from reportkit.outputs import state
root, stage_root, fp = Path(sys.argv[1]), Path(sys.argv[2]), json.loads(sys.argv[3])
paths, stage = config.report_paths("xinchang", 2024, root), config.report_paths("xinchang", 2024, stage_root)
names = ["report.ipynb", "report.html", "figures.csv", "figures.json", "changes.csv", "charts"]
with state.report_lock(paths):
    state.recover(paths)
    state.promote(stage, paths, "xinchang-2024-run-2", names, fp, {"action": "built"})
"""
RECOVER = """
import sys
from pathlib import Path
from reportkit import config
from reportkit.outputs import state
paths = config.report_paths("xinchang", 2024, Path(sys.argv[1]))
with state.report_lock(paths):
    print(state.recover(paths))
"""


@pytest.fixture
def promotion(work, tmp_path):
    """A built xinchang 2024 (the old outputs, a failed run's notebook beside them) and a finished
    run staged with a changed figure: (paths, run(die_at) -> CompletedProcess, new fingerprint,
    old snapshot, new snapshot (an uninterrupted promotion, in a copy))."""
    from reportkit.run.fingerprint import DataIndex, code_hash
    from reportkit.run.pipeline import ReportRun
    root, paths = work
    for name, text in (("report.ipynb", "old notebook"), ("report.html", "old html"),
                       ("report.failed.html", "an earlier failure")):
        (paths.out_dir / name).write_text(text, encoding="utf-8")
    set_value(root / "data", "xinchang", 2024, "hte_total", 330)
    staging = root / "build" / ".staging" / "xinchang-2024-run-2-abc"
    run = ReportRun("xinchang", 2024, data_dir=root / "data", build_root=root / "build", staging_root=staging,
                    run_id="xinchang-2024-run-2")
    run.load()
    run.compute()
    run.draw()
    run.write_outputs()
    assert len(run.charts) >= 2
    for name in ("report.ipynb", "report.html"):
        (run.out_dir / name).write_text(f"new {name}", encoding="utf-8")
    fp = DataIndex.read(root / "data").fingerprint("xinchang", 2024, code_hash())
    old = snapshot(paths.out_dir)
    reference = tmp_path / "reference"
    shutil.copytree(root / "build", reference)
    args = [json.dumps(fp)]

    def run_promote(build, die_at=None, script=PROMOTE):
        env = dict(os.environ, **({state.DIE_AT_ENV: str(die_at)} if die_at else {}))
        stage_root = build / ".staging" / staging.name
        return subprocess.run([sys.executable, "-c", script, str(build), str(stage_root), *args], env=env,
                              capture_output=True, text=True, cwd=config.ROOT, timeout=60)

    r = run_promote(reference)
    assert r.returncode == 0, r.stderr
    new = snapshot(config.report_paths("xinchang", 2024, reference).out_dir)
    assert new != old and not (reference / ".staging" / staging.name).exists()
    return paths, run_promote, fp, old, new


def test_a_promotion_killed_at_any_step_leaves_one_version(promotion, tmp_path):
    paths, run_promote, fp_new, old, new = promotion
    build = paths.root
    pristine = tmp_path / "pristine"
    shutil.copytree(build, pristine)
    old_fp = state.load(paths)["fingerprint"]
    step, seen = 0, {"old": 0, "pending": 0, "new": 0}
    while True:
        step += 1
        shutil.rmtree(build)
        shutil.copytree(pristine, build)
        r = run_promote(build, die_at=step)
        if r.returncode == 0:           # past the last step: nothing left to kill
            break
        assert r.returncode == 137, r.stderr
        assert not list(paths.out_dir.rglob("*.tmp")) and not (paths.out_dir / ".previous").exists()
        if state.journal_path(paths).exists():
            seen["pending"] += 1
            # until completed, no rule may take the folder as it is: not up to date, not an editor's
            for fp in (old_fp, fp_new):
                d = state.decide(paths, fp)
                assert (d.action, d.docx) == ("build", "interrupted"), step
            assert "中断" in d.reason
            # the next run completes it (as a separate process, as the next `make report` would)
            r = run_promote(build, script=RECOVER)
            assert r.returncode == 0 and r.stdout.strip() == "completed", r.stderr
            assert snapshot(paths.out_dir) == new, step
        else:
            got = snapshot(paths.out_dir)
            assert got in (old, new), step
            seen["old" if got == old else "new"] += 1
        assert not state.journal_path(paths).exists()
        if snapshot(paths.out_dir) == new:
            # reportkit's own document, recorded: the new data skip, the reverted data rebuild
            assert (state.decide(paths, fp_new).action, state.docx_status(paths)) == ("skip", "generated")
            d = state.decide(paths, old_fp)
            assert (d.action, d.docx) == ("build", "generated"), step
        else:
            assert (state.decide(paths, old_fp).action, state.docx_status(paths)) == ("skip", "generated")
        assert not [p for p in (build / ".staging").iterdir()] or state.recover(paths) == ""
    # killed before the journal: the old outputs; after it: completed; at the clean-up: the new
    assert seen["old"] == 1 and seen["pending"] >= 20 and seen["new"] == 1, seen


def test_a_recovery_killed_at_any_step_still_completes(promotion, tmp_path):
    paths, run_promote, fp_new, old, new = promotion
    build = paths.root
    r = run_promote(build, die_at=9)         # mid-way: some outputs moved in, some not
    assert r.returncode == 137 and state.journal_path(paths).exists()
    pristine = tmp_path / "pristine"
    shutil.copytree(build, pristine)
    step = 0
    while True:
        step += 1
        shutil.rmtree(build)
        shutil.copytree(pristine, build)
        r = run_promote(build, die_at=step, script=RECOVER)
        if r.returncode == 0:
            break
        assert r.returncode == 137
        pending = state.journal_path(paths).exists()       # killed before it was removed, or only the clean-up left
        r = run_promote(build, script=RECOVER)
        assert r.returncode == 0 and r.stdout.strip() == ("completed" if pending else ""), (step, r.stderr)
        assert snapshot(paths.out_dir) == new, step
    assert step > 5


def test_an_error_while_promoting_puts_every_previous_output_back(promotion, monkeypatch):
    """A file that cannot be replaced (Word holds it open on Windows): nothing half-done."""
    paths, _, fp_new, old, _ = promotion
    stage = config.report_paths("xinchang", 2024, paths.root / ".staging" / "xinchang-2024-run-2-abc")
    real = os.replace

    def refuse_docx(src, dst):
        if str(dst).endswith("xinchang_2024.docx") and ".staging" in str(src) and ".previous" not in str(src):
            raise PermissionError(13, "Permission denied", str(dst))
        return real(src, dst)
    monkeypatch.setattr(os, "replace", refuse_docx)
    names = ["report.ipynb", "report.html", "figures.csv", "figures.json", "changes.csv", "charts"]
    with pytest.raises(PermissionError):
        state.promote(stage, paths, "xinchang-2024-run-2", names, fp_new)
    assert snapshot(paths.out_dir) == old and not state.journal_path(paths).exists()


def test_a_journal_whose_run_is_lost_makes_the_next_build_rebuild(promotion):
    """The staging folder deleted by hand after the kill: neither version can be completed; the
    record then says rebuild, and still knows reportkit's own document."""
    paths, run_promote, fp_new, old, new = promotion
    r = run_promote(paths.root, die_at=19)
    assert r.returncode == 137 and state.journal_path(paths).exists()
    shutil.rmtree(paths.root / ".staging")
    assert state.recover(paths) == "voided"
    d = state.decide(paths, fp_new)
    assert d.action == "build" and d.docx == "generated"


# ---------------------------------------------------------------- one run per county-year

import socket  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

from reportkit.exceptions import ReportBusyError  # noqa: E402


def holder(paths, **kw):
    info = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.time(),
            "started_text": "2026-11-28T08:00:00", "process_start": state._process_start(os.getpid()),
            "token": "theirs", **kw}
    path = state.lock_path(paths)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(info), encoding="utf-8")
    return path


def dead_pid():
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_the_lock_lives_beside_the_published_folders_and_is_gone_after(paths):
    with state.report_lock(paths) as path:
        assert path == paths.root / ".locks" / "alpha-2024.lock" and path.exists()
        info = json.loads(path.read_text(encoding="utf-8"))
        assert info["pid"] == os.getpid() and info["host"] == socket.gethostname()
        with state.report_lock(paths):          # the same thread again (build_report, then run_report)
            assert path.exists()
        assert path.exists()
    assert not path.exists()


def test_a_live_run_is_waited_for_then_named(paths, caplog):
    path = holder(paths)             # a live process (this one), in another run's name
    t0 = time.monotonic()
    with caplog.at_level("INFO", logger="reportkit"), pytest.raises(ReportBusyError) as ei:
        with state.report_lock(paths, wait=0.6):
            pass
    said = [r.getMessage() for r in caplog.records if r.name == "reportkit.outputs.state"]
    assert time.monotonic() - t0 >= 0.6
    host = socket.gethostname()
    assert said == [f"alpha 2024 年的报告正由另一次运行(主机 {host},进程 {os.getpid()},"
                    "开始于 2026-11-28T08:00:00)生成,等它结束……"]
    msg = str(ei.value)
    assert "alpha 2024 年的报告正由另一次运行" in msg and "等待 1 秒后仍未结束" in msg
    assert f"删除锁文件 {path} 后重试" in msg and path.exists()      # never taken from a live run


def test_a_waiting_run_goes_on_as_soon_as_the_other_ends(paths):
    started = threading.Event()
    order = []

    def other():
        with state.report_lock(paths):
            started.set()
            time.sleep(0.5)
            order.append("other done")
    t = threading.Thread(target=other)
    t.start()
    started.wait()
    with state.report_lock(paths, wait=10):
        order.append("mine")
    t.join()
    assert order == ["other done", "mine"]


@pytest.mark.parametrize("case", ["dead pid", "pid reused", "other host, old"])
def test_a_killed_runs_lock_is_taken_over(paths, case):
    if case == "dead pid":
        holder(paths, pid=dead_pid())
    elif case == "pid reused":           # same pid, but that process started after the lock was taken
        if not state._process_start(os.getpid()):
            pytest.skip("no process start times on this system")
        holder(paths, process_start="another-boot:1")
    else:
        holder(paths, host="another-machine", pid=1, started=time.time() - state.OTHER_HOST_STALE - 60)
    with state.report_lock(paths, wait=0.5) as path:
        assert json.loads(path.read_text(encoding="utf-8"))["token"] != "theirs"


def test_another_machines_recent_lock_is_respected(paths):
    holder(paths, host="another-machine", pid=1, started=time.time() - 60)
    with pytest.raises(ReportBusyError) as ei:
        with state.report_lock(paths, wait=0.3):
            pass
    assert "主机 another-machine" in str(ei.value)


def test_an_empty_lock_file_is_waited_on_briefly_then_removed(paths):
    path = state.lock_path(paths)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"")            # its writer was killed between creating and writing it
    with pytest.raises(ReportBusyError):
        with state.report_lock(paths, wait=0.3):
            pass
    os.utime(path, (time.time() - 60, time.time() - 60))
    with state.report_lock(paths, wait=0.5) as p:
        assert json.loads(p.read_text(encoding="utf-8"))["pid"] == os.getpid()


def test_only_one_of_many_takes_a_stale_lock_at_a_time(paths):
    """Eight processes find the same dead run's lock: they take it one after another, never two at once."""
    holder(paths, pid=dead_pid())
    log = paths.root / "log.txt"
    script = (
        "import sys, time, os\n"
        "from pathlib import Path\n"
        "from reportkit import config\nfrom reportkit.outputs import state\n"
        "paths = config.report_paths('alpha', 2024, Path(sys.argv[1]))\n"
        "with state.report_lock(paths, wait=60):\n"
        "    with open(sys.argv[2], 'a') as fh: fh.write('in\\n'); fh.flush()\n"
        "    time.sleep(0.1)\n"
        "    with open(sys.argv[2], 'a') as fh: fh.write('out\\n')\n")
    procs = [subprocess.Popen([sys.executable, "-c", script, str(paths.root), str(log)], cwd=config.ROOT)
             for _ in range(8)]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    assert log.read_text().split() == ["in", "out"] * 8


def test_make_clean_completes_a_killed_promotion_and_removes_dead_staging_folders(promotion):
    paths, run_promote, fp_new, old, new = promotion
    r = run_promote(paths.root, die_at=9)
    assert r.returncode == 137 and state.journal_path(paths).exists()
    dead = paths.root / ".staging" / "xinchang-2024-0123456789ab-dead1"
    (dead / "xinchang" / "2024" / "charts").mkdir(parents=True)
    state.clean(paths.root)
    assert list((paths.root / ".staging").iterdir()) == []
    assert not state.journal_path(paths).exists()
    assert not paths.figures_json.exists() and not paths.docx.exists()      # all regenerable, all gone


@pytest.mark.parametrize("command", ["harvest", "audit"])
def test_harvest_and_audit_complete_a_killed_promotion_before_reading(promotion, command):
    """Killed right after the new .docx moved in: harvest must not read reportkit's own document as
    an editor's (nothing written back), audit must check the new document against its own record."""
    paths, run_promote, fp_new, old, new = promotion
    root = paths.root.parent
    narrative = (root / "data" / "narrative" / "xinchang" / "2024.md").read_bytes()
    r = run_promote(paths.root, die_at=17)     # the new .docx in, its record not yet
    assert r.returncode == 137 and state.journal_path(paths).exists()
    assert state.sha256_file(paths.docx) != state.load(paths)["docx_sha256"]
    r = subprocess.run([sys.executable, "-m", "reportkit", command, "--county", "xinchang", "--year", "2024",
                        "--data", str(root / "data"), "--build", str(paths.root)], capture_output=True, text=True,
                       cwd=config.ROOT, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert not state.journal_path(paths).exists()
    got = snapshot(paths.out_dir)
    got.pop("audit.csv", None)
    assert got == new, r.stdout
    assert (root / "data" / "narrative" / "xinchang" / "2024.md").read_bytes() == narrative
    if command == "harvest":
        assert "与叙述文件一致,叙述文件未改动" in r.stdout
    else:
        assert "没有与数据不一致的数字" in r.stdout


@pytest.mark.parametrize("text", ["", "{not json", "[1, 2]", '{"items": [], "staging": "/"}'])
def test_an_unreadable_journal_makes_the_next_build_rebuild(paths, text):
    built(paths)
    state.journal_path(paths).write_text(text, encoding="utf-8")
    assert state.decide(paths, fp()).action == "build"
    assert state.recover(paths) == "voided" and not state.journal_path(paths).exists()
    d = state.decide(paths, fp())
    assert (d.action, d.docx) == ("build", "generated")


@pytest.mark.parametrize("value", ["abc", "-5", "nan", "inf"])
def test_a_wrong_lock_wait_setting_is_named(paths, monkeypatch, value):
    from reportkit.exceptions import ParameterError
    monkeypatch.setenv("REPORTKIT_LOCK_WAIT", value)
    with pytest.raises(ParameterError) as ei:
        with state.report_lock(paths):
            pass
    assert f"环境变量 REPORTKIT_LOCK_WAIT=“{value}”不是秒数" in str(ei.value)
    monkeypatch.setenv("REPORTKIT_LOCK_WAIT", "2.5")
    assert state.lock_wait() == 2.5
