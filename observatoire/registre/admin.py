from django.contrib import admin

from observatoire.registre.models import (
    Dataset,
    Entry,
    EntryVersion,
    ModelComponent,
    ThirdParty,
    VendorProduct,
)


class DatasetInline(admin.TabularInline):
    model = Dataset
    extra = 0


class ModelComponentInline(admin.TabularInline):
    model = ModelComponent
    extra = 0


class ThirdPartyInline(admin.TabularInline):
    model = ThirdParty
    extra = 0


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    list_display = ["name", "authority", "status", "ai_act_level", "review_date"]
    list_filter = ["status", "ai_act_level", "technology", "theme"]
    search_fields = ["name", "authority__name", "authority__siren"]
    raw_id_fields = ["authority", "adopted_from", "revision_of", "created_by", "submitted_by"]
    inlines = [DatasetInline, ModelComponentInline, ThirdPartyInline]


@admin.register(VendorProduct)
class VendorProductAdmin(admin.ModelAdmin):
    list_display = ["name", "vendor_name", "vendor_siren", "technology"]
    search_fields = ["name", "vendor_name", "vendor_siren"]


@admin.register(EntryVersion)
class EntryVersionAdmin(admin.ModelAdmin):
    list_display = ["entry", "number", "published_at", "approved_by"]
    raw_id_fields = ["entry", "submitted_by", "approved_by"]
