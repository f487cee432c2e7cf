"""The fixed vocabularies: how a relation is known, stance values, review states."""

from __future__ import annotations

from django.db import models


class RelationBasis(models.TextChoices):
    """How we know that one post answers or quotes another."""

    EXPLICIT = "explicit", "explicit in the post"
    INFERRED = "inferred", "inferred by an editor"


class StanceValue(models.TextChoices):
    PRO = "pro", "for"
    ANTI = "anti", "against"
    NEUTRAL = "neutral", "neutral"


class ReviewState(models.TextChoices):
    DRAFT = "draft", "draft"
    PUBLISHED = "published", "published"
    REVIEWED = "reviewed", "reviewed"

    @classmethod
    def public(cls) -> list[str]:
        return [cls.PUBLISHED, cls.REVIEWED]


class Confidence(models.TextChoices):
    LOW = "low", "low"
    MEDIUM = "medium", "medium"
    HIGH = "high", "high"


class RevisionAction(models.TextChoices):
    CREATED = "created", "created"
    CHANGED = "changed", "changed"
    DELETED = "deleted", "deleted"
