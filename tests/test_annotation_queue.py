"""From imported post to published stance: the posts still without a claim wait in the editors'
queue, oldest first; "Annotate next" opens the claim form with the post fixed and shown in full
in its conversation; a quote that is not the post's own words is refused and nothing written;
a verbatim one saves (with its stance) and the post leaves the queue."""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.http import urlencode

from debate.editing.post_queue import next_post, remaining, remaining_by, to_annotate
from debate.models import Claim, Post, Proposition, Stance, StanceRevision

from .factories import make_article, make_claim, make_post, make_speaker, make_user
from .forms import read_form

pytestmark = pytest.mark.django_db

ADD = "/admin/debate/claim/add/"
QUEUE = "/admin/debate/claim/posts-to-annotate/"
NEXT = "/admin/debate/claim/posts-to-annotate/next/"
LONG_TEXT = (
    "Open weights let anyone check what a model does, and that matters more than any "
    "licence: researchers in small labs, regulators and the public can all look inside. "
    "Closing them hands the future to three companies."
)


def text(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def day(n: int) -> datetime.datetime:
    return datetime.datetime(2024, 4, n, 12, tzinfo=datetime.UTC)


def form_for(post: Post) -> str:
    return f"{ADD}?{urlencode({'post': post.pk})}"


# The accounts are the shared ones (tests/conftest.py), made after the seed debate they edit;
# every seed post has a claim, so the queue holds only the posts made here.
@pytest.fixture
def editor(seed, editor):
    return editor


@pytest.fixture
def posts():
    """Three posts without a claim, made newest first so that id order is not date order:
    April 20 answers April 10, and a claimed post of April 5 comes before them all."""
    speaker = make_speaker(name="Queue Speaker", handle="queuespeaker")
    claimed = make_post(speaker, posted_at=day(5), text="Already annotated.")
    make_claim(claimed, summary="Annotated before.")
    made = {20: make_post(speaker, posted_at=day(20), text="Later thoughts.")}
    made[15] = make_post(make_speaker(name="Other Voice"), posted_at=day(15), text="Unrelated.")
    made[10] = make_post(speaker, posted_at=day(10), text=LONG_TEXT)
    Post.objects.filter(pk=made[20].pk).update(in_reply_to=made[10], reply_basis="explicit")
    made[20].refresh_from_db()
    made[20].save()  # its thread root follows its parent
    return made


def claim_data(client, url: str, **fields: str) -> dict[str, list[str]]:
    """The claim form at ``url`` as a browser would send it, with ``fields`` filled in."""
    page = client.get(url)
    assert page.status_code == 200
    data = read_form(text(page), "claim_form")
    assert data, "no claim form"
    return {**data, **{name: [value] for name, value in fields.items()}}


def with_stance(data: dict, proposition: Proposition, **fields: str) -> dict:
    index = int(data["stances-TOTAL_FORMS"][0]) - 1
    values = {"proposition": str(proposition.pk), "value": "pro", "confidence": "high",
              "rationale": "It argues for open weights.", "evidence": "",
              "review_state": "published", **fields}  # fmt: skip
    return {**data, **{f"stances-{index}-{key}": [value] for key, value in values.items()}}


# The queue ------------------------------------------------------------------------------------


def test_every_post_without_a_claim_is_in_the_queue_oldest_first(posts):
    assert list(to_annotate()) == [posts[10], posts[15], posts[20]]
    assert remaining() == 3
    # Chainable, and scoped by whatever the posts are drawn from, in one line.
    assert list(Post.objects.filter(speaker=posts[10].speaker).unclaimed()) == [
        posts[10], posts[20],
    ]  # fmt: skip
    assert list(to_annotate(Post.objects.filter(speaker=posts[15].speaker))) == [posts[15]]
    assert next_post(Post.objects.filter(posted_at__gt=day(12))) == posts[15]


def test_the_queue_page_lists_them_oldest_first_one_click_from_the_front_page(editor_client, posts):
    home = text(editor_client.get("/admin/"))
    assert f'href="{QUEUE}"' in home
    assert "3 posts</strong> without a claim yet" in home
    assert f'href="{NEXT}"' in home and "Annotate next" in home

    page = text(editor_client.get(QUEUE))
    assert "3 posts</strong> have no claim yet" in page
    shown = [int(pk) for pk in re.findall(r'href="/admin/debate/claim/add/\?post=(\d+)"', page)]
    assert shown == [posts[10].pk, posts[15].pk, posts[20].pk]
    assert "Already annotated." not in page
    assert f'href="{NEXT}"' in page


def test_annotate_next_opens_the_claim_form_for_the_oldest_post_shown_in_full(editor_client, posts):
    response = editor_client.get(NEXT)
    assert response.status_code == 302 and response["Location"] == form_for(posts[10])
    page = text(editor_client.get(response["Location"]))
    # The whole text, not a 60-character label in a drop-down; no other post can be chosen.
    assert (
        'data-quote-source tabindex="0" role="region" aria-label="The post’s text">'
        + (LONG_TEXT.replace("'", "&#x27;"))
        in page
    )
    assert 'name="post"' not in page and 'name="speaker"' not in page
    assert 'data-quote-target="quote"' in page
    assert "quote-picker.js" in page
    # Its conversation, read-only: the reply below it.
    assert "Later thoughts." in page and "replies to @queuespeaker" in page
    assert "Save and annotate next post" in page and "2 posts</strong> without a claim" in page
    # It opens on the post: the admin's script that focuses (and scrolls to) the first field
    # is left out.
    assert 'data-model-name="claim"' not in page
    assert 'data-model-name="claim"' in text(editor_client.get(ADD))


def test_the_form_shows_the_thread_the_post_answers_and_its_replies_oldest_first(
    editor_client, posts
):
    speaker = posts[10].speaker
    reply_to_reply = make_post(speaker, posted_at=day(25), text="A reply to the reply.",
                               in_reply_to=posts[20], reply_basis="inferred")  # fmt: skip
    page = text(editor_client.get(form_for(posts[20])))
    thread = page[page.index('class="tl-thread"') :]
    order = [thread.index(words) for words in ["Open weights let", "Later thoughts.",
                                               reply_to_reply.text]]  # fmt: skip
    assert order == sorted(order)
    assert "inferred by an editor" in thread
    assert "Unrelated." not in thread  # another conversation


def test_a_quote_not_in_the_post_is_refused_with_a_message_and_nothing_is_written(
    editor_client, posts
):
    proposition = Proposition.objects.get(slug="open-source-ai")
    url = form_for(posts[10])
    data = claim_data(editor_client, url, summary="Open weights can be checked.",
                      quote="Open weights are always safe.")  # fmt: skip
    data = with_stance(data, proposition)
    before = (Claim.objects.count(), Stance.objects.count(), StanceRevision.objects.count())
    response = editor_client.post(url, {**data, "_next_post": ["Save and annotate next post"]})
    assert response.status_code == 200
    page = text(response)
    assert "These words do not occur in the post&#x27;s text" in page
    assert "Nothing was saved." in page
    assert (Claim.objects.count(), Stance.objects.count(), StanceRevision.objects.count()) == before
    assert posts[10] in to_annotate()
    # The page is the same form again, the post still fixed and in full.
    assert 'name="post"' not in page and "Open weights let anyone check" in page


def test_a_verbatim_quote_saves_with_its_stance_and_the_post_leaves_the_queue(
    editor_client, editor, posts
):
    proposition = Proposition.objects.get(slug="open-source-ai")
    url = form_for(posts[10])
    quote = "Open weights let anyone check what a model does"
    data = claim_data(editor_client, url, summary="Open weights can be checked.", quote=quote)
    data = with_stance(data, proposition, evidence="Closing them hands the future")
    response = editor_client.post(url, {**data, "_next_post": ["Save and annotate next post"]})
    assert response.status_code == 302
    assert response["Location"] == form_for(posts[15])  # the next one, oldest first
    claim = Claim.objects.get(post=posts[10])
    assert (claim.speaker, claim.quote, claim.article) == (posts[10].speaker, quote, None)
    stance = claim.stances.get()
    assert (stance.annotator, stance.value, stance.review_state) == (editor, "pro", "published")
    assert posts[10] not in to_annotate()
    assert "2 posts</strong> have no claim yet" in text(editor_client.get(QUEUE))
    # Readers see it at once.
    assert "Open weights can be checked." in text(editor_client.get(f"/posts/{posts[10].pk}/"))


def test_the_post_is_fixed_whatever_the_request_sends(editor_client, posts):
    url = form_for(posts[10])
    data = claim_data(editor_client, url, summary="Fixed.", quote="Closing them")
    other = posts[15]
    data |= {"post": [str(other.pk)], "speaker": [str(other.speaker_id)], "article": ["1"]}
    assert editor_client.post(url, data).status_code == 302
    claim = Claim.objects.get(summary="Fixed.")
    assert (claim.post, claim.speaker, claim.article) == (posts[10], posts[10].speaker, None)


def test_skipping_a_post_moves_on_and_the_last_one_leads_back_to_the_queue(editor_client, posts):
    assert editor_client.get(f"{NEXT}?after={posts[10].pk}")["Location"] == form_for(posts[15])
    assert editor_client.get(f"{NEXT}?after={posts[20].pk}")["Location"] == form_for(posts[10])
    for post in posts.values():
        make_claim(post)
    response = editor_client.get(NEXT, follow=True)
    assert response.redirect_chain[-1][0] == QUEUE
    assert "Every post has a claim: no post is left to annotate." in messages_of(response)
    assert "Annotate next" not in text(response)


def test_the_last_post_saved_with_annotate_next_lands_on_the_empty_queue(editor_client, posts):
    for day_ in (15, 20):
        make_claim(posts[day_])
    url = form_for(posts[10])
    data = claim_data(editor_client, url, summary="The last one.", quote="Closing them")
    response = editor_client.post(url, {**data, "_next_post": ["x"]}, follow=True)
    assert response.redirect_chain[-1][0] == QUEUE
    assert "Every post has a claim: no post is left to annotate." in messages_of(response)


def test_save_and_add_another_stays_on_the_same_post(editor_client, posts):
    url = form_for(posts[10])
    data = claim_data(editor_client, url, summary="First of two.", quote="Closing them")
    response = editor_client.post(url, {**data, "_addanother": ["Save and add another"]})
    assert response["Location"] == url
    page = text(editor_client.get(url))
    assert "Already claimed from this post" in page and "First of two." in page


def test_a_claim_from_an_article_quotes_its_prose(editor_client, seed):
    article = make_article(body="Some prose here.\n\nThe senator said open models are a gift.")
    url = f"{ADD}?{urlencode({'article': article.pk})}"
    article_page = text(editor_client.get(f"/admin/debate/article/{article.pk}/change/"))
    assert f'href="{url}"' in article_page  # "Add a claim from its prose"
    speaker = make_speaker(name="Senator")
    data = claim_data(editor_client, url, summary="A gift.", quote="open models are a curse",
                      speaker=str(speaker.pk))  # fmt: skip
    page = text(editor_client.post(url, data))
    assert "These words do not occur in the article&#x27;s body" in page
    assert "The senator said open models are a gift." in page  # shown to select from
    assert not Claim.objects.filter(article=article).exists()
    data["quote"] = ["open models are a gift"]
    assert editor_client.post(url, data).status_code == 302
    assert Claim.objects.get(article=article).speaker == speaker


def test_an_existing_claim_shows_its_post_in_full_with_the_quote_marked(editor_client):
    claim = Claim.objects.get(quote__startswith="We are in a tech economic war")
    page = text(editor_client.get(f"/admin/debate/claim/{claim.pk}/change/"))
    assert claim.post.text.split(claim.quote)[0][-20:].replace("'", "&#x27;") in page
    assert f"<mark>{claim.quote}</mark>" in page
    # Moving it stays possible, folded away.
    folded = page[page.index("<details>") : page.index("</details>", page.index("<details>"))]
    assert "Speaker and source" in folded
    assert 'name="post"' in page[page.index("<details>") :]


def test_the_queue_needs_the_right_to_add_claims(client, seed, posts):
    client.force_login(make_user(is_staff=True))
    assert client.get(QUEUE).status_code == 403
    assert client.get(NEXT).status_code == 403
    client.logout()
    assert client.get(QUEUE)["Location"].startswith("/admin/login/")


# Queries -------------------------------------------------------------------------------------


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_queue_page_and_the_front_page_cost_the_same_queries_however_many_posts(
    editor_client, posts
):
    few = queries(editor_client, QUEUE), queries(editor_client, "/admin/")
    speaker = make_speaker()
    for n in range(40):
        make_post(speaker, posted_at=day(1) + datetime.timedelta(minutes=n), text=f"Extra {n}.")
    assert (queries(editor_client, QUEUE), queries(editor_client, "/admin/")) == few
    assert "43 posts</strong> have no claim yet" in text(editor_client.get(QUEUE))


def test_the_claim_form_costs_the_same_queries_however_long_the_thread(editor_client, posts):
    url = form_for(posts[10])
    short = queries(editor_client, url)
    parent = posts[20]
    for n in range(40):
        parent = make_post(posts[10].speaker, posted_at=day(21) + datetime.timedelta(hours=n),
                           text=f"Reply {n}.", in_reply_to=parent)  # fmt: skip
    assert queries(editor_client, url) == short
    page = text(editor_client.get(url))
    assert "Reply 28." in page and "Reply 29." not in page  # the first 30 replies
    assert "11 more replies not shown." in page


def test_the_queue_counts_per_group_in_one_query(posts, django_assert_num_queries):
    speaker = posts[10].speaker
    with django_assert_num_queries(1):
        counts = remaining_by("speaker")
    assert counts == {speaker.pk: 2, posts[15].speaker_id: 1}
    assert remaining_by("speaker", Post.objects.filter(speaker=speaker)) == {speaker.pk: 2}


def test_a_model_error_on_a_field_the_form_does_not_show_is_said_above_it():
    from django.forms import modelform_factory

    from debate.admin.claim_source import ClaimForm

    form = modelform_factory(Claim, form=ClaimForm, fields=["summary", "quote"])(
        data={"summary": "No source.", "quote": "Anything."}
    )
    assert not form.is_valid()
    assert form.non_field_errors() == ["Choose the claim's source: one post, or one article."]


# Per debate, and the whole road (issue 13) ---------------------------------------------------


def test_the_queue_is_per_debate_and_annotate_next_stays_in_it(editor_client, posts):
    from .factories import make_debate

    chips = make_debate(slug="chip-exports", title="Chip export controls")
    exported = make_post(posted_at=day(1), text="Chips are not secrets.", debate=chips)
    everyone = text(editor_client.get(QUEUE))
    assert 'Chip export controls</a> <span class="tl-muted">(1 waiting)</span>' in everyone
    assert 'The open-source AI debate, March 2024</a> <span class="tl-muted">(3 waiting)' in (
        everyone
    )
    scoped = editor_client.get(f"{QUEUE}?debate=chip-exports")
    assert "1 post</strong> of Chip export controls has no claim yet" in text(scoped)
    assert "Chips are not secrets." in text(scoped) and "Later thoughts." not in text(scoped)
    response = editor_client.get(f"{NEXT}?debate=chip-exports")
    assert (
        response["Location"]
        == f"{ADD}?{urlencode({'post': exported.pk, 'debate': 'chip-exports'})}"
    )
    # In the open-source debate, the oldest waiting is April 10: chips' April 1 is not in it.
    response = editor_client.get(f"{NEXT}?debate=open-source-ai")
    assert f"post={posts[10].pk}" in response["Location"]


def test_an_editor_takes_an_imported_post_to_a_published_stance(editor_client, editor, db):
    """Import an article into a new debate, add a proposition for it, annotate its post from
    the queue: a reader sees the stance, with its proposition named, on the debate's hub."""
    import io

    from django.core.management import call_command

    source = (
        "Chips and the law\n"
        "Export controls on AI chips are back in the news.\n"
        "Controls on chips only push rivals to build their own.\n"
        "— Jane Doe (@janedoe) June 3, 2025\n"
    )
    path = __import__("pathlib").Path(__import__("tempfile").mkdtemp()) / "chips.txt"
    path.write_text(source, encoding="utf-8")
    call_command(
        "import_article", str(path), "--debate", "chips", "--debate-title", "Chip exports",
        stdout=io.StringIO(),
    )  # fmt: skip
    post = Post.objects.get(text__startswith="Controls on chips")
    hub = "/debates/chips/"
    assert "Not yet annotated" in text(editor_client.get(hub))
    # The Editor adds a proposition for the new debate.
    from debate.models import Debate

    chips = Debate.objects.get(slug="chips")
    response = editor_client.post(
        "/admin/debate/proposition/add/",
        {"label": "Chip controls", "slug": "chip-controls",
         "statement": "AI chips should be kept from rivals", "description": "",
         "pro_label": "for controls", "anti_label": "against controls",
         "debates": [str(chips.pk)]},
    )  # fmt: skip
    assert response.status_code == 302, text(response)[:2000]
    proposition = Proposition.objects.get(slug="chip-controls")
    # The post waits in the chips queue; Annotate next opens it.
    location = editor_client.get(f"{NEXT}?debate=chips")["Location"]
    assert f"post={post.pk}" in location
    data = claim_data(
        editor_client, location, summary="Controls backfire.",
        quote="Controls on chips only push rivals to build their own.",
    )  # fmt: skip
    data = with_stance(data, proposition, value="anti")
    response = editor_client.post(location, {**data, "_next_post": ["Save and annotate next post"]})
    assert response.status_code == 302
    assert response["Location"] == f"{QUEUE}?debate=chips"  # nothing left in that debate
    reader = text(Client().get(hub))
    assert "Not yet annotated" not in reader
    assert "against controls" in reader and "Chip controls" in reader
