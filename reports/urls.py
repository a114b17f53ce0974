"""The reports' URLs under /reports/: the dashboards and the year-end report cycle."""

from .views import cycle, dashboards

app_name = "reports"

urlpatterns = [*dashboards.urlpatterns, *cycle.urlpatterns]
