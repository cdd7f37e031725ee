"""Credential API shapes. Secret fields are write-only: outputs list their names, never values."""

from rest_framework import serializers

from apps.core.api.serializers import StrictSerializer
from apps.credentials import kinds
from apps.credentials.models import Credential
from apps.credentials.selectors import credential_status


class CredentialCreateInput(StrictSerializer):
    workspace = serializers.UUIDField()
    name = serializers.CharField(max_length=120)
    kind = serializers.ChoiceField(choices=Credential.Kind.choices)
    connector = serializers.SlugField(
        required=False, allow_null=True, max_length=80, help_text="Catalogue connector slug."
    )
    config = serializers.DictField(
        required=False,
        default=dict,
        help_text="Plain settings of the kind (header name, scopes...).",
    )
    secret = serializers.DictField(
        child=serializers.CharField(trim_whitespace=False),
        required=False,
        default=dict,
        write_only=True,
        help_text="Secret fields; stored sealed and never returned.",
    )
    expires_at = serializers.DateTimeField(required=False, allow_null=True)


class CredentialUpdateInput(StrictSerializer):
    name = serializers.CharField(max_length=120, required=False)
    config = serializers.DictField(required=False)
    secret = serializers.DictField(
        child=serializers.CharField(trim_whitespace=False), required=False, write_only=True
    )
    expires_at = serializers.DateTimeField(required=False, allow_null=True)


class CredentialTestInput(StrictSerializer):
    url = serializers.URLField(required=False, allow_blank=True, max_length=2000)


class CredentialTestOutput(serializers.Serializer):
    ok = serializers.BooleanField()
    status = serializers.IntegerField(allow_null=True)
    detail = serializers.CharField()
    elapsed_ms = serializers.IntegerField(help_text="Latency of the upstream call.")
    answer = serializers.CharField(
        allow_blank=True,
        help_text="The start of the upstream's answer (body text, secrets redacted).",
    )


class OAuthStartInput(StrictSerializer):
    return_to = serializers.RegexField(
        r"^/app/[A-Za-z0-9][A-Za-z0-9_./-]*$",
        required=False,
        max_length=500,
        help_text="A page of this app the consent's callback returns to (default: credentials).",
    )


class OAuthStartOutput(serializers.Serializer):
    authorization_url = serializers.CharField()


class CredentialOutput(serializers.ModelSerializer):
    connector = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    config = serializers.JSONField(source="public_data")
    status = serializers.SerializerMethodField()
    secret_fields = serializers.SerializerMethodField(
        help_text="Names of the secret fields this kind takes (values are never returned)."
    )

    class Meta:
        model = Credential
        fields = [
            "id",
            "workspace",
            "name",
            "kind",
            "connector",
            "config",
            "secret_fields",
            "status",
            "needs_reauth",
            "expires_at",
            "access_expires_at",
            "last_used_at",
            "last_error",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_status(self, credential: Credential) -> str:
        return credential_status(credential)

    def get_secret_fields(self, credential: Credential) -> list[str]:
        names: list[str] = list(kinds.KINDS[credential.kind].secret)
        if credential.kind in ("oauth2_code", "oauth2_client"):
            names += ["access_token"] + (
                ["refresh_token"] if credential.kind == "oauth2_code" else []
            )
        return names


class CredentialUsageOutput(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    status = serializers.CharField()
