"""Every URL the project serves refuses a POST without a CSRF token.

The URLs are enumerated from the URL configuration itself, so a view added later (or a
`csrf_exempt` slipped onto one) is caught without anyone remembering to add it here.
"""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

from stepdown.notifications import queries
from tests.factories import UserFactory, make_topic

# The only views that take a POST without a CSRF token, each with why (docs/security.md). A view
# marked csrf_exempt that is not listed here fails test_csrf_exempt_views_are_only_the_listed_ones.
CSRF_EXEMPT = {
    # RFC 8058 one-click unsubscribe: the mail client POSTs with no cookies and no token; the
    # signed token in the address authenticates it, and a bad token changes nothing (400).
    "notifications:unsubscribe": "/notifications/unsubscribe/x/",
}

CONVERTER_SAMPLES = {
    "int": "1",
    "slug": "x",
    "str": "x",
    "path": "x/y",
    "uuid": ("12345678-1234-5678-1234-567812345678"),
}


def concrete_paths(resolver=None, prefix=""):
    """A concrete path for every route; regex routes are sampled by their literal examples."""
    resolver = resolver or get_resolver()
    paths = []
    for entry in resolver.url_patterns:
        pattern = entry.pattern
        if isinstance(pattern, RoutePattern):
            piece = re.sub(
                r"<(?:(\w+):)?\w+>",
                lambda m: CONVERTER_SAMPLES.get(m.group(1) or "str", "x"),
                str(pattern),
            )
        elif isinstance(pattern, RegexPattern):
            piece = regex_sample(str(pattern))
            if piece is None:
                continue
        else:  # pragma: no cover - Django has only the two kinds
            raise AssertionError(type(pattern))
        if isinstance(entry, URLResolver):
            paths += concrete_paths(entry, prefix + piece)
        elif isinstance(entry, URLPattern):
            paths.append("/" + prefix + piece)
    return paths


def regex_sample(regex: str) -> str | None:
    """A path matching a simple regex route (the admin's), or None when it has no simple one."""
    sample = regex.lstrip("^").rstrip("$").rstrip("\\Z")
    sample = re.sub(r"\(\?P<\w+>\(?([\w|]+)\)?\)", lambda m: m.group(1).split("|")[0], sample)
    sample = re.sub(r"\(\?P<\w+>[^)]*\)", "1", sample)
    sample = sample.replace("\\", "")
    return None if re.search(r"[()\[\]*+?]", sample) else sample


@pytest.fixture
def admin_without_csrf(db):
    client = Client(enforce_csrf_checks=True)
    client.force_login(
        UserFactory(username="admin", is_staff=True, is_superuser=True, two_factor=True)
    )
    return client


def test_enumeration_finds_our_state_changing_urls():
    paths = concrete_paths()
    for expected in [
        "/t/1/reply/",
        "/c/x/new/",
        "/p/1/recommend/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/logout/",
        "/account/delete/",
        "/admin/forum/category/add/",
    ]:
        assert expected in paths
    assert len(paths) > 60


def test_every_url_refuses_post_without_csrf_token(admin_without_csrf, category):
    make_topic(category, replies=1)  # so /t/1/… and /p/1/… exist
    for path in concrete_paths():
        if path in CSRF_EXEMPT.values():
            continue
        response = admin_without_csrf.post(path, {"body": "kept"})
        assert response.status_code == 403, path
        assert "Please send that again" in response.content.decode(), path


def test_guest_post_without_csrf_token_is_refused_too(db, category):
    make_topic(category)
    client = Client(enforce_csrf_checks=True)
    for path in ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]:
        assert client.post(path, {"login": "x"}).status_code == 403, path


def exempt_route_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    names = set()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= exempt_route_names(entry, inner)
        elif getattr(entry.callback, "csrf_exempt", False):
            names.add(f"{namespace}{entry.name}")
    return names


def test_csrf_exempt_views_are_only_the_listed_ones():
    assert exempt_route_names() == set(CSRF_EXEMPT)
    assert set(CSRF_EXEMPT.values()) <= set(concrete_paths())


def test_csrf_exempt_unsubscribe_changes_nothing_without_a_valid_token(member):
    response = Client(enforce_csrf_checks=True).post(
        CSRF_EXEMPT["notifications:unsubscribe"], {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 400
    assert queries.preferences_for(member).email_frequency == "daily"
