from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Dashboards and year-end reports"

    def ready(self) -> None:
        from clm_portal.home_parts import register_home_part
        from trusts.models import Role

        from . import home, rules  # noqa: F401

        register_home_part(Role.CLM, home.reports_due)
        register_home_part(Role.TRUST_ADMIN, home.reports_due)
