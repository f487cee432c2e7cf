from django.urls import path

from .views import articles, data, posts, propositions, speakers, timeline

app_name = "debate"

urlpatterns = [
    path("", timeline.timeline, name="timeline"),
    path("posts/<int:pk>/", posts.post_detail, name="post"),
    path("articles/<slug:slug>/", articles.article_detail, name="article"),
    path("speakers/", speakers.speaker_list, name="speakers"),
    path("speakers/<slug:slug>/", speakers.speaker_detail, name="speaker"),
    path("propositions/", propositions.proposition_list, name="propositions"),
    path("propositions/<slug:slug>/", propositions.proposition_detail, name="proposition"),
    path("map/", propositions.stance_map, name="map"),
    path("feed/", data.timeline_feed, name="feed"),
    path("export.json", data.export_json, name="export-json"),
    path("export.csv", data.export_csv, name="export-csv"),
    path("export/annotations.jsonld", data.export_annotations, name="export-annotations"),
    path("export/aif.json", data.export_aif, name="export-aif"),
]
