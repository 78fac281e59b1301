"""Inputs: the clerk's files in ``data/`` read as Excel, WPS or a text editor shows them, or refused.

``tables`` reads cells (CSV/.xlsx, encodings, merged cells, number formats) boundedly; ``schema``
names the columns; ``data`` builds the validated :class:`~reportkit.inputs.data.Dataset` (counties,
indicators, values, targets); ``parameters`` checks a county-year asked for.

May import: the foundation modules (config, exceptions, iorw, numbers). Nothing above.
"""
