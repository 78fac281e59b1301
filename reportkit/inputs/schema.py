"""What the tables in data/ look like: column names, Chinese aliases, patterns and word lists."""
from __future__ import annotations

import re

SLUG_RE = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
PERIOD_RE = re.compile(r"^1-(\d{1,2})月$")
FULL_YEAR = "全年"

KINDS = {"amount": "amount", "count": "count", "ratio": "ratio", "index": "index", "rank": "rank",
         "总量": "amount", "数量": "count", "比率": "ratio", "比重": "ratio", "指数": "index",
         "排名": "rank"}
YES = {"是", "y", "yes", "true", "1", "高"}
NO = {"否", "n", "no", "false", "0", "低"}
#: Words staff may put before or after a number ("超过23亿元", "4000余人", "170家以上").
QUALIFIERS_BEFORE = ("超过", "突破", "约", "近", "逾")
QUALIFIERS_AFTER = ("以上", "左右", "余")
ESTIMATE = "预计"
TARGET_TYPES = {"达到": "level", "level": "level", "增长": "growth", "growth": "growth"}
#: Marker in a source that says the figure was invented for illustration.
ILLUSTRATIVE_MARK = "示例"

#: Chinese column headers staff may use instead of the English ids.
ALIASES = {
    "代码": "slug", "县区代码": "slug", "名称": "name", "县区名称": "name", "类型": "kind",
    "所属市": "city", "所属省": "province", "单位名称": "bureau", "科技局名称": "bureau",
    "指标代码": "id", "指标名称": "name", "单位": "unit", "指标类型": "kind", "小数位数": "decimals",
    "越高越好": "higher_is_better", "谓语": "verb", "分子指标": "numerator", "分母指标": "denominator",
    "说明": "note", "县区": "county", "年份": "year", "指标": "indicator", "时期": "period",
    "数值": "value", "限定词": "qualifier", "目标": "target", "报送增速": "reported_growth",
    "报送完成率": "reported_completion", "全市排名": "city_rank", "全省排名": "province_rank",
    "来源": "source", "目标值": "target", "目标类型": "type", "前缀": "prefix", "后缀": "suffix",
}

COUNTY_COLS = ("slug", "name", "kind", "city", "province", "bureau")
INDICATOR_COLS = ("id", "name", "unit", "kind", "decimals", "higher_is_better")
INDICATOR_OPT = ("verb", "numerator", "denominator", "note")
VALUE_COLS = ("county", "year", "indicator", "value", "source")
VALUE_OPT = ("period", "unit", "qualifier", "target", "reported_growth", "reported_completion",
             "city_rank", "province_rank")
TARGET_COLS = ("county", "year", "indicator", "target", "source")
TARGET_OPT = ("type", "prefix", "suffix", "unit")
