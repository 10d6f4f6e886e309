from django.urls import path

from . import views

app_name = "uploads"

urlpatterns = [
    path("uploads/new/", views.new_upload, name="new"),
    path("uploads/<int:pk>/", views.upload_detail, name="detail"),
    path("media/uploads/<path:name>", views.serve_upload, name="serve"),
]
