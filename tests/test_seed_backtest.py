"""Back test: every indicator figure stated in the seed reports comes out of data/ exactly.

tests/expected/seed_figures.csv quotes each statement of the seeds; for each, the sentence the
engine writes from data/ must contain every number of the quote (or the listed numbers) and every
direction word (增长/下降/提升/降低…) and qualifier it uses.
"""
import csv
import re
from pathlib import Path

import pytest

from reportkit import config
from reportkit.model.figures import FigureEngine
from reportkit.model.phrasing import figure_sentence, target_phrase

EXPECTED = Path(__file__).parent / "expected" / "seed_figures.csv"
SEEDS = config.ROOT.parent / "shared" / "seeds"
NUMBER = re.compile(r"\d+(?:\.\d+)?")
DIRECTION = re.compile(r"增长|下降|提升|降低|增加|减少|持平")


def rows():
    with open(EXPECTED, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def normalize_seed(text: str) -> str:
    """Seeds as published: strip pinyin readings '發(fā)' and convert to simplified characters."""
    text = re.sub(r"\([a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*\)", "", text)
    try:
        import zhconv
    except ImportError:  # pragma: no cover
        return text
    return zhconv.convert(text, "zh-cn")


def unify(text: str) -> str:
    return text.translate(str.maketrans("，；：（）", ",;:()"))


@pytest.fixture(scope="module")
def engine(real_data):
    return FigureEngine(real_data)


@pytest.mark.parametrize("row", rows(), ids=lambda r: f"{r['county']}-{r['year']}-{r['kind']}-{r['indicator']}")
def test_seed_statement_reproduced(engine, row):
    county, year, ind = row["county"], int(row["year"]), row["indicator"]
    if row["kind"] == "figure":
        fig = engine.figure(county, year, ind)
        assert fig is not None, f"{county} {year} {ind} has no figure"
        ours = unify(figure_sentence(fig))
    else:
        targets = {t.indicator.id: t for t in engine.next_targets(county, year)}
        assert ind in targets, f"no {year + 1} target for {ind}"
        ours = unify(target_phrase(targets[ind]))
    expected_numbers = row["numbers"].split("|") if row["numbers"] else NUMBER.findall(row["quote"])
    got_numbers = NUMBER.findall(ours)
    for n in expected_numbers:
        assert n in got_numbers, f"{n} missing from {ours!r} (seed: {row['quote']!r})"
    for w in DIRECTION.findall(row["quote"]) + [w for w in row["words"].split("|") if w]:
        assert w in ours, f"{w} missing from {ours!r} (seed: {row['quote']!r})"


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds not present")
@pytest.mark.parametrize("row", rows(), ids=lambda r: f"{r['seed']}-{r['indicator']}")
def test_quote_is_verbatim_from_seed(row):
    text = normalize_seed((SEEDS / row["seed"]).read_text(encoding="utf-8"))
    assert row["quote"] in text


def test_every_seeded_county_year_has_its_figures(engine):
    seen = {(r["county"], int(r["year"])) for r in rows() if r["kind"] == "figure"}
    assert {("pingyang", 2024), ("xinchang", 2024), ("jiangbei", 2020)} <= seen
