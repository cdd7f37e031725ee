"""Project configuration: settings, URLs, the Celery app and the WSGI/ASGI entrypoints."""

from config.celery import app as celery_app

__all__ = ["celery_app"]
