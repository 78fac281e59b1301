"""The kernel process a report's notebook runs in (``python -m reportkit.run.kernel -f <connection
file>``): ipykernel's own kernel, started as ``python -m ipykernel_launcher`` would start it,
without its debugger.

Only papermill ever talks to this kernel and no debugging client attaches, so the debugger
(debugpy, which ipykernel imports as it loads: a twentieth of a second of every report's start)
is left out; everything else is ipykernel's.
"""
import sys


def main() -> None:
    sys.modules.setdefault("debugpy", None)     # ipykernel sees it as not installed: no debugger
    from ipykernel import kernelapp
    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main()
