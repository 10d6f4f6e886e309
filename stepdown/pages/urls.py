from django.urls import path

from . import views

app_name = "pages"

urlpatterns = [
    path("guidelines/", views.guidelines, name="guidelines"),
    path("guidelines/accept/", views.accept_guidelines, name="accept_guidelines"),
    path("help-now/", views.help_now, name="help_now"),
    path("help-now/remember/", views.remember_locale, name="remember_locale"),
]
