"""Every public URL of the seed debate, for tests that visit them all."""

import re


def seed_post_page(starts_with: str) -> str:
    """The page of the seed post whose text starts with these words: ids are the database's
    to give, so tests name posts by what they say."""
    from debate.models import Post

    return f"/posts/{Post.objects.get(text__startswith=starts_with).pk}/"


def concrete(url: str) -> str:
    """A URL of the lists here (or written like them) with its post's id: "/posts/<words>/"
    stands for the page of the seed post that starts with those words."""
    match = re.fullmatch(r"/posts/<(.+)>/", url)
    return seed_post_page(match.group(1)) if match else url


# Pages a reader reads (HTML).
HUB = "/debates/open-source-ai/"
PAGES = [
    "/",
    HUB,
    "/posts/<Let's assume>/",
    "/articles/musks-grok-to-go-open-source/",
    "/speakers/",
    "/speakers/marc-andreessen/",
    f"{HUB}speakers/",
    f"{HUB}articles/",
    f"{HUB}propositions/",
    f"{HUB}propositions/open-source-ai/",
    f"{HUB}map/",
]
# Data out: the feed and the exports, which honour the timeline's filters.
DATA = [
    f"{HUB}feed/",
    f"{HUB}export.json",
    f"{HUB}export.csv",
    f"{HUB}export/annotations.jsonld",
    f"{HUB}export/aif.json",
]
PUBLIC = PAGES + DATA
