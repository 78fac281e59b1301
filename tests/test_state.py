"""reportkit.run.state: what reportkit last wrote, and the one rule whether to rebuild."""
import os

import pytest

from reportkit import config
from reportkit.run import state
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
