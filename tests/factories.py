"""Small factories, one per model, for tests that need more than the seed debate."""

import datetime
import itertools
from typing import Any

from django.contrib.auth import get_user_model

from debate.models import (
    Article,
    ArticlePost,
    Claim,
    Debate,
    Post,
    Proposition,
    Speaker,
    Stance,
)

_seq = itertools.count(1)


def make_user(**fields: Any):
    n = next(_seq)
    fields.setdefault("username", f"annotator{n}")
    return get_user_model().objects.create_user(**fields)


def make_speaker(**fields: Any) -> Speaker:
    n = next(_seq)
    fields.setdefault("name", f"Speaker {n}")
    fields.setdefault("slug", f"speaker-{n}")
    fields.setdefault("handle", f"speaker{n}")
    return Speaker.objects.create(**fields)


# The debate factories put things in when a test names none: the seed's, so that tests with
# and without the seed read the same hub.
DEFAULT_DEBATE = "open-source-ai"
HUB = f"/debates/{DEFAULT_DEBATE}/"


def make_debate(**fields: Any) -> Debate:
    n = next(_seq)
    fields.setdefault("title", f"Debate {n}")
    fields.setdefault("slug", f"debate-{n}")
    return Debate.objects.create(**fields)


def default_debate() -> Debate:
    found = Debate.objects.filter(slug=DEFAULT_DEBATE).first()
    return found or make_debate(slug=DEFAULT_DEBATE, title="The default debate")


def quoting_article(debate: Debate) -> Article:
    """The article that quotes a debate's factory-made posts (a post belongs to a debate
    through the articles quoting it)."""
    found = Article.objects.filter(slug=f"quoting-article-{debate.pk}").first()
    return found or make_article(
        slug=f"quoting-article-{debate.pk}", title=f"Posts of {debate.title}", debate=debate
    )


def make_post(
    speaker: Speaker | None = None,
    *,
    debate: Debate | None = None,
    quoted: bool = True,
    **fields: Any,
) -> Post:
    """A post, quoted (unless ``quoted=False``) in ``debate``'s quoting article, so in that
    debate (the default debate, without one)."""
    speaker = speaker or make_speaker()
    n = next(_seq)
    fields.setdefault("text", f"Post number {n} about open models.")
    fields.setdefault("handle_shown", speaker.handle or "someone")
    fields.setdefault("display_name_shown", speaker.name)
    fields.setdefault("posted_at", datetime.datetime(2024, 3, 1, tzinfo=datetime.UTC))
    if fields.get("in_reply_to") is not None:
        fields.setdefault("reply_basis", "inferred")
    post = Post.objects.create(speaker=speaker, **fields)
    if quoted:
        article = quoting_article(debate or default_debate())
        quote_in(article, post, article.quoted_posts.count() + 1)
    return post


def make_article(**fields: Any) -> Article:
    n = next(_seq)
    fields.setdefault("title", f"Article {n}")
    fields.setdefault("slug", f"article-{n}")
    fields.setdefault("body", "Some prose.")
    if "debate" not in fields:
        fields["debate"] = default_debate()
    return Article.objects.create(**fields)


def quote_in(article: Article, post: Post, position: int) -> ArticlePost:
    return ArticlePost.objects.create(article=article, post=post, position=position)


def make_proposition(**fields: Any) -> Proposition:
    n = next(_seq)
    fields.setdefault("slug", f"proposition-{n}")
    fields.setdefault("label", f"Proposition {n}")
    fields.setdefault("statement", f"Statement {n}")
    fields.setdefault("pro_label", f"pro-{n}")
    fields.setdefault("anti_label", f"anti-{n}")
    debates = fields.pop("debates", None)
    proposition = Proposition.objects.create(**fields)
    proposition.debates.set(debates if debates is not None else [default_debate()])
    return proposition


def make_claim(post: Post | None = None, **fields: Any) -> Claim:
    if post is not None:
        fields.setdefault("speaker", post.speaker)
        fields.setdefault("quote", post.text)
    fields.setdefault("summary", "A claim.")
    return Claim.objects.create(post=post, **fields)


def make_stance(claim: Claim, proposition: Proposition, **fields: Any) -> Stance:
    fields.setdefault("value", "pro")
    fields.setdefault("rationale", "Because it says so.")
    if "annotator" not in fields:
        fields["annotator"] = make_user()
    return Stance.objects.create(claim=claim, proposition=proposition, **fields)
