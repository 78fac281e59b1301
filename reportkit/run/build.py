"""Build one report as `make report` does: decide, keep the editor's work, run, record.

The CLI and every batch worker come through here, so the rules hold everywhere:
nothing changed -> skip; an edited .docx is kept under ``versions/`` and its edits are carried
into ``data/`` before the rebuild (``force`` does not bypass that); the record of what was
written is moved into place with the outputs, all or nothing (state.promote), and one run of a
county-year at a time builds it (state.report_lock).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from .. import config
from ..inputs import parameters
from ..outputs import state
from .fingerprint import DataIndex, code_hash

log = logging.getLogger(__name__)


@dataclass
class BuildOutcome:
    county: str
    year: int
    paths: config.ReportPaths
    decision: state.Decision
    action: str = ""                       # "built" | "skipped" | "kept"
    kept: Path | None = None               # the previous .docx, kept under versions/
    harvest: object | None = None          # harvest.HarvestResult when edits were carried over
    run: object | None = None              # execute.RunResult
    changes: list[dict] = field(default_factory=list)

    def as_record(self) -> dict:
        """What the batch summary and the state file keep of this build."""
        return {"action": self.action, "reason": self.decision.reason,
                "kept": self.kept.name if self.kept else "",
                "edits": self.harvest.counts() if self.harvest else {},
                "changes": len(self.changes)}


def build_report(county: str, year, *, data_dir: Path | None = None, build_root: Path | None = None,
                 strict: bool = False, force: bool = False, clean: bool = False,
                 index: DataIndex | None = None, verbose: bool = False,
                 kernel=None) -> BuildOutcome:
    """Build (or skip) one county-year's report; see the module docstring for the rules.

    What is happening is logged (``logging``, logger ``reportkit.run.build``: the CLI prints it); errors are raised as
    ReportkitError subclasses with their context, and leave the previous outputs in place.
    ``kernel``: a batch worker's kept kernel; without one, a kernel is started as soon as the
    report is known to need building, so that it boots while the edits are carried over.
    """
    idx = index or DataIndex.read(data_dir)
    county, year = parameters.validate(county, year, index=idx)
    paths = config.report_paths(county, year, build_root)
    from .execute import check_template
    check_template()                             # named, before it is hashed with the code
    code = code_hash()
    with state.report_lock(paths):      # one run of a county-year at a time; others wait
        if state.recover(paths):
            log.info("上一次生成在移入输出时被中断:已按它的记录补完,再按规则决定是否重新生成")
        fp = idx.fingerprint(county, year, code, strict=strict)    # after the wait: a harvest may have run
        decision = state.decide(paths, fp, force=force)
        outcome = BuildOutcome(county, year, paths, decision)
        if decision.action != "build":
            outcome.action = "skipped" if decision.action == "skip" else "kept"
            return outcome
        from .warm import kernel_for
        with kernel_for(kernel) as kernel:       # a new kernel boots while edits are carried over
            _build(outcome, idx, fp, code, kernel, data_dir=data_dir, build_root=build_root, strict=strict,
                   clean=clean, verbose=verbose)
    return outcome


def _build(outcome: BuildOutcome, idx, fp, code, kernel, *, data_dir, build_root, strict, clean, verbose):
    from .execute import run_report
    county, year, paths, decision = outcome.county, outcome.year, outcome.paths, outcome.decision
    if decision.docx in ("edited", "unknown"):
        outcome.kept = state.keep_docx(paths, decision.docx)
        log.info(f"已保留{'编辑过的' if decision.docx == 'edited' else '原有的'} Word 文档:{outcome.kept}")
    if decision.docx == "edited":
        from ..editing.harvest import harvest
        outcome.harvest = harvest(county, year, file=paths.docx, data_dir=data_dir, build_root=build_root)
        if outcome.harvest.written:
            fp = idx.fingerprint(county, year, code, strict=strict)   # the narrative changed
    log.info(f"正在生成 {county} {year} 年报告({decision.reason})……")

    def record(changes: list[dict]) -> dict:
        """The outcome as the state file keeps it, moved into place with the outputs (state.promote)."""
        outcome.changes, outcome.action = changes, "built"
        return outcome.as_record()

    outcome.run = run_report(county, year, data_dir=data_dir, build_root=build_root, strict=strict,
                             clean=clean, index=idx, verbose=verbose, kernel=kernel, fingerprint=fp, record=record)
    outcome.changes = outcome.run.changes
    outcome.action = "built"
