"""A post that starts a thread can be deleted when nothing else holds it (issue 15): its own
``thread_root`` no longer protects it. While it has replies it is refused, naming them."""

import pytest
from django.db.models import ProtectedError

from debate.models import Post

from .factories import make_post

pytestmark = pytest.mark.django_db


def test_a_post_that_starts_a_thread_and_has_no_replies_deletes(admin_client):
    post = make_post(quoted=False)
    assert post.thread_root_id == post.pk
    url = f"/admin/debate/post/{post.pk}/delete/"
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not Post.objects.filter(pk=post.pk).exists()
    other = make_post(quoted=False)
    other.delete()  # below the admin too
    assert not Post.objects.filter(pk=other.pk).exists()


def test_posts_that_start_threads_delete_in_bulk(admin_client):
    posts = [make_post(quoted=False), make_post(quoted=False)]
    data = {"action": "delete_selected", "_selected_action": [p.pk for p in posts], "post": "yes"}
    assert admin_client.post("/admin/debate/post/", data).status_code == 302
    assert not Post.objects.filter(pk__in=[p.pk for p in posts]).exists()


def test_a_post_with_replies_is_refused_naming_them_and_its_reply_deletes(admin_client):
    root = make_post(quoted=False)
    reply = make_post(root.speaker, in_reply_to=root, text="A reply to the root.", quoted=False)
    url = f"/admin/debate/post/{root.pk}/delete/"
    page = admin_client.get(url).content.decode()
    assert "protected" in page and "A reply to the root." in page
    admin_client.post(url, {"post": "yes"})
    assert Post.objects.filter(pk=root.pk).exists()
    with pytest.raises(ProtectedError):
        root.delete()

    # Its reply goes; the root is a lone post again and then goes too.
    assert (
        admin_client.post(f"/admin/debate/post/{reply.pk}/delete/", {"post": "yes"}).status_code
        == 302
    )
    root.refresh_from_db()
    assert root.thread_root_id == root.pk
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not Post.objects.filter(pk=root.pk).exists()
