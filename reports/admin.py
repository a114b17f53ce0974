"""The admin for the reports: windows, trainee numbers, the reports themselves (their state
and snapshot read-only: they move only through the services, so a submitted report stays as
submitted) and the file generations."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Generation, RegionalSnapshot, ReportWindow, TraineeCount, YearEndReport


@admin.register(ReportWindow)
class ReportWindowAdmin(SimpleHistoryAdmin):
    list_display = ("year", "opens_on", "due_on", "set_by")
    readonly_fields = ("set_by",)


@admin.register(TraineeCount)
class TraineeCountAdmin(SimpleHistoryAdmin):
    list_display = ("trust", "year", "trainees", "source", "counted_on", "note")
    list_filter = ("source", "year")
    search_fields = ("trust__name", "trust__ods_code")
    list_select_related = ("trust",)
    readonly_fields = ("entered_by",)


@admin.register(YearEndReport)
class YearEndReportAdmin(SimpleHistoryAdmin):
    list_display = ("trust", "year", "status", "first_submitted_at", "accepted_at")
    list_filter = ("status", "year")
    search_fields = ("trust__name", "trust__ods_code")
    list_select_related = ("trust",)
    readonly_fields = (
        "trust",
        "year",
        "status",
        "narratives",
        "overview",
        "snapshot",
        "snapshot_entries",
        "submitted_at",
        "submitted_by",
        "first_submitted_at",
        "returned_at",
        "returned_by",
        "return_reason",
        "accepted_at",
        "accepted_by",
        "updated_by",
    )

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Generation)
class GenerationAdmin(admin.ModelAdmin):
    list_display = ("kind", "year", "trust", "status", "queued_at", "seconds", "attempts")
    list_filter = ("kind", "status", "year")
    list_select_related = ("trust",)
    readonly_fields = [f.name for f in Generation._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(RegionalSnapshot)
class RegionalSnapshotAdmin(admin.ModelAdmin):
    list_display = ("year", "computed_at")
    readonly_fields = ("year", "computed_at", "figures")

    def has_add_permission(self, request) -> bool:
        return False
