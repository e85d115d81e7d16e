from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from observatoire.accounts.models import User


@admin.register(User)
class ObservatoireUserAdmin(UserAdmin):
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Observatoire", {"fields": ("role", "authority")}))
    list_display = ("email", "role", "authority", "is_active")
    raw_id_fields = ("authority",)
