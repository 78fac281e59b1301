import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from reportkit import data as data_mod  # noqa: E402


@pytest.fixture(scope="session")
def real_data():
    """The checked-in data/ folder, loaded once."""
    return data_mod.load()
