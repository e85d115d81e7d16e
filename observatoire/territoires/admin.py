from django.contrib import admin

from observatoire.territoires.models import Authority


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "code", "siren", "population", "stratum", "vintage")
    list_filter = ("kind", "stratum", "vintage", "is_active")
    search_fields = ("name_search", "code", "siren")
    raw_id_fields = ("epci",)
