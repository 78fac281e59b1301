"""reportkit.fingerprint: what a county-year's report depends on."""
from helpers import make_data, v
from reportkit.fingerprint import DataIndex, code_hash


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
