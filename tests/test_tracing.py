"""reportkit.editing.tracing: numbers in text traced to the figure they stand for, by the name before them."""
import pytest

from reportkit.model.references import References
from reportkit.model.report import compute_report_figures
from reportkit.editing.tracing import Tracer, find_numbers


@pytest.fixture(scope="module")
def xinchang():
    rf = compute_report_figures("xinchang", 2024)
    refs = References(rf, every_indicator=True)
    return Tracer(refs.values, refs.names)


def kinds(tracer, text):
    return [(t.kind, t.number.text, t.key or t.indicator) for t in tracer.trace_all(text)]


def test_numbers_are_read_with_their_units():
    assert [n.text for n in find_numbers("研发强度3.45%，提升0.22个百分点，9368万元、1.74万人、327家、第4位")] == \
        ["3.45%", "0.22个百分点", "9368万元", "1.74万人", "327家", "4位"]


@pytest.mark.parametrize("county,year", [("xinchang", 2024), ("pingyang", 2024), ("jiangbei", 2020)])
def test_every_number_of_the_generated_paragraph_is_traced(county, year):
    rf = compute_report_figures(county, year)
    refs = References(rf, every_indicator=True)
    traces = Tracer(refs.values, refs.names).trace_all(rf.paragraph)
    assert traces and all(t.kind in ("ref", "label") for t in traces), \
        [(t.kind, t.number.text) for t in traces if t.kind not in ("ref", "label")]


@pytest.mark.parametrize("text,expected", [
    ("现有国家高新技术企业327家、科技型中小企业894家。",
     [("ref", "327家", "hte_total"), ("ref", "894家", "tech_sme_total")]),
    # the change is read in its sentence: the name is two clauses back
    ("高新技术企业总数达到327家，比上年增加25家，增长8.28%。",
     [("ref", "327家", "hte_total"), ("ref", "25家", "hte_total.delta_phrase"),
      ("ref", "8.28%", "hte_total.growth_phrase")]),
    ("规上工业企业研发强度3.45%，全省排名第1。",
     [("ref", "3.45%", "rd_intensity_above_scale"), ("ref", "1", "rd_intensity_above_scale.province_rank")]),
    ("科技创新指数全省排名第4位。", [("ref", "4位", "innovation_index_rank_province")]),
    # a typed wrong figure, and a right figure under the wrong name
    ("全县高新技术企业849家。", [("mismatch", "849家", "hte_total")]),
    ("全县高新技术企业894家。", [("mismatch", "894家", "hte_total")]),
    ("科技创新指数全省排名第5位。", [("mismatch", "5位", "innovation_index_rank_province")]),
    # no indicator named: a literal, whatever it equals
    ("建有3个研究所和7支团队。", [("literal", "3个", ""), ("literal", "7", "")]),
    # another quantity of the same subject
    ("新认定高新技术企业85家。", [("literal", "85家", "")]),
    ("其中规上企业200家。", [("literal", "200家", "")]),
    # years, dates, periods, numbering
    ("2020—2024年，1-10月，2024-12-09发布，表1", [("label", "2020", ""), ("label", "2024", ""), ("label", "1", ""),
                                           ("label", "10", ""), ("label", "2024", ""), ("label", "12", ""),
                                           ("label", "09", ""), ("label", "1", "")]),
])
def test_trace(xinchang, text, expected):
    assert kinds(xinchang, text) == expected


def test_mismatch_names_the_expected_value_first(xinchang):
    t = xinchang.trace_all("全县高新技术企业849家。")[0]
    assert t.expected == "327家(上年值 302家,变化量 25家)"
