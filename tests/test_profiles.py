"""Profiles: the edit page, the picture (EXIF gone, square, small), who sees which part, the
member page's Follow button and query counts, avatars beside posts, personal data."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image

from stepdown.core import page_cache
from stepdown.forum import actions
from stepdown.forum.models import Post, Topic
from stepdown.forum.profiles import AVATAR_TONES, avatar_tone, initials
from stepdown.uploads.models import Upload
from tests.factories import UserFactory, make_topic

pytestmark = pytest.mark.django_db

PROFILE = "/account/profile/"
GPS_IFD = 0x8825
CSS = Path(__file__).resolve().parent.parent / "static" / "css" / "stepdown.css"
User = get_user_model()


def image_bytes(fmt="PNG", size=(600, 400), color=(40, 120, 160), **save) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt, **save)
    return buffer.getvalue()


def jpeg_with_gps(size=(600, 400)) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)})
    return image_bytes("JPEG", size=size, exif=exif.tobytes())


def choices(**changes) -> dict:
    """The profile form as a member would send it: everything shown, members-only."""
    data = {
        "display_name": "",
        "about": "",
        "profile_visibility": "members",
        "show_about": "on",
        "show_activity": "on",
        "show_post_count": "on",
        "show_signature": "on",
    }
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def post_profile(client, picture: bytes | None = None, *, name="me.jpg", **changes):
    data = choices(**changes)
    if picture is not None:
        data["avatar"] = _file(picture, name)
    return client.post(PROFILE, data)


def _file(data: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- The edit page ------------------------------------------------------------------------------


def test_profile_page_sends_guests_to_sign_in(client):
    response = client.get(PROFILE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(PROFILE, choices()).status_code == 302


def test_profile_page_shows_the_members_current_choices(member_client, member):
    User.objects.filter(pk=member.pk).update(display_name="River", show_activity=False)
    html = member_client.get(PROFILE).content.decode()
    assert 'name="display_name" value="River"' in html
    assert re.search(r'<input type="checkbox" name="show_activity"(?![^>]*checked)', html)
    assert re.search(r'<input type="checkbox" name="show_about"[^>]*checked', html)
    assert re.search(r'value="members"[^>]*checked', html)  # private by default


def test_profile_edit_saves_name_about_and_choices_then_shows_the_page(member_client, member):
    response = post_profile(
        member_client,
        display_name="  River   Walker ",
        about="Tapering **slowly** since spring. <script>alert(1)</script>",
        profile_visibility="everyone",
        show_post_count=None,
    )
    assert response.status_code == 302 and response["Location"] == "/u/member/"
    member.refresh_from_db()
    assert member.display_name == "River Walker"
    assert "<strong>slowly</strong>" in member.about_html
    assert "<script" not in member.about_html
    assert member.profile_visibility == "everyone" and member.show_post_count is False
    html = Client().get("/u/member/").content.decode()
    assert "<h1>member</h1>" in html  # the username stays the name
    assert '<p class="member-head__display-name">River Walker</p>' in html
    assert "<strong>slowly</strong>" in html
    assert "<dt>Posts</dt>" not in html


@pytest.mark.parametrize(
    "display_name, message",
    [
        ("River\u202eklaw", "Please use letters, numbers, spaces and punctuation only."),
        ("x" * 51, "at most 50 characters"),
    ],
)
def test_profile_edit_refuses_bad_display_names_keeping_what_was_typed(
    member_client, member, display_name, message
):
    response = post_profile(member_client, display_name=display_name, about="Kept about text")
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and "Kept about text" in html
    member.refresh_from_db()
    assert member.display_name == "" and member.about == ""


def test_profile_edit_refuses_a_too_long_about(member_client, member):
    response = post_profile(member_client, about="a" * 1001)
    assert response.status_code == 400
    assert "at most 1000 characters" in response.content.decode()


def test_a_new_member_cannot_put_links_in_their_about_yet(member_client, member):
    member.trust_level = 0
    member.save(update_fields=["trust_level"])
    about = "Selling help at https://pills.example/ cheap"
    response = post_profile(member_client, about=about)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Links to other sites and images open up once you have been here" in html
    assert "pills.example/ cheap" in html  # kept
    member.refresh_from_db()
    assert member.about == ""
    # once trusted, the same text is fine
    member.trust_level = 1
    member.save(update_fields=["trust_level"])
    assert post_profile(member_client, about=about).status_code == 302
    member.refresh_from_db()
    assert "pills.example" in member.about
    # and a member who loses the trust can still save their other choices unchanged
    member.trust_level = 0
    member.save(update_fields=["trust_level"])
    assert post_profile(member_client, about=about, display_name="River").status_code == 302


def test_profile_preview_button_shows_the_about_without_saving(member_client, member):
    response = post_profile(member_client, about="I *like* walks.", preview="1")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<div class="composer__preview-body prose" id="about-preview"><p>I <em>like</em>' in html
    member.refresh_from_db()
    assert member.about == ""


def test_profile_live_preview_answers_htmx_with_the_fragment(member_client):
    response = member_client.post(
        PROFILE, {"about": "**calm**", "preview": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response.content.decode().strip() == "<p><strong>calm</strong></p>"


# --- The picture ----------------------------------------------------------------------------------


def test_avatar_upload_comes_back_square_small_and_without_gps(member_client, member, media_root):
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # really carries GPS
    response = post_profile(member_client, original)
    assert response.status_code == 302
    member.refresh_from_db()
    upload = Upload.objects.get(owner=member)
    assert member.avatar == upload.storage_name
    assert upload.audience == "members"  # the profile is for members
    stored = (media_root / upload.storage_name).read_bytes()
    picture = Image.open(io.BytesIO(stored))
    assert picture.size == (256, 256) and picture.format == "JPEG"
    assert not picture.getexif() and not picture.getexif().get_ifd(GPS_IFD)
    assert b"PhoneMaker" not in stored
    served = member_client.get(upload.url)
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == stored


def test_avatar_upload_refuses_a_file_that_is_no_image_keeping_the_text(
    member_client, member, media_root
):
    response = post_profile(member_client, b"%PDF-1.4 not a picture", name="me.png", about="Hi")
    assert response.status_code == 400
    html = response.content.decode()
    assert "This file is not an image we can take" in html
    assert "please choose it again" in html and "\nHi</textarea>" in html
    assert not Upload.objects.exists()
    member.refresh_from_db()
    assert member.avatar == "" and member.about == ""


def test_avatar_upload_is_rate_limited_keeping_the_text(member_client, member, settings):
    settings.STEPDOWN_RATE_LIMITS = {**settings.STEPDOWN_RATE_LIMITS, "upload": "1/h/user"}
    assert post_profile(member_client, image_bytes()).status_code == 302
    response = post_profile(member_client, image_bytes(), about="Still here")
    assert response.status_code == 429 and response["Retry-After"]
    assert "Please take a short pause" in response.content.decode()
    assert "Still here" in response.content.decode()
    assert Upload.objects.count() == 1
    # Saving without a new picture is not an upload: never limited by it.
    assert post_profile(member_client, about="Still here").status_code == 302


def test_avatar_replaced_or_removed_deletes_the_old_file(
    member_client, member, media_root, django_capture_on_commit_callbacks
):
    post_profile(member_client, image_bytes())
    first = Upload.objects.get()
    with django_capture_on_commit_callbacks(execute=True):  # files go once the change is saved
        post_profile(member_client, image_bytes("WEBP"), name="me.webp")
    second = Upload.objects.get()
    assert second.pk != first.pk and second.content_type == "image/webp"
    assert not (media_root / first.storage_name).exists()
    with django_capture_on_commit_callbacks(execute=True):
        post_profile(member_client, remove_avatar="on")
    member.refresh_from_db()
    assert member.avatar == "" and not Upload.objects.exists()
    assert not (media_root / second.storage_name).exists()


def test_avatar_upload_and_removal_together_is_refused(member_client, member, media_root):
    response = post_profile(member_client, image_bytes(), remove_avatar="on")
    assert response.status_code == 400
    assert "either choose a new picture or remove your picture" in response.content.decode()
    assert not Upload.objects.exists()


def test_avatar_follows_the_profiles_audience_and_narrowing_moves_it(
    member_client, member, media_root, django_capture_on_commit_callbacks
):
    post_profile(member_client, image_bytes(), profile_visibility="everyone")
    public = Upload.objects.get()
    assert public.audience == "public"
    assert Client().get(public.url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        post_profile(member_client, profile_visibility="members")
    narrowed = Upload.objects.get()
    member.refresh_from_db()
    assert narrowed.storage_name != public.storage_name and narrowed.audience == "members"
    assert member.avatar == narrowed.storage_name
    assert not (media_root / public.storage_name).exists()
    assert Client().get(public.url).status_code == 404
    assert Client().get(narrowed.url).status_code == 404  # guests
    assert signed_in(UserFactory()).get(narrowed.url).status_code == 200
    post_profile(member_client, profile_visibility="everyone")
    widened = Upload.objects.get()
    assert widened.pk == narrowed.pk and widened.audience == "public"


# --- Who sees what --------------------------------------------------------------------------------


@pytest.fixture
def rowan(category, media_root):
    """A member with every part of a profile: picture, display name, about, posts."""
    rowan = UserFactory(username="rowan")
    post_profile(
        signed_in(rowan), image_bytes(), display_name="Rowan Tree", about="Slow and **steady**."
    )
    make_topic(category, author=rowan, title="Week six")
    rowan.refresh_from_db()
    return rowan


def test_members_only_profile_shows_guests_the_basics_and_asks_them_to_sign_in(client, rowan):
    html = client.get("/u/rowan/").content.decode()
    assert "rowan shares their profile with signed-in members." in html
    assert "/accounts/login/?next=/u/rowan/" in html
    assert "Rowan Tree" not in html and "steady" not in html
    assert rowan.avatar not in html
    assert 'class="avatar avatar--initials' in html and ">R</span>" in html
    assert "Week six" in html and "<dt>Posts</dt><dd>1</dd>" in html
    assert "Follow" not in html


def test_members_only_profile_shows_signed_in_members_everything(rowan, other_member):
    html = signed_in(other_member).get("/u/rowan/").content.decode()
    assert "shares their profile with signed-in members" not in html
    assert "Rowan Tree" in html and "<strong>steady</strong>" in html
    assert f'src="/media/{rowan.avatar}"' in html
    assert "Week six" in html


def test_public_profile_shows_guests_everything(client, rowan):
    post_profile(
        signed_in(rowan), display_name="Rowan Tree", about="Hi", profile_visibility="everyone"
    )
    rowan.refresh_from_db()
    html = client.get("/u/rowan/").content.decode()
    assert "Rowan Tree" in html and f'src="/media/{rowan.avatar}"' in html
    assert "shares their profile" not in html


@pytest.mark.parametrize(
    "hidden, gone",
    [
        ("show_about", "<strong>steady</strong>"),
        ("show_activity", "Week six"),
        ("show_post_count", "<dt>Posts</dt>"),
    ],
)
def test_hidden_parts_are_absent_for_others_but_shown_to_the_member(
    rowan, other_member, hidden, gone
):
    User.objects.filter(pk=rowan.pk).update(**{hidden: False})
    assert gone not in signed_in(other_member).get("/u/rowan/").content.decode()
    own = signed_in(rowan).get("/u/rowan/").content.decode()
    assert gone in own and "Hidden from others, shown here only to you:" in own


def test_taper_signature_shows_on_the_page_when_present_and_chosen(rowan, other_member, client):
    from stepdown.journals import actions as journals
    from stepdown.journals.actions import DoseInput, EntryInput

    journal = journals.grant_consent(rowan)
    journals.save_entry(
        journal, day=date.today(), data=EntryInput(doses=(DoseInput("diazepam", Decimal(5)),))
    )
    journals.set_signature(journal, enabled=True, fields=["drug"])
    signature = 'class="taper-signature profile-signature"'
    assert signature in signed_in(other_member).get("/u/rowan/").content.decode()
    assert signature not in client.get("/u/rowan/").content.decode()  # members-only profile
    User.objects.filter(pk=rowan.pk).update(show_signature=False)
    assert signature not in signed_in(other_member).get("/u/rowan/").content.decode()


def test_member_page_without_a_signature_shows_none(rowan, other_member):
    assert "profile-signature" not in signed_in(other_member).get("/u/rowan/").content.decode()


# --- Follow button, own page, query counts --------------------------------------------------------


def test_member_page_offers_follow_to_signed_in_members_and_edit_on_ones_own(rowan, other_member):
    html = signed_in(other_member).get("/u/rowan/").content.decode()
    assert 'action="/u/rowan/follow/"' in html and 'aria-pressed="false"' in html
    assert "Edit your profile" not in html
    signed_in(other_member).post("/u/rowan/follow/", {"follow": "1"})
    assert 'aria-pressed="true"' in signed_in(other_member).get("/u/rowan/").content.decode()
    own = signed_in(rowan).get("/u/rowan/").content.decode()
    assert f'href="{PROFILE}"' in own and "Edit your profile" in own
    assert "/u/rowan/follow/" not in own


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.usefixtures("members_pages_rendered")
def test_member_page_query_count_is_constant_for_every_kind_of_reader(
    category, members_category, other_member, django_assert_num_queries, settings
):
    small, large = UserFactory(username="small"), UserFactory(username="large")
    make_topic(category, author=small)
    topic = make_topic(category, author=large, replies=30)
    make_topic(members_category, author=large, replies=5)
    for reply in range(5):
        actions.create_reply(topic, author=small, body=f"Small reply {reply}")
    with django_assert_num_queries(3):  # the member, the counts, one page of posts
        Client().get("/u/large/")
    reader = signed_in(other_member)
    assert _queries(reader, "/u/small/") == _queries(reader, "/u/large/")
    own_small, own_large = signed_in(small), signed_in(large)
    assert _queries(own_small, "/u/small/") == _queries(own_large, "/u/large/")
    # The topics list, and later pages of either list, cost the same.
    settings.STEPDOWN_TOPICS_PER_PAGE = 2
    for _topic in range(3):
        make_topic(category, author=large, replies=1)
    for query in ("?show=topics", "?show=topics&page=2", "?page=2", "?show=posts"):
        with django_assert_num_queries(3):  # the member, the counts, one page of topics
            Client().get(f"/u/large/{query}")
        assert _queries(reader, f"/u/small/{query}") == _queries(reader, f"/u/large/{query}")
        own = _queries(own_small, f"/u/small/{query}")
        assert own == _queries(own_large, f"/u/large/{query}")
        assert own == _queries(own_small, "/u/small/")


def test_member_page_with_everything_hidden_reads_only_the_member(client, rowan):
    User.objects.filter(pk=rowan.pk).update(show_activity=False, show_post_count=False)
    with CaptureQueriesContext(connection) as captured:
        html = client.get("/u/rowan/").content.decode()
    assert len(captured) == 1
    assert "Week six" not in html and "Joined" in html


# --- The member's topics and posts: two lists -----------------------------------------------------


def _titles(html: str) -> list[str]:
    """The titles listed under "Topics and posts", in order."""
    listed = html.split('id="member-activity-title"', 1)[1]
    return re.findall(r'class="topic-row__title">.*?<a href="[^"]+">([^<]+)</a>', listed, re.S)


def _tabs(html: str) -> dict[str, bool]:
    """Each list's link in the member page's tabs, and whether it is the chosen one."""
    nav = re.search(r'<nav class="member-tabs".*?</nav>', html, re.S).group(0)
    return {
        f"{href} {name}": current == ' aria-current="page"'
        for href, current, name in re.findall(r'<a href="([^"]+)"([^>]*)>([^<]+)</a>', nav)
    }


@pytest.fixture
def writer(category, other_member):
    """rowan started two topics (the newer one replied to) and replied in someone else's."""
    rowan = UserFactory(username="rowan")
    first = make_topic(category, author=rowan, title="Week one")
    newer = make_topic(category, author=rowan, title="Week two")
    elsewhere = make_topic(category, author=other_member, title="Sleep")
    actions.create_reply(first, author=rowan, body="An update on week one.")
    actions.create_reply(elsewhere, author=rowan, body="Sleep came back for me.")
    actions.create_reply(newer, author=other_member, body="Well done.")
    return rowan


def test_member_page_shows_every_post_by_default_and_the_topics_started_under_topics(
    client, writer
):
    html = client.get("/u/rowan/").content.decode()
    assert '<h2 id="member-activity-title">Topics and posts</h2>' in html
    assert _tabs(html) == {"/u/rowan/ Posts": True, "/u/rowan/?show=topics Topics": False}
    assert "Every post, newest first: topics started and replies." in html
    assert _titles(html) == ["Sleep", "Week one", "Week two", "Week one"]
    assert "Reply #2" in html and "Started the topic" in html
    assert "<title>rowan · " in html

    topics = client.get("/u/rowan/?show=topics").content.decode()
    assert _tabs(topics) == {"/u/rowan/ Posts": False, "/u/rowan/?show=topics Topics": True}
    assert "Topics started, newest first." in topics
    assert _titles(topics) == ["Week two", "Week one"]  # not "Sleep": a reply there
    assert "<title>Topics started by rowan · " in topics
    week_two = Topic.objects.get(title="Week two")
    assert f'<a href="{week_two.get_absolute_url()}">Week two</a>' in topics  # the topic
    assert "1 reply" in topics and "Reply #" not in topics
    # ?show=posts, or an unknown choice, is the default list.
    for query in ("?show=posts", "?show=everything"):
        again = client.get(f"/u/rowan/{query}").content.decode()
        assert _titles(again) == _titles(html) and _tabs(again) == _tabs(html)


def test_member_topics_list_leaves_out_what_the_reader_may_not_see(
    client, category, members_category, writer, other_member
):
    make_topic(members_category, author=writer, title="Lounge chat")
    waiting = make_topic(category, author=writer, title="Waiting")
    Topic.objects.filter(pk=waiting.pk).update(approval="pending")
    removed = make_topic(category, author=writer, title="Removed topic")
    Topic.objects.filter(pk=removed.pk).update(is_deleted=True)
    hidden = make_topic(category, author=writer, title="Hidden opening")
    Post.objects.filter(pk=hidden.first_post_id).update(is_hidden=True)
    guest = client.get("/u/rowan/?show=topics").content.decode()
    assert _titles(guest) == ["Week two", "Week one"]
    assert "<dt>Topics started</dt><dd>2</dd>" in guest
    member_html = signed_in(other_member).get("/u/rowan/?show=topics").content.decode()
    assert _titles(member_html) == ["Lounge chat", "Week two", "Week one"]
    # As the posts list: only what everyone who reads the category sees, even on one's own page.
    own = signed_in(writer).get("/u/rowan/?show=topics").content.decode()
    assert _titles(own) == ["Lounge chat", "Week two", "Week one"]


def test_member_lists_follow_the_members_choice_to_hide_their_activity(
    client, writer, other_member
):
    User.objects.filter(pk=writer.pk).update(show_activity=False)
    for url in ("/u/rowan/", "/u/rowan/?show=topics"):
        for reader in (client, signed_in(other_member)):
            html = reader.get(url).content.decode()
            assert "member-tabs" not in html and "Week one" not in html, url
        own = signed_in(writer).get(url).content.decode()
        assert "member-tabs" in own and "Week one" in own


def test_member_topics_list_says_so_when_there_is_none(client, category, other_member):
    quiet = UserFactory(username="quiet")
    actions.create_reply(make_topic(category, author=other_member), author=quiet, body="Hello.")
    html = client.get("/u/quiet/?show=topics").content.decode()
    assert "No topics started by quiet to show here yet." in html and _titles(html) == []
    assert len(_titles(client.get("/u/quiet/").content.decode())) == 1


def test_member_lists_are_paged_each_keeping_its_list(client, category, writer, settings):
    settings.STEPDOWN_TOPICS_PER_PAGE = 2
    settings.STEPDOWN_POSTS_PER_PAGE = 3
    for number in range(3, 6):
        make_topic(category, author=writer, title=f"Week {number}")
    topics = client.get("/u/rowan/?show=topics").content.decode()
    assert _titles(topics) == ["Week 5", "Week 4"]
    assert 'aria-label="Pages of this member\'s topics"' in topics
    assert 'href="?show=topics&amp;page=2" rel="next"' in topics
    assert 'href="?show=topics&amp;page=4"' not in topics  # 5 topics, 2 a page: 3 pages
    assert 'href="?show=topics&amp;page=3" aria-label="Page 3"' in topics
    last = client.get("/u/rowan/?show=topics&page=3").content.decode()
    assert _titles(last) == ["Week one"]
    assert 'href="?show=topics&amp;page=2" rel="prev"' in last
    assert _tabs(last)["/u/rowan/?show=topics Topics"] is True
    posts = client.get("/u/rowan/").content.decode()  # 7 posts, 3 a page
    assert 'href="?page=2" rel="next"' in posts and "show=topics&amp;page" not in posts
    assert _titles(client.get("/u/rowan/?page=3").content.decode()) == ["Week one"]


def test_guests_never_get_the_other_list_from_the_page_cache(client, writer):
    posts = client.get("/u/rowan/")
    assert posts[page_cache.STATUS_HEADER] == "miss"
    assert client.get("/u/rowan/")[page_cache.STATUS_HEADER] == "hit"
    for _visit in range(2):
        topics = client.get("/u/rowan/?show=topics")
        # Not kept (the cache keeps only ?page=N), so never served in place of the posts.
        assert topics[page_cache.STATUS_HEADER] == "bypass"
        assert _titles(topics.content.decode()) == ["Week two", "Week one"]
    assert topics.content != posts.content
    assert client.get("/u/rowan/?show=topics&page=1")[page_cache.STATUS_HEADER] == "bypass"
    # And the posts list's own page numbers are kept apart from its first page.
    again = client.get("/u/rowan/?page=1")
    assert again[page_cache.STATUS_HEADER] == "miss"
    assert _titles(again.content.decode()) == _titles(posts.content.decode())
    assert client.get("/u/rowan/")[page_cache.STATUS_HEADER] == "hit"


# --- Avatars beside posts -------------------------------------------------------------------------


def test_topic_page_shows_pictures_to_those_who_may_see_them_and_initials_otherwise(
    client, category, rowan, other_member
):
    topic = make_topic(category, author=other_member, title="Hello")
    actions.create_reply(topic, author=rowan, body="Welcome!")
    guest = client.get(topic.get_absolute_url()).content.decode()
    assert rowan.avatar not in guest and "Rowan Tree" not in guest
    assert '<span class="avatar avatar--initials' in guest
    member_html = signed_in(other_member).get(topic.get_absolute_url()).content.decode()
    assert re.search(
        rf'<img class="avatar" src="/media/{re.escape(rowan.avatar)}" alt=""'
        r'[^>]*aria-hidden="true"',
        member_html,
    )
    assert '<span class="post__display-name">Rowan Tree</span>' in member_html
    # The username stays the link and the name.
    assert '<a href="/u/rowan/" class="post__author-link">rowan</a>' in member_html


def test_topic_page_avatars_add_no_queries(client, category, rowan, django_assert_num_queries):
    topic = make_topic(category, replies=3)
    for _ in range(5):
        actions.create_reply(topic, author=rowan, body="With a picture.")
    User.objects.filter(pk=rowan.pk).update(profile_visibility="everyone")
    with django_assert_num_queries(5):  # as without avatars (tests/test_forum_pages.py)
        html = client.get(topic.get_absolute_url()).content.decode()
    assert html.count(f'src="/media/{rowan.avatar}"') == 5


def test_mentions_use_the_username_never_the_display_name(category, rowan):
    topic = make_topic(category, body="Thanks @rowan and @Rowan Tree")
    assert '<a href="/u/rowan/" class="mention"' in topic.first_post.body_html
    assert topic.first_post.body_html.count('class="mention"') == 2  # both are "@rowan"
    other = make_topic(category, body="Hello @Tree")
    assert 'class="mention"' not in other.first_post.body_html


def test_initials_and_tones_are_stable():
    assert initials("river_walker") == "RW"
    assert initials("sam") == "S"
    assert initials("a.b.c") == "AB"
    assert avatar_tone("Sam") == avatar_tone("sam") == avatar_tone("sam")
    assert {avatar_tone(f"member{n}") for n in range(200)} == set(range(AVATAR_TONES))


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_every_initials_tone_has_aa_contrast_with_its_white_letters():
    css = CSS.read_text()
    tones = dict(re.findall(r"\.avatar--tone-(\d) \{ background: (#[0-9a-f]{6}); \}", css))
    assert sorted(tones) == [str(n) for n in range(AVATAR_TONES)]
    assert ".avatar--initials { color: #ffffff; }" in css
    for colour in tones.values():
        assert 1.05 / (_luminance(colour) + 0.05) >= 4.5, colour


# --- Personal data --------------------------------------------------------------------------------


def test_export_holds_the_profile(member_client, member, media_root):
    post_profile(member_client, image_bytes(), display_name="River", about="Hello there")
    member.refresh_from_db()
    profile = member_client.get("/account/export/").json()["account"]["profile"]
    assert profile["display_name"] == "River" and profile["about"] == "Hello there"
    assert profile["picture"].endswith(f"/media/{member.avatar}")
    assert profile["profile_visibility"] == "members" and profile["show_activity"] is True


@pytest.mark.parametrize("keep_posts", [True, False])
def test_account_deletion_removes_the_picture_whatever_happens_to_posts(
    member_client, member, media_root, keep_posts
):
    from stepdown.accounts.actions import delete_member

    post_profile(member_client, image_bytes(), profile_visibility="everyone")
    upload = Upload.objects.get()
    member.refresh_from_db()
    delete_member(member, keep_posts=keep_posts)
    assert not Upload.objects.exists()
    assert not (media_root / upload.storage_name).exists()
    assert Client().get(upload.url).status_code == 404


def test_narrowing_a_profile_whose_picture_file_is_gone_falls_back_to_initials(
    member_client, member, media_root
):
    post_profile(member_client, image_bytes(), profile_visibility="everyone")
    (media_root / Upload.objects.get().storage_name).unlink()
    assert post_profile(member_client, profile_visibility="members").status_code == 302
    member.refresh_from_db()
    assert member.avatar == "" and member.profile_visibility == "members"
