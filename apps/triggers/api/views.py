"""Trigger endpoints: validate, call a service or selector, serialize. No decisions here."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api.auth import caller
from apps.core.api.pagination import CreatedCursorPagination
from apps.core.exceptions import InvalidInput
from apps.triggers import cron, selectors, services, webhooks
from apps.triggers.api.filters import WebhookDeliveryFilter
from apps.triggers.api.serializers import (
    CronPreviewInput,
    DraftTestUrlInput,
    PollDefaultsInput,
    PollDefaultsOutput,
    PreviewOutput,
    SecretInput,
    SecretOutput,
    TriggerDetailOutput,
    TriggerOutput,
    TriggerUpdateInput,
    WebhookReceivedOutput,
)
from apps.triggers.exceptions import TriggerNotSchedulable
from apps.triggers.models import Trigger, WebhookDelivery
from apps.triggers.poll_paths import poll_paths_propose
from apps.workflows.selectors import workflow_get
from apps.workspaces.api.scoping import require_role
from apps.workspaces.models import Role


def _preview(expression: str, zone_name: str, count: int) -> dict:
    try:
        cron.validate(expression, zone_name)
    except cron.CronInvalid as exc:
        field = "timezone" if "time zone" in str(exc) else "expression"
        raise InvalidInput(str(exc), fields={field: [str(exc)]}) from exc
    zone = ZoneInfo(zone_name)
    runs = cron.upcoming(expression, zone_name, timezone.now(), count)
    return {
        "expression": expression,
        "timezone": zone_name,
        "runs": [{"at": at, "local": at.astimezone(zone).isoformat()} for at in runs],
    }


class TriggerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = TriggerOutput
    filterset_fields = ["workflow", "workspace", "kind", "is_active", "enabled"]
    ordering_fields = ["created_at", "next_fire_at"]

    def get_queryset(self) -> QuerySet[Trigger]:
        return selectors.trigger_list(user=self.request.user)

    @extend_schema(responses=TriggerDetailOutput)
    def retrieve(self, request: Request, pk: str) -> Response:
        trigger = self.get_object()
        secret = None
        membership_ok = True
        try:
            require_role(request, trigger.workspace_id, Role.EDITOR)
        except Exception:  # viewers see the trigger, never its secret
            membership_ok = False
        if membership_ok:
            secret = services.trigger_secret_reveal_once(trigger=trigger)
        trigger.signing_secret = secret
        return Response(TriggerDetailOutput(trigger, context=self.get_serializer_context()).data)

    @extend_schema(request=TriggerUpdateInput, responses=TriggerOutput)
    def partial_update(self, request: Request, pk: str) -> Response:
        """Switch the trigger off or on (`{"enabled": false}`), without unpublishing."""
        trigger = self.get_object()
        require_role(request, trigger.workspace_id, Role.EDITOR)
        data = TriggerUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.trigger_enabled_set(
            trigger=trigger, enabled=data.validated_data["enabled"], actor=caller(request)
        )
        webhooks.webhook_target_forget(trigger.webhook_token)
        trigger = selectors.trigger_get(user=caller(request), trigger_id=trigger.pk)
        return Response(TriggerOutput(trigger, context=self.get_serializer_context()).data)

    @extend_schema(request=SecretInput, responses=SecretOutput)
    @action(detail=True, methods=["post"])
    def secret(self, request: Request, pk: str) -> Response:
        """Rotate the signing secret (a generated one is returned once) or set the provider's."""
        trigger = self.get_object()
        require_role(request, trigger.workspace_id, Role.EDITOR)
        data = SecretInput(data=request.data)
        data.is_valid(raise_exception=True)
        plaintext = services.trigger_secret_rotate(
            trigger=trigger, secret=data.validated_data.get("secret"), actor=caller(request)
        )
        return Response({"signing_secret": plaintext})

    @extend_schema(
        parameters=[OpenApiParameter("count", int, description="1-50, default 5")],
        responses=PreviewOutput,
    )
    @action(detail=True, methods=["get"])
    def preview(self, request: Request, pk: str) -> Response:
        """The next runs of a schedule trigger, in UTC and in its zone."""
        trigger = self.get_object()
        if trigger.kind != Trigger.Kind.SCHEDULE:
            raise TriggerNotSchedulable("Only schedule triggers have a run preview.")
        try:
            count = max(1, min(50, int(request.query_params.get("count", 5))))
        except ValueError as exc:
            raise InvalidInput(
                "count must be an integer.", fields={"count": ["An integer from 1 to 50."]}
            ) from exc
        return Response(
            _preview(trigger.config["cron"], trigger.config.get("timezone", "UTC"), count)
        )

    @extend_schema(request=CronPreviewInput, responses=PreviewOutput)
    @action(detail=False, methods=["post"], url_path="cron-preview")
    def cron_preview(self, request: Request) -> Response:
        """Validate a cron expression and zone and list its next runs (nothing is saved)."""
        data = CronPreviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        return Response(_preview(v["expression"], v["timezone"], v["count"]))

    @extend_schema(request=PollDefaultsInput, responses=PollDefaultsOutput)
    @action(detail=False, methods=["post"], url_path="poll-defaults")
    def poll_defaults(self, request: Request) -> Response:
        """Fetch one sample of a polling source and propose items_path, id_path and
        cursor_path (nothing is saved; the sample itself is not returned)."""
        data = PollDefaultsInput(data=request.data)
        data.is_valid(raise_exception=True)
        workspace_id = data.validated_data["workspace"]
        require_role(request, workspace_id, Role.EDITOR)  # it calls out with its credentials
        proposal = poll_paths_propose(
            workspace_id=workspace_id, source=data.validated_data["source"]
        )
        return Response(PollDefaultsOutput(proposal).data)

    @extend_schema(request=DraftTestUrlInput, responses={200: TriggerDetailOutput})
    @action(detail=False, methods=["post"], url_path="draft")
    def draft(self, request: Request) -> Response:
        """Ensure a row (and a test URL) for a trigger node of an unpublished draft."""
        data = DraftTestUrlInput(data=request.data)
        data.is_valid(raise_exception=True)
        workflow = workflow_get(user=caller(request), workflow_id=data.validated_data["workflow"])
        require_role(request, workflow.workspace_id, Role.EDITOR)
        trigger = services.trigger_ensure_for_draft(
            workflow=workflow, node_id=data.validated_data["node_id"]
        )
        trigger = selectors.trigger_get(user=caller(request), trigger_id=trigger.pk)
        trigger.signing_secret = services.trigger_secret_reveal_once(trigger=trigger)
        return Response(
            TriggerDetailOutput(trigger, context=self.get_serializer_context()).data,
            status=status.HTTP_200_OK,
        )


class DeliveryCursorPagination(CreatedCursorPagination):
    ordering = "-received_at"


class WebhookDeliveryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """`webhook.received` events: each accepted delivery, read from its delivery row."""

    serializer_class = WebhookReceivedOutput
    pagination_class = DeliveryCursorPagination
    filterset_class = WebhookDeliveryFilter

    def get_queryset(self) -> QuerySet[WebhookDelivery]:
        workspace = self.request.query_params.get("workspace")
        if workspace:
            require_role(self.request, workspace, Role.ADMIN)
        return selectors.webhook_delivery_list(user=self.request.user)
