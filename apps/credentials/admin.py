from django.contrib import admin

from apps.credentials.models import Credential


@admin.register(Credential)
class CredentialAdmin(admin.ModelAdmin):
    list_display = ["name", "workspace", "kind", "status", "needs_reauth", "expires_at",
                    "last_used_at"]
    list_filter = ["kind", "status", "needs_reauth"]
    search_fields = ["name"]
    # The sealed secret is never shown or editable here.
    exclude = ["sealed", "key_id"]
    readonly_fields = ["status", "needs_reauth", "expires_at", "access_expires_at",
                       "last_used_at", "last_error"]
