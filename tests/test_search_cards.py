"""Cards with search hits marked are cached too, keyed by the marks they carry."""

import pickle
import re

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db


def marked(html: str) -> set[str]:
    return {word.lower() for word in re.findall(r"<mark>([^<]+)</mark>", html)}


def cached_cards() -> list[str]:
    # The local-memory cache keeps pickled values under prefixed keys.
    return [pickle.loads(value) for key, value in cache._cache.items() if ":card-v" in key]  # noqa: S301


def test_each_search_marks_its_own_words_in_cached_cards(client, seed):
    assert marked(client.get("/debates/open-source-ai/?q=war").content.decode()) == {"war"}
    war_cards = [html for html in cached_cards() if "<mark>" in html]
    assert war_cards and all(marked(html) == {"war"} for html in war_cards)

    assert marked(client.get("/debates/open-source-ai/?q=open").content.decode()) == {"open"}
    marks = {frozenset(marked(html)) for html in cached_cards() if "<mark>" in html}
    assert marks == {frozenset({"war"}), frozenset({"open"})}

    # The HTMX fragment of the first search (not in the page cache) reuses its cards.
    fragment = client.get(
        "/debates/open-source-ai/?q=war", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    assert "<html" not in fragment.content.decode()
    assert marked(fragment.content.decode()) == {"war"}
