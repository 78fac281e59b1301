"""reportkit.run.environment: the installed versions a report is made with are recorded, and an upgrade
rebuilds (saying so)."""
import json
import platform
from importlib import metadata

from reportkit import config
from reportkit.run import environment, state
from reportkit.run.fingerprint import DataIndex, code_hash


def test_versions_are_the_installed_run_time_closure():
    v = environment.versions()
    assert v["python"] == platform.python_version()
    for name in ("pandas", "matplotlib", "python-docx", "papermill", "openpyxl", "numpy", "lxml", "pyzmq"):
        assert v[name] == metadata.version(name), name               # direct and indirect dependencies
    # installed here for the tests, but not what a report is made with
    for name in ("pytest", "nbval", "zhconv", "dask", "distributed"):
        assert name not in v, name
    assert "mplfonts" not in v and list(v)[1:] == sorted(list(v)[1:])


def test_an_upgrade_changes_the_fingerprint_and_the_reason_says_so(tmp_path, monkeypatch):
    idx = DataIndex.read()
    before = idx.fingerprint("xinchang", 2024, code_hash())
    paths = config.report_paths("xinchang", 2024, tmp_path)
    paths.out_dir.mkdir(parents=True)
    paths.docx.write_bytes(b"generated")
    state.record(paths, before, "run-1")
    assert state.decide(paths, before).action == "skip"
    upgraded = {**environment.versions(), "pandas": "99.0"}
    monkeypatch.setattr(environment, "versions", lambda: upgraded)
    after = idx.fingerprint("xinchang", 2024, code_hash())
    assert after["hash"] != before["hash"] and after["parts"]["code"] == before["parts"]["code"]
    d = state.decide(paths, after)
    assert (d.action, d.changed, d.reason) == ("build", ["environment"], "输入有变化:软件版本")


def test_figures_json_records_the_versions(seeded_xinchang):
    paths = config.report_paths("xinchang", 2024, seeded_xinchang / "build")
    recorded = json.loads(paths.figures_json.read_text(encoding="utf-8"))["environment"]
    assert recorded == environment.versions()
