from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Activity, Appointment, CaseStudy, GPCDomain, NetworkDay, TrainingYear


@admin.register(Appointment)
class AppointmentAdmin(SimpleHistoryAdmin):
    list_display = ("user", "trust", "starts_on", "ends_on", "hours_per_week", "weekly_nudge")
    list_filter = ("trust",)
    search_fields = ("user__name", "user__email", "trust__name")


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    """Usable at two million rows: no count of the whole table, the Trust and the CLM fetched with
    each row, filters that the activity indexes serve (Trust and responsibility plus the date
    order), and no date drill-down (its year and month links aggregate over every row)."""

    list_display = ("date", "trust", "logged_by", "responsibility", "format", "minutes")
    list_filter = ("responsibility", "format", "trust")
    list_select_related = ("trust", "logged_by")
    show_full_result_count = False
    raw_id_fields = ("trainees", "appointment", "logged_by")


@admin.register(TrainingYear)
class TrainingYearAdmin(SimpleHistoryAdmin):
    list_display = ("label", "starts_on", "closed_at", "closed_by")


@admin.register(CaseStudy)
class CaseStudyAdmin(admin.ModelAdmin):
    list_display = ("title", "trust", "author", "responsibility", "created_at")
    search_fields = ("title", "what_was_done")


@admin.register(NetworkDay)
class NetworkDayAdmin(admin.ModelAdmin):
    list_display = ("title", "date", "location")
    filter_horizontal = ("attendees",)


admin.site.register(GPCDomain)
