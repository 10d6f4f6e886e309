"""WSGI entry of the bare Django view (bench/bare_settings.py), served by gunicorn as
`stepdown serve` serves the forum."""

import os

from django.core.wsgi import get_wsgi_application

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.bare_settings"
application = get_wsgi_application()
