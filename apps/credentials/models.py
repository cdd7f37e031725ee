"""Credentials: the secret part is sealed (AES-256-GCM, bound to the row), the rest is plain."""

import uuid

from django.conf import settings
from django.db import models

from apps.workspaces.models import Workspace


class Credential(models.Model):
    class Kind(models.TextChoices):
        API_KEY = "api_key", "API key"
        BEARER = "bearer", "Bearer token"
        BASIC = "basic", "Basic auth"
        OAUTH2_CODE = "oauth2_code", "OAuth2 authorization code"
        OAUTH2_CLIENT = "oauth2_client", "OAuth2 client credentials"
        SMTP = "smtp", "SMTP"
        AWS_SIGV4 = "aws_sigv4", "AWS Signature V4"

    class Status(models.TextChoices):
        CONNECTED = "connected", "Connected"
        WARNING = "warning", "Expires soon"
        ERROR = "error", "Error"
        DISCONNECTED = "disconnected", "Disconnected"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="credentials")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    connector = models.ForeignKey(
        "connectors.Connector",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="credentials",
    )
    # Non-secret settings (header name, scopes, token URL); secrets only ever in `sealed`.
    public_data = models.JSONField(default=dict, blank=True)
    sealed = models.BinaryField()
    key_id = models.CharField(max_length=40)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.CONNECTED)
    # When the credential stops working without the user doing something (an API key's end,
    # an OAuth grant without refresh token); drives the "warning" status.
    expires_at = models.DateTimeField(null=True, blank=True)
    # OAuth only: when the current access token expires; drives the refresh (beat and on use).
    access_expires_at = models.DateTimeField(null=True, blank=True)
    # The provider refused the grant (invalid_grant): nothing refreshes until a new consent.
    needs_reauth = models.BooleanField(default=False)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="credential_unique_name")
        ]
        indexes = [
            models.Index(
                fields=["expires_at"],
                name="credential_expiry",
                condition=models.Q(expires_at__isnull=False),
            ),
            models.Index(
                fields=["access_expires_at"],
                name="credential_access_expiry",
                condition=models.Q(access_expires_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:  # never the sealed bytes
        return f"<Credential {self.pk} {self.kind} {self.name!r}>"

    @property
    def aad(self) -> bytes:
        """Associated data: a sealed secret only opens on the row it was written for."""
        return f"credential:{self.pk}:{self.workspace_id}".encode()


class OAuthAuthorization(models.Model):
    """One pending authorization-code consent: single use, short-lived, bound to a user.

    The PKCE code verifier is sealed (bound to this row and its credential); the ``state``
    sent to the provider is a signed reference to this row, never the verifier itself.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    credential = models.ForeignKey(
        Credential, on_delete=models.CASCADE, related_name="oauth_authorizations"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    redirect_uri = models.CharField(max_length=500)
    sealed_verifier = models.BinaryField()
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __repr__(self) -> str:
        return f"<OAuthAuthorization {self.pk} credential={self.credential_id}>"

    @property
    def aad(self) -> bytes:
        return f"oauth-authorization:{self.pk}:{self.credential_id}:{self.user_id}".encode()
