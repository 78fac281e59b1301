"""Narrative: the prose of one county-year (``data/narrative/<county>/<year>.md``).

``source`` holds the model (front matter, parts, slots, inline ``{…}`` references and marks), its
parser with located errors, and its writer (used when an edited document is written back).

May import: the foundation modules and ``inputs``.
"""
