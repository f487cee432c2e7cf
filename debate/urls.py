from django.urls import path

from . import exports, feeds, pages, views

app_name = "debate"

urlpatterns = [
    path("", views.timeline, name="timeline"),
    path("posts/<int:pk>/", views.post_detail, name="post"),
    path("articles/<slug:slug>/", views.article_detail, name="article"),
    path("speakers/", pages.speaker_list, name="speakers"),
    path("speakers/<slug:slug>/", pages.speaker_detail, name="speaker"),
    path("propositions/", pages.proposition_list, name="propositions"),
    path("propositions/<slug:slug>/", pages.proposition_detail, name="proposition"),
    path("map/", pages.stance_map, name="map"),
    path("feed/", feeds.timeline_feed, name="feed"),
    path("export.json", exports.export_json, name="export-json"),
    path("export.csv", exports.export_csv, name="export-csv"),
    path("export/annotations.jsonld", exports.export_annotations, name="export-annotations"),
    path("export/aif.json", exports.export_aif, name="export-aif"),
]
