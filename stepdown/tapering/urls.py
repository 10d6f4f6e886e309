from django.urls import path

from . import edit_views, views

app_name = "tapering"

urlpatterns = [
    path("", views.home, name="home"),
    path("equivalence/", views.equivalence, name="equivalence"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/new/", edit_views.plan_new, name="plan_new"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/versions/<int:number>/", views.plan_version, name="plan_version"),
    path("plans/<int:pk>/print/", views.plan_print, name="plan_print"),
    path("plans/<int:pk>/plan.csv", views.plan_csv_export, name="plan_csv"),
    path("plans/<int:pk>/plan.ics", views.plan_ics_export, name="plan_ics"),
    path("plans/<int:pk>/hold/", edit_views.plan_hold, name="plan_hold"),
    path("plans/<int:pk>/resume/", edit_views.plan_resume, name="plan_resume"),
    path("plans/<int:pk>/replan/", edit_views.plan_replan, name="plan_replan"),
    path("plans/<int:pk>/sharing/", edit_views.plan_sharing, name="plan_sharing"),
    path("plans/<int:pk>/delete/", edit_views.plan_delete, name="plan_delete"),
    path("shared/<str:token>/", views.shared_plan, name="shared_plan"),
]
