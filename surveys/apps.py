from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = "Surveys"

    def ready(self) -> None:
        from clm_portal.home_parts import register_home_part
        from trusts.models import Role

        from . import home

        register_home_part(Role.TRAINEE, home.open_surveys)
        register_home_part(Role.SUPERVISOR, home.open_surveys)
