"""The city view's settings: data/city.yaml (which indicators the city table and its charts show).

::

    indicators: [rd_expenditure, hte_total]   # the table's key indicators, in this order
    charts: [rd_expenditure]                   # the indicators given a comparison chart
    温州市:                                     # the same keys for one city only (optional)
      charts: [hte_total]

Without the file, or without a key: every indicator with a value for some unit of the city that
year (catalog order) in the table, and a chart for each of those every unit has a value of.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from .. import config
from ..exceptions import CitySettingsError
from .tables import visible

SETTINGS_NAME = config.CITY_SETTINGS
KEYS = ("indicators", "charts")


@dataclass(frozen=True)
class CitySettings:
    indicators: tuple[str, ...] | None = None     # None: every indicator with data
    charts: tuple[str, ...] | None = None         # None: every table indicator with complete data
    path: Path | None = None


def settings_path(data_dir: Path | None = None) -> Path:
    return Path(data_dir or config.DATA_DIR) / SETTINGS_NAME


def _ids(value, key: str, path: Path, catalog: list[str], where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CitySettingsError(f"{where}“{key}”应是指标代码的列表,写的是:{visible(repr(value))}", file=path,
                                hint=f"写成 {key}: [rd_expenditure, hte_total]")
    for v in value:
        if v not in catalog:
            import difflib
            near = difflib.get_close_matches(v, catalog, n=3, cutoff=0.6)
            line = next((i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                         if v in text), None)
            raise CitySettingsError(f"{where}“{key}”中的“{visible(v)}”不是指标目录中的代码"
                                    + (f"(是不是:{'、'.join(near)})" if near else ""),
                                    file=path, row=line, value=v, indicator=v,
                                    hint="改为 indicators.csv 中的指标代码")
    return tuple(dict.fromkeys(value))


def read_settings(city: str, catalog: list[str], data_dir: Path | None = None) -> CitySettings:
    """The settings for ``city``: its own section over the top-level keys; refused with the file,
    the key and the fix when malformed."""
    path = settings_path(data_dir)
    if not path.exists():
        return CitySettings()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise CitySettingsError(f"无法读取全市汇总设置({type(exc).__name__})", file=path,
                                row=None if line is None else line + 1,
                                hint="按 data/README.md“全市汇总”一节的格式改写(保存为 UTF-8)") from exc
    if not isinstance(raw, dict):
        raise CitySettingsError("全市汇总设置应是“键: 值”的形式", file=path,
                                hint="写成 indicators: [..] 和 charts: [..] 两行")
    found = {}
    for scope, where in ((raw, ""), (raw.get(city) or {}, f"{city}的")):
        if not isinstance(scope, dict):
            raise CitySettingsError(f"“{city}”一节应是“键: 值”的形式", file=path, column=city,
                                    hint="在城市名下缩进写 indicators: [..] 或 charts: [..]")
        for key in KEYS:
            if key in scope:
                found[key] = _ids(scope[key], key, path, catalog, where)
    unknown = [k for k in raw if k not in KEYS and not (isinstance(raw[k], dict) and str(k).endswith(("市", "州", "盟")))]
    if unknown:
        raise CitySettingsError(f"全市汇总设置中有不认识的键“{visible(str(unknown[0]))}”(可用:indicators、charts,"
                                f"或以市名为键的一节)", file=path, column=str(unknown[0]),
                                hint="删去它,或改为 indicators / charts")
    return CitySettings(found.get("indicators"), found.get("charts"), path)
