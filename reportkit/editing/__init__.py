"""Editing: documents back to data — where each number came from (``tracing``), the editor's
changes written back into the narrative (``harvest``: each edited item matched to what was
written by ``align``, edited text back to source with references by ``derive``, the document's
county and year checked by ``owner``), every number checked (``audit``); a
published report imported as a working county-year (``sources`` reads .docx/.txt/.md/.html,
``statements`` finds the figure statements, ``importer`` writes data rows and the narrative);
next year's narrative started from this year's (``nextyear``).

May import: the foundation modules, ``inputs``, ``narrative``, ``model``, ``charts``, ``document`` and
``outputs``.
"""
