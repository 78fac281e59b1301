"""Outputs: the build folder of each county-year as reportkit keeps it — the one list of outputs,
the record of what reportkit last wrote (to tell an editor's edit from its own .docx), kept copies
of users' files, the promotion journal that makes a run all-or-nothing, and the lock that lets one
run at a time build a county-year (``state``).

May import: the foundation modules only. ``editing`` and ``run`` build on it.
"""
