"""The debate's data: articles, speakers, quoted posts, claims, propositions and stances.

One module per family; everything is importable from ``debate.models``."""

from .base import Timestamped, account_name, display_name, handle_validator
from .choices import Confidence, RelationBasis, ReviewState, RevisionAction, StanceValue
from .claims import Claim, Proposition
from .posts import Post
from .selection import ClaimQuerySet, PostQuerySet, uses_postgres_search
from .site import SiteVersion
from .sources import Article, ArticlePost, Speaker
from .stances import Stance, StanceConflict, StanceQuerySet, StanceRevision

__all__ = [
    "Article",
    "ArticlePost",
    "Claim",
    "ClaimQuerySet",
    "Confidence",
    "Post",
    "PostQuerySet",
    "Proposition",
    "RelationBasis",
    "ReviewState",
    "RevisionAction",
    "SiteVersion",
    "Speaker",
    "Stance",
    "StanceConflict",
    "StanceQuerySet",
    "StanceRevision",
    "StanceValue",
    "Timestamped",
    "account_name",
    "display_name",
    "handle_validator",
    "uses_postgres_search",
]
