from django.contrib import admin

from observatoire.core.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "model", "object_repr")
    list_filter = ("action", "model")
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
