"""schemathesis against the published OpenAPI schema (`/api/schema/`), as a signed-in user
who owns a workspace with a workflow, an execution and a trigger: no operation answers 5xx,
no answer breaks the schema it publishes or answers a status code it does not publish, and
no schema-violating request is accepted.

Bounded for CI: a fixed number of derandomised examples per operation, valid and
schema-violating, through the real WSGI application (middleware, authentication, parsers).
"""

from __future__ import annotations

import time
import uuid

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from apps.workflows.models import Execution
from apps.workflows.services import execution_create, workflow_publish
from apps.workflows.tests.factories import WorkflowFactory

# Examples per operation: valid requests, and schema-violating ones (slower to generate).
# One test per mode, each under the suite's 120 s pytest-timeout with room to spare on two
# shared cores (about 1.5 s an operation there).
EXAMPLES = {"positive": 15, "negative": 10}
TIME_LIMIT_SECONDS = 100


def refuses_schema_violations(ctx, response, case):  # type: ignore[no-untyped-def]
    """negative_data_rejection, with 413 counted as a refusal: a schema-violating body can be
    generated over the API's 2 MiB body limit, and the limit refuses it before parsing."""
    if response.status_code == 413:
        return None
    return negative_data_rejection(ctx, response, case)


CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    refuses_schema_violations,
]
# The event stream closes its database connection when it ends (right for a long-lived
# response); inside the test's transaction that would abort every later example, so it is
# fuzzed by its own test, outside a transaction, on a finished execution (each stream ends
# after its first poll instead of running for a minute).
STREAM = ("GET", "/api/v1/executions/{id}/stream/")
STREAM_TIME_LIMIT_SECONDS = 60


@pytest.fixture
def seeded(user, workspace, api):
    """The ids schemathesis can reach: a workspace, a published workflow and its run."""
    workflow = WorkflowFactory(workspace=workspace)
    workflow_publish(workflow=workflow, published_by=user)
    workflow.refresh_from_db()
    execution = execution_create(workflow=workflow, mode="api", input={})
    return {"workspace": workspace, "workflow": workflow, "execution": execution}


@pytest.fixture
def wsgi_app():
    """The project's WSGI application, called in this thread inside the test's transaction:
    as Django's test client does, a finished request must not close the connection."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


@pytest.mark.parametrize(
    "mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "schema-violating"]
)
def test_no_operation_answers_5xx_or_breaks_its_schema(api, seeded, wsgi_app, mode):
    token = api._credentials["HTTP_AUTHORIZATION"]
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app)
    ids = {
        "workspace": str(seeded["workspace"].pk),
        "workflow": str(seeded["workflow"].pk),
        "execution": str(seeded["execution"].pk),
    }
    started = time.monotonic()
    failures: list[str] = []
    tried = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        key = (operation.method.upper(), operation.path)
        if key == STREAM:
            continue
        tried += 1
        # Valid requests or schema-violating ones (malformed, mis-typed): none may answer 5xx
        # or a status the operation does not publish, a documented answer must match its
        # schema, and a schema-violating request must be refused.
        try:
            _fuzz(operation, mode, token, ids)
        except Unsatisfiable:
            # No schema-violating request exists for this operation (nothing to break).
            assert mode is GenerationMode.NEGATIVE, key
        except (AssertionError, BaseExceptionGroup) as exc:  # schemathesis' FailureGroup
            failures.append(f"{key[0]} {key[1]} ({mode.value}): {str(exc)[:1500]}")
        assert time.monotonic() - started < TIME_LIMIT_SECONDS, "schema fuzzing over budget"
    assert tried > 20, tried
    assert not failures, f"{len(failures)} operations failed:\n\n" + "\n\n".join(failures)


def _fuzz(
    operation,
    mode: GenerationMode,
    token: str,
    ids: dict[str, str],
    *,  # type: ignore[no-untyped-def]
    in_savepoint: bool = True,
) -> None:
    @settings(
        max_examples=EXAMPLES[mode.value],
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case):  # type: ignore[no-untyped-def]
        _aim(case, operation, token, ids)
        if not in_savepoint:
            case.call_and_validate(checks=CHECKS)
            return
        # Each example in a savepoint rolled back after it: a failed statement in one does
        # not abort the transaction for the next, and examples do not pile up rows.
        with transaction.atomic():
            response = case.call()
            transaction.set_rollback(True)
        case.validate_response(response, checks=CHECKS)

    check()


def _aim(case, operation, token: str, ids: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    """The caller's token, and the seeded objects' ids in path parameters so that operations
    reach real rows (ids the caller cannot see are tried by test_cross_workspace_routes.py).
    A generated id that is no UUID is left alone: it is the schema violation under test.
    Assigned, not mutated in place: schemathesis then re-checks whether the case still
    violates the schema, so a replaced id or token is not reported as accepted bad input."""
    path = dict(case.path_parameters or {})
    for name in path:
        for kind, value in ids.items():
            if (
                kind in operation.path
                and name in ("id", "pk", f"{kind}_id")
                and _is_uuid(path[name])
            ):
                path[name] = value
    if path:
        case.path_parameters = path
    case.headers = {**(case.headers or {}), "Authorization": token}


def _is_uuid(value: object) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@pytest.mark.django_db(transaction=True)
def test_the_event_stream_answers_within_its_schema(api, user, workspace):
    workflow = WorkflowFactory(workspace=workspace)
    workflow_publish(workflow=workflow, published_by=user)
    workflow.refresh_from_db()
    execution = execution_create(workflow=workflow, mode="api", input={})
    Execution.objects.filter(pk=execution.pk).update(status=Execution.Status.SUCCEEDED)
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    operation = schema[STREAM[1]][STREAM[0]]
    ids = {"execution": str(execution.pk)}
    token = api._credentials["HTTP_AUTHORIZATION"]
    started = time.monotonic()
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        _fuzz(operation, mode, token, ids, in_savepoint=False)
    assert time.monotonic() - started < STREAM_TIME_LIMIT_SECONDS
