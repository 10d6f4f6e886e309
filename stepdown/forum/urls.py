from django.urls import path

from . import views

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
]
