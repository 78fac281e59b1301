"""reportkit.cli: the figures command and its errors (Chinese; exit 1 for bad data, 2 for usage; no traceback)."""
import subprocess
import sys

import pytest

from helpers import copy_real_data
from reportkit import cli, config


@pytest.mark.parametrize("county,year,expect", [
    ("pingyang", 2024, "15.44亿元"), ("xinchang", 2024, "327家"), ("jiangbei", 2020, "151家"),
])
def test_figures_prints_sentences_and_table(capsys, county, year, expect):
    assert cli.main(["figures", "--county", county, "--year", str(year)]) == 0
    out = capsys.readouterr().out
    assert expect in out and "指标表" in out and "增减" in out


def test_figures_writes_csv(tmp_path, capsys):
    path = tmp_path / "f.csv"
    assert cli.main(["figures", "--county", "jiangbei", "--year", "2020", "--csv", str(path)]) == 0
    assert "hte_total" in path.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("args,message", [
    (["--county", "nowhere", "--year", "2024"], "未知的县区“nowhere”"),
    (["--county", "xinchang", "--year", "1999"], "没有 1999 年的指标数据"),
    # issue 20: a trailing newline passed the slug check, then all 90 counties were listed
    (["--county", "xinchang\n", "--year", "2024"], "错误:县区代码 COUNTY=“xinchang‹U+000A›”不合法。请去掉多余的空白或换行,写成 COUNTY=xinchang\n"),
    (["--county", "xinchng", "--year", "2024"], "未知的县区“xinchng”。是不是:xinchang(新昌县)、wencheng(文成县)、suichang(遂昌县)?"
                                                "(共登记 90 个县区,见 counties.csv 的 slug 列)。"),
])
def test_bad_parameters(capsys, args, message):
    assert cli.main(["figures", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误:") and message in err


def test_bad_data_gives_chinese_error_without_traceback(tmp_path):
    root = copy_real_data(tmp_path / "data")
    p = root / "values" / "jiangbei.csv"
    p.write_text(p.read_text(encoding="utf-8").replace("jiangbei,2020,hte_total,全年,151", "jiangbei,2020,hte_total,全年,一百五十一"),
                 encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "reportkit", "figures", "--county", "jiangbei", "--year", "2020",
                        "--data", str(root)], capture_output=True, text=True, cwd=config.ROOT)
    assert r.returncode == 1                                   # the report failed (2 is for usage errors)
    assert "Traceback" not in r.stderr
    assert "jiangbei.csv" in r.stderr and "“value”列" in r.stderr and "“一百五十一”不是数字" in r.stderr
    assert r.stdout == ""


def test_version_and_exit_codes(capsys):
    with pytest.raises(SystemExit) as ei:
        cli.main(["--version"])
    assert ei.value.code == 0 and capsys.readouterr().out.strip().startswith("reportkit ")
    assert cli.main(["report", "--county", "Xin Chang", "--year", "2024"]) == 2     # usage
