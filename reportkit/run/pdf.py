"""`make pdf`: the report as PDF, through LibreOffice when it is installed.

The product does not need LibreOffice to run; without it this says so in Chinese and how to get
a PDF anyway (Word or WPS: 另存为 PDF).
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from .. import config
from ..exceptions import ReportkitError
from ..iorw import atomic_path

CANDIDATES = ("soffice", "libreoffice", "/usr/bin/soffice", "/opt/libreoffice/program/soffice",
              "/Applications/LibreOffice.app/Contents/MacOS/soffice",
              r"C:\Program Files\LibreOffice\program\soffice.exe")


class PdfError(ReportkitError):
    """No PDF could be made (LibreOffice missing or failing)."""


def find_soffice() -> str | None:
    for c in CANDIDATES:
        found = shutil.which(c) or (c if Path(c).is_file() else None)
        if found:
            return found
    return None


def to_pdf(docx: Path, out: Path, *, timeout: int = 300) -> Path:
    """Convert ``docx`` to ``out`` with LibreOffice (a private profile, so an open LibreOffice
    window does not block it); atomic: ``out`` is replaced only by a complete PDF."""
    docx, out = Path(docx), Path(out)
    if not docx.exists():
        raise PdfError("Word 文档不存在", file=docx, hint="先运行 make report 生成报告")
    soffice = find_soffice()
    if soffice is None:
        raise PdfError("没有找到 LibreOffice,无法转换为 PDF", file=docx,
                       hint="安装 LibreOffice(https://zh-cn.libreoffice.org)后重试;或在 Word/WPS 中打开文档,"
                            "“另存为”PDF")
    with tempfile.TemporaryDirectory(prefix="reportkit-pdf-") as tmp:
        tmp = Path(tmp)
        try:
            r = subprocess.run([soffice, f"-env:UserInstallation={(tmp / 'profile').as_uri()}", "--headless",
                                "--convert-to", "pdf", "--outdir", str(tmp), str(docx)],
                               capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise PdfError(f"LibreOffice 转换超过 {timeout} 秒未完成", file=docx, hint="关闭其他 LibreOffice 窗口后重试") from None
        made = tmp / (docx.stem + ".pdf")
        if r.returncode != 0 or not made.exists() or made.stat().st_size == 0:
            detail = (r.stderr or r.stdout).strip().splitlines()[-1:] or ["无输出"]
            raise PdfError(f"LibreOffice 没有生成 PDF({detail[0]})", file=docx, hint="在 Word/WPS 中打开文档,“另存为”PDF")
        with atomic_path(out) as dest:
            shutil.copyfile(made, dest)
    return out


def report_pdf(county: str, year: int, *, build_root: Path | None = None, file: Path | None = None) -> Path:
    """The PDF of a county-year's report (or of ``file``), beside it in build/."""
    paths = config.report_paths(county, year, build_root)
    src = Path(file or paths.docx)
    return to_pdf(src, paths.out_dir / f"{src.stem}.pdf")
