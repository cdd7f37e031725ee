"""Settings for the calibration runs of webhook_accept.py (``--baseline``).

The issue measured on this machine a bare Django view that inserts one row (and the same
view plus a Celery send). Machines and their load change, so webhook_accept.py measures
those two views again, with the same server, client and services, right before the real
accept path: the ratio is what the figures mean. The views are in webhook_baseline_urls.py;
every other URL is the project's.
"""

from config.settings.local import *  # noqa: F403

ROOT_URLCONF = "benchmarks.webhook_baseline_urls"
