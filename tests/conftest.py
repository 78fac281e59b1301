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
    from helpers import seed_report
    return seed_report(tmp_path_factory.mktemp("seed"), "xinchang", 2024)


@pytest.fixture
def work(seeded_xinchang, tmp_path):
    """A private copy of that data/ and build/: (root, ReportPaths of xinchang 2024)."""
    from helpers import private_copy
    return private_copy(seeded_xinchang, tmp_path, "xinchang", 2024)


class _ReadableGuard:
    """nbval's failure of a guarded reference notebook, worded as the guard words it (which
    county-year, which indicator, old → new) rather than as a diff of raw HTML (reportkit.run.guard)."""

    def __init__(self):
        self.told = {}

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        if report.when != "call" or not report.failed or type(item).__name__ != "IPyNbCell" \
                or item.config.getoption("verbose") >= 2:      # -vv: nbval's own diff
            return
        from reportkit.run import guard
        text = guard.nbval_failure(Path(str(item.fspath)), f"Cell {item.cell_num}", self.told)
        if text:
            report.longrepr = text


def pytest_configure(config):
    # registered as a plugin (not a conftest hook) so that it also sees notebooks outside tests/
    if not config.pluginmanager.has_plugin("reportkit-readable-guard"):
        config.pluginmanager.register(_ReadableGuard(), "reportkit-readable-guard")
