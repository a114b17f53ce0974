from django.apps import AppConfig


class OpportunitiesConfig(AppConfig):
    name = "opportunities"
    verbose_name = "Leadership opportunities"

    def ready(self) -> None:
        from . import rules  # noqa: F401
