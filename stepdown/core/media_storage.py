"""Where uploaded media live: the data directory, or an S3-compatible bucket by setting.

``STORAGES["default"]`` is built here from the environment (config/settings.py calls
:func:`default_storage_from_environ`); nothing else in the code knows which it is, since uploads
only use the storage API (save, open, delete).

STEPDOWN_MEDIA_STORAGE          "local" (default): files under the data directory's media/;
                                "s3": an S3-compatible bucket (AWS, MinIO, Garage, Ceph, ...)
STEPDOWN_S3_BUCKET              the bucket (required with "s3")
STEPDOWN_S3_ENDPOINT_URL        e.g. https://s3.example.org for a service other than AWS
STEPDOWN_S3_REGION              e.g. eu-central-1
STEPDOWN_S3_ACCESS_KEY_ID       the access key; unset, boto3 looks in its usual places
STEPDOWN_S3_SECRET_ACCESS_KEY   (AWS_* variables, ~/.aws, an instance role)
STEPDOWN_S3_PREFIX              a folder inside the bucket, e.g. "stepdown/media"
STEPDOWN_S3_ADDRESSING_STYLE    "path" for services that want bucket names in the path

Objects are private: the bucket is never shown to browsers. Every image is still served by
``uploads.views.serve_upload`` at ``/media/uploads/...``, which checks who may see it and sets
the safe headers, reading the file from the bucket. Handing out bucket addresses (or presigned
ones) instead would skip those checks for members-only images, and pages could not show them
anyway: the Content-Security-Policy allows images from this site only.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

LOCAL_BACKEND = "django.core.files.storage.FileSystemStorage"
S3_BACKEND = "storages.backends.s3.S3Storage"
# Images larger than this are spooled to a temporary file while they are served, not kept in
# memory (each is at most STEPDOWN_UPLOAD_MAX_BYTES).
S3_MAX_MEMORY_BYTES = 2 * 1024 * 1024

_S3_OPTIONS_FROM_ENV = {
    "endpoint_url": "STEPDOWN_S3_ENDPOINT_URL",
    "region_name": "STEPDOWN_S3_REGION",
    "access_key": "STEPDOWN_S3_ACCESS_KEY_ID",
    "secret_key": "STEPDOWN_S3_SECRET_ACCESS_KEY",
    "addressing_style": "STEPDOWN_S3_ADDRESSING_STYLE",
}


def default_storage_from_environ(environ: Mapping[str, str]) -> dict:
    """The ``STORAGES["default"]`` entry that ``environ`` asks for.

    Raises ImproperlyConfigured for an unknown kind, a missing bucket, or "s3" without the
    ``s3`` extra installed (``pip install 'stepdown[s3]'``).
    """
    kind = environ.get("STEPDOWN_MEDIA_STORAGE", "").strip().lower() or "local"
    if kind == "local":
        return {"BACKEND": LOCAL_BACKEND}
    if kind != "s3":
        raise ImproperlyConfigured(
            f"STEPDOWN_MEDIA_STORAGE is {kind!r}; it can be 'local' (the default) or 's3'."
        )
    bucket = environ.get("STEPDOWN_S3_BUCKET", "").strip()
    if not bucket:
        raise ImproperlyConfigured("STEPDOWN_MEDIA_STORAGE=s3 needs STEPDOWN_S3_BUCKET.")
    if importlib.util.find_spec("storages") is None or importlib.util.find_spec("boto3") is None:
        raise ImproperlyConfigured(
            "STEPDOWN_MEDIA_STORAGE=s3 needs django-storages and boto3: pip install 'stepdown[s3]'."
        )
    options: dict[str, object] = {
        "bucket_name": bucket,
        "location": environ.get("STEPDOWN_S3_PREFIX", "").strip().strip("/"),
        # Never public: only our view serves the files, to whoever may see them.
        "default_acl": "private",
        "querystring_auth": True,
        # Like the local storage: a name already taken gets another, nothing is overwritten.
        "file_overwrite": False,
        "max_memory_size": S3_MAX_MEMORY_BYTES,
    }
    for option, name in _S3_OPTIONS_FROM_ENV.items():
        value = environ.get(name, "").strip()
        if value:  # unset: django-storages' own default (for keys: boto3's usual places)
            options[option] = value
    return {"BACKEND": S3_BACKEND, "OPTIONS": options}
