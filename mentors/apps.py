from django.apps import AppConfig


class MentorsConfig(AppConfig):
    name = "mentors"
    verbose_name = "CLM activity"

    def ready(self) -> None:
        from . import rules, signals  # noqa: F401
