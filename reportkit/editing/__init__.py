"""Editing: documents back to data (harvest, audit, import)."""
