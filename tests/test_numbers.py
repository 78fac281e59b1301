"""reportkit.numbers: rounding, formatting, units."""
from decimal import Decimal as D

import pytest

from reportkit.numbers import (fmt, format_quantity, half_unit, parse_decimal, round_half_up,
                               scale_for_display)


@pytest.mark.parametrize("value,decimals,expected", [
    ("2.675", 2, "2.68"),      # float round() gives 2.67
    ("0.125", 2, "0.13"),      # half-even would give 0.12
    ("124.745", 2, "124.75"),
    ("-1.565", 2, "-1.57"),
    ("1.5", 0, "2"),
    ("2.5", 0, "3"),
])
def test_round_half_up(value, decimals, expected):
    assert str(round_half_up(D(value), decimals)) == expected


@pytest.mark.parametrize("value,decimals,expected", [
    ("112.00", 2, "112"), ("16.10", 1, "16.1"), ("124.75", 2, "124.75"), ("9.90", 2, "9.9"),
    ("0.004", 2, "0"), ("1E+3", 0, "1000"), ("3.30", 2, "3.3"),
])
def test_fmt_strips_trailing_zeros(value, decimals, expected):
    assert fmt(D(value), decimals) == expected


@pytest.mark.parametrize("text,expected", [
    ("15.44", D("15.44")), ("1,234.5", D("1234.5")), ("１５.４４", D("15.44")), ("", None),
    (" 7 ", D("7")), ("-1.57", D("-1.57")),
])
def test_parse_decimal(text, expected):
    assert parse_decimal(text) == expected


@pytest.mark.parametrize("text", ["15.44亿元", "12%", "约23", "N/A", "1.2.3"])
def test_parse_decimal_rejects_text(text):
    with pytest.raises(ValueError):
        parse_decimal(text)


def test_half_unit():
    assert half_unit(D("15.44")) == D("0.005")
    assert half_unit(D("9.9")) == D("0.05")
    assert half_unit(D("23")) == D("0.5")


@pytest.mark.parametrize("value,unit,decimals,expected", [
    ("0.9368", "亿元", 2, ("9368", "万元")),     # not 0.94亿元
    ("1.29", "亿元", 2, ("1.29", "亿元")),
    ("12900", "万元", 0, ("1.29", "亿元")),
    ("9.98", "万平方米", 2, ("9.98", "万平方米")),
    ("99800", "平方米", 0, ("9.98", "万平方米")),
    ("2008", "人", 0, ("2008", "人")),
    ("17400", "人", 0, ("1.74", "万人")),
    ("168", "家", 0, ("168", "家")),
])
def test_format_quantity_scales_as_people_write(value, unit, decimals, expected):
    assert format_quantity(D(value), unit, decimals) == expected


def test_scale_keeps_unknown_units():
    assert scale_for_display(D("5"), "项") == (D("5"), "项")
