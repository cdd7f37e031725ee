"""Tells the connector catalogue how many workflows use each connector (its popularity).

A workflow uses a connector when a node of its current graph names it in
``data.config.connector`` (connector operations, the semantic router). Archived workflows do
not count. Counted in SQL, correlated to the catalogue row: JSONB containment on PostgreSQL,
``json_each`` on SQLite (the embedded default).
"""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, F, Func, OuterRef, Subquery

from apps.connectors.usage import register_use_counter
from apps.workflows.models import Workflow


class GraphUsesConnector(Func):
    """``graph`` has a node whose ``data.config.connector`` equals ``slug``."""

    output_field = BooleanField()
    arity = 2

    def _parts(self, compiler: Any, connection: Any) -> tuple[str, str, list[Any]]:
        graph, graph_params = compiler.compile(self.source_expressions[0])
        slug, slug_params = compiler.compile(self.source_expressions[1])
        return graph, slug, [*graph_params, *slug_params]

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        graph, slug, params = self._parts(compiler, connection)
        needle = (
            f"jsonb_build_object('nodes', jsonb_build_array(jsonb_build_object('data', "
            f"jsonb_build_object('config', jsonb_build_object('connector', "
            f"({slug})::text)))))"
        )
        return f"({graph} @> {needle})", params

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # SQLite
        graph, slug, params = self._parts(compiler, connection)
        # Only compiled column SQL is interpolated; values travel as parameters.
        sql = (
            "EXISTS (SELECT 1 FROM json_each(" + graph + ", '$.nodes') AS node "  # noqa: S608
            "WHERE json_extract(node.value, '$.data.config.connector') = " + slug + ")"
        )
        return sql, params


def workflows_using_connector() -> Subquery:
    """How many live workflows (any workspace) use the ``OuterRef`` connector."""
    uses = (
        Workflow.objects.exclude(status=Workflow.Status.ARCHIVED)
        .filter(GraphUsesConnector(F("graph"), OuterRef("slug")))
        .order_by()
        .annotate(n=Func(F("pk"), function="COUNT"))
        .values("n")
    )
    return Subquery(uses)


def register() -> None:
    register_use_counter("workflows", workflows_using_connector)
