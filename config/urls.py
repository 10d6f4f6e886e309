from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from stepdown.forum.sitemaps import SITEMAPS, robots_txt, sitemap_index

urlpatterns = [
    path("robots.txt", robots_txt, name="robots"),
    path("sitemap.xml", sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap_section"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("account/", include("stepdown.accounts.urls")),
    path("taper/", include("stepdown.tapering.urls")),
    path("journal/", include("stepdown.journals.urls")),
    path("notifications/", include("stepdown.notifications.urls")),
    path("messages/", include("stepdown.conversations.urls")),
    path("moderation/", include("stepdown.moderation.urls")),
    path("search/", include("stepdown.search.urls")),
    path("", include("stepdown.pages.urls")),
    path("", include("stepdown.uploads.urls")),
    path("", include("stepdown.forum.urls")),
]

handler404 = "stepdown.pages.views.not_found"
handler500 = "stepdown.pages.views.server_error"
handler403 = "stepdown.pages.views.forbidden"
handler429 = "stepdown.pages.views.too_many_requests"
