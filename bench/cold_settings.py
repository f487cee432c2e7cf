"""Settings for the benchmark's cold and cards-only passes: the app's own, caches disabled.

bench/run.py serves the app again with DJANGO_SETTINGS_MODULE=cold_settings (bench/ on the
Python path), and these environment variables:

    BENCH_DUMMY_CACHES   cache aliases to disable, comma-separated; "all" (or empty) for every
                         one, so that each request finds every Django cache empty, as the first
                         reader after a deploy or an edit would; "none" for none.
    BENCH_TRUE_SETTINGS  settings to set to True, comma-separated (the app's switch that turns
                         its whole-page cache off, for the cards-only pass).

DummyCache keeps the cache API working and stores nothing. Caches kept outside Django's cache
framework (module globals, the database) are not emptied by this; docs/performance.md says so.
"""

import os

from config import settings as _app
from config.settings import *  # noqa: F403  (the app's settings, unchanged but for CACHES)

_DUMMY = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
# Django's default when the app names no caches: one local-memory cache.
_APP_CACHES = getattr(_app, "CACHES", None) or {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
_CHOSEN = {a.strip() for a in os.environ.get("BENCH_DUMMY_CACHES", "").split(",") if a.strip()}
_ALL = not _CHOSEN or "all" in _CHOSEN
CACHES = {
    alias: _DUMMY if _ALL or alias in _CHOSEN else config for alias, config in _APP_CACHES.items()
}
for _name in filter(None, os.environ.get("BENCH_TRUE_SETTINGS", "").split(",")):
    globals()[_name.strip()] = True
