"""Credential curation. The sealed secret is write-only here: it can be set or replaced through
a password field that never renders a value, and every write goes through the services."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from apps.credentials import kinds, services
from apps.credentials.models import Credential

_SECRET_NAMES = sorted({name for spec in kinds.KINDS.values() for name in spec.secret})


class CredentialAdminForm(forms.ModelForm):
    secret_field = forms.ChoiceField(
        choices=[("", "(the kind's main secret)")] + [(n, n) for n in _SECRET_NAMES],
        required=False,
        label="Secret field",
        help_text="Which secret field the value below sets.",
    )
    secret_value = forms.CharField(
        required=False,
        strip=False,
        label="New secret",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Write-only: the stored secret is never shown. Leave empty to keep it.",
    )

    class Meta:
        model = Credential
        # Never `sealed` or `key_id`: the secret is only ever written, through secret_value.
        fields = ["workspace", "name", "kind", "connector", "public_data", "expires_at"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # On a change the kind is read-only, so it comes from the row.
        kind = data.get("kind") or self.instance.kind
        value = data.get("secret_value") or ""
        if kind not in kinds.KINDS:
            return data
        spec = kinds.KINDS[kind]
        name = data.get("secret_field") or next(iter(spec.secret), "")
        if value and name not in spec.secret:
            self.add_error("secret_field", f"A {kind} credential has no secret {name!r}.")
        secret = {name: value} if value else {}
        adding = self.instance._state.adding
        errors = kinds.validate_secret(kind, secret, partial=not adding)
        if errors:
            self.add_error(
                "secret_value",
                "; ".join(
                    f"{key.removeprefix('secret.')}: {' '.join(msgs)}"
                    for key, msgs in errors.items()
                ),
            )
        data["secret"] = secret
        return data


@admin.register(Credential)
class CredentialAdmin(admin.ModelAdmin):
    form = CredentialAdminForm
    list_display = [
        "name",
        "workspace",
        "kind",
        "status",
        "needs_reauth",
        "expires_at",
        "last_used_at",
    ]
    list_filter = ["kind", "status", "needs_reauth"]
    search_fields = ["name"]
    readonly_fields = ["status", "needs_reauth", "access_expires_at", "last_used_at", "last_error"]

    def get_readonly_fields(self, request: HttpRequest, obj: Credential | None = None) -> list[str]:
        # The kind decides what the sealed secret holds: fixed once the row exists.
        return [*self.readonly_fields, *(["kind", "workspace"] if obj is not None else [])]

    def save_model(self, request: Any, obj: Credential, form: Any, change: bool) -> None:
        secret = form.cleaned_data.get("secret") or {}
        if not change:
            created = services.credential_create(
                workspace=obj.workspace,
                actor=request.user,
                name=obj.name,
                kind=obj.kind,
                config=obj.public_data,
                secret=secret,
                connector=obj.connector,
                expires_at=obj.expires_at,
            )
            obj.pk = created.pk
            obj.refresh_from_db()
            return
        super().save_model(request, obj, form, change)
        if secret:
            services.credential_update(credential=obj, actor=request.user, secret=secret)
