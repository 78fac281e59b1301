"""reportkit: a county 科技局 annual work report, reproducibly from data.

The public API is imported lazily, so that the command line starts fast.
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

_API = {
    "Dataset": "data", "load": "data", "ReportkitError": "exceptions", "Figure": "figures",
    "FigureEngine": "figures", "NextTarget": "figures", "figures_table": "figures",
    "uses_illustrative": "figures", "indicator_paragraph": "phrasing",
    "targets_sentence": "phrasing", "compute_report_figures": "report", "ReportRun": "pipeline",
    "run_report": "execute",
}

__all__ = [*_API, "__version__"]


def __getattr__(name):
    if name in _API:
        return getattr(importlib.import_module(f".{_API[name]}", __name__), name)
    raise AttributeError(f"module 'reportkit' has no attribute {name!r}")
