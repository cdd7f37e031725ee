"""Fixtures shared by every app's tests and the cross-app suite in tests/."""

import shutil
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from apps.workspaces.models import Role
from apps.workspaces.services import api_token_create
from apps.workspaces.tests.factories import MembershipFactory, UserFactory

_test_broker = None


def pytest_sessionstart(session) -> None:
    """On the embedded default the session's broker is a redis-server on a unix socket under
    var/tests, one per test process (config/settings/test.py names it), stopped at the end."""
    global _test_broker
    from django.conf import settings

    if getattr(settings, "TEST_BROKER_DIR", ""):
        from config.embedded import ThrowawayBroker

        _test_broker = ThrowawayBroker(Path(settings.TEST_BROKER_DIR)).start()


def pytest_sessionfinish(session, exitstatus) -> None:
    if _test_broker is not None:
        _test_broker.stop()
        shutil.rmtree(_test_broker.data_dir, ignore_errors=True)


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def workspace(user):
    return MembershipFactory(user=user, role=Role.OWNER).workspace


@pytest.fixture
def other_workspace(db):
    """A workspace the `user` fixture is not a member of."""
    return MembershipFactory(role=Role.OWNER).workspace


@pytest.fixture
def api(user) -> APIClient:
    """An API client authenticated as `user` with a real bearer token."""
    _, token = api_token_create(user=user, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def member_api(workspace):
    """Build a client for a new user holding `role` in `workspace`."""

    def make(role: str) -> APIClient:
        member = MembershipFactory(workspace=workspace, role=role).user
        _, token = api_token_create(user=member, name="tests")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return client

    return make


@pytest.fixture(scope="session")
def _session_worker(django_db_setup, django_db_blocker):
    """Holds the worker process of the running test (see tests/worker.SessionWorker)."""
    from tests.worker import SessionWorker, purge_broker

    holder = SessionWorker()
    with django_db_blocker.unblock():
        purge_broker()
    yield holder
    holder.stop()


@pytest.fixture
def celery_worker(_session_worker, transactional_db):
    """A real Celery worker process on the test database and the configured broker."""
    from tests.worker import purge_broker

    purge_broker()  # tasks other tests sent for rows that no longer exist
    yield _session_worker.ensure()
    _session_worker.stop(hard=True)  # state lives in the database, which is flushed next
    purge_broker()


@pytest.fixture
def own_workers(_session_worker, transactional_db):
    """For tests that start, kill and restart their own workers: the shared one is stopped
    so that no other process takes their tasks."""
    from tests.worker import purge_broker

    _session_worker.stop()
    purge_broker()
    yield
    purge_broker()
