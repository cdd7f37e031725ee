"""The workflow engine: plain Python, no Django, Celery or HTTP (an import-linter contract
enforces it). It takes a graph plus ports and returns an outcome.

Public surface
--------------
- ``graph.validate_graph(raw, registry) -> list[ValidationIssue]``: every problem at once,
  each ``{node_id, field, code, message, severity}`` (``ValidationIssue.to_dict()``).
- ``graph.build_plan(raw, registry) -> Plan`` (raises ``GraphInvalid``); cache it per
  published WorkflowVersion.
- ``runner.Runner(registry, store=..., kv=..., clock=..., resume=..., cancel=...,
  sub_workflows=..., secrets=..., http=..., services=...)`` with
  ``run(plan_or_graph, RunRequest) -> Outcome``,
  ``rerun_from(plan, RunRequest, node_id, previous_steps) -> Outcome`` and
  ``run_node(plan, node_id, pinned=..., inputs=...) -> StepRecord``.
- ``types``: ``RunRequest``, ``Outcome`` (succeeded / failed / waiting / cancelled),
  ``StepRecord`` (+ ``to_dict``/``from_dict`` for a JSON column), ``StepError``,
  ``ValidationIssue``.
- ``expressions``: ``{{ jmespath }}`` compile/resolve (also used for previews).

What the Django side implements (``ports.py``)
----------------------------------------------
- ``StepStore``: ``step(execution_id, key) -> StepRecord | None`` and
  ``record_step(execution_id, record)`` (upsert on ``(execution, key)``).
- ``KeyValueStore``: pass ``django.core.cache.cache`` (Redis in production).
- ``Clock``: ``now()`` (aware UTC) and ``sleep(seconds)``; ``memory.SystemClock`` is fine.
- ``ResumeSource``: ``resume_payload(execution_id, key) -> ResumeSignal | None`` for
  steps in ``Outcome.awaiting`` (wait-for-resume, child workflows).
- ``CancelSignal``: ``is_cancelled(execution_id)``, asked at every step boundary (cache
  it briefly if it costs a query).
- ``SubWorkflowRunner`` (``apps.blocks.sdk``): ``run(workflow_id=, version=, payload=,
  idempotency_key=) -> SubWorkflowResult``, idempotent on the key.
- The block catalog: ``apps.blocks.registry.autodiscover()`` in ``AppConfig.ready``.

Parking: on ``Outcome(status="waiting")`` persist ``wake_at``/``awaiting`` on the
execution and release the worker; the sweep re-enqueues it when ``wake_at`` passes or a
resume payload arrives, and the task calls ``run`` again with the same execution id.
``memory.py`` has in-memory ports for tests and benchmarks.
"""
