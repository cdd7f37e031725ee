"""Platform-level behaviour: health, readiness, docs, the SPA host page and secure settings."""

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.django_db


def test_health_is_always_ok(client):
    response = client.get("/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_ready_checks_database_and_broker(client):
    response = client.get("/ready")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}


def test_ready_names_the_failing_broker(client, monkeypatch):
    # Port 9 (discard) has nothing listening here: a real refused connection. Celery reads
    # CELERY_BROKER_URL from the environment before its configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:9/0")
    response = client.get("/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["broker"] and body["checks"]["database"] == "ok"


def test_schema_and_docs_are_served(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in (
        "/api/v1/workflows/",
        "/api/v1/workflows/{id}/publish/",
        "/api/v1/workflows/import/",
        "/api/v1/executions/{id}/steps/",
        "/api/v1/tokens/",
        "/api/v1/me/",
    ):
        assert path in paths
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()


def test_spa_requires_login(client, user):
    assert client.get("/app/").status_code == 302
    client.force_login(user)
    response = client.get("/app/workflows/123")
    assert response.status_code == 200 and "csrftoken" in response.cookies


def _boot(settings_module: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "CELERY_"))
    }
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**clean, "DJANGO_SETTINGS_MODULE": settings_module, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_refuses_to_boot_without_secrets():
    result = _boot("config.settings.production")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_boots_when_configured():
    result = _boot(
        "config.settings.production",
        DJANGO_SECRET_KEY="x" * 50,
        DATABASE_URL="postgres://u@127.0.0.1/db",
        REDIS_URL="redis://127.0.0.1:6379/1",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        DJANGO_ALLOWED_HOSTS="flows.example.com",
        CREDENTIAL_KEYS="k1:dGVzdC1vbmx5LWtleS1tYXRlcmlhbC0zMi1ieXRlcyE",
    )
    assert result.returncode == 0, result.stderr
