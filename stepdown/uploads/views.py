from __future__ import annotations

import posixpath
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from stepdown.core import ratelimit

from . import actions
from .forms import UploadForm, upload_limits
from .models import Audience, Upload
from .permissions import can_upload, require_own_upload, require_served_upload

# Served images are never documents: nothing in them may run, load or be framed.
SERVED_CSP = "default-src 'none'; sandbox"
CACHE_FOREVER = "public, max-age=31536000, immutable"
# Members-only and unused images: the browser may keep them for a while, a shared cache (proxy,
# CDN) never, since the same address answers 404 to someone else.
CACHE_PRIVATELY = "private, max-age=3600"


def _safe_next(request: HttpRequest, value: str) -> str:
    """``value`` if it is a path on this site, else empty (no open redirects)."""
    if value.startswith("/") and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""


def markdown_for(upload: Upload, description: str) -> str:
    """The Markdown line that shows ``upload`` with ``description`` as its alternative text."""
    alt = " ".join(description.split())
    for char in ("\\", "[", "]"):
        alt = alt.replace(char, "\\" + char)
    return f"![{alt}]({upload.url})"


@require_http_methods(["GET", "HEAD", "POST"])
def new_upload(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not can_upload(request.user):
        raise Http404
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    context = {"next": next_url, "limits": upload_limits()}
    if request.method != "POST":
        return render(request, "uploads/new.html", {**context, "form": UploadForm()})
    form = UploadForm(request.POST, request.FILES)
    verdict = ratelimit.hit(request, "upload")
    if not verdict.allowed:
        response = render(
            request,
            "uploads/new.html",
            {**context, "form": form, "retry_minutes": verdict.retry_minutes},
            status=429,
        )
        response["Retry-After"] = str(verdict.retry_after)
        return response
    if not form.is_valid():
        return render(request, "uploads/new.html", {**context, "form": form}, status=400)
    upload = actions.store_upload(request.user, image=form.cleaned_data["image"])
    query = {"description": form.cleaned_data["description"]}
    if next_url:
        query["next"] = next_url
    return redirect(f"{reverse('uploads:detail', args=[upload.pk])}?{urlencode(query)}")


@require_GET
def upload_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    upload = require_own_upload(request.user, pk)
    description = request.GET.get("description", "")[:200]
    return render(
        request,
        "uploads/detail.html",
        {
            "upload": upload,
            "markdown": markdown_for(upload, description or "image"),
            "next": _safe_next(request, request.GET.get("next", "")),
        },
    )


@require_safe
def serve_upload(request: HttpRequest, name: str) -> FileResponse:
    """Stream a stored image to whoever may see it (404 to others), with the type it was saved
    as and headers that keep it inert."""
    upload = require_served_upload(request.user, name)
    try:
        handle = default_storage.open(upload.storage_name, "rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    response = FileResponse(handle, content_type=upload.content_type)
    filename = posixpath.basename(upload.storage_name)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SERVED_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    if upload.audience == Audience.PUBLIC:
        response["Cache-Control"] = CACHE_FOREVER
    else:
        response["Cache-Control"] = CACHE_PRIVATELY
        patch_vary_headers(response, ("Cookie",))  # who is asking decides the answer
    return response
