from django.apps import AppConfig


class ClmPortalConfig(AppConfig):
    name = "clm_portal"
    verbose_name = "CLM Portal"

    def ready(self) -> None:
        # Registers the rules permissions that views and services check.
        from . import permissions, signals  # noqa: F401
