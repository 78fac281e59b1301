"""The one place reportkit reaches into private parts of other libraries.

Each hook below uses something a library does not promise (a private name, an attribute set
from outside). Each is guarded: it runs only on the versions it was written and tested against
(:data:`TESTED`) and only when what it uses is there; otherwise the library's stock behaviour is
used, which is slower or larger but gives the same results. ``tests/test_thirdparty.py`` has a
test per hook, and one per fallback.

| hook | library internal | what it buys | stock behaviour when the guard fails |
|---|---|---|---|
| :func:`matplotlib_without_setter_docstrings` | ``matplotlib.artist.kwdoc`` | 0.1 s of every kernel start | the docstrings are written |
| :func:`nbconvert_highlighter` | ``nbconvert.filters.highlight._pygments_highlight`` | IPython not loaded into a batch worker (9 MB) | nbconvert's own highlighter |
| :func:`run_exit_handlers` | ``atexit._run_exitfuncs`` | no module-by-module teardown at exit (0.1 s) | a normal interpreter exit |
| :func:`warnings_changed` | ``warnings._filters_mutated`` | "once" warnings shown again in a kept kernel | the filters are replaced (a warning already shown once may stay hidden) |
| :func:`adopt_kernel` | ``LocalProvisioner.process`` / ``.pid`` set from outside | the kernel boots while jupyter_client loads | None: the caller lets jupyter_client start a kernel of its own |

This module imports nothing of reportkit (it sits in the foundation layer).
"""
from __future__ import annotations

import contextlib
import logging
import re
import sys

log = logging.getLogger(__name__)

#: versions each hook was written and tested against: [lowest, first untested major)
TESTED = {
    "matplotlib": ((3, 5), (4, 0)),
    "nbconvert": ((7, 0), (8, 0)),
    "jupyter_client": ((7, 0), (9, 0)),
    "python": ((3, 10), (3, 15)),
}


def version_tuple(text: str) -> tuple[int, ...]:
    """'3.10.0rc1' -> (3, 10, 0)."""
    return tuple(int(x) for x in re.findall(r"\d+", text.split("+")[0])[:3])


def tested(library: str, version: str | tuple | None = None) -> bool:
    """Is ``library`` at a version its hook was tested against? (``version``: the installed one
    when not given.)"""
    low, high = TESTED[library]
    if version is None:
        if library == "python":
            version = sys.version_info[:3]
        else:
            version = getattr(__import__(library), "__version__", "0")
    v = version_tuple(version) if isinstance(version, str) else tuple(version)
    ok = low <= v[:len(low)] and v[:len(high)] < high
    if not ok:
        log.debug("%s %s is outside %s: using its stock behaviour", library, version, TESTED[library])
    return ok


@contextlib.contextmanager
def matplotlib_without_setter_docstrings():
    """matplotlib writes a docstring for the set() method of every artist class as the class is
    defined, listing all its properties: a fifth of its import time, for text nobody reads in a
    report. Left out while the block defines the classes drawing needs; put back after, so classes
    defined later are documented as usual."""
    import matplotlib
    import matplotlib.artist
    kwdoc = getattr(matplotlib.artist, "kwdoc", None)
    if kwdoc is None or not tested("matplotlib", matplotlib.__version__):
        yield
        return
    matplotlib.artist.kwdoc = lambda artist: ""
    try:
        yield
    finally:
        matplotlib.artist.kwdoc = kwdoc


def nbconvert_highlighter(exporter):
    """nbconvert's code highlighter taking the ipython3 lexer from pygments' registry (where the
    ipython-pygments-lexers package registers the class nbconvert gets from IPython.lib.lexers),
    without loading all of IPython: the same HTML. None (use nbconvert's own) when its internals
    are not as expected."""
    try:
        from html import escape

        import nbconvert
        from nbconvert.filters.highlight import Highlight2HTML, _pygments_highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import get_lexer_by_name
        from pygments.util import ClassNotFound
        if not tested("nbconvert", nbconvert.__version__) or \
                type(get_lexer_by_name("ipython")).__name__ != "IPython3Lexer":
            return None
    except (ImportError, ClassNotFound):
        return None

    class Highlight(Highlight2HTML):
        def __call__(self, source, language=None, metadata=None):
            language = language or self.pygments_lexer
            formatter = HtmlFormatter(cssclass=escape(f" highlight hl-{language}"), **self.extra_formatter_options)
            return _pygments_highlight(source if len(source) > 0 else " ", formatter,
                                       "ipython" if language == "ipython3" else language, metadata)

    return Highlight(pygments_lexer="ipython3", parent=exporter)


def run_exit_handlers() -> bool:
    """Run the interpreter's exit handlers now (before an ``os._exit`` that skips the teardown).
    False when this Python has no such hook: the caller exits normally instead."""
    import atexit
    hook = getattr(atexit, "_run_exitfuncs", None)
    if hook is None or not tested("python"):
        return False
    hook()
    return True


def warnings_changed() -> bool:
    """Tell the warnings module its filters were replaced, so "once"/"default" warnings show again
    (its cache of shown warnings is keyed on the filters' version). False when there is no hook."""
    import warnings
    hook = getattr(warnings, "_filters_mutated", None) or getattr(warnings, "_filters_mutated_lock_held", None)
    if hook is None or not tested("python"):
        return False
    hook()
    return True


def adopt_kernel(km, process, kernel_id: str, argv, *, language: str = "python"):
    """Make jupyter_client's kernel manager ``km`` own a kernel ``process`` started elsewhere (so
    the kernel could boot while jupyter_client loaded), through a local provisioner. Returns the
    provisioner, or None when this jupyter_client is not one the hook knows: the caller then lets
    ``km`` start a kernel of its own (stock behaviour)."""
    import jupyter_client
    if not tested("jupyter_client", jupyter_client.__version__):
        return None
    try:
        from jupyter_client.kernelspec import KernelSpec
        from jupyter_client.provisioning.local_provisioner import LocalProvisioner
    except ImportError:
        return None
    provisioner = LocalProvisioner(kernel_id=kernel_id, parent=km,
                                   kernel_spec=KernelSpec(argv=list(argv), language=language,
                                                          display_name="Python 3"))
    if not (hasattr(provisioner, "process") and hasattr(provisioner, "pid")):
        return None
    provisioner.process, provisioner.pid = process, process.pid
    km.provisioner = provisioner
    return provisioner
