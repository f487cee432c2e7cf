from django.apps import AppConfig


class DebateConfig(AppConfig):
    name = "debate"
    verbose_name = "Debate"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the fixture-loading hooks)
