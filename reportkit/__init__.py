"""reportkit: a county 科技局 annual work report, reproducibly from data.

The package is laid out as the data flows (see docs/architecture.md); each folder may import
only from the folders listed before it, and from the foundation modules at the top:

- foundation: ``config`` (paths, settings), ``exceptions`` (the error catalogue), ``iorw`` (atomic
  writes), ``numbers`` (exact decimals and units), ``numbering`` (Chinese numerals and heading
  numbers), ``dates`` (the date rule), ``portable`` (what
  differs on Windows), ``thirdparty`` (other libraries' internals, fenced);
- ``inputs/``: the clerk's files read and validated (tables, schema, statistics-table layouts, the
  dataset, the city-peer rule, parameters);
- ``narrative/``: the prose of a county-year (the narrative file: its model, parser and writer);
- ``model/``: every figure computed and phrased (figures, phrasing, references, the report);
- ``charts/``: charts planned as data, then drawn (matplotlib, the shipped font);
- ``document/``: the Word document written and read back (template, builder, revisions, reader);
- ``outputs/``: the build folder as reportkit keeps it (the outputs, the build record, kept copies,
  the promotion journal, the lock);
- ``editing/``: an edited document back to data (tracing, harvest, audit), a published report
  imported, next year started;
- ``run/``: running it all (fingerprint, notebook execution, kept kernels, batch, guard, check, pdf);
- ``cli``: the ``reportkit`` command on top.

The public API is imported lazily, so that the command line starts fast.
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

_API = {
    "Dataset": "inputs.data", "load": "inputs.data", "ReportkitError": "exceptions",
    "Figure": "model.figures", "FigureEngine": "model.figures", "NextTarget": "model.figures",
    "figures_table": "model.figures", "uses_illustrative": "model.figures",
    "indicator_paragraph": "model.phrasing", "targets_sentence": "model.phrasing",
    "compute_report_figures": "model.report", "ReportRun": "run.pipeline", "run_report": "run.execute",
}

__all__ = [*_API, "__version__"]


def __getattr__(name):
    if name in _API:
        return getattr(importlib.import_module(f".{_API[name]}", __name__), name)
    raise AttributeError(f"module 'reportkit' has no attribute {name!r}")
