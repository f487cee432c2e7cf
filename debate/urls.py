from django.urls import path

from . import views

app_name = "debate"

urlpatterns = [
    path("", views.timeline, name="timeline"),
    path("posts/<int:pk>/", views.post_detail, name="post"),
    path("articles/<slug:slug>/", views.article_detail, name="article"),
]
