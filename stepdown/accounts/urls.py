from django.urls import path

from . import block_views, views

app_name = "accounts"

urlpatterns = [
    path("", views.account, name="account"),
    path("export/", views.export, name="export"),
    path("sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("delete/", views.delete, name="delete"),
    path("deleted/", views.deleted, name="deleted"),
    path("blocked/", block_views.blocked, name="blocked"),
    path("block/<str:username>/", block_views.block, name="block"),
    path("unblock/<str:username>/", block_views.unblock, name="unblock"),
]
