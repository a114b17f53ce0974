"""The admin for opportunities: for support staff to look things up, not to run the workflow.

Places and application states are read-only here (only `workflow.move` changes them, under a
row lock); self-ratings have no admin at all, so no one can read one trainee's answers.
"""

from django.contrib import admin

from .models import Application, ApplicationEvent, Notification, Opportunity, Recommendation


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ("title", "trust", "kind", "status", "deadline", "places", "places_held")
    list_filter = ("status", "kind", "trust")
    list_select_related = ("trust",)
    search_fields = ("title", "host_name", "host_email")
    readonly_fields = ("places_held", "published_at", "created_by", "reminded_at")
    raw_id_fields = ("created_by", "site")
    show_full_result_count = False


class EventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "from_status", "to_status", "by", "by_label", "reason")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ("trainee", "opportunity", "status", "source", "created_at")
    list_filter = ("status", "source")
    list_select_related = ("trainee", "opportunity")
    search_fields = ("trainee__name", "trainee__email", "opportunity__title")
    readonly_fields = (
        "opportunity",
        "trainee",
        "status",
        "source",
        "waitlisted_at",
        "offer_expires_at",
        "first_timer",
        "decided_at",
        "completed_at",
    )
    inlines = [EventInline]
    show_full_result_count = False


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = ("supervisor", "trainee", "opportunity", "created_at")
    list_select_related = ("supervisor", "trainee", "opportunity")
    raw_id_fields = ("supervisor", "trainee", "opportunity")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Whether each email went: sent, failed (with the error) or still pending."""

    list_display = ("subject", "user", "kind", "created_at", "email_status", "email_attempts")
    list_filter = ("email_status", "kind")
    list_select_related = ("user",)
    search_fields = ("user__email", "subject")
    readonly_fields = ("email_status", "email_attempts", "email_error", "emailed_at")
    raw_id_fields = ("user",)
    show_full_result_count = False
