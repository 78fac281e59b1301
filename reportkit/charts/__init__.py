"""Charts: planned as plain data (``plan``, no matplotlib), drawn by ``draw`` with matplotlib and
the CJK font shipped in ``charts/fonts`` (never a system font).

May import: the foundation modules, ``inputs``, ``narrative`` and ``model``.
"""
