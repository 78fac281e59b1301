"""The one home of reportkit's date rules.

- :func:`parse_date`: a date as staff write it (2024-12-20, 2024/12/20, 2024.12.20, 2024年12月20日 or a
  YAML date), or None;
- :func:`chinese_date` and :func:`chinese_dates_in`: dates written as GB/T 9704 writes them
  (2024年12月20日, Arabic numerals);
- :func:`document_date`: the date a build stamps on a document (its properties and revisions) — the
  成文日期, else ``SOURCE_DATE_EPOCH``, else the last day of the report's year; never the clock, so the
  same inputs give the same bytes.
"""
from __future__ import annotations

import datetime as dt
import os
import re


def parse_date(text) -> dt.date | None:
    """A date as staff write it: 2024-12-20, 2024/12/20, 2024.12.20, 2024年12月20日 (or a YAML date);
    None when it is not one (a month 13, a day missing, words)."""
    m = re.fullmatch(r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*", str(text))
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None
    except ValueError:
        return None


def chinese_date(text) -> str:
    """2024-12-20 (any form :func:`parse_date` reads) -> 2024年12月20日, in Arabic numerals as
    GB/T 9704 writes a date; anything else is returned as written."""
    d = parse_date(text)
    return f"{d.year}年{d.month}月{d.day}日" if d else str(text).strip()


def chinese_dates_in(text: str) -> str:
    """ISO dates inside a text (a source: 2024-12-09发布) written as 2024年12月9日."""
    return re.sub(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)",
                  lambda m: f"{int(m.group(1))}年{int(m.group(2))}月{int(m.group(3))}日", text)


def source_date_epoch() -> dt.datetime | None:
    """``SOURCE_DATE_EPOCH`` (reproducible builds) as a naive UTC time, or None when unset or not a number."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).replace(tzinfo=None) if epoch.isdigit() else None


def document_date(year: int, written=None) -> dt.datetime:
    """The date a build stamps on a document: the 成文日期 ``written`` when it is a date, else
    SOURCE_DATE_EPOCH, else the last day of the report's ``year``."""
    day = parse_date(written) if written else None
    if day:
        return dt.datetime(day.year, day.month, day.day)
    return source_date_epoch() or dt.datetime(year, 12, 31)


def w3c(when: dt.datetime) -> str:
    """A time as Word writes it in revision marks: 2024-12-31T00:00:00Z."""
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")
