"""Every public URL of the seed debate, for tests that visit them all."""

# Pages a reader reads (HTML).
PAGES = [
    "/",
    "/posts/4/",
    "/articles/musks-grok-to-go-open-source/",
    "/speakers/",
    "/speakers/marc-andreessen/",
    "/propositions/",
    "/propositions/open-source-ai/",
    "/map/",
]
# Data out: the feed and the exports, which honour the timeline's filters.
DATA = [
    "/feed/",
    "/export.json",
    "/export.csv",
    "/export/annotations.jsonld",
    "/export/aif.json",
]
PUBLIC = PAGES + DATA
