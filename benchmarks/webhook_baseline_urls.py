"""The two calibration views of webhook_accept.py --baseline, then the project's URLs."""

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

TABLE = "bench_webhook_baseline"


def _insert() -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE} (body) VALUES (%s)", ["{}"])  # noqa: S608


@csrf_exempt
def insert(request: HttpRequest) -> HttpResponse:
    _insert()
    return HttpResponse(b'{"status": "accepted"}', status=202, content_type="application/json")


@csrf_exempt
def insert_send(request: HttpRequest) -> HttpResponse:
    from config.celery import app

    _insert()
    app.send_task("bench.noop", args=["x"], queue="bench_baseline")
    return HttpResponse(b'{"status": "accepted"}', status=202, content_type="application/json")


urlpatterns = [
    path("bench/insert", insert),
    path("bench/insert-send", insert_send),
    path("", include("config.urls")),
]
