"""The admin for the surveys: instruments and their items (new items for later rounds, without
code), rounds, and the raw-export audit record. Responses and participation have no admin at
all, so no one can read one person's answers or see who answered."""

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Max

from .analysis import publish
from .models import ExportRecord, Instrument, Item, Round


class ItemInline(admin.TabularInline):
    model = Item
    extra = 0
    fields = ("position", "code", "text", "kind", "section")

    def _locked(self, obj) -> bool:
        return obj is not None and obj.is_locked

    def get_readonly_fields(self, request, obj=None):
        return self.fields if self._locked(obj) else ()

    def has_add_permission(self, request, obj=None) -> bool:
        return not self._locked(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return not self._locked(obj) and super().has_delete_permission(request, obj)


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    list_display = ("name", "role", "version", "locked")
    inlines = [ItemInline]
    actions = ["new_version"]

    @admin.display(boolean=True, description="Locked (has responses)")
    def locked(self, obj) -> bool:
        return obj.is_locked

    def get_readonly_fields(self, request, obj=None):
        return ("role", "version") if obj is not None and obj.is_locked else ()

    @admin.action(
        description="Make a new version (a copy of the items, to change for later rounds)"
    )
    @transaction.atomic
    def new_version(self, request, queryset):
        for instrument in queryset:
            latest = Instrument.objects.filter(role=instrument.role).aggregate(v=Max("version"))[
                "v"
            ]
            copy = Instrument.objects.create(
                role=instrument.role, version=latest + 1, name=instrument.name
            )
            Item.objects.bulk_create(
                Item(
                    instrument=copy,
                    code=i.code,
                    text=i.text,
                    kind=i.kind,
                    section=i.section,
                    position=i.position,
                )
                for i in instrument.items.all()
            )
            messages.success(request, f"Made {copy}: new rounds use it.")


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "year", "opens_on", "closes_on", "threshold", "published_at")
    list_filter = ("year",)
    search_fields = ("name", "slug")
    filter_horizontal = ("trusts", "instruments")
    readonly_fields = ("closed_at", "published_at", "created_by")
    actions = ["republish"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("results")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and obj.published_at and "threshold" in form.changed_data:
            publish(Round.objects.get(pk=obj.pk))  # the suppression depends on it

    @admin.action(
        description="Publish the figures again (recount the responses and the Trusts' people)"
    )
    def republish(self, request, queryset):
        for round_ in queryset:
            if round_.published_at:
                publish(Round.objects.get(pk=round_.pk))
        messages.success(request, "Published again.")


@admin.register(ExportRecord)
class ExportRecordAdmin(admin.ModelAdmin):
    list_display = ("at", "round", "by", "rows")
    list_select_related = ("round", "by")
    readonly_fields = ("round", "by", "at", "rows")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
