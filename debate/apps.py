from django.apps import AppConfig


class DebateConfig(AppConfig):
    name = "debate"
    verbose_name = "Debate"

    def ready(self) -> None:
        # Count every edit for the page cache, and keep derived fields right on fixture loads.
        from . import signals, versioning  # noqa: F401  (signals connects on import)

        versioning.connect_signals()
