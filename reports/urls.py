"""The reports' URLs under /reports/ (the dashboards; the report cycle is to come)."""

from .views import urlpatterns as _patterns

app_name = "reports"

urlpatterns = list(_patterns)
