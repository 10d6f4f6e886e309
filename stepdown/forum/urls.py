from django.urls import path
from django.views.decorators.http import require_safe

from . import (
    composer_views,
    feeds,
    follow_views,
    member_views,
    post_views,
    profile_views,
    stream_views,
    views,
)

app_name = "forum"

urlpatterns = [
    path("", views.home, name="home"),
    path("c/<slug:slug>/", views.category, name="category"),
    path("c/<slug:slug>/new/", composer_views.new_topic, name="new_topic"),
    path("c/<slug:slug>/new/draft/", composer_views.new_topic_draft, name="new_topic_draft"),
    path("t/<int:pk>/", views.topic_redirect, name="topic_short"),
    path("t/<int:pk>/reply/", composer_views.reply, name="reply"),
    path("c/<slug:slug>/read/", stream_views.mark_category_read, name="mark_category_read"),
    path("latest/", stream_views.latest, name="latest"),
    path("unread/", stream_views.unread_stream, name="unread"),
    path("unread/read-all/", stream_views.mark_all_read, name="mark_all_read"),
    # Not under /t/<id>/: a topic titled "Unread" has that slug, and would loop here.
    path("unread/<int:pk>/", stream_views.first_unread, name="first_unread"),
    path("t/<int:pk>/follow/", follow_views.follow_topic, name="follow_topic"),
    path("c/<slug:slug>/follow/", follow_views.follow_category, name="follow_category"),
    path("u/<str:username>/follow/", follow_views.follow_member, name="follow_member"),
    path("t/<int:pk>/reply/draft/", composer_views.reply_draft, name="reply_draft"),
    path("compose/preview/", composer_views.preview, name="preview"),
    # Atom feeds of public categories and topics (before the topic's slug route: "feed" is one).
    path("c/<slug:slug>/feed/", require_safe(feeds.CategoryFeed()), name="category_feed"),
    path("t/<int:pk>/feed/", require_safe(feeds.TopicFeed()), name="topic_feed"),
    # The member's own profile, beside their account page (forum's: the picture is an upload).
    path("account/profile/", profile_views.edit_profile, name="edit_profile"),
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
    path("u/suggest/", member_views.member_suggest, name="member_suggest"),
    path("u/<str:username>/", member_views.member, name="member"),
]
