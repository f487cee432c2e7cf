"""The debate's data: articles, speakers, quoted posts, claims, propositions and stances.

One module per family; everything is importable from ``debate.models``."""

from .base import Timestamped, account_name, display_name, handle_validator
from .choices import Confidence, RelationBasis, ReviewState, RevisionAction, StanceValue
from .claims import Claim, Proposition
from .debates import Debate, DebateQuerySet, period_words
from .posts import Post
from .selection import ClaimQuerySet, PostQuerySet, SpeakerQuerySet, uses_postgres_search
from .site import SiteVersion
from .sources import Article, ArticlePost, Speaker
from .stances import Stance, StanceConflict, StanceQuerySet, StanceRevision

__all__ = [
    "Article",
    "ArticlePost",
    "Claim",
    "ClaimQuerySet",
    "Confidence",
    "Debate",
    "DebateQuerySet",
    "Post",
    "PostQuerySet",
    "Proposition",
    "RelationBasis",
    "ReviewState",
    "RevisionAction",
    "SiteVersion",
    "Speaker",
    "SpeakerQuerySet",
    "Stance",
    "StanceConflict",
    "StanceQuerySet",
    "StanceRevision",
    "StanceValue",
    "Timestamped",
    "account_name",
    "display_name",
    "handle_validator",
    "period_words",
    "uses_postgres_search",
]
