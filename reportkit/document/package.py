"""The .docx as a file: the template opened, core properties set, the date a build stamps, and the
package saved reproducibly (the same bytes for the same content)."""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

from docx import Document

from .. import config
from ..exceptions import TemplateError
from ..model.report import ReportFigures
from ..dates import document_date as dated
from .template import resolve_styles
from .titles import issuer


def set_properties(doc, rf: ReportFigures, title: str, illustrative: bool) -> None:
    cp = doc.core_properties
    cp.title = title
    from ..narrative.source import KIND_NAMES
    kind = KIND_NAMES[rf.narrative.kind]
    cp.subject = f"{rf.county.name}{rf.year}年科技创新{kind}"
    cp.author = issuer(rf)
    cp.last_modified_by = issuer(rf)
    cp.keywords = "；".join(["科技局", kind, str(rf.year), rf.county.name, rf.county.city])
    cp.category = kind
    cp.comments = "由 reportkit 依据 data/ 中的数据生成" + ("\uff1b含示例数据\uff0c不得引用" if illustrative else "")
    cp.created = cp.modified = document_date(rf)
    cp.revision = 1


def document_date(rf: ReportFigures) -> dt.datetime:
    """The date a build stamps on the document (properties, revisions): :func:`reportkit.dates.document_date`."""
    return dated(rf.year, rf.narrative.meta.get("date") if rf.narrative else None)


#: Zip entries of a written .docx carry this time (the format has no "none"): the same bytes each build.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def open_template(template: Path | None = None):
    """(document, styles) of the Word template (the house style); refused with the file named
    when it cannot be opened or lacks a style."""
    template = Path(template or config.DEFAULT_TEMPLATE)
    try:
        doc = Document(template)
    except Exception as exc:
        raise TemplateError(f"无法打开模板({type(exc).__name__})", file=template,
                            hint="确认模板是 .docx 文件,或运行 make template 重新生成") from exc
    try:
        styles = resolve_styles(doc)
    except TemplateError as exc:
        exc.file = str(template)
        raise
    return doc, styles


def save_reproducibly(doc, path: Path) -> None:
    """Save a document whose bytes depend on its content only: entries in the order python-docx
    writes them, each with the same fixed time and attributes."""
    buf = io.BytesIO()
    doc.save(buf)
    buf.seek(0)
    with zipfile.ZipFile(buf) as src, open(path, "wb") as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            entry.create_system = 3
            dst.writestr(entry, src.read(info.filename))
