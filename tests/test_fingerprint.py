"""reportkit.run.fingerprint: what a county-year's report depends on."""
from helpers import make_data, v
from reportkit.run.fingerprint import DataIndex, code_hash


def fp(root, county="alpha", year=2024, **kw):
    return DataIndex.read(root).fingerprint(county, year, "code", **kw)["hash"]


def rows():
    return [v("alpha", 2024, "rd", "1"), v("beta", 2024, "rd", "2"), v("gamma", 2024, "rd", "3")]


def test_same_inputs_same_hash(tmp_path):
    a = make_data(tmp_path / "a", rows())
    b = make_data(tmp_path / "b", rows())
    assert fp(a) == fp(b)


def test_own_row_changes_hash(tmp_path):
    a = make_data(tmp_path / "a", rows())
    changed = rows()
    changed[0] = v("alpha", 2024, "rd", "1.5")
    assert fp(a) != fp(make_data(tmp_path / "b", changed))


def test_city_peer_row_changes_hash_other_city_does_not(tmp_path):
    base = fp(make_data(tmp_path / "a", rows()))
    peer = rows()
    peer[1] = v("beta", 2024, "rd", "9")          # beta shares alpha's city: ranks depend on it
    assert fp(make_data(tmp_path / "b", peer)) != base
    other = rows()
    other[2] = v("gamma", 2024, "rd", "9")        # gamma is in another city
    assert fp(make_data(tmp_path / "c", other)) == base


def test_narrative_and_strict_flag_count(tmp_path):
    root = make_data(tmp_path / "a", rows())
    base = fp(root)
    assert fp(root, strict=True) != base
    (root / "narrative" / "alpha").mkdir(parents=True)
    (root / "narrative" / "alpha" / "2024.md").write_text("# 导语\n", encoding="utf-8")
    assert fp(root) != base


def test_code_hash_covers_the_template(tmp_path):
    tpl = tmp_path / "t.docx"
    tpl.write_bytes(b"one")
    h1 = code_hash(tpl)
    tpl.write_bytes(b"two")
    assert code_hash(tpl) != h1


def test_years_by_county_and_reports_by_narrative(tmp_path):
    root = make_data(tmp_path / "a", rows() + [v("alpha", 2023, "rd", "1")])
    idx = DataIndex.read(root)
    assert idx.years["alpha"] == {2023, 2024}
    assert idx.counties_with(2023) == [] and idx.data_without_narrative(2023) == ["alpha"]
    (root / "narrative" / "alpha").mkdir(parents=True)
    (root / "narrative" / "alpha" / "2023.md").write_text("# 导语\n# 工作总结\n# 工作思路\n", encoding="utf-8")
    assert DataIndex.read(root).counties_with(2023) == ["alpha"]


def test_batch_notes_name_what_was_not_built_and_why(tmp_path):
    from reportkit.run import batch
    root = make_data(tmp_path / "a", rows() + [v("delta", 2024, "rd", "4")])
    (root / "values" / "beta.csv").write_bytes(b"county,year,indicator,period,value\nbeta,2024,rd,\xe5\x85\xa8\xe5\xb9\xb4,1,9,9\n")
    (root / "narrative" / "alpha").mkdir(parents=True)
    (root / "narrative" / "alpha" / "2024.md").write_text("# 导语\n", encoding="utf-8")
    idx = DataIndex.read(root)
    lines = batch.notes(2024, root, index=idx)
    assert lines == batch.notes(2024, root)                # the index read here or passed in: the same
    assert lines[0] == "values/test.csv 中的县区“delta”未在 counties.csv 登记,没有生成报告"
    assert lines[1].startswith("有 2024 年数据但没有叙述文件、未生成的县区:beta、gamma(")
    assert lines[2].startswith("无法读取 beta.csv:第 2 行有 7 个格,而表头只有 5 列")
    assert len(lines) == 3
    assert batch.notes(2024, root, explicit=True, index=idx) == [lines[0], lines[2]]


def test_peers_are_the_county_and_its_city(tmp_path):
    idx = DataIndex.read(make_data(tmp_path / "a", rows()))
    assert idx.peers("alpha") == idx.peers("beta") == ["alpha", "beta"]
    assert idx.peers("gamma") == ["gamma"]
    assert idx.peers("nowhere") == ["nowhere"]
