"""Walk two parts of posting in the browser: a photo added to a reply reaches readers without
the place it was taken, and an article card is filled in from a DOI (with and without JavaScript,
and calmly when the service cannot be reached).

Crossref answers from the recorded file in tests/fixtures/article_lookup/: the live server runs
in this process, so replacing ``safe_fetch.fetch`` here replaces it for the pages too. Nothing
reaches the network.
"""

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from stepdown.core import safe_fetch
from stepdown.forum.models import Post, Topic
from stepdown.uploads.models import Upload
from tests.browser.conftest import quiet_close
from tests.browser.walks import sign_in
from tests.factories import CategoryFactory, UserFactory, make_topic

GPS_IFD = 0x8825
MAKE = 0x010F
CAMERA = "StepdownTestCam"
PHOTO_SIZE = (64, 48)
PHOTO_COLOUR = (40, 120, 200)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "article_lookup"
DOI = "10.3390/neurolint13040059"
ARTICLE_TITLE = "Benzodiazepines: Uses, Dangers, and Clinical Considerations"


# --- A photo in a reply ----------------------------------------------------------------------


def write_photo_with_gps(path: Path) -> None:
    """A JPEG as a phone saves it: camera make and where it was taken (52°30'N, 13°24'E)."""
    exif = Image.Exif()
    exif[MAKE] = CAMERA
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (52.0, 30.0, 0.0), 3: "E", 4: (13.0, 24.0, 0.0)})
    Image.new("RGB", PHOTO_SIZE, PHOTO_COLOUR).save(path, "JPEG", exif=exif.tobytes())


@pytest.fixture
def stored_apart(settings, tmp_path) -> Path:
    """Keep uploads in a folder of this test that is not MEDIA_ROOT, and return that folder.

    Django's live server answers every address under MEDIA_URL from MEDIA_ROOT itself, before
    the site sees the request; production has no such shortcut. With the files elsewhere (as
    they are in an S3 bucket) that shortcut finds nothing and hands the request to the site, so
    the images are served by uploads.views.serve_upload, with its checks and headers.
    """
    settings.MEDIA_ROOT = tmp_path / "media-root-left-empty"
    store = tmp_path / "stored-uploads"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(store)},
        },
    }
    return store


def test_photo_added_to_a_reply_is_served_without_its_location_and_inert(
    page, stored_apart, tmp_path
):
    UserFactory(username="rowan")  # trust level 2: may show images in posts
    topic = make_topic(
        CategoryFactory(slug="support"),
        author=UserFactory(username="river"),
        title="Walks that help",
        body="Where do you walk when the days are hard?",
    )
    photo = tmp_path / "lake.jpg"
    write_photo_with_gps(photo)
    with Image.open(photo) as original:  # the source really says where it was taken
        gps = original.getexif().get_ifd(GPS_IFD)
        assert gps[1] == "N" and gps[2] == (52.0, 30.0, 0.0) and gps[4] == (13.0, 24.0, 0.0)
    assert CAMERA.encode() in photo.read_bytes()

    sign_in(page, "rowan", topic.get_absolute_url())
    textarea = page.get_by_label("Your message")
    textarea.fill("The lake where I walk most mornings:\n\n")

    # "Add an image" opens in a new tab, so the reply being written stays where it is.
    with page.context.expect_page() as opened:
        page.get_by_role("link", name="Add an image").click()
    upload_tab = opened.value
    expect(upload_tab.get_by_role("heading", name="Add an image", level=1)).to_be_visible()
    upload_tab.get_by_label("Image", exact=True).set_input_files(photo)
    upload_tab.get_by_label("Description").fill("A calm lake at dawn")
    upload_tab.get_by_role("button", name="Add image").click()
    expect(upload_tab.get_by_role("heading", name="Image added", level=1)).to_be_visible()
    line = upload_tab.get_by_label("Copy this line into your message")
    expect(line).to_have_value(re.compile(r"^!\[A calm lake at dawn\]\(/media/uploads/.+\.jpg\)$"))
    markdown = line.input_value()
    # Copy the line as a member would, and paste it into the reply in the first tab.
    line.select_text()
    upload_tab.keyboard.press("Control+C")
    upload_tab.close()
    page.bring_to_front()
    textarea.press("Control+End")
    textarea.press("Control+V")
    expect(textarea).to_have_value(f"The lake where I walk most mornings:\n\n{markdown}")
    page.get_by_role("button", name="Post reply").click()

    expect(page).to_have_url(re.compile(r"#post-\d+$"))
    post = page.locator(".post", has_text="The lake where I walk most mornings")
    image = post.locator(".post__body img")
    expect(image).to_have_attribute("alt", "A calm lake at dawn")
    src = image.get_attribute("src")
    upload = Upload.objects.get()
    assert src == upload.url
    assert Post.objects.filter(body_html__contains=src).count() == 1
    # The file is kept in this test's folder, not the real media folder.
    assert (stored_apart / upload.storage_name).is_file()

    # The browser shows it (same site, allowed by the page's policy) ...
    image.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    assert image.evaluate("img => [img.naturalWidth, img.naturalHeight]") == list(PHOTO_SIZE)

    # ... and what is served is the picture alone, with headers that keep it inert.
    response = page.request.get(src)
    assert response.status == 200
    headers = response.headers
    assert headers["content-type"] == "image/jpeg"
    assert headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in headers["content-security-policy"]
    assert headers["content-disposition"].startswith("inline")
    served_bytes = response.body()
    served = Image.open(io.BytesIO(served_bytes))
    assert served.format == "JPEG" and served.size == PHOTO_SIZE
    exif = served.getexif()
    assert GPS_IFD not in exif
    assert not exif.get_ifd(GPS_IFD)
    assert MAKE not in exif and "exif" not in served.info
    assert CAMERA.encode() not in served_bytes
    red, green, blue = served.convert("RGB").getpixel((PHOTO_SIZE[0] // 2, PHOTO_SIZE[1] // 2))
    assert abs(red - 40) < 12 and abs(green - 120) < 12 and abs(blue - 200) < 12


# --- An article card from a DOI --------------------------------------------------------------


@pytest.fixture
def crossref(monkeypatch):
    """Answer Crossref from the recorded file; record the addresses asked for."""
    asked = []

    def fetch(url, **kwargs):
        asked.append(url)
        if url == f"https://api.crossref.org/works/{DOI}":
            return (FIXTURES / "crossref_neurolint13040059.json").read_bytes()
        raise safe_fetch.FetchNotFound(404)

    monkeypatch.setattr(safe_fetch, "fetch", fetch)
    return asked


def write_topic_with_an_article(page, doi: str) -> None:
    """On the new-topic page: a title, a message, then the DOI in the article card's lookup."""
    page.get_by_label("Title", exact=True).fill("A useful overview of benzodiazepines")
    page.get_by_label("Your message").fill("I found this **helpful** for my prescriber visit.")
    page.get_by_text("Sharing an article? Add its details").click()
    page.get_by_label("Fill in from DOI or PubMed link").fill(doi)


def start_topic_with_an_article(page, doi: str) -> None:
    """The topic and its DOI written, then "Fill in"."""
    write_topic_with_an_article(page, doi)
    page.get_by_role("button", name="Fill in", exact=True).click()


def expect_card_filled(page) -> None:
    expect(page.locator("#lookup-status")).to_contain_text(
        "The article's details are filled in below"
    )
    expect(page.get_by_label("Article title")).to_have_value(ARTICLE_TITLE)
    expect(page.get_by_label("Authors")).to_have_value(
        re.compile(r"^Amber N\. Edinoff, Catherine A\. Nix, .*Alan D\. Kaye$")
    )
    expect(page.get_by_label("Journal or source")).to_have_value("Neurology International")
    expect(page.get_by_label("Publication date")).to_have_value("2021-11-10")
    expect(page.locator("#id_article_doi")).to_have_value(DOI)
    expect(page.get_by_label("Abstract or summary")).to_have_value(
        re.compile(r"^Benzodiazepines are widely prescribed")
    )
    # What the member wrote before pressing "Fill in" is all still there.
    expect(page.get_by_label("Title", exact=True)).to_have_value(
        "A useful overview of benzodiazepines"
    )
    expect(page.get_by_label("Your message")).to_have_value(
        "I found this **helpful** for my prescriber visit."
    )


def test_fill_in_from_a_doi_fills_the_card_and_the_topic_shows_it(page, crossref):
    UserFactory(username="rowan")
    CategoryFactory(slug="research", name="Research and articles")
    sign_in(page, "rowan", "/c/research/new/")

    start_topic_with_an_article(page, f"https://doi.org/{DOI}")

    expect_card_filled(page)
    assert crossref == [f"https://api.crossref.org/works/{DOI}"]
    assert Topic.objects.count() == 0  # "Fill in" posts nothing

    page.get_by_role("button", name="Post topic").click()
    expect(page.get_by_role("heading", name="A useful overview of benzodiazepines")).to_be_visible()
    card = page.locator(".article-card")
    expect(card.locator(".article-card__title")).to_have_text(ARTICLE_TITLE)
    expect(card).to_contain_text("Neurology International")
    expect(card).to_contain_text(DOI)
    assert Topic.objects.get().article.title == ARTICLE_TITLE


def test_enter_in_the_doi_field_fills_in_rather_than_posting(page, crossref):
    UserFactory(username="rowan")
    CategoryFactory(slug="research", name="Research and articles")
    sign_in(page, "rowan", "/c/research/new/")
    write_topic_with_an_article(page, DOI)
    page.get_by_label("Fill in from DOI or PubMed link").press("Enter")
    expect_card_filled(page)
    assert Topic.objects.count() == 0
    # Enter in the title still posts (the form's default button), as members expect
    page.get_by_label("Title", exact=True).press("Enter")
    expect(page.get_by_role("heading", name="A useful overview of benzodiazepines")).to_be_visible()
    assert Topic.objects.get().article.title == ARTICLE_TITLE


def test_fill_in_from_a_doi_works_without_javascript(browser, live_server, crossref):
    UserFactory(username="rowan")
    CategoryFactory(slug="research", name="Research and articles")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        sign_in(page, "rowan", "/c/research/new/")
        start_topic_with_an_article(page, DOI)
        expect_card_filled(page)
        expect(page.locator("details.article-fields")).to_have_attribute("open", "")
        assert crossref == [f"https://api.crossref.org/works/{DOI}"]
    finally:
        quiet_close(context)


def test_fill_in_keeps_the_doi_and_explains_calmly_when_the_service_is_unreachable(
    page, monkeypatch
):
    asked = []

    def unreachable(url, **kwargs):
        asked.append(url)
        raise safe_fetch.FetchUnreachable("connection refused")

    monkeypatch.setattr(safe_fetch, "fetch", unreachable)
    UserFactory(username="rowan")
    CategoryFactory(slug="research", name="Research and articles")
    sign_in(page, "rowan", "/c/research/new/")

    write_topic_with_an_article(page, DOI)
    page.get_by_label("Authors").fill("Edinoff")
    page.get_by_role("button", name="Fill in", exact=True).click()

    status = page.locator("#lookup-status")
    expect(status).to_contain_text("We couldn't fetch the details just now")
    expect(status).to_contain_text("Nothing you wrote is lost")
    expect(status).to_have_class(re.compile(r"\bmessage--warning\b"))
    expect(page.get_by_label("Fill in from DOI or PubMed link")).to_have_value(DOI)
    expect(page.get_by_label("Authors")).to_have_value("Edinoff")
    expect(page.get_by_label("Article title")).to_have_value("")
    expect(page.get_by_label("Title", exact=True)).to_have_value(
        "A useful overview of benzodiazepines"
    )
    expect(page.get_by_label("Your message")).to_have_value(
        "I found this **helpful** for my prescriber visit."
    )
    assert asked == [f"https://api.crossref.org/works/{DOI}"]
    assert Topic.objects.count() == 0
