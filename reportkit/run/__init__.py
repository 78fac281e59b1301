"""Run: building reports — what a report depends on (``fingerprint``, ``environment``), what was
built (``state``), the notebook run through papermill (``execute``, ``pipeline``, ``build``) on kept
kernels (``warm``, ``kernel``), many at once (``batch``), guarded reports (``guard``), checks of
``data/`` (``check``) and PDF (``pdf``).

May import: every folder below it (inputs … editing) and the foundation modules; only ``cli`` is above.
"""
