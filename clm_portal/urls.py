from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from . import bench_views, views

# Database always; Redis when the portal is configured with one.
_health_checks = ["health_check.checks.Database"]
if settings.REDIS_URL:
    _health_checks.append(
        (
            "health_check.contrib.redis.Redis",
            {"client_factory": views.redis_client},
        )
    )

urlpatterns = [
    path("", views.home, name="home"),
    path("privacy/", views.privacy, name="privacy"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("bench/trivial/", bench_views.bench_trivial, name="bench_trivial"),
    path(
        "healthz",
        login_not_required(views.HealthzView.as_view(checks=_health_checks)),
        name="healthz",
    ),
    path("admin/", admin.site.urls),
    path("accounts/settings/", views.account_settings, name="account_settings"),
    path("accounts/", include("allauth.urls")),
    path("", include("trusts.urls")),
    path("", include("mentors.urls")),
    path("opportunities/", include("opportunities.urls")),
    path("surveys/", include("surveys.urls")),
    path("reports/", include("reports.urls")),
]
