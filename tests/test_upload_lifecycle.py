"""Uploads over their life: private until a post shows them, then as visible as that post (never
less later), and removed when no post ever did."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone
from PIL import Image

from stepdown.forum import actions as forum_actions
from stepdown.forum.attachments import record_uploads, upload_names_in
from stepdown.uploads.actions import record_use, store_upload
from stepdown.uploads.models import Upload
from stepdown.uploads.processing import process_image
from tests.factories import UserFactory, make_topic

LIMITS = {"max_bytes": 8 * 1024 * 1024, "max_pixels": 40_000_000, "max_side": 2048}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def add_image(owner, color=(20, 120, 200)) -> Upload:
    """An upload stored through the real action and storage, as the upload page does."""
    buffer = io.BytesIO()
    Image.new("RGB", (12, 8), color).save(buffer, "PNG")
    return store_upload(owner, image=process_image(buffer.getvalue(), **LIMITS))


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def fetch(user, upload: Upload):
    return client_for(user).get(upload.url)


def set_audience(upload: Upload, audience: str) -> None:
    Upload.objects.filter(pk=upload.pk).update(audience=audience)


# --- Who may fetch an image ----------------------------------------------------------------------

VIEWERS = ["guest", "member", "uploader", "moderator", "moderator_without_two_factor"]
MAY_FETCH = {
    "unused": {"uploader", "moderator"},
    "members": {"member", "uploader", "moderator", "moderator_without_two_factor"},
    "public": set(VIEWERS),
}


@pytest.fixture
def viewers(db, member, other_member, moderator):
    return {
        "guest": None,
        "member": other_member,
        "uploader": member,
        "moderator": moderator,
        "moderator_without_two_factor": UserFactory(username="newmod", is_moderator=True),
    }


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("audience", ["unused", "members", "public"])
def test_upload_fetch_follows_audience_for_each_viewer(viewers, member, audience, viewer):
    upload = add_image(member)
    set_audience(upload, audience)
    response = fetch(viewers[viewer], upload)
    assert response.status_code == (200 if viewer in MAY_FETCH[audience] else 404)


@pytest.mark.parametrize("audience", ["unused", "members"])
def test_upload_refused_fetch_looks_exactly_like_missing_file(member, audience):
    upload = add_image(member)
    set_audience(upload, audience)
    missing = upload.url.replace(upload.storage_name[-36:-4], "f" * 32)
    refused, unknown = Client().get(upload.url), Client().get(missing)
    assert refused.status_code == unknown.status_code == 404
    assert refused.content.replace(upload.url.encode(), missing.encode()) == unknown.content
    assert dict(refused.items()) == dict(unknown.items())


def test_upload_public_fetch_is_cached_by_everyone_for_a_year(member):
    upload = add_image(member)
    set_audience(upload, "public")
    for viewer in (None, member):
        response = fetch(viewer, upload)
        assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    # Not tied to the session, so a shared cache may serve it to anyone.
    assert "Cookie" not in Client().get(upload.url).get("Vary", "")


@pytest.mark.parametrize(("audience", "viewer"), [("unused", "uploader"), ("members", "member")])
def test_upload_private_fetch_is_never_stored_by_shared_caches(viewers, member, audience, viewer):
    upload = add_image(member)
    set_audience(upload, audience)
    response = fetch(viewers[viewer], upload)
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("private")
    assert "public" not in response["Cache-Control"]
    assert "immutable" not in response["Cache-Control"]
    assert "Cookie" in response["Vary"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_upload_head_request_follows_the_same_rule(member):
    upload = add_image(member)
    assert Client().head(upload.url).status_code == 404
    assert client_for(member).head(upload.url).status_code == 200


# --- Recording where an image is used ------------------------------------------------------------


def test_record_use_widens_unused_to_members_to_public(member):
    upload = add_image(member)
    assert (upload.audience, upload.first_used_at) == ("unused", None)

    assert record_use([upload.storage_name], audience="members", owner_id=member.pk) == 1
    upload.refresh_from_db()
    first_used = upload.first_used_at
    assert upload.audience == "members" and first_used is not None

    assert record_use([upload.storage_name], audience="public", owner_id=member.pk) == 1
    upload.refresh_from_db()
    assert upload.audience == "public"
    assert upload.first_used_at == first_used  # the first use stays the first


def test_record_use_never_narrows_a_public_upload(member):
    upload = add_image(member)
    record_use([upload.storage_name], audience="public", owner_id=member.pk)
    assert record_use([upload.storage_name], audience="members", owner_id=member.pk) == 0
    upload.refresh_from_db()
    assert upload.audience == "public"
    assert Client().get(upload.url).status_code == 200


def test_record_use_is_repeatable(member):
    upload = add_image(member)
    record_use([upload.storage_name], audience="members", owner_id=member.pk)
    assert record_use([upload.storage_name], audience="members", owner_id=member.pk) == 0
    assert Upload.objects.get().audience == "members"


def test_record_use_ignores_unknown_names_and_others_uploads(member, other_member):
    mine, theirs = add_image(member), add_image(other_member)
    names = [mine.storage_name, theirs.storage_name, "uploads/2025/01/" + "a" * 32 + ".png"]
    assert record_use(names, audience="public", owner_id=member.pk) == 1
    assert Upload.objects.get(pk=mine.pk).audience == "public"
    assert Upload.objects.get(pk=theirs.pk).audience == "unused"
    assert Upload.objects.count() == 2


def test_record_use_refuses_an_unknown_audience(member):
    upload = add_image(member)
    with pytest.raises(ValueError):
        record_use([upload.storage_name], audience="unused", owner_id=member.pk)
    with pytest.raises(ValueError):
        record_use([upload.storage_name], audience="everyone", owner_id=member.pk)


# --- The forum's posts record their images --------------------------------------------------------


def test_record_uploads_makes_public_post_images_visible_to_guests(member, category):
    upload = add_image(member)
    topic = make_topic(
        category, author=member, body=f"Today's walk:\n\n![A calm lake]({upload.url})"
    )
    record_uploads(topic.first_post)  # harmless if the forum's actions already did
    upload.refresh_from_db()
    assert upload.audience == "public"
    assert Client().get(upload.url).status_code == 200


def test_record_uploads_keeps_members_post_images_from_guests(
    member, other_member, members_category
):
    upload = add_image(member)
    topic = make_topic(members_category, author=member, body=f"![A calm lake]({upload.url})")
    record_uploads(topic.first_post)
    upload.refresh_from_db()
    assert upload.audience == "members"
    assert Client().get(upload.url).status_code == 404
    assert fetch(other_member, upload).status_code == 200


def test_record_uploads_after_reply_and_edit(member, category):
    first, second = add_image(member), add_image(member, color=(1, 2, 3))
    topic = make_topic(category, title="Walks")
    reply = forum_actions.create_reply(topic, author=member, body=f"![one]({first.url})")
    record_uploads(reply)
    reply = forum_actions.edit_post(
        reply, editor=member, body=f"![one]({first.url}) and [the other]({second.url})"
    )
    record_uploads(reply)
    assert set(Upload.objects.values_list("audience", flat=True)) == {"public"}


def test_record_uploads_does_not_publish_someone_elses_image(member, other_member, category):
    upload = add_image(member)
    topic = make_topic(category, author=other_member, body=f"![found it]({upload.url})")
    record_uploads(topic.first_post)
    upload.refresh_from_db()
    assert upload.audience == "unused"
    assert Client().get(upload.url).status_code == 404


def test_record_uploads_reads_nothing_for_a_post_without_images(
    member, category, django_assert_num_queries
):
    post = make_topic(category, author=member, body="No pictures, [a link](/t/1/).").first_post
    with django_assert_num_queries(0):
        record_uploads(post)


def test_record_uploads_reads_the_category_and_writes_in_few_queries(
    member, category, django_assert_max_num_queries
):
    upload = add_image(member)
    post = make_topic(category, author=member, body=f"![x]({upload.url})").first_post
    with django_assert_max_num_queries(5):  # the category, then two guarded updates
        record_uploads(post)


def test_upload_names_in_finds_only_this_sites_uploads(member, settings):
    upload = add_image(member)
    html = (
        f'<p><img src="{upload.url}" alt="a" loading="lazy"> '
        f'<a href="{upload.url}" rel="nofollow">same</a> '
        '<a href="https://example.org/media/uploads/2025/01/' + "b" * 32 + '.png">elsewhere</a> '
        '<a href="/media/uploads/../secret_key">sneaky</a></p>'
    )
    assert upload_names_in(html) == {upload.storage_name}


# --- Existing uploads stay visible after the migration -------------------------------------------


def test_migration_marks_existing_uploads_public(transactional_db, member):
    executor = MigrationExecutor(connection)
    executor.migrate([("uploads", "0001_initial")])
    try:
        old_apps = executor.loader.project_state([("uploads", "0001_initial")]).apps
        OldUpload = old_apps.get_model("uploads", "Upload")
        old = OldUpload.objects.create(
            owner_id=member.pk,
            storage_name="uploads/2025/01/" + "c" * 32 + ".png",
            content_type="image/png",
            width=1,
            height=1,
            bytes=1,
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    upload = Upload.objects.get(pk=old.pk)
    assert upload.audience == "public"
    assert upload.first_used_at == upload.created
    # New uploads, from here on, start unused.
    assert add_image(member).audience == "unused"


# --- Cleaning up images never used ---------------------------------------------------------------


def age(upload: Upload, days: float) -> None:
    Upload.objects.filter(pk=upload.pk).update(created=timezone.now() - timedelta(days=days))


@pytest.fixture
def aged_uploads(member, media_root):
    old_unused, new_unused, old_used = add_image(member), add_image(member), add_image(member)
    age(old_unused, 8)
    age(new_unused, 6)
    age(old_used, 30)
    record_use([old_used.storage_name], audience="members", owner_id=member.pk)
    return old_unused, new_unused, old_used


def run_cleanup(*args) -> str:
    out = io.StringIO()
    call_command("cleanup_uploads", *args, stdout=out)
    return out.getvalue()


def test_cleanup_removes_only_old_unused_uploads_file_and_record(aged_uploads, media_root):
    old_unused, new_unused, old_used = aged_uploads
    output = run_cleanup()
    assert f"removed {old_unused.storage_name}" in output
    assert "Removed 1 unused image(s)" in output and "7 day(s)" in output
    assert not Upload.objects.filter(pk=old_unused.pk).exists()
    assert not (media_root / old_unused.storage_name).exists()
    for kept in (new_unused, old_used):
        assert Upload.objects.filter(pk=kept.pk).exists()
        assert (media_root / kept.storage_name).exists()
    assert "Removed 0 unused image(s)" in run_cleanup()  # nothing left to do


def test_cleanup_dry_run_lists_and_removes_nothing(aged_uploads, media_root):
    old_unused, new_unused, old_used = aged_uploads
    output = run_cleanup("--dry-run")
    assert f"would remove {old_unused.storage_name}" in output
    assert new_unused.storage_name not in output and old_used.storage_name not in output
    assert "Would remove 1 unused image(s)" in output
    assert Upload.objects.count() == 3
    assert all((media_root / upload.storage_name).exists() for upload in aged_uploads)


def test_cleanup_follows_the_unused_days_setting(aged_uploads, settings):
    settings.STEPDOWN_UPLOAD_UNUSED_DAYS = 5
    assert "Removed 2 unused image(s)" in run_cleanup()
    assert list(Upload.objects.values_list("audience", flat=True)) == ["members"]


def test_cleanup_removes_record_whose_file_is_already_gone(member, media_root):
    upload = add_image(member)
    age(upload, 10)
    (media_root / upload.storage_name).unlink()
    assert "Removed 1 unused image(s)" in run_cleanup()
    assert not Upload.objects.exists()
