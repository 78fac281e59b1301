"""Read staff tables (.csv or .xlsx) as the user sees them in Excel or WPS, keeping row numbers.

Every cell becomes the text a person sees: a percent-formatted cell holding 0.0345 reads
"3.45%", a vertically merged county cell reads on every row it spans, invisible characters
(zero-width spaces, BOMs) are dropped, a formula Excel never calculated is a problem of its cell,
not an empty cell. Every sheet with content is read (or refused by name); old formats are refused
with the way out. A CSV's encoding is UTF-8, or GBK/GB18030 when that is certain — never a guess.

Only the standard library, openpyxl and charset-normalizer are used, so this is cheap to call
before any kernel starts.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ..exceptions import EncodingError, FileReadError, MissingColumnError

#: Keys every record carries besides its columns: the row number a person sees in Excel/WPS,
#: the file, the sheet ('' for .csv), and problems found in single cells {column: message}.
ROW, FILE, SHEET, PROBLEMS = "_row", "_file", "_sheet", "_problems"

TABLE_SUFFIXES = (".csv", ".xlsx", ".xlsm")
#: Spreadsheet formats that look like tables but cannot be read: refused with the way out.
OLD_FORMATS = {".xls": "Excel 97-2003 工作簿(.xls)", ".et": "WPS 表格(.et)", ".ods": "OpenDocument 表格(.ods)",
               ".numbers": "Numbers 表格", ".xlsb": "Excel 二进制工作簿(.xlsb)"}
SAVE_AS = "在 Excel 或 WPS 中打开,“另存为”Excel 工作簿(.xlsx)或 CSV UTF-8(逗号分隔)"
HEADER_SEARCH_ROWS = 10          # a title line or two may stand above the header
_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u200f"}
_SPACES = {"\u00a0": " ", "\u3000": " ", "\u2002": " ", "\u2003": " ", "\u2009": " "}


def visible(text: str) -> str:
    """Text as a message shows it: invisible and control characters spelled out (‹U+200B›)."""
    out = []
    for ch in str(text):
        cat = unicodedata.category(ch)
        if ch in _INVISIBLE or cat in ("Cf", "Cc", "Co", "Cs") and ch not in "\t":
            out.append(f"‹U+{ord(ch):04X}›")
        else:
            out.append(ch)
    return "".join(out)


_CLEAN = str.maketrans({**dict.fromkeys(_INVISIBLE), **_SPACES})


def clean_cell(text: str) -> str:
    """What a person sees in the cell: invisible characters dropped, odd spaces made spaces, trimmed."""
    return str(text).translate(_CLEAN).strip()


def control_chars(text: str) -> list[str]:
    """Control characters left in a cell (never typed on purpose; they break the document)."""
    return [f"U+{ord(c):04X}" for c in text if unicodedata.category(c) == "Cc" and c not in "\t\n\r"]


# ------------------------------------------------------------------ encodings

def _common_hanzi_share(text: str) -> float:
    """Share of Chinese characters that are among the 3755 most common (GB2312 level 1)."""
    hanzi = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    if not hanzi:
        return 1.0
    common = 0
    for c in hanzi:
        try:
            b = c.encode("gb2312")
        except UnicodeEncodeError:
            continue
        if 0xB0 <= b[0] <= 0xD7:
            common += 1
    return common / len(hanzi)


def decode_csv_bytes(raw: bytes, path: Path) -> str:
    """UTF-8 (with or without BOM) or UTF-16 with BOM; GBK/GB18030 only when that is certain.

    Big5 (traditional Chinese) bytes are valid GB18030 too and would decode to garbage, so a file
    that is not UTF-8 is decoded as GB18030 only when charset-normalizer finds it plausible and
    its Chinese characters are ordinary simplified ones; otherwise it is refused."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes
    candidates = [m.encoding for m in from_bytes(raw)]
    gb = next((e for e in candidates if e in ("gb18030", "gbk", "gb2312", "hz")), None)
    if gb is not None:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            text = None
        if text is not None and _common_hanzi_share(text) >= 0.9:
            return text
    named = {"big5": "繁体中文 Big5", "big5hkscs": "繁体中文 Big5", "cp950": "繁体中文 Big5",
             "utf_16": "UTF-16", "shift_jis": "日文 Shift-JIS", "cp932": "日文 Shift-JIS"}
    guess = next((named[e] for e in candidates if e in named), None)
    raise EncodingError(
        f"无法确定文件编码({'看起来是' + guess + ',' if guess else ''}不是 UTF-8,也不能确定是 GBK/GB18030)",
        file=path, hint=SAVE_AS + ";繁体字请先转为简体")


# ------------------------------------------------------------------ tables

@dataclass
class Table:
    """One table read from a file: a .csv, or one sheet of an .xlsx."""
    path: Path
    sheet: str
    header: list[str]                    # column ids (aliases mapped), '' for unnamed columns
    raw_header: list[str]                # as written
    header_row: int
    records: list[dict] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{self.path.name}" + (f" 工作表“{self.sheet}”" if self.sheet else "")

    def require(self, columns, hint_of=None) -> None:
        """Refuse a table without these columns, naming what its header does say."""
        for col in columns:
            if col not in self.header:
                shown = "、".join(visible(h) for h in self.raw_header if h) or "(空)"
                raise MissingColumnError(f"缺少必需的列“{col}”(第 {self.header_row} 行的表头是:{shown})",
                                         file=self.path, sheet=self.sheet or None, row=self.header_row, column=col,
                                         hint=(hint_of(col) if hint_of else None) or
                                         f"在表头加上“{col}”列(可用中文列名),格式见 data/README.md")


def normalize_header(name: str, aliases: dict[str, str]) -> str:
    """'County', ' 县区 ', 'ｃｏｕｎｔｙ' -> 'county'."""
    h = unicodedata.normalize("NFKC", clean_cell(name)).strip()
    h = aliases.get(h, h)
    low = h.lower().replace(" ", "_")
    return aliases.get(low, low) if re.fullmatch(r"[a-z0-9_]+", low) else h


def _header_index(rows: list[list[str]], aliases: dict[str, str], known: set[str]) -> int:
    """The header row: the first of the first rows that names two known columns (a title line may
    stand above it); the first non-empty row when none does."""
    first = next((i for i, r in enumerate(rows) if any(c.strip() for c in r)), 0)
    for i, r in enumerate(rows[:HEADER_SEARCH_ROWS]):
        names = {normalize_header(c, aliases) for c in r}
        if len(names & known) >= 2:
            return i
    return first


def _records(path: Path, sheet: str, rows: list[list[str]], row_numbers: list[int],
             problems: list[dict], aliases: dict[str, str], known: set[str]) -> Table | None:
    if not any(any(c.strip() for c in r) for r in rows):
        return None
    h = _header_index(rows, aliases, known)
    raw = [clean_cell(c) for c in rows[h]]
    while raw and raw[-1] == "":
        raw.pop()
    header = [normalize_header(c, aliases) for c in raw]
    table = Table(path, sheet, header, raw, row_numbers[h])
    for k in range(h + 1, len(rows)):
        cells = [clean_cell(c) for c in rows[k]]
        if not any(cells):
            continue
        extra = [c for c in cells[len(header):] if c]
        if extra:
            raise FileReadError(f"第 {row_numbers[k]} 行有 {len(cells)} 个格,而表头只有 {len(header)} 列"
                                f"(多出的是“{visible(extra[0])}”)",
                                file=path, sheet=sheet or None, row=row_numbers[k],
                                hint="去掉多余的逗号(文字中的逗号请用中文逗号“\uff0c”,或给整格加英文双引号)")
        rec = {col: (cells[i] if i < len(cells) else "") for i, col in enumerate(header) if col}
        rec[ROW], rec[FILE], rec[SHEET] = row_numbers[k], str(path), sheet
        rec[PROBLEMS] = {header[i]: msg for i, msg in problems[k].items() if i < len(header) and header[i]}
        table.records.append(rec)
    return table


def _sniff_delimiter(text: str) -> str:
    line = next((ln for ln in text.splitlines() if ln.strip()), "")
    counts = {d: len(next(csv.reader([line], delimiter=d), [])) for d in (",", "\t", ";")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def _csv(path: Path, aliases, known) -> list[Table]:
    raw = path.read_bytes()
    if not raw.strip():
        raise FileReadError("文件是空的", file=path, hint="写上表头和数据,或删除这个文件")
    text = decode_csv_bytes(raw, path).replace("\r\n", "\n").replace("\r", "\n")
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=_sniff_delimiter(text)))
    except csv.Error as exc:
        raise FileReadError(f"CSV 格式错误({exc})", file=path, hint="检查是否有未闭合的英文双引号") from exc
    table = _records(path, "", rows, list(range(1, len(rows) + 1)), [{} for _ in rows], aliases, known)
    return [table] if table else []


def _number_text(v, fmt: str) -> str:
    """A number as a person sees it: exact digits (no float noise, no exponent); a percent format
    shows the value times a hundred with a % sign."""
    d = Decimal(repr(v)) if isinstance(v, float) else Decimal(v)
    if _is_percent(fmt):
        d = d * 100
        return _plain(d) + "%"
    return _plain(d)


def _plain(d: Decimal) -> str:
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _is_percent(fmt: str) -> bool:
    core = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", fmt or "")
    return "%" in core


def _cell(cell, formula) -> tuple[str, str | None]:
    """(text, problem) of one cell."""
    v = cell.value
    if v is None:
        if isinstance(formula, str) and formula.startswith("="):
            return "", (f"单元格是公式“{formula[:40]}”,但文件里没有它的计算结果(文件可能由其他程序生成,"
                        "从未在 Excel/WPS 中打开保存过)")
        return "", None
    if isinstance(v, bool):
        return ("是" if v else "否"), None
    if isinstance(v, (int, float, Decimal)):
        return _number_text(v, cell.number_format), None
    if isinstance(v, (dt.datetime, dt.date)):
        if _year_only(cell.number_format):      # a year typed as a date, shown as 2024 (yyyy, yyyy"年")
            return str(v.year), None
        return (v.date() if isinstance(v, dt.datetime) else v).isoformat(), None
    if isinstance(v, dt.time):
        return v.isoformat(), None
    return str(v), None


def _xlsx(path: Path, aliases, known) -> list[Table]:
    from openpyxl import load_workbook
    try:
        values = load_workbook(path, data_only=True)
        formulas = load_workbook(path, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError, TypeError) as exc:
        raise FileReadError(f"文件已损坏或不是有效的 .xlsx 表格({type(exc).__name__})", file=path,
                            hint=SAVE_AS) from exc
    except Exception as exc:  # openpyxl raises its own kinds for malformed parts
        raise FileReadError(f"文件已损坏或不是有效的 .xlsx 表格({type(exc).__name__})", file=path,
                            hint=SAVE_AS) from exc
    tables = []
    try:
        for ws in values.worksheets:
            fws = formulas[ws.title]
            fill, across = _merges(ws)
            rows, problems = [], []
            for r in range(1, ws.max_row + 1):   # not read-only: a stale <dimension> cannot cut rows
                row, probs = [], {}
                for c in range(1, ws.max_column + 1):
                    text, problem = fill[(r, c)] if (r, c) in fill else _cell(ws.cell(r, c), fws.cell(r, c).value)
                    row.append(text)
                    if problem:
                        probs[c - 1] = problem
                rows.append(row)
                problems.append(probs)
            numbers = list(range(1, len(rows) + 1))
            table = _records(path, ws.title, rows, numbers, problems, aliases, known)
            if table is None:
                continue
            for min_row, max_row, coord in across:
                if max_row >= table.header_row:
                    raise FileReadError(f"单元格 {coord} 是跨列合并的,看不出每一列的值", file=path,
                                        sheet=ws.title, row=min_row,
                                        hint="取消合并单元格(再点一次“合并后居中”),每格填上自己的值")
            tables.append(table)
    finally:
        values.close()
        formulas.close()
    return tables


def _merges(ws):
    """Merged cells read as Excel shows them: a merge down one column (a county written once for
    several rows) gives its text to every row it spans; a merge across columns is returned apart
    (allowed only in a title line above the header)."""
    fill, across = {}, []
    for rng in ws.merged_cells.ranges:
        text = _cell(ws.cell(rng.min_row, rng.min_col), None)
        if rng.min_col != rng.max_col:
            across.append((rng.min_row, rng.max_row, rng.coord))
            continue
        for r in range(rng.min_row, rng.max_row + 1):
            fill[(r, rng.min_col)] = text
    return fill, across


def read_tables(path: Path, aliases: dict[str, str] | None = None, known: set[str] = frozenset()) -> list[Table]:
    """The tables of a .csv (one) or an .xlsx (one per sheet with content), cells as seen.

    ``known``: column ids the caller expects (to find a header below a title line)."""
    path = Path(path)
    if not path.exists():
        raise FileReadError("文件不存在", file=path, hint="检查文件名和所在文件夹")
    suffix = path.suffix.lower()
    aliases = aliases or {}
    if suffix in OLD_FORMATS:
        raise FileReadError(f"{OLD_FORMATS[suffix]} 不能直接读取", file=path, hint=SAVE_AS)
    if suffix == ".csv":
        return _csv(path, aliases, known)
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx(path, aliases, known)
    raise FileReadError(f"不支持的文件类型“{path.suffix}”", file=path, hint="保存为 .csv 或 .xlsx")


def read_records(path: Path, aliases: dict[str, str] | None = None, known: set[str] = frozenset()):
    """(header of the first table, records of all tables) of a file."""
    tables = read_tables(path, aliases, known)
    header = [h for h in tables[0].header if h] if tables else []
    return header, [r for t in tables for r in t.records]


def find_table(folder: Path, stem: str) -> Path:
    """The one ``<stem>.csv`` or ``<stem>.xlsx`` in ``folder`` (an old format is refused by name)."""
    found = [folder / f"{stem}{s}" for s in TABLE_SUFFIXES if (folder / f"{stem}{s}").exists()]
    old = [folder / f"{stem}{s}" for s in OLD_FORMATS if (folder / f"{stem}{s}").exists()]
    if not found and old:
        raise FileReadError(f"{OLD_FORMATS[old[0].suffix]} 不能直接读取", file=old[0], hint=SAVE_AS)
    if not found:
        raise FileReadError(f"找不到“{stem}.csv”或“{stem}.xlsx”", file=folder,
                            hint=f"在数据文件夹中放入 {stem}.csv(见 data/README.md)")
    if len(found) > 1:
        raise FileReadError(f"同时存在 {found[0].name} 和 {found[1].name},不知道以哪个为准",
                            file=folder, hint="只保留其中一个")
    return found[0]


def list_tables(folder: Path) -> list[Path]:
    """Every table file of a folder and of its subfolders (values/历史/xinchang.csv is read like
    values/xinchang.csv), old formats included (reading refuses them by name); Excel lock files
    (~$…) and hidden files or folders are not read — ``unread_files`` names them."""
    if not folder.is_dir():
        return []
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        found += [Path(dirpath) / n for n in filenames
                  if Path(n).suffix.lower() in TABLE_SUFFIXES + tuple(OLD_FORMATS) and not n.startswith(("~$", "."))]
    return sorted(found)


def other_files(folder: Path) -> list[Path]:
    """Files in a data folder that are not tables (listed by `make check`: not read)."""
    if not folder.is_dir():
        return []
    tables = set(list_tables(folder))
    return sorted(p for p in folder.iterdir() if p.is_file() and p not in tables and not p.name.startswith((".", "~$"))
                  and p.name != "README.md")


# ------------------------------------------------------------------ files that are not read

#: What may sit in data/ without being data: documentation.
DOC_FILES = ("README.md",)
SYSTEM_FILES = (".ds_store", "thumbs.db", "desktop.ini")
NOT_A_TABLE = ("不是 .csv 或 .xlsx 表格{kind},没有读取;如果其中是数据,在 Excel/WPS 中另存为"
               " Excel 工作簿(.xlsx)或 CSV UTF-8(逗号分隔)")


def _why_not(rel: Path) -> str | None:
    """Why a file of data/ (path relative to it) is not read, or None when it is read (or is
    documentation). The rules mirror what the loaders read: the registry and the catalog at the
    top, every table under values/ and targets/, narrative/<county>/<year>.md."""
    parts, name = rel.parts, rel.name
    low = name.lower()
    if low in SYSTEM_FILES:
        return "操作系统生成的文件,不是数据(可以删除)"
    if name.startswith("._"):
        return "macOS 复制文件时生成的附属文件,不是数据(可以删除)"
    if name.startswith("~$") or name.startswith(".~lock."):
        return "Excel/WPS 打开表格时生成的临时文件,不是数据(关闭表格后会消失,也可以删除)"
    hidden = next((x for x in parts if x.startswith(".")), None)
    if hidden is not None:
        where = "隐藏文件" if hidden == name else f"隐藏文件夹“{hidden}”中的文件"
        return f"{where}(名字以“.”开头),没有读取;如果其中是数据,去掉名字开头的“.”"
    if name in DOC_FILES:
        return None
    top = parts[0]
    if len(parts) == 1:
        if rel.stem in ("counties", "indicators") and rel.suffix.lower() in TABLE_SUFFIXES + tuple(OLD_FORMATS):
            return None            # read (or refused by name) as the registry and the catalog
        return ("不在 values/ 或 targets/ 文件夹中,没有读取(data/ 下只读取 counties 和 indicators 两个表"
                "以及 values、targets、narrative 三个文件夹;指标数据请放进 values/,目标放进 targets/)")
    if top in ("values", "targets"):
        if rel.suffix.lower() in TABLE_SUFFIXES + tuple(OLD_FORMATS):
            return None
        return NOT_A_TABLE.format(kind=f"(扩展名 {rel.suffix})" if rel.suffix else "(没有扩展名)")
    if top == "narrative":
        if len(parts) == 2 and name == "TEMPLATE.md":
            return None
        if len(parts) == 3 and re.fullmatch(r"\d{4}\.md", name):
            return None            # make check reads it (and says when the folder is not a county)
        year = re.match(r"(\d{4})", rel.stem)
        fix = f",如果这是 {year.group(1)} 年的叙述文件,改名为 {year.group(1)}.md" if year and len(parts) == 3 else ""
        return f"叙述文件应是 narrative/<县区代码>/<年份>.md(如 narrative/xinchang/2024.md),这个文件没有读取{fix}"
    return (f"data/ 下的“{top}”文件夹不会读取(只读取 values、targets、narrative);"
            "指标数据请放进 values/,目标放进 targets/")


def unread_files(root: Path) -> list[tuple[Path, str]]:
    """Every file under ``root`` (data/) that no report reads, with the reason, as (path relative
    to root, reason): hidden files, lock files, other extensions, misplaced files. Nothing in
    data/ is skipped without a word (`make check` and `make report` list these)."""
    root = Path(root)
    if not root.is_dir():
        return []
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for n in sorted(filenames):
            rel = (Path(dirpath) / n).relative_to(root)
            why = _why_not(rel)
            if why:
                out.append((rel, why))
        for d in dirnames:
            full = Path(dirpath) / d
            if full.is_symlink():
                out.append((full.relative_to(root), "链接到别处的文件夹,没有读取;请把其中的文件直接放进这里"))
    return sorted(out)


def unread_notes(root: Path) -> list[str]:
    """One line per file of data/ that is not read, with the reason (`make check`, `make report`, `make all`)."""
    return [f"没有读取 {rel.as_posix()}:{why}" for rel, why in unread_files(root)]


def _year_only(fmt: str) -> bool:
    """A date format that shows only the year (yyyy, yyyy"年", [$-804]yyyy\\年, e): the cell reads
    as the year it shows."""
    core = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", fmt or "").strip().lower()
    return bool(core) and re.fullmatch(r"(yyyy|yyy|e)[\s.\-/年]*", core) is not None
