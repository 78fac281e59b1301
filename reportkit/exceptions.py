"""The error catalogue: every error reportkit raises, in one module.

As in frictionless, each class has a stable ``code`` (what scripts, tests and a batch worker's
answer match on; it never changes once released) and a Chinese ``title``; a message is either
given or filled from the class's ``template`` with the error's context. Every error carries its
context as attributes — county, year, indicator, file, sheet, row, column, value, hint — so code
and tests see it without parsing text, and :meth:`ReportkitError.to_dict` passes it whole between
processes (a batch worker's answer).

``exit_code``: 1 for a report that failed, 2 for a command used wrongly; a raise site may pass
another (``exit_code=2`` for a county nobody registered).
"""
from __future__ import annotations

import errno

#: the context every error may carry (and its Chinese name in a location)
CONTEXT = ("county", "year", "indicator", "file", "sheet", "row", "column", "cell", "value", "hint")


class ReportkitError(Exception):
    """Base of all reportkit errors.

    The message is Chinese and meant for the staff who fill ``data/``; the
    attributes let code (and tests) see the context without parsing text.
    """
    code = "reportkit-error"
    title = "reportkit 错误"
    template = "{title}"
    exit_code = 1

    def __init__(self, message: str | None = None, *, county=None, year=None, indicator=None,
                 file=None, sheet=None, row=None, column=None, cell=None, value=None, hint=None,
                 exit_code: int | None = None):
        self.county = county
        self.year = year
        self.indicator = indicator
        self.file = str(file) if file is not None else None
        self.sheet = sheet or None
        self.row = row
        self.column = column
        self.value = value
        self.cell = cell          # "D7": a cell of a statistics table read in place
        self.hint = hint
        if exit_code is not None:
            self.exit_code = exit_code
        self.message = message if message is not None else self.template.format(
            title=self.title, **{k: ("" if getattr(self, k) is None else getattr(self, k)) for k in CONTEXT})
        super().__init__(self.__str__())

    def location(self) -> str:
        parts = []
        if self.file:
            parts.append(f"文件 {self.file}")
        if self.sheet:
            parts.append(f"工作表“{self.sheet}”")
        if self.cell:
            parts.append(f"单元格 {self.cell}")
        elif self.row is not None:
            parts.append(f"第 {self.row} 行")
        if self.column and not self.cell:
            parts.append(f"“{self.column}”列")
        return ",".join(parts)

    def __str__(self) -> str:
        loc = self.location()
        text = f"{loc}:{self.message}" if loc else self.message
        if self.hint:
            text += f"。请{self.hint}" if not self.hint.startswith("请") else f"。{self.hint}"
        return text

    def to_dict(self) -> dict:
        """The error as plain data (JSON): its code, message, exit code and context."""
        out = {"code": self.code, "message": self.message, "exit_code": self.exit_code, "text": str(self)}
        out.update({k: getattr(self, k) for k in CONTEXT if getattr(self, k) is not None})
        return out

    @staticmethod
    def from_dict(data: dict) -> "ReportkitError":
        """The error :meth:`to_dict` described, as its own class (found by its code)."""
        cls = by_code(data.get("code", "")) or ReportkitError
        exc = cls.__new__(cls)
        ReportkitError.__init__(exc, data.get("message", ""), exit_code=data.get("exit_code"),
                                **{k: data.get(k) for k in CONTEXT})
        return exc


def by_code(code: str) -> type[ReportkitError] | None:
    """The error class with this stable code."""
    stack = [ReportkitError]
    while stack:
        cls = stack.pop()
        if cls.code == code:
            return cls
        stack.extend(cls.__subclasses__())
    return None


class DataError(ReportkitError):
    """Something in data/ is wrong; the message says where and what to fix."""
    code = "data-error"
    title = "数据有误"


class FileReadError(DataError):
    """A data file cannot be read (missing, bad encoding, broken .xlsx)."""
    code = "file-read-error"
    title = "数据文件无法读取"


class EncodingError(FileReadError):
    """A .csv file is neither UTF-8 nor GBK/GB18030."""
    code = "encoding-error"
    title = "文件编码无法识别"


class MissingColumnError(DataError):
    """A required column is absent from a data file."""
    code = "missing-column"
    title = "缺少必需的列"


class ValueFormatError(DataError):
    """A cell holds text where a number (or another format) is expected."""
    code = "value-format"
    title = "单元格的内容不是所需的格式"


class PlausibilityError(ValueFormatError):
    """A value outside what the indicator can be (a share over 100%, a rank 0)."""
    code = "implausible-value"
    title = "数值超出指标可能的范围"


class NegativeValueError(DataError):
    """A value is negative where that is impossible."""
    code = "negative-value"
    title = "数值不能为负"


class DuplicateRowError(DataError):
    """Two rows state the same county × year × indicator × period."""
    code = "duplicate-row"
    title = "重复的数据行"


class UnknownIndicatorError(DataError):
    """An indicator id that the catalog does not define."""
    code = "unknown-indicator"
    title = "未知的指标"


class UnitMismatchError(DataError):
    """A row's unit disagrees with the catalog's unit for its indicator."""
    code = "unit-mismatch"
    title = "单位与指标目录不一致"


class UnknownCountyError(DataError):
    """A county slug that the registry does not know."""
    code = "unknown-county"
    title = "未知的县区"


class NoDataError(DataError):
    """A county has no data for the requested year."""
    code = "no-data"
    title = "没有数据"


class MissingIndicatorError(DataError):
    """An indicator the report needs has no value for the county-year."""
    code = "missing-indicator"
    title = "报告需要的指标没有数值"


class NarrativeError(DataError):
    """A narrative file is malformed or refers to an unknown figure."""
    code = "narrative-error"
    title = "叙述文件有误"


class LayoutError(DataError):
    """A statistics table read in place (a city or county table) whose header, name, unit, year
    or period matches nothing or more than one thing; located at its cell."""
    code = "layout-error"
    title = "统计表格的表头、名称或单位无法对应"


class CitySettingsError(DataError):
    """The city view's settings file (data/city.yaml) is malformed or names an unknown indicator."""
    code = "city-settings-error"
    title = "全市汇总设置有误"


class TemplateError(ReportkitError):
    """The Word template lacks a style or is otherwise unusable."""
    code = "template-error"
    title = "Word 模板不可用"


class ParameterError(ReportkitError):
    """A command-line or notebook parameter is invalid (checked before any kernel starts)."""
    code = "parameter-error"
    title = "参数不合法"
    exit_code = 2


class PipelineError(ReportkitError):
    """A notebook step failed; carries the step, the cell index and the error name."""
    code = "pipeline-error"
    title = "笔记本的一步出错"

    def __init__(self, message: str, *, step=None, cell_index=None, error_name=None,
                 notebook=None, **kw):
        self.step = step
        self.cell_index = cell_index
        self.error_name = error_name
        self.notebook = str(notebook) if notebook is not None else None
        super().__init__(message, **kw)


class KernelError(ReportkitError):
    """The Python kernel that runs a report's notebook did not start, stopped answering, or failed
    to be made ready for the next report."""
    code = "kernel-error"
    title = "运行笔记本的内核出错"


class DocumentError(ReportkitError):
    """A .docx someone hands to reportkit (an edited report) cannot be read safely."""
    code = "document-error"
    title = "文档无法安全读取"


class ManifestVersionError(DocumentError):
    """A manifest written by another version of reportkit (its format version is not :data:`VERSION`)."""
    code = "manifest-version"
    title = "生成记录的格式版本不同"


class HarvestConflictError(ReportkitError):
    """An edited document and a changed narrative file would overwrite each other."""
    code = "harvest-conflict"
    title = "编辑稿与叙述文件的修改冲突"


class PdfError(ReportkitError):
    """No PDF could be made (LibreOffice missing or failing)."""
    code = "pdf-error"
    title = "无法生成 PDF"


class CellProblem(Exception):
    """What is wrong with one cell, said by a cell reader; the loader raises it as ``cls`` (a
    :class:`DataError`) with the file, sheet, row and column added. Not raised to users."""

    def __init__(self, reason: str, hint: str = "", cls=ValueFormatError):
        super().__init__(reason)
        self.reason, self.hint, self.cls = reason, hint, cls


class DuplicateKeyProblem(Exception):
    """A key written twice in a narrative's settings, said by its YAML loader (which knows the
    lines, not the file); the parser raises it as a located :class:`NarrativeError`."""

    def __init__(self, key: str, first: int, line: int):
        super().__init__(key)
        self.key, self.first, self.line = key, first, line


class NumberTextError(ValueError):
    """Text that is not a number, with the reason in Chinese (for the located data error). Not
    raised to users: the loader turns it into a :class:`ValueFormatError` at its cell."""

    def __init__(self, text: str, reason: str, hint: str = ""):
        super().__init__(text)
        self.text, self.reason, self.hint = text, reason, hint


class FileInUseError(ReportkitError):
    """An output another program holds open (Windows: Word, WPS or Excel), which cannot be replaced."""
    code = "file-in-use"
    title = "文件正被其他程序打开"


class ReportBusyError(ReportkitError):
    """Another run is building the same county-year (and did not finish while this one waited)."""
    code = "report-busy"
    title = "另一次运行正在生成同一份报告"


class OutputFolderError(ReportkitError):
    """The output folder cannot take the report (read-only, not writable, another file system)."""
    code = "output-folder"
    title = "输出文件夹不可用"


class ImportSourceError(ReportkitError):
    """A published report handed to ``reportkit import`` cannot be read, or what it gives does not
    load as data (nothing is written then)."""
    code = "import-source"
    title = "无法导入这份报告"


class CarriedOverError(NarrativeError):
    """A narrative started from last year's (``reportkit new``) still has paragraphs nobody has
    revised, and a strict build was asked for."""
    code = "carried-over"
    title = "还有沿用上年原文、尚未修改的段落"


class ForeignDocumentError(DocumentError):
    """A document that is another county's or another year's report (harvest, audit)."""
    code = "foreign-document"
    title = "这份文档是另一个县区或年份的报告"


def os_error_message(exc: OSError) -> str:
    """A file-system failure as staff can act on it (the previous outputs are untouched)."""
    where = exc.filename2 or exc.filename or ""    # a rename: the file replaced, not the temporary one
    code = exc.errno
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        full = "所在的磁盘已满" if code == errno.ENOSPC else "所在磁盘上您的空间配额已用完"
        return (f"磁盘空间不足,无法写入 {where}({full})。请清理这个磁盘(删掉不用的文件),"
                f"或用 REPORTKIT_BUILD 把输出放到空间足够的磁盘上,然后重试(上一次生成的文档未被改动)")
    if code in (errno.EACCES, errno.EPERM):
        return f"没有权限写入 {where}。请检查文件夹权限,或文件是否正被 Word/WPS/Excel 打开(关闭后重试)"
    if code == errno.EROFS:
        return f"{where} 所在的磁盘是只读的。请换一个可写的输出文件夹(--build 或 REPORTKIT_BUILD)"
    if code == errno.EXDEV:
        return (f"{where} 与临时文件夹不在同一个磁盘上,或所在的文件夹是只读挂载的:输出无法移入。"
                f"请让整个输出文件夹(build/)在同一个可写的磁盘上,或用 REPORTKIT_BUILD 换一个(上一次生成的文档未被改动)")
    if code == errno.ENOENT:
        return f"找不到 {where}"
    if code == errno.EISDIR:
        return f"{where} 是一个文件夹,不是文件。请检查这个路径:要给出的是文件本身(如 …/xinchang_2024.docx)"
    if code == errno.ENOTDIR:
        return f"{where} 的路径中有一段是文件而不是文件夹。请检查路径"
    if code == errno.ELOOP:
        return f"{where} 是循环的符号链接(链接最终又指回自己),打不开。请给出文档本身的路径,或改正这个链接"
    if code == errno.ENAMETOOLONG:
        return f"路径太长:{where}。请把文件放到路径短一些的文件夹里"
    if code in (errno.EBUSY, getattr(errno, "ETXTBSY", -1)):
        return f"{where} 正被另一个程序占用。请关闭它(如 Word/WPS)后重试"
    if code in (errno.EMFILE, errno.ENFILE):
        return f"同时打开的文件太多,无法打开 {where}。请关闭一些程序后重试"
    name = errno.errorcode.get(code, type(exc).__name__) if code else type(exc).__name__
    return f"文件操作失败(系统错误 {name}):{where}。上一次生成的文档未被改动;请检查这个路径和所在的磁盘后重试"
