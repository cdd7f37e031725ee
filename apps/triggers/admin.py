from django.contrib import admin

from apps.triggers.models import Trigger


@admin.register(Trigger)
class TriggerAdmin(admin.ModelAdmin):
    list_display = ["workflow", "node_id", "kind", "is_active", "next_fire_at", "last_fired_at"]
    list_filter = ["kind", "is_active"]
    exclude = ["secret_ciphertext"]
