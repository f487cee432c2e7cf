"""The edit counter's row: see debate/versioning.py, which reads and bumps it."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class SiteVersion(models.Model):
    """One row counting edits to anything a public page shows.

    Cached pages and their ETags are keyed by this number, so any edit makes every cached
    page stale at once, in every server process: one indexed read per request, shared by
    all of them. See debate/pagecache.py.
    """

    number = models.PositiveBigIntegerField(default=1)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="siteversion_single_row")]

    def __str__(self) -> str:
        return f"version {self.number} of {self.changed_at:%Y-%m-%d %H:%M:%S}"
