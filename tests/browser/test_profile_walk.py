"""Walk a profile in the browser: write about yourself (live preview), add a picture, see it on
your page and beside your post; another member sees it too, a guest sees initials."""

import io
import re

from PIL import Image
from playwright.sync_api import expect

from stepdown.forum import actions
from tests.browser.conftest import quiet_close
from tests.browser.walks import sign_in
from tests.factories import CategoryFactory, UserFactory, make_topic


def photo_with_gps() -> bytes:
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (51.0, 30.0, 0.0)})
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (60, 140, 120)).save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def loaded_width(page, selector: str) -> int:
    locator = page.locator(selector).first
    expect(locator).to_be_visible()
    page.wait_for_function(
        "s => { const i = document.querySelector(s); return i && i.complete; }", arg=selector
    )
    return page.evaluate("s => document.querySelector(s).naturalWidth", selector)


def test_member_edits_profile_adds_picture_and_sees_it_beside_their_post(
    page, browser, live_server, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    rowan = UserFactory(username="rowan")
    topic = make_topic(CategoryFactory(slug="support"), author=UserFactory(username="river"))
    actions.create_reply(topic, author=rowan, body="Thank you for sharing this.")

    sign_in(page, "rowan", "/account/profile/")
    expect(page.get_by_role("heading", name="Your profile", level=1)).to_be_visible()
    page.get_by_label("Display name").fill("Rowan Tree")
    page.get_by_label("About you").fill("Tapering **slowly**, one step at a time.")
    # The live preview renders the about text as it will show.
    expect(page.locator("#about-preview strong")).to_have_text("slowly")
    page.get_by_label("New picture").set_input_files(
        files=[{"name": "me.jpg", "mimeType": "image/jpeg", "buffer": photo_with_gps()}]
    )
    page.get_by_role("button", name="Save my profile").click()

    expect(page).to_have_url(re.compile(r"/u/rowan/$"))
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    expect(page.get_by_role("heading", name="rowan", level=1)).to_be_visible()
    expect(page.locator(".member-head__display-name")).to_have_text("Rowan Tree")
    expect(page.locator(".profile-about strong")).to_have_text("slowly")
    assert loaded_width(page, ".member-head img.avatar") == 256

    page.goto(topic.get_absolute_url())
    author_line = page.locator(".post__author").filter(has_text="rowan")
    expect(author_line.locator("img.avatar")).to_have_attribute("aria-hidden", "true")
    expect(author_line.locator(".post__display-name")).to_have_text("Rowan Tree")
    assert loaded_width(page, ".post__author img.avatar") == 256

    # Another member sees the picture; a guest (members-only profile) sees initials.
    UserFactory(username="sam")
    other = browser.new_context(base_url=live_server.url)
    other_page = other.new_page()
    sign_in(other_page, "sam", topic.get_absolute_url())
    assert loaded_width(other_page, ".post__author img.avatar") == 256
    quiet_close(other)
    guest = browser.new_context(base_url=live_server.url)
    guest_page = guest.new_page()
    guest_page.goto(topic.get_absolute_url())
    rowan_line = guest_page.locator(".post__author").filter(has_text="rowan")
    expect(rowan_line.locator("span.avatar--initials")).to_have_text("R")
    expect(rowan_line.locator("img")).to_have_count(0)
    quiet_close(guest)
