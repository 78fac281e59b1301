"""Editing: an edited document back to data — where each number came from (``tracing``), the
editor's changes written back into the narrative (``harvest``), every number checked (``audit``).

May import: the foundation modules, ``inputs``, ``narrative``, ``model``, ``charts`` and ``document``.
"""
