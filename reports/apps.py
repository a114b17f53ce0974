from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Dashboards and year-end reports"

    def ready(self) -> None:
        from . import rules  # noqa: F401
