"""The project's URLs plus the taper tools at /taper/, until config/urls.py mounts them."""

from django.urls import include, path

from config.urls import handler403, handler404, handler429, handler500, urlpatterns  # noqa: F401

urlpatterns = [path("taper/", include("stepdown.tapering.urls")), *urlpatterns]
