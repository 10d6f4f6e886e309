from django.contrib.admin.apps import AdminConfig


class StepdownAdminConfig(AdminConfig):
    """Django's admin, served by StepdownAdminSite (site sign-in and two-factor required)."""

    default_site = "stepdown.accounts.admin_site.StepdownAdminSite"
