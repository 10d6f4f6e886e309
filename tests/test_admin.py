import pytest

from stepdown.forum.models import Category, Post
from tests.factories import UserFactory, make_topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(
        UserFactory(username="admin", is_staff=True, is_superuser=True, two_factor=True)
    )
    return client


def test_admin_creates_a_category(admin_client):
    response = admin_client.post(
        "/admin/forum/category/add/",
        {
            "name": "Sleep",
            "slug": "sleep",
            "description": "Rest and insomnia.",
            "position": 3,
            "read_access": "members",
            "post_access": "members",
            # The group access inline's (empty) formset.
            "group_access-TOTAL_FORMS": "0",
            "group_access-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    assert Category.objects.get(slug="sleep").read_access == "members"


def test_admin_edit_of_post_text_goes_through_the_renderer(admin_client, category):
    topic = make_topic(category, replies=1)
    post = topic.posts.get(position=2)
    response = admin_client.post(
        f"/admin/forum/post/{post.pk}/change/",
        {"body_markdown": "Edited <script>x</script> **kindly**", "is_recommended": "on"},
    )
    assert response.status_code == 302
    post = Post.objects.get(pk=post.pk)
    assert "<strong>kindly</strong>" in post.body_html and "<script>" not in post.body_html


def test_admin_pages_open(admin_client, category):
    topic = make_topic(category)
    for url in [
        "/admin/",
        "/admin/forum/category/",
        "/admin/forum/topic/",
        f"/admin/forum/topic/{topic.pk}/change/",
        "/admin/forum/post/",
        "/admin/accounts/user/",
    ]:
        assert admin_client.get(url).status_code == 200, url


def test_admin_without_two_factor_is_sent_to_set_it_up(client):
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/2fa/"
    assert "Admins need two-factor sign-in" in response.content.decode()
    assert client.get("/admin/forum/category/").status_code == 302


def test_admin_sends_guests_to_the_site_sign_in(client, db):
    response = client.get("/admin/")
    assert response.status_code == 302
    follow = client.get(response["Location"])
    assert follow.status_code == 302
    assert follow["Location"].startswith("/accounts/login/?next=")


def test_admin_refuses_members_without_staff_role(member_client):
    response = member_client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "no access to the admin pages" in response.content.decode()
