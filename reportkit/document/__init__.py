"""Document: the Word document (公文, GB/T 9704) written from a computed report and read back.

``template`` (the house style and its checks), ``layout`` (text widths and line breaking),
``oxml`` (the raw XML python-docx lacks: eastAsia fonts, fields, content controls), ``builder``
(the build in order: the .docx and its manifest) with one module per job — ``package``,
``signature``, ``blocks``, ``writer``, ``table``, ``titles``, ``changes`` —, ``manifest`` (the
typed build → harvest contract), ``revisions`` (revised figures as tracked changes), ``reader``
(bounded reading of an untrusted .docx) and ``city`` (the city view's document).

May import: the foundation modules, ``inputs``, ``narrative``, ``model`` and ``charts``.
"""
