"""Build one report as `make report` does: decide, keep the editor's work, run, record.

The CLI and every batch worker come through here, so the rules hold everywhere:
nothing changed -> skip; an edited .docx is kept under ``versions/`` and its edits are carried
into ``data/`` before the rebuild (``force`` does not bypass that); the record of what was
written is updated only after the whole run succeeded.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .. import config
from ..inputs import parameters
from . import state
from .fingerprint import DataIndex, code_hash


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
                 index: DataIndex | None = None, on_step=None, verbose: bool = False,
                 kernel=None) -> BuildOutcome:
    """Build (or skip) one county-year's report; see the module docstring for the rules.

    ``on_step(message)`` is told what is happening (the CLI prints it); errors are raised as
    ReportkitError subclasses with their context, and leave the previous outputs in place.
    ``kernel``: a batch worker's kept kernel; without one, a kernel is started as soon as the
    report is known to need building, so that it boots while the edits are carried over.
    """
    say = on_step or (lambda _msg: None)
    idx = index or DataIndex.read(data_dir)
    county, year = parameters.validate(county, year, index=idx)
    paths = config.report_paths(county, year, build_root)
    code = code_hash()
    fp = idx.fingerprint(county, year, code, strict=strict)
    decision = state.decide(paths, fp, force=force)
    outcome = BuildOutcome(county, year, paths, decision)
    if decision.action != "build":
        outcome.action = "skipped" if decision.action == "skip" else "kept"
        return outcome
    from .warm import kernel_for
    with kernel_for(kernel) as kernel:       # a new kernel boots while edits are carried over
        _build(outcome, idx, fp, code, kernel, say, data_dir=data_dir, build_root=build_root, strict=strict,
               clean=clean, verbose=verbose)
    return outcome


def _build(outcome: BuildOutcome, idx, fp, code, kernel, say, *, data_dir, build_root, strict, clean, verbose):
    from .execute import run_report
    county, year, paths, decision = outcome.county, outcome.year, outcome.paths, outcome.decision
    if decision.docx in ("edited", "unknown"):
        outcome.kept = state.keep_docx(paths, decision.docx)
        say(f"已保留{'编辑过的' if decision.docx == 'edited' else '原有的'} Word 文档:{outcome.kept}")
    if decision.docx == "edited":
        from ..editing.harvest import harvest
        outcome.harvest = harvest(county, year, file=paths.docx, data_dir=data_dir, build_root=build_root)
        if outcome.harvest.written:
            fp = idx.fingerprint(county, year, code, strict=strict)   # the narrative changed
    say(f"正在生成 {county} {year} 年报告({decision.reason})……")
    outcome.run = run_report(county, year, data_dir=data_dir, build_root=build_root, strict=strict,
                             clean=clean, index=idx, verbose=verbose, kernel=kernel, fingerprint=fp)
    outcome.changes = outcome.run.changes
    outcome.action = "built"
    state.record(paths, fp, outcome.run.run_id, outcome=outcome.as_record())
