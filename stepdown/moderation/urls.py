from django.urls import path

from . import approval_views, audit_views, content_views, member_views, safety_views, views

app_name = "moderation"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    # Reports: any member files one; moderators work the queue.
    path("report/<str:target_type>/<int:target_id>/", views.report, name="report"),
    path("reports/", views.queue, name="queue"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/claim/", views.claim, name="claim"),
    path("reports/<int:pk>/note/", views.note, name="report_note"),
    path("reports/<int:pk>/resolve/", views.resolve, name="resolve"),
    # Posts and topics: the moderators of their category.
    path("post/<int:pk>/", content_views.post_actions, name="post_actions"),
    path("post/<int:pk>/hide/", content_views.post_hide, name="post_hide"),
    path("post/<int:pk>/unhide/", content_views.post_unhide, name="post_unhide"),
    path("post/<int:pk>/delete/", content_views.post_delete, name="post_delete"),
    path("post/<int:pk>/restore/", content_views.post_restore, name="post_restore"),
    path("topic/<int:pk>/", content_views.topic_actions, name="topic_actions"),
    path("topic/<int:pk>/lock/", content_views.topic_lock, name="topic_lock"),
    path("topic/<int:pk>/pin/", content_views.topic_pin, name="topic_pin"),
    path("topic/<int:pk>/delete/", content_views.topic_delete, name="topic_delete"),
    path("topic/<int:pk>/restore/", content_views.topic_restore, name="topic_restore"),
    path("topic/<int:pk>/move/", content_views.topic_move, name="topic_move"),
    path("topic/<int:pk>/merge/", content_views.topic_merge, name="topic_merge"),
    path("topic/<int:pk>/split/", content_views.topic_split, name="topic_split"),
    # Members: warnings, suspensions and bans (global moderators); a member's own warnings.
    path("members/<str:username>/", member_views.member, name="member"),
    path("members/<str:username>/warn/", member_views.warn, name="member_warn"),
    path("members/<str:username>/sanction/", member_views.sanction, name="member_sanction"),
    path("sanctions/<int:pk>/lift/", member_views.lift, name="sanction_lift"),
    path("warnings/", member_views.my_warnings, name="my_warnings"),
    path("warnings/<int:pk>/acknowledge/", member_views.acknowledge, name="acknowledge_warning"),
    # The audit log.
    path("log/", audit_views.audit_log, name="audit_log"),
    # New members: the approval queue (moderators of the post's category) and trust levels.
    path("approval/", approval_views.queue, name="approval_queue"),
    path("approval/<int:pk>/approve/", approval_views.approve, name="approve"),
    path("approval/<int:pk>/reject/", approval_views.reject, name="reject"),
    path("members/<str:username>/trust/", approval_views.member_trust, name="member_trust"),
    # The safety net's alerts (global moderators).
    path("safety/", safety_views.alerts, name="safety_alerts"),
    path("safety/<int:pk>/handle/", safety_views.handle, name="handle_alert"),
]
