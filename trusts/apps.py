from django.apps import AppConfig


class TrustsConfig(AppConfig):
    name = "trusts"
    verbose_name = "Trusts and people"

    def ready(self) -> None:
        from . import rules  # noqa: F401
