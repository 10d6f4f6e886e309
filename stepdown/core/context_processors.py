from django.conf import settings


def site(request):
    """Site-wide values every template may show."""
    return {"site_name": settings.SITE_NAME}
