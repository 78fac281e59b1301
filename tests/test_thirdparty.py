"""Each reach into another library's internals (reportkit.thirdparty): the hook does what it is
for on the tested versions, and the library's stock behaviour is used when the guard fails."""
import subprocess
import sys
import textwrap
import warnings

import pytest

from reportkit import thirdparty


@pytest.fixture
def untested(monkeypatch):
    """Make a library's installed version one the hooks were not tested against."""
    def make(library):
        monkeypatch.setitem(thirdparty.TESTED, library, ((0, 0), (0, 1)))
    return make


def test_versions_are_compared_as_numbers():
    assert thirdparty.version_tuple("3.10.0rc1") == (3, 10, 0)
    assert thirdparty.tested("matplotlib", "3.9.2") and thirdparty.tested("matplotlib", "3.10")
    assert not thirdparty.tested("matplotlib", "4.0.0") and not thirdparty.tested("matplotlib", "3.4.3")
    assert thirdparty.tested("python", (3, 11, 7)) and not thirdparty.tested("python", (3, 15, 0))


def test_matplotlib_setter_docstrings_are_left_out_and_put_back():
    import matplotlib.artist
    stock = matplotlib.artist.kwdoc
    with thirdparty.matplotlib_without_setter_docstrings():
        assert matplotlib.artist.kwdoc is not stock and matplotlib.artist.kwdoc(object) == ""
    assert matplotlib.artist.kwdoc is stock


def test_matplotlib_untested_keeps_its_docstrings(untested):
    import matplotlib.artist
    untested("matplotlib")
    stock = matplotlib.artist.kwdoc
    with thirdparty.matplotlib_without_setter_docstrings():
        assert matplotlib.artist.kwdoc is stock


def test_nbconvert_highlighter_highlights_as_nbconverts_own():
    from nbconvert import HTMLExporter
    from nbconvert.filters.highlight import Highlight2HTML
    exporter = HTMLExporter()
    ours = thirdparty.nbconvert_highlighter(exporter)
    assert ours is not None
    stock = Highlight2HTML(pygments_lexer="ipython3", parent=exporter)
    code = "%time x = 1  # a magic\nprint(f'{x:.1f}')"
    assert ours(code, "ipython3") == stock(code, "ipython3")


def test_nbconvert_untested_uses_its_own_highlighter(untested):
    from nbconvert import HTMLExporter
    untested("nbconvert")
    assert thirdparty.nbconvert_highlighter(HTMLExporter()) is None


def test_exit_handlers_run_before_a_quick_exit(tmp_path):
    code = textwrap.dedent(f"""
        import atexit, os
        from reportkit import thirdparty
        atexit.register(lambda: open({str(tmp_path / 'ran')!r}, "w").write("yes"))
        assert thirdparty.run_exit_handlers()
        os._exit(0)
    """)
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    assert (tmp_path / "ran").read_text() == "yes"


def test_untested_python_exits_normally(untested):
    untested("python")
    assert thirdparty.run_exit_handlers() is False


def test_once_warnings_show_again_after_the_filters_are_replaced():
    def warn():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("once")
            saved = list(warnings.filters)
            warnings.warn("again", UserWarning)
            warnings.filters[:] = saved
            assert thirdparty.warnings_changed()
            warnings.warn("again", UserWarning)
        return [str(w.message) for w in caught]
    assert warn() == ["again", "again"]


def test_untested_python_leaves_warnings_alone(untested):
    untested("python")
    assert thirdparty.warnings_changed() is False


def test_untested_jupyter_client_starts_a_kernel_of_its_own(untested):
    """The stock way: jupyter_client starts the kernel; a report's cell still runs in it."""
    from jupyter_core.utils import run_sync

    from reportkit.run.warm import KeptKernel
    untested("jupyter_client")
    with KeptKernel() as kernel:
        kernel.prepare()
        assert kernel.km.provisioner is not None and kernel.alive()
        reply = run_sync(kernel.kc.execute_interactive)("x = 6 * 7", timeout=60)
        assert reply["content"]["status"] == "ok"
    assert not kernel.alive()
