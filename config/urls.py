from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("account/", include("stepdown.accounts.urls")),
    path("taper/", include("stepdown.tapering.urls")),
    path("journal/", include("stepdown.journals.urls")),
    path("", include("stepdown.uploads.urls")),
    path("", include("stepdown.forum.urls")),
]

handler404 = "stepdown.pages.views.not_found"
handler500 = "stepdown.pages.views.server_error"
handler403 = "stepdown.pages.views.forbidden"
handler429 = "stepdown.pages.views.too_many_requests"
