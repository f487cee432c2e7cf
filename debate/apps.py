from django.apps import AppConfig


class DebateConfig(AppConfig):
    name = "debate"
    verbose_name = "Debate"

    def ready(self) -> None:
        # Connect the fixture-loading hooks and the page cache's edit counter.
        from . import pagecache, signals  # noqa: F401
