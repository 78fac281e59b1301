import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from reportkit.inputs import data as data_mod  # noqa: E402


@pytest.fixture(scope="session")
def real_data():
    """The checked-in data/ folder, loaded once."""
    return data_mod.load()


@pytest.fixture(scope="module")
def seeded_xinchang(tmp_path_factory):
    """xinchang 2024 generated once (in process, as make report would) into a data/build pair."""
    from helpers import copy_real_data, generate
    root = tmp_path_factory.mktemp("seed")
    generate("xinchang", 2024, copy_real_data(root / "data"), root / "build")
    return root


@pytest.fixture
def work(seeded_xinchang, tmp_path):
    """A private copy of that data/ and build/: (root, ReportPaths of xinchang 2024)."""
    import shutil
    from reportkit import config
    shutil.copytree(seeded_xinchang / "data", tmp_path / "data")
    shutil.copytree(seeded_xinchang / "build", tmp_path / "build")
    return tmp_path, config.report_paths("xinchang", 2024, tmp_path / "build")
