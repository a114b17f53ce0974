from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Invitation,
    Membership,
    Region,
    Site,
    SupervisorProfile,
    TraineeProfile,
    Trust,
    User,
)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("name", "code")


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0


@admin.register(Trust)
class TrustAdmin(SimpleHistoryAdmin):
    list_display = ("name", "ods_code", "kind", "trainee_count", "is_active", "closed_on")
    list_filter = ("kind", "is_active", "region")
    autocomplete_fields = ("merged_into",)
    search_fields = ("name", "ods_code")
    inlines = [SiteInline]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("role", "trust", "region", "starts_on", "ends_on")


class TraineeProfileInline(admin.StackedInline):
    model = TraineeProfile
    fk_name = "user"
    extra = 0
    autocomplete_fields = ("educational_supervisor",)


class SupervisorProfileInline(admin.StackedInline):
    model = SupervisorProfile
    extra = 0


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    ordering = ("name", "email")
    list_display = ("name", "email", "is_active", "is_staff", "last_login")
    list_filter = ("is_active", "is_staff", "memberships__role", "memberships__trust")
    search_fields = ("name", "email")
    fieldsets = (
        (None, {"fields": ("email", "name", "password")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "name", "password1", "password2")}),
    )
    readonly_fields = ("last_login", "date_joined")
    inlines = [MembershipInline, TraineeProfileInline, SupervisorProfileInline]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ("user", "role", "trust", "region", "starts_on", "ends_on")
    list_filter = ("role", "trust")
    search_fields = ("user__name", "user__email")
    autocomplete_fields = ("user",)


@admin.register(Invitation)
class InvitationAdmin(SimpleHistoryAdmin):
    list_display = ("email", "name", "role", "trust", "created_at", "sent_at", "accepted_at")
    list_filter = ("role", "trust")
    search_fields = ("email", "name")
    readonly_fields = (
        "created_at",
        "sent_at",
        "send_attempts",
        "last_send_error",
        "last_attempt_at",
        "accepted_at",
        "accepted_by",
    )
