"""Read staff tables (.csv in UTF-8/GBK/GB18030, or .xlsx) as text, keeping Excel row numbers."""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pandas as pd

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


def read_table(path: Path, required: tuple[str, ...] = (), optional: tuple[str, ...] = ()) -> pd.DataFrame:
    """Read one .csv or .xlsx table with every cell as stripped text ('' when empty).

    Adds ``_row`` (the Excel row number) and ``_file``. Unknown extra columns are kept;
    missing optional columns are added empty; a missing required column is an error.
    """
    path = Path(path)
    if not path.exists():
        raise FileReadError("文件不存在", file=path, hint="检查文件名和所在文件夹")
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            text = decode_csv_bytes(path.read_bytes(), path)
            df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                             skip_blank_lines=True)
        elif suffix == ".xlsx":
            df = pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
        else:
            raise FileReadError(f"不支持的文件类型“{path.suffix}”", file=path,
                                hint="保存为 .csv 或 .xlsx")
    except FileReadError:
        raise
    except pd.errors.ParserError as exc:
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if m:
            raise FileReadError(f"这一行有 {m.group(3)} 个逗号分隔的格,而表头只有 {m.group(1)} 列",
                                file=path, row=int(m.group(2)),
                                hint="去掉多余的英文逗号(文字中的逗号请用中文逗号“,”,或给整格加英文双引号)") from exc
        raise FileReadError(f"CSV 格式错误({exc})", file=path,
                            hint="检查是否有多余的逗号或未闭合的引号") from exc
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileReadError(f"文件已损坏或不是有效的表格({type(exc).__name__})", file=path,
                            hint="用 Excel 或 WPS 打开后重新保存为 .xlsx 或 .csv") from exc
    df.columns = [str(c).strip().lstrip("\ufeff") for c in df.columns]
    df = df.loc[:, [c for c in df.columns if c and not c.startswith("Unnamed:")]]
    df = df.apply(lambda col: col.map(lambda v: "" if v is None else str(v).strip()))
    # Excel row numbers: header is row 1; keep them before dropping blank rows.
    df[ROW] = range(2, len(df) + 2)
    data_cols = [c for c in df.columns if c != ROW]
    if data_cols:
        df = df[df[data_cols].ne("").any(axis=1)]
    for col in required:
        if col not in df.columns:
            raise MissingColumnError(f"缺少必需的列“{col}”", file=path, column=col,
                                     hint=f"在第 1 行(表头)加上“{col}”列")
    for col in optional:
        if col not in df.columns:
            df[col] = ""
    df[FILE] = str(path)
    return df.reset_index(drop=True)


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
