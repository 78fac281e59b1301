"""Read staff tables (.csv in UTF-8/GBK/GB18030, or .xlsx) as text, keeping Excel row numbers."""
from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

from .exceptions import EncodingError, FileReadError, MissingColumnError

#: Column of every loaded table holding the row number a person sees in Excel/WPS
#: (the header is row 1, so the first data row is row 2).
ROW = "_row"
FILE = "_file"

TABLE_SUFFIXES = (".csv", ".xlsx")
ENCODINGS = ("utf-8-sig", "gb18030")  # gb18030 is a superset of GBK and GB2312


def decode_csv_bytes(raw: bytes, path: Path) -> str:
    """Decode CSV bytes as UTF-8 (with or without BOM), else GB18030/GBK."""
    for enc in ENCODINGS:
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise EncodingError(
        "无法识别文件编码(既不是 UTF-8,也不是 GBK/GB18030)",
        file=path,
        hint="在 Excel 或 WPS 中“另存为”,文件类型选“CSV UTF-8(逗号分隔)”或“.xlsx”",
    )


def _cell_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, (dt.datetime, dt.date)):
        return v.isoformat()
    return str(v)


def _csv_rows(path: Path) -> list[list[str]]:
    text = decode_csv_bytes(path.read_bytes(), path)
    try:
        return list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise FileReadError(f"CSV 格式错误({exc})", file=path,
                            hint="检查是否有未闭合的英文双引号") from exc


def _xlsx_rows(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
        try:
            ws = wb.worksheets[0]
            return [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
        finally:
            wb.close()
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError) as exc:
        raise FileReadError(f"文件已损坏或不是有效的 .xlsx 表格({type(exc).__name__})", file=path,
                            hint="用 Excel 或 WPS 打开后重新保存为 .xlsx 或 .csv") from exc
    except Exception as exc:  # openpyxl raises its own kinds for malformed parts
        raise FileReadError(f"文件已损坏或不是有效的 .xlsx 表格({type(exc).__name__})", file=path,
                            hint="用 Excel 或 WPS 打开后重新保存为 .xlsx 或 .csv") from exc


def read_records(path: Path, aliases: dict[str, str] | None = None) -> tuple[list[str], list[dict]]:
    """(header, records) of a .csv or .xlsx table; every cell stripped text ('' when empty).

    Each record carries ``_row`` (the Excel row number) and ``_file``; blank rows are skipped,
    headers are mapped through ``aliases`` (Chinese column names to ids). Only the standard
    library (and openpyxl for .xlsx) is used, so this is cheap to call before any kernel.
    """
    path = Path(path)
    if not path.exists():
        raise FileReadError("文件不存在", file=path, hint="检查文件名和所在文件夹")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = _csv_rows(path)
    elif suffix == ".xlsx":
        rows = _xlsx_rows(path)
    else:
        raise FileReadError(f"不支持的文件类型“{path.suffix}”", file=path, hint="保存为 .csv 或 .xlsx")
    if not rows:
        return [], []
    aliases = aliases or {}
    header = [aliases.get(h, h) for h in (str(c).strip().lstrip("\ufeff") for c in rows[0])]
    while header and header[-1] == "":
        header.pop()
    records = []
    for number, row in enumerate(rows[1:], start=2):
        cells = [str(c).strip() for c in row]
        if not any(cells):
            continue
        extra = [c for c in cells[len(header):] if c]
        if extra:
            raise FileReadError(f"这一行有 {len(cells)} 个逗号分隔的格,而表头只有 {len(header)} 列",
                                file=path, row=number,
                                hint="去掉多余的英文逗号(文字中的逗号请用中文逗号“\uff0c”,或给整格加英文双引号)")
        rec = {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header) if h}
        rec[ROW] = number
        rec[FILE] = str(path)
        records.append(rec)
    return [h for h in header if h], records


def read_table(path: Path, required=(), optional=(), aliases: dict[str, str] | None = None):
    """A table as a pandas DataFrame of text, with ``_row`` and ``_file``; checks required columns."""
    import pandas as pd
    header, records = read_records(path, aliases)
    for col in required:
        if col not in header:
            raise MissingColumnError(f"缺少必需的列“{col}”", file=path, column=col,
                                     hint=f"在第 1 行(表头)加上“{col}”列,格式见 data/README.md")
    columns = header + [c for c in optional if c not in header] + [ROW, FILE]
    df = pd.DataFrame.from_records(records, columns=columns)
    for col in optional:
        if col not in header:
            df[col] = ""
    return df


def find_table(folder: Path, stem: str) -> Path:
    """The one file ``<stem>.csv`` or ``<stem>.xlsx`` in ``folder``."""
    found = [folder / f"{stem}{s}" for s in TABLE_SUFFIXES if (folder / f"{stem}{s}").exists()]
    if not found:
        raise FileReadError(f"找不到“{stem}.csv”或“{stem}.xlsx”", file=folder,
                            hint=f"在数据文件夹中放入 {stem}.csv(见 data/README.md)")
    if len(found) > 1:
        raise FileReadError(f"同时存在 {found[0].name} 和 {found[1].name},不知道以哪个为准",
                            file=folder, hint="只保留其中一个")
    return found[0]


def list_tables(folder: Path) -> list[Path]:
    """Every .csv/.xlsx file in a folder (sorted; Excel lock files ~$… skipped)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if p.suffix.lower() in TABLE_SUFFIXES and not p.name.startswith(("~$", ".")))
