"""The reportkit exception hierarchy; every error carries its context."""
from __future__ import annotations


class ReportkitError(Exception):
    """Base of all reportkit errors.

    The message is Chinese and meant for the staff who fill ``data/``; the
    attributes let code (and tests) see the context without parsing text.
    ``exit_code``: 1 for a report that failed, 2 for a command used wrongly.
    """
    exit_code = 1

    def __init__(self, message: str, *, county=None, year=None, indicator=None,
                 file=None, sheet=None, row=None, column=None, hint=None):
        self.county = county
        self.year = year
        self.indicator = indicator
        self.file = str(file) if file is not None else None
        self.sheet = sheet or None
        self.row = row
        self.column = column
        self.hint = hint
        self.message = message
        super().__init__(self.__str__())

    def location(self) -> str:
        parts = []
        if self.file:
            parts.append(f"文件 {self.file}")
        if self.sheet:
            parts.append(f"工作表“{self.sheet}”")
        if self.row is not None:
            parts.append(f"第 {self.row} 行")
        if self.column:
            parts.append(f"“{self.column}”列")
        return ",".join(parts)

    def __str__(self) -> str:
        loc = self.location()
        text = f"{loc}:{self.message}" if loc else self.message
        if self.hint:
            text += f"。请{self.hint}" if not self.hint.startswith("请") else f"。{self.hint}"
        return text


class DataError(ReportkitError):
    """Something in data/ is wrong; the message says where and what to fix."""


class FileReadError(DataError):
    """A data file cannot be read (missing, bad encoding, broken .xlsx)."""


class EncodingError(FileReadError):
    """A .csv file is neither UTF-8 nor GBK/GB18030."""


class MissingColumnError(DataError):
    """A required column is absent from a data file."""


class ValueFormatError(DataError):
    """A cell holds text where a number (or another format) is expected."""


class NegativeValueError(DataError):
    """A value is negative where that is impossible."""


class DuplicateRowError(DataError):
    """Two rows state the same county × year × indicator × period."""


class UnknownIndicatorError(DataError):
    """An indicator id that the catalog does not define."""


class UnitMismatchError(DataError):
    """A row's unit disagrees with the catalog's unit for its indicator."""


class UnknownCountyError(DataError):
    """A county slug that the registry does not know."""


class NoDataError(DataError):
    """A county has no data for the requested year."""


class MissingIndicatorError(DataError):
    """An indicator the report needs has no value for the county-year."""


class NarrativeError(DataError):
    """A narrative file is malformed or refers to an unknown figure."""


class TemplateError(ReportkitError):
    """The Word template lacks a style or is otherwise unusable."""


class ParameterError(ReportkitError):
    """A command-line or notebook parameter is invalid (checked before any kernel starts)."""
    exit_code = 2


class PipelineError(ReportkitError):
    """A notebook step failed; carries the step, the cell index and the error name."""

    def __init__(self, message: str, *, step=None, cell_index=None, error_name=None,
                 notebook=None, **kw):
        self.step = step
        self.cell_index = cell_index
        self.error_name = error_name
        self.notebook = str(notebook) if notebook is not None else None
        super().__init__(message, **kw)


class DocumentError(ReportkitError):
    """A .docx someone hands to reportkit (an edited report) cannot be read safely."""


class HarvestConflictError(ReportkitError):
    """An edited document and a changed narrative file would overwrite each other."""


class ForeignDocumentError(DocumentError):
    """A document that is another county's or another year's report (harvest, audit)."""
