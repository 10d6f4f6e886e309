"""Images: checked, re-encoded without metadata, stored under unguessable names, served inertly."""

from __future__ import annotations

import io
import re
import struct
import zlib

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from stepdown.core.text import render_markdown, sanitise_html
from stepdown.uploads.models import Upload
from stepdown.uploads.processing import ImageRejected, process_image

LIMITS = {"max_bytes": 8 * 1024 * 1024, "max_pixels": 40_000_000, "max_side": 2048}
GPS_IFD = 0x8825
ORIENTATION = 0x0112


def image_bytes(fmt="PNG", size=(40, 30), color=(200, 30, 30), **save) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt, **save)
    return buffer.getvalue()


def jpeg_with_gps(size=(60, 40), orientation=None) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)})
    if orientation:
        exif[ORIENTATION] = orientation
    return image_bytes("JPEG", size=size, exif=exif.tobytes())


def truncated_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise((200, 200), 60).convert("RGB").save(buffer, "JPEG")
    data = buffer.getvalue()
    return data[: len(data) // 2]


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` pixels (a decompression bomb)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def animated_gif() -> bytes:
    frames = [Image.new("P", (20, 20), index) for index in (1, 2, 3)]
    buffer = io.BytesIO()
    frames[0].save(
        buffer, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0,
        comment=b"secret comment",
    )  # fmt: skip
    return buffer.getvalue()


# --- processing ------------------------------------------------------------------------------


def test_process_image_strips_gps_exif_from_jpeg():
    original = Image.open(io.BytesIO(jpeg_with_gps()))
    assert original.getexif().get_ifd(GPS_IFD)  # the fixture really carries GPS

    result = process_image(jpeg_with_gps(), **LIMITS)

    cleaned = Image.open(io.BytesIO(result.data))
    assert result.content_type == "image/jpeg" and cleaned.format == "JPEG"
    assert not cleaned.getexif()
    assert not cleaned.getexif().get_ifd(GPS_IFD)
    assert "exif" not in cleaned.info
    assert b"PhoneMaker" not in result.data and b"Exif" not in result.data


def test_process_image_applies_exif_orientation_before_stripping_it():
    result = process_image(jpeg_with_gps(size=(60, 40), orientation=6), **LIMITS)
    assert (result.width, result.height) == (40, 60)


def test_process_image_scales_down_to_max_side():
    result = process_image(image_bytes(size=(300, 150)), **{**LIMITS, "max_side": 100})
    assert (result.width, result.height) == (100, 50)
    assert Image.open(io.BytesIO(result.data)).size == (100, 50)


@pytest.mark.parametrize(
    ("fmt", "content_type"), [("PNG", "image/png"), ("WEBP", "image/webp"), ("JPEG", "image/jpeg")]
)
def test_process_image_keeps_supported_formats(fmt, content_type):
    result = process_image(image_bytes(fmt), **LIMITS)
    assert result.content_type == content_type
    assert Image.open(io.BytesIO(result.data)).format == fmt


def test_process_image_keeps_first_frame_of_animated_gif_as_png_without_comment():
    result = process_image(animated_gif(), **LIMITS)
    cleaned = Image.open(io.BytesIO(result.data))
    assert result.content_type == "image/png" and cleaned.format == "PNG"
    assert getattr(cleaned, "n_frames", 1) == 1
    assert b"secret comment" not in result.data


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"#!/bin/sh\nrm -rf / # pretending to be a PNG\n", "not_image"),
        (b"<script>alert(1)</script>", "not_image"),
        (b"just some text\n" * 20, "not_image"),
        (image_bytes("PNG", size=(200, 200))[:120], "damaged"),
        (truncated_jpeg(), "damaged"),
        (png_declaring(100_000, 100_000), "too_many_pixels"),
        (png_declaring(8000, 6000), "too_many_pixels"),
    ],
    ids=["script", "html", "text", "truncated-png", "truncated-jpeg", "bomb", "over-limit"],
)
def test_process_image_refuses_bad_input(data, code):
    with pytest.raises(ImageRejected) as refused:
        process_image(data, **LIMITS)
    assert refused.value.code == code


def test_process_image_refuses_oversized_file():
    with pytest.raises(ImageRejected) as refused:
        process_image(image_bytes(), **{**LIMITS, "max_bytes": 10})
    assert refused.value.code == "too_large"


def test_process_image_leaves_pillows_global_bomb_limit_alone_when_checking_pixels():
    pillow_limit = Image.MAX_IMAGE_PIXELS
    small = {**LIMITS, "max_pixels": 1_000}
    with pytest.raises(ImageRejected) as refused:
        process_image(png_declaring(40, 30), **small)  # 1,200 pixels, refused from the header
    assert refused.value.code == "too_many_pixels"
    assert process_image(image_bytes(size=(40, 20)), **small).width == 40
    assert Image.MAX_IMAGE_PIXELS == pillow_limit  # other code in the process is unaffected


# --- HTTP flow ---------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def post_image(client, data: bytes, *, name="photo.jpg", description="A calm lake", **extra):
    upload = SimpleUploadedFile(name, data, content_type="image/jpeg")
    return client.post("/uploads/new/", {"image": upload, "description": description, **extra})


def test_upload_page_asks_guests_to_sign_in(client, db):
    response = client.get("/uploads/new/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert post_image(client, image_bytes()).status_code == 302
    assert Upload.objects.count() == 0


def test_upload_stores_clean_image_and_shows_markdown_to_paste(member_client, member, media_root):
    response = post_image(member_client, jpeg_with_gps(), next="/t/1/reply/")
    assert response.status_code == 302
    upload = Upload.objects.get()
    assert upload.owner == member
    assert re.fullmatch(r"uploads/\d{4}/\d{2}/[0-9a-f]{32}\.jpg", upload.storage_name)
    assert "photo" not in upload.storage_name
    assert (upload.content_type, upload.width, upload.height) == ("image/jpeg", 60, 40)
    stored = default_storage.open(upload.storage_name).read()
    assert len(stored) == upload.bytes
    assert not Image.open(io.BytesIO(stored)).getexif()
    assert (media_root / upload.storage_name).exists()

    page = member_client.get(response["Location"]).content.decode()
    assert f"![A calm lake](/media/{upload.storage_name})" in page
    assert 'href="/t/1/reply/"' in page


def test_upload_ignores_next_addresses_on_other_sites(member_client):
    response = post_image(member_client, image_bytes(), next="https://evil.example/")
    page = member_client.get(response["Location"]).content.decode()
    assert "evil.example" not in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"#!/bin/sh\necho hi\n", "not an image we can take"),
        (b"hello, plain text", "not an image we can take"),
        (image_bytes("PNG", size=(200, 200))[:120], "looks damaged or incomplete"),
        (png_declaring(100_000, 100_000), "too many pixels"),
    ],
    ids=["script-named-png", "text", "truncated", "bomb"],
)
def test_upload_refuses_bad_files_with_clear_message_keeping_description(
    member_client, media_root, data, message
):
    response = post_image(member_client, data, name="cat.png", description="My kept words")
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert 'value="My kept words"' in page
    assert Upload.objects.count() == 0
    assert not (media_root / "uploads").exists()


def test_upload_refuses_oversized_file(member_client, settings):
    settings.STEPDOWN_UPLOAD_MAX_BYTES = 100
    response = post_image(member_client, image_bytes(size=(100, 100)), description="Kept")
    assert response.status_code == 400
    assert "too large" in response.content.decode()
    assert Upload.objects.count() == 0


def test_upload_requires_a_description(member_client):
    response = post_image(member_client, image_bytes(), description="")
    assert response.status_code == 400
    assert "Please describe the image" in response.content.decode()
    assert Upload.objects.count() == 0


def test_upload_is_rate_limited(member_client, settings):
    settings.STEPDOWN_RATE_LIMITS = {**settings.STEPDOWN_RATE_LIMITS, "upload": "1/h/user"}
    assert post_image(member_client, image_bytes()).status_code == 302
    response = post_image(member_client, image_bytes(), description="Still here")
    assert response.status_code == 429
    assert 'value="Still here"' in response.content.decode()
    assert Upload.objects.count() == 1


def test_upload_needs_csrf_token(member):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert post_image(client, image_bytes()).status_code == 403
    assert Upload.objects.count() == 0


def test_upload_result_page_is_only_for_its_owner(member_client, other_member, client):
    post_image(member_client, image_bytes())
    upload = Upload.objects.get()
    # The uploader sees the image they just added, though no post shows it yet.
    page = member_client.get(f"/uploads/{upload.pk}/").content.decode()
    assert f'<img src="{upload.url}"' in page
    assert upload.audience == "unused"
    assert member_client.get(upload.url).status_code == 200
    client.force_login(other_member)
    assert client.get(f"/uploads/{upload.pk}/").status_code == 404
    assert client.get(upload.url).status_code == 404


def test_composer_pages_link_to_add_an_image(member_client, category):
    page = member_client.get(f"/c/{category.slug}/new/").content.decode()
    assert 'href="/uploads/new/?next=' in page and "Add an image" in page


# --- serving ---------------------------------------------------------------------------------


@pytest.mark.parametrize("audience", ["unused", "public"])
def test_served_image_has_stored_type_and_safe_headers(member_client, audience):
    # Served to its uploader while unused (uploads/ lifecycle: tests/test_upload_lifecycle.py).
    post_image(member_client, image_bytes("PNG"), name="evil.html")
    Upload.objects.update(audience=audience)
    upload = Upload.objects.get()
    response = member_client.get(f"/media/{upload.storage_name}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    filename = upload.storage_name.rsplit("/", 1)[1]
    assert response["Content-Disposition"] == f'inline; filename="{filename}"'
    assert b"".join(response.streaming_content) == default_storage.open(upload.storage_name).read()


@pytest.mark.parametrize(
    "path",
    [
        "/media/uploads/2025/01/0123456789abcdef0123456789abcdef.png",
        "/media/uploads/../secret_key",
        "/media/uploads/2025/01/x.png",
    ],
)
def test_serving_unknown_files_is_404(client, db, path):
    assert client.get(path).status_code == 404


def test_serving_record_without_file_is_404(client, member):
    Upload.objects.create(
        owner=member,
        storage_name="uploads/2025/01/0123456789abcdef0123456789abcdef.png",
        content_type="image/png",
        width=1,
        height=1,
        bytes=1,
    )
    response = client.get("/media/uploads/2025/01/0123456789abcdef0123456789abcdef.png")
    assert response.status_code == 404


# --- rendering -------------------------------------------------------------------------------

OURS = "/media/uploads/2025/01/0123456789abcdef0123456789abcdef.png"


def test_render_markdown_shows_own_uploads_as_lazy_images():
    html = render_markdown(f"![A calm lake]({OURS})")
    assert html == f'<p><img src="{OURS}" alt="A calm lake" loading="lazy"></p>\n'


@pytest.mark.parametrize(
    "src",
    [
        "https://example.org/a.png",
        "//example.org/a.png",
        "/media/uploads/../secret.png",
        f"{OURS}?x=1",
        "/static/logo.png",
        "data:image/png;base64,iVBORw0KGgo=",
        f"https://example.org{OURS}",
    ],
)
def test_render_markdown_never_shows_other_images(src):
    html = render_markdown(f"![alt text]({src})")
    assert "<img" not in html
    assert "alt text" in html


def test_sanitise_html_drops_images_not_from_uploads_and_extra_attributes():
    html = sanitise_html(
        f'<img src="https://example.org/x.png"><img src="{OURS}" onerror="x()" '
        f'srcset="https://example.org/y.png" width="10" height="oops">'
    )
    assert html == f'<img src="{OURS}" width="10">'


def test_render_markdown_follows_media_url(settings):
    settings.MEDIA_URL = "/files/"
    assert "<img" not in render_markdown(f"![x]({OURS})")
    assert "<img" in render_markdown("![x](/files/uploads/2025/01/" + "a" * 32 + ".jpg)")


# --- Account deletion and export ---------------------------------------------------------------


def test_account_deletion_keeping_posts_keeps_their_images(member_client, member, media_root):
    from stepdown.accounts.actions import delete_member

    post_image(member_client, image_bytes())
    upload = Upload.objects.get()
    delete_member(member, keep_posts=True)
    upload.refresh_from_db()
    assert upload.owner is None
    assert (media_root / upload.storage_name).exists()


def test_account_deletion_removing_posts_removes_images(member_client, member, media_root):
    from stepdown.accounts.actions import delete_member

    post_image(member_client, image_bytes())
    upload = Upload.objects.get()
    delete_member(member, keep_posts=False)
    assert not Upload.objects.exists()
    assert not (media_root / upload.storage_name).exists()


def test_data_export_lists_the_members_images(member_client, member):
    post_image(member_client, image_bytes())
    data = member_client.get("/account/export/").json()
    assert data["uploads"]["images"][0]["url"] == Upload.objects.get().url
