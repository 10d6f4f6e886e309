from django.urls import path

from .views import entries, privacy, sharing

app_name = "journals"

urlpatterns = [
    path("", entries.home, name="home"),
    path("entry/<str:day>/", entries.entry, name="entry"),
    path("entry/<str:day>/delete/", entries.entry_delete, name="entry_delete"),
    path("chart/", entries.chart, name="chart"),
    path("share/", sharing.share, name="share"),
    path("signature/", sharing.signature, name="signature"),
    path("s/<str:token>/", sharing.shared_link, name="shared_link"),
    path("m/<str:username>/", sharing.shared_with_members, name="shared_with_members"),
    path("consent/", privacy.consent, name="consent"),
    path("withdraw/", privacy.withdraw, name="withdraw"),
    path("delete/", privacy.delete, name="delete"),
    path("export.json", privacy.export_json, name="export_json"),
    path("export.csv", privacy.export_csv, name="export_csv"),
]
