from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from observatoire.accounts import services
from observatoire.accounts.models import ApiToken, User


@admin.register(User)
class ObservatoireUserAdmin(UserAdmin):
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Observatoire", {"fields": ("role", "authority")}))
    list_display = ("email", "role", "authority", "is_active")
    raw_id_fields = ("authority",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made by their owners (the secret is shown once); here they are revoked."""

    list_display = ("name", "user", "created_at", "last_used_at", "expires_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "user__email")
    readonly_fields = ("user", "name", "created_at", "last_used_at", "expires_at", "revoked_at")
    fields = readonly_fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Révoquer les jetons sélectionnés"))
    def revoke(self, request, queryset):
        for token in queryset:
            services.revoke_api_token(token, by=request.user)
        count = queryset.count()
        self.message_user(
            request, ngettext("%d jeton révoqué.", "%d jetons révoqués.", count) % count
        )
