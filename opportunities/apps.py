from django.apps import AppConfig


class OpportunitiesConfig(AppConfig):
    name = "opportunities"
    verbose_name = "Leadership opportunities"

    def ready(self) -> None:
        from clm_portal.home_parts import register_home_part
        from trusts.models import Role

        from . import home, rules  # noqa: F401

        register_home_part(Role.TRAINEE, home.trainee_home)
        register_home_part(Role.SUPERVISOR, home.supervisor_home)
