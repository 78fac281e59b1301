"""Chinese numerals and 公文 heading numbers: what the builder writes, every reader reads back."""
import pytest

from reportkit.numbering import cn_number, cn_value, heading_number, split_number, strip_any_number, strip_number


@pytest.mark.parametrize("n,text", [(1, "一"), (10, "十"), (12, "十二"), (21, "二十一"), (99, "九十九"),
                                    (100, "一百"), (105, "一百零五"), (110, "一百一十"), (120, "一百二十"),
                                    (999, "九百九十九"), (1001, "一千零一"), (2024, "二千零二十四")])
def test_cn_number_past_ninety_nine(n, text):
    assert cn_number(n) == text


@pytest.mark.parametrize("n", range(1, 100))
def test_cn_value_reads_back_every_numeral_a_rank_or_heading_uses(n):
    assert cn_value(cn_number(n)) == n


@pytest.mark.parametrize("text", ["", "零", "十十", "一百", "二零", "十零", "甲", "三三"])
def test_cn_value_refuses_what_is_not_a_numeral(text):
    with pytest.raises(ValueError):
        cn_value(text)


def test_cn_value_reads_liang():
    assert cn_value("两") == 2


@pytest.mark.parametrize("level,n,written", [("h1", 3, "三、"), ("h2", 12, "（十二）"), ("h3", 4, "4."), ("h4", 2, "（2）")])
def test_each_level_reads_back_the_number_the_builder_writes(level, n, written):
    assert heading_number(level, n) == written
    line = written + "科技创新"
    assert split_number(level, line)[1] == "科技创新"
    assert strip_number(level, line) == "科技创新"
    assert strip_any_number(line) == "科技创新"
    assert [lv for lv in ("h1", "h2", "h3", "h4") if split_number(lv, line)] == [level]


@pytest.mark.parametrize("line,level,rest", [("一．研发投入", "h1", "研发投入"), ("二 、 人才", "h1", "人才"),
                                             ("(三)平台", "h2", "平台"), ("（ 三 ）平台", "h2", "平台"),
                                             ("2、项目", "h3", "项目"), ("3．项目", "h3", "项目"), ("(4)成果", "h4", "成果")])
def test_numbers_are_read_as_editors_and_bureaus_type_them(line, level, rest):
    assert split_number(level, line)[1] == rest


@pytest.mark.parametrize("line", ["1.5亿元的研发投入", "2024.5", "十分重要", "一、", "（一）"])
def test_a_number_in_the_text_or_a_bare_number_is_no_heading(line):
    assert not any(split_number(level, line) for level in ("h1", "h2", "h3", "h4"))


def test_a_label_without_a_number_is_returned_as_it_is():
    assert strip_any_number("  研发经费 ") == "  研发经费 "
    assert strip_any_number("  （一）研发经费") == "研发经费"
