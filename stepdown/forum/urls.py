from django.urls import path

from . import post_views, views

app_name = "forum"

urlpatterns = [
    path("", views.home, name="home"),
    path("c/<slug:slug>/", views.category, name="category"),
    path("c/<slug:slug>/new/", views.new_topic, name="new_topic"),
    path("t/<int:pk>/", views.topic_redirect, name="topic_short"),
    path("t/<int:pk>/reply/", views.reply, name="reply"),
    path("t/<int:pk>/<slug:slug>/", views.topic, name="topic"),
    path("p/<int:pk>/", views.post_permalink, name="post"),
    path("p/<int:pk>/recommend/", views.recommend, name="recommend"),
    path("p/<int:pk>/react/", post_views.react, name="react"),
    path("p/<int:pk>/reactions/", post_views.who_reacted, name="post_reactions"),
    path("p/<int:pk>/edit/", post_views.edit, name="edit_post"),
    path("p/<int:pk>/history/", post_views.history, name="post_history"),
    path(
        "p/<int:pk>/history/<int:number>/revert/",
        post_views.revert,
        name="revert_post",
    ),
]
