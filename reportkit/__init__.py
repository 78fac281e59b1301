"""reportkit: a county 科技局 annual work report, reproducibly from data."""
from .data import Dataset, load
from .exceptions import ReportkitError
from .figures import Figure, FigureEngine, NextTarget, figures_table, uses_illustrative
from .phrasing import indicator_paragraph, targets_sentence

__version__ = "0.1.0"

__all__ = ["Dataset", "load", "ReportkitError", "Figure", "FigureEngine", "NextTarget",
           "figures_table", "uses_illustrative", "indicator_paragraph", "targets_sentence",
           "__version__"]
