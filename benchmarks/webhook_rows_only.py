"""WSGI entry for ``webhook_accept.py --rows-only``: the accept path without the on-commit send.

A what-if, not a product mode: it measures the accept path when the request only writes the
delivery and the queued execution, which is what a deferred dispatcher (a batch sender woken
by LISTEN/NOTIFY, or the execution sweep) would allow. Executions accepted here stay queued.
"""

import importlib

from config.wsgi import application  # sets Django up before the services module loads

services = importlib.import_module("apps.workflows.services")
services.execution_enqueue = lambda **kwargs: None

__all__ = ["application"]
