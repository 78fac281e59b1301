"""Inputs: the clerk's files in ``data/`` read as Excel, WPS or a text editor shows them, or refused.

``tables`` reads cells (CSV/.xlsx, encodings, merged cells, number formats) boundedly; ``schema``
names the columns; ``data`` builds the validated :class:`~reportkit.inputs.data.Dataset` (counties,
indicators, values, targets); ``layouts`` reads the statistics bureau's own city and county tables in
place; ``registry`` holds the one city-peer rule; ``index`` reads data/ cheaply for deciding what
to build; ``city`` reads data/city.yaml; ``parameters`` checks a county-year asked for.

May import: the foundation modules (config, exceptions, iorw, numbers, numbering …). Nothing above.
"""
