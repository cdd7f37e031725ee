"""The Celery app. Tasks live in each app's tasks.py and are found by autodiscovery."""

import os

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
# Celery's Django fixup runs Django's system checks in every worker and beat process, which
# imports the whole URL conf with every API view, DRF's templates and drf-spectacular: ~34 MiB
# per process that never serves a request. The checks run where they belong: `migrate`
# (`make run`, deploys), `manage.py check` and the test suite.
os.environ.setdefault("CELERY_SKIP_CHECKS", "1")

app = Celery("flowplane")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect(weak=False)
def _django_logging(**kwargs: object) -> None:
    """Workers and beat log through Django's LOGGING (same format, levels and filters as web)
    instead of Celery's own handlers; `--loglevel` is then LOG_LEVEL."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
