"""Model: every figure of a report computed exactly and phrased as official statistics are.

``figures`` (values, growth, 百分点 changes, completion, ranks), ``phrasing`` (the sentences),
``references`` (what a narrative ``{…}`` reference prints), ``report`` (one county-year's
figures, sentences, 表1 and notes: :func:`~reportkit.model.report.compute_report_figures`).

May import: the foundation modules, ``inputs`` and ``narrative``.
"""
