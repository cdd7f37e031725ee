"""Credential endpoints: validate, call a service or selector, serialize. Never a secret out.

Viewers of a workspace list and read metadata; editors create, change, delete, test and
connect. The OAuth callback is a plain Django view (browser redirect, session login).
"""

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_GET
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.connectors.models import Connector
from apps.core.api.auth import caller
from apps.credentials import selectors, services
from apps.credentials.api.serializers import (
    CredentialCreateInput,
    CredentialOutput,
    CredentialTestInput,
    CredentialTestOutput,
    CredentialUpdateInput,
    CredentialUsageOutput,
    OAuthStartInput,
    OAuthStartOutput,
)
from apps.credentials.exceptions import CredentialInvalid, OAuthCallbackFailed
from apps.credentials.models import Credential
from apps.credentials.usage import credential_usage
from apps.workspaces.api.schema import ErrorOutput
from apps.workspaces.api.scoping import require_role
from apps.workspaces.models import Role


class CredentialViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CredentialOutput
    filterset_fields = ["workspace", "kind", "connector__slug"]
    search_fields = ["name"]
    ordering_fields = ["name", "created_at", "expires_at"]

    def get_queryset(self) -> QuerySet[Credential]:
        return selectors.credential_list(user=self.request.user)

    def get_object(self) -> Credential:
        return selectors.credential_get(user=self.request.user, credential_id=self.kwargs["pk"])

    def _editable(self) -> Credential:
        credential = self.get_object()
        require_role(self.request, credential.workspace_id, Role.EDITOR)
        return credential

    @extend_schema(
        request=CredentialCreateInput, responses={201: CredentialOutput, 409: ErrorOutput}
    )
    def create(self, request: Request) -> Response:
        data = CredentialCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        membership = require_role(request, v["workspace"], Role.EDITOR)
        connector = None
        if v.get("connector"):
            connector = Connector.objects.filter(slug=v["connector"], enabled=True).first()
            if connector is None:
                raise CredentialInvalid(
                    "Unknown connector.", fields={"connector": ["No enabled connector has it."]}
                )
        credential = services.credential_create(
            workspace=membership.workspace,
            actor=caller(request),
            name=v["name"],
            kind=v["kind"],
            config=v["config"],
            secret=v["secret"],
            connector=connector,
            expires_at=v.get("expires_at"),
        )
        return Response(CredentialOutput(credential).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=CredentialUpdateInput, responses={200: CredentialOutput, 409: ErrorOutput}
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        credential = self._editable()
        data = CredentialUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        kwargs: dict[str, Any] = {k: v[k] for k in ("name", "config", "secret") if k in v}
        if "expires_at" in v:
            kwargs["expires_at"] = v["expires_at"]
        credential = services.credential_update(
            credential=credential, actor=caller(request), **kwargs
        )
        return Response(CredentialOutput(credential).data)

    def destroy(self, request: Request, pk: str) -> Response:
        services.credential_delete(credential=self._editable(), actor=caller(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=CredentialUsageOutput(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def usage(self, request: Request, pk: str) -> Response:
        """The workflows (draft or live version) whose nodes use this credential."""
        credential = self.get_object()
        uses = credential_usage(workspace_id=credential.workspace_id, credential_id=credential.pk)
        return Response(CredentialUsageOutput(uses, many=True).data)

    @extend_schema(request=CredentialTestInput, responses=CredentialTestOutput)
    @action(detail=True, methods=["post"])
    def test(self, request: Request, pk: str) -> Response:
        """Connection test: the connector's health check, or a GET of the given URL."""
        credential = self._editable()
        data = CredentialTestInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.credential_test(
            credential=credential, url=data.validated_data.get("url") or None, actor=caller(request)
        )
        return Response(CredentialTestOutput(result).data)

    @extend_schema(request=OAuthStartInput, responses=OAuthStartOutput)
    @action(detail=True, methods=["post"], url_path="oauth/start")
    def oauth_start(self, request: Request, pk: str) -> Response:
        """Begin an OAuth2 consent: open the returned URL in the user's browser."""
        credential = self._editable()
        data = OAuthStartInput(data=request.data)
        data.is_valid(raise_exception=True)
        redirect_uri = settings.CREDENTIAL_OAUTH_REDIRECT_URL or request.build_absolute_uri(
            reverse("oauth-callback")
        )
        url = services.oauth_start(
            credential=credential,
            user=caller(request),
            redirect_uri=redirect_uri,
            return_to=data.validated_data.get("return_to", ""),
        )
        return Response({"authorization_url": url})


@require_GET
def oauth_callback(request: HttpRequest) -> HttpResponse:
    """The provider redirects the user's browser here after consent (session login)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    state = request.GET.get("state", "")
    if not state:
        return HttpResponseBadRequest("Missing state.")
    back = services.oauth_return_to(state) or "/app/credentials"
    try:
        credential = services.oauth_complete(
            user=request.user,
            state=state,
            code=request.GET.get("code"),
            error=request.GET.get("error"),
        )
    except OAuthCallbackFailed as exc:
        return HttpResponseRedirect(
            back + "?" + urlencode({"oauth": "failed", "detail": exc.detail})
        )
    return HttpResponseRedirect(
        back + "?" + urlencode({"oauth": "connected", "credential": credential.pk})
    )
