from django.urls import include, path

from .views import articles, data, debates, hub, posts, propositions, speakers, timeline

app_name = "debate"

# Everything about one debate lives under /debates/<slug>/.
hub_patterns = [
    path("", timeline.timeline, name="timeline"),
    path("speakers/", speakers.speaker_list, name="speakers"),
    path("articles/", articles.article_list, name="articles"),
    path("propositions/", propositions.proposition_list, name="propositions"),
    path("propositions/<slug:slug>/", propositions.proposition_detail, name="proposition"),
    path("map/", propositions.stance_map, name="map"),
    path("feed/", data.timeline_feed, name="feed"),
    path("export.json", data.export_json, name="export-json"),
    path("export.csv", data.export_csv, name="export-csv"),
    path("export/annotations.jsonld", data.export_annotations, name="export-annotations"),
    path("export/aif.json", data.export_aif, name="export-aif"),
]

# The addresses of the one-debate site, redirected (301) to the first debate's hub.
legacy_patterns = [
    path("propositions/", hub.legacy("propositions")),
    path("propositions/<slug:slug>/", hub.legacy("proposition")),
    path("map/", hub.legacy("map")),
    path("feed/", hub.legacy("feed")),
    path("export.json", hub.legacy("export-json")),
    path("export.csv", hub.legacy("export-csv")),
    path("export/annotations.jsonld", hub.legacy("export-annotations")),
    path("export/aif.json", hub.legacy("export-aif")),
]

urlpatterns = [
    path("", debates.home, name="home"),
    path("debates/<slug:debate>/", include(hub_patterns)),
    path("posts/<int:pk>/", posts.post_detail, name="post"),
    path("articles/<slug:slug>/", articles.article_detail, name="article"),
    path("speakers/", speakers.all_speakers, name="all-speakers"),
    path("speakers/<slug:slug>/", speakers.speaker_detail, name="speaker"),
    *legacy_patterns,
]
