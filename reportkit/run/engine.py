"""papermill's ``reportkit`` engine, registered once, when this module is imported.

nbclient, as papermill's own engine, but on a kept kernel (``kernel=`` a
:class:`~reportkit.run.warm.KeptKernel`) whose manager and client it neither starts nor stops; it
makes the kernel ready for the notebook (:meth:`~reportkit.run.warm.KeptKernel.prepare`) first,
once papermill has read, parameterized and written the notebook.
"""
from __future__ import annotations

from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, logger, papermill_engines
from papermill.utils import merge_kwargs, remove_args

ENGINE = "reportkit"


class KeptKernelEngine(NBClientEngine):
    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                 stderr_file=None, start_timeout=60, execution_timeout=None,
                                 kernel=None, **kwargs):
        kwargs = remove_args(["input_path", "timeout", "startup_timeout", "shutdown_kernel"], **kwargs)
        # waited for only now: papermill has read, parameterized and written the notebook meanwhile
        kernel.prepare()
        client = PapermillNotebookClient(nb_man, km=kernel.km, **merge_kwargs(
            kwargs, timeout=execution_timeout, startup_timeout=start_timeout, kernel_name=kernel_name,
            log=logger, log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file))
        client.kc = kernel.kc
        return client.execute()


papermill_engines.register(ENGINE, KeptKernelEngine)
