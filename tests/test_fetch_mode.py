"""The querysets feeding cards use Django's fetch modes against N+1 queries.

``THREADLINE_FETCH_MODE``: "peers" in production (a relation nobody loaded costs one query
for the whole batch), "raise" under tests (it is an error, so a slip shows at once).
"""

import pytest
from django.core.exceptions import FieldFetchBlocked, ImproperlyConfigured
from django.db.models import FETCH_ONE, FETCH_PEERS, FETCH_RAISE
from django.http import QueryDict

from debate.models import Debate, Post
from debate.reading.cards import (
    card_fetch_mode,
    entries_with_context,
    posts_for_cards,
    public_stances,
    thread_around,
)
from debate.reading.timeline import build_timeline

from .test_timeline import grow

pytestmark = pytest.mark.django_db


@pytest.fixture
def raising(settings) -> None:
    settings.THREADLINE_FETCH_MODE = "raise"


@pytest.mark.parametrize(
    ("setting", "mode"),
    [
        ("raise", FETCH_RAISE),
        ("peers", FETCH_PEERS),
        ("ONE", FETCH_ONE),
        (FETCH_RAISE, FETCH_RAISE),
    ],
)
def test_the_setting_names_the_mode(settings, setting, mode):
    settings.THREADLINE_FETCH_MODE = setting
    assert card_fetch_mode() is mode


def test_a_mistyped_mode_is_refused(settings):
    settings.THREADLINE_FETCH_MODE = "peer"
    with pytest.raises(ImproperlyConfigured, match="peers"):
        card_fetch_mode()


def test_without_the_setting_a_missed_relation_loads_for_the_whole_batch(settings):
    del settings.THREADLINE_FETCH_MODE
    assert card_fetch_mode() is FETCH_PEERS


def test_fetch_raise_catches_a_lazy_load_on_a_card_post(seed, raising):
    reply = Post.objects.filter(in_reply_to__isnull=False).first()
    post = next(item.node.post for item in thread_around(reply.pk) if item.node.is_focus)
    assert post.speaker.name and post.in_reply_to.handle_shown  # loaded with the post
    with pytest.raises(FieldFetchBlocked):
        post.thread_root  # noqa: B018  (not loaded for cards: a slip would be one query a card)


def test_the_exports_stream_their_posts_without_tracking_peers(seed):
    # FETCH_PEERS would keep every exported post alive in its peers list.
    assert posts_for_cards(Post.objects.all())._fetch_mode is FETCH_ONE


def test_fetch_raise_covers_the_prefetched_claims_stances_and_sources(seed, raising):
    page = list(Post.objects.select_related("speaker").fetch_mode(FETCH_RAISE))
    entries = entries_with_context(page)
    claim = next(entry.claims[0] for entry in entries if entry.claims)
    stance = next(stance for entry in entries for stance in entry.stances)
    source = next(source for entry in entries for source in entry.sources)
    assert stance.proposition.label and stance.annotator.get_username()
    assert source.article.title
    with pytest.raises(FieldFetchBlocked):
        claim.speaker  # noqa: B018
    with pytest.raises(FieldFetchBlocked):
        stance.claim.speaker  # noqa: B018
    with pytest.raises(FieldFetchBlocked):
        public_stances().first().claim  # noqa: B018


def test_the_timeline_renders_every_card_without_a_lazy_load(client, seed, raising, settings):
    settings.THREADLINE_PAGE_CACHE_DISABLED = True
    grow(60)
    for url in [
        "/debates/open-source-ai/",
        "/debates/open-source-ai/?speaker=busy-speaker&order=newest",
        "/debates/open-source-ai/?stance=anti",
        "/debates/open-source-ai/?q=open",
    ]:
        assert client.get(url).status_code == 200
    timeline = build_timeline(
        Debate.objects.get(slug="open-source-ai"), QueryDict("speaker=marc-andreessen")
    )
    shown = [item.node for item in timeline.items]
    assert any(entry.is_context for entry in shown)
    for entry in shown:
        assert entry.post.speaker.initials and entry.html


def test_other_card_pages_render_without_a_lazy_load(client, seed, raising):
    post = Post.objects.filter(in_reply_to__isnull=False).first()
    article = post.quoted_in.first().article
    for url in [
        f"/posts/{post.pk}/",
        f"/speakers/{post.speaker.slug}/",
        f"/articles/{article.slug}/",
    ]:
        assert client.get(url).status_code == 200


def test_fetch_peers_loads_a_missed_relation_once_for_the_batch(
    seed, settings, django_assert_num_queries
):
    settings.THREADLINE_FETCH_MODE = "peers"
    page = list(posts_for_cards(Post.objects.all()).fetch_mode(card_fetch_mode()))
    with django_assert_num_queries(1):
        roots = {post.thread_root.pk for post in page}
    assert roots
