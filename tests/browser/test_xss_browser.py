"""The XSS corpus as real posts in chromium: every page of the topic shows them and nothing runs.

Each payload is posted through the forum's actions, as a member's reply would be, and every page
of the topic is opened in chromium with sentinels in place of ``alert``, ``confirm``, ``prompt``,
``print`` and ``open``. The page's Content-Security-Policy is removed on the way in, so what is
tested is the sanitiser alone: the policy is a second wall, and a hole in the first must show here
rather than hide behind it.
"""

from __future__ import annotations

import math
import re

import pytest
from django.conf import settings
from playwright.sync_api import Error as PlaywrightError

from stepdown.core.text import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, ALLOWED_URL_SCHEMES
from stepdown.forum import actions
from tests.factories import CategoryFactory, UserFactory
from tests.security.xss_payloads import MARKER, PAYLOADS

# Titles are escaped by templates rather than sanitised; one hostile title checks that path too.
HOSTILE_TITLE = "\"'><img src=x onerror=alert('title')><script>alert('title')</script> corpus"
CSP_HEADERS = {"content-security-policy", "content-security-policy-report-only"}
LINKS_TO_HOVER = 2  # per page: a real pointer on a sample of links (each costs ~0.1 s)
LINKS_TO_FOCUS = 6  # per page: real keyboard focus on a few more
# What may stand in a post body, handed to the page so the browser judges by the same list.
RULES = {
    "tags": sorted(ALLOWED_TAGS),
    "attributes": {tag: sorted(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    "protocols": [f"{scheme}:" for scheme in sorted(ALLOWED_URL_SCHEMES)],
}

SENTINEL_SCRIPT = """
(() => {
  const seen = [];
  Object.defineProperty(window, "__xss", {value: seen, writable: false, configurable: false});
  const record = (name) => (...args) => { seen.push(`${name}(${args.map(String).join(",")})`); };
  for (const name of ["alert", "confirm", "prompt", "print", "open"]) window[name] = record(name);
  document.addEventListener("securitypolicyviolation", (event) => {
    seen.push(`csp:${event.violatedDirective} ${event.blockedURI}`);
  });
})();
"""

# Reads every post body as the browser built it, and fires the events a handler would wait for.
INSPECT_SCRIPT = """
({tags, attributes, protocols}) => {
  const problems = [];
  const bodies = [...document.querySelectorAll(".post__body")];
  for (const body of bodies) {
    const article = body.closest("article.post");
    const where = article ? article.id : "outside any post";
    if (body.querySelector("script")) problems.push(`${where}: <script> in the post body`);
    for (const [index, el] of [...body.querySelectorAll("*")].entries()) {
      const tag = el.localName;
      if (el.namespaceURI !== "http://www.w3.org/1999/xhtml") {
        problems.push(`${where}: foreign element <${tag}> (${el.namespaceURI})`);
      }
      if (!tags.includes(tag)) problems.push(`${where}: element <${tag}>`);
      const allowed = (attributes[tag] || []).concat(tag === "a" ? ["rel"] : []);
      for (const attr of el.attributes) {
        if (attr.name.toLowerCase().startsWith("on")) {
          problems.push(`${where}: <${tag}> has handler ${attr.name}`);
        } else if (!allowed.includes(attr.name)) {
          problems.push(`${where}: <${tag}> has attribute ${attr.name}`);
        }
      }
      if (el.hasAttribute("href") && !protocols.includes(el.protocol)) {
        problems.push(`${where}: <${tag}> links to ${el.protocol} (${el.getAttribute("href")})`);
      }
      if (tag === "a") {
        const rel = el.relList;
        if (!(rel.contains("nofollow") && rel.contains("ugc") && rel.contains("noopener"))) {
          problems.push(`${where}: <a> rel is "${el.rel}"`);
        }
      }
      if (index >= 100) continue;  // enough to wake any handler; long posts stay quick
      for (const type of [
        "mouseover", "mouseenter", "mousemove", "mousedown", "mouseup", "mouseout", "pointerover",
        "pointerenter", "focus", "focusin", "blur", "keydown", "keyup", "input", "change",
        "copy", "paste", "wheel", "scroll", "toggle", "load", "error", "animationstart",
        "transitionend", "contextmenu",
      ]) {
        el.dispatchEvent(new Event(type, {bubbles: true}));
      }
    }
  }
  for (const el of document.querySelectorAll("base, meta[http-equiv], iframe, object, embed")) {
    problems.push(`page holds <${el.localName}> ${el.outerHTML.slice(0, 80)}`);
  }
  return {
    bodies: bodies.length,
    articles: document.querySelectorAll("article.post").length,
    problems,
  };
}
"""


@pytest.fixture
def corpus_topic(transactional_db):
    """A topic whose posts are the whole corpus, in order, written through the actions."""
    category = CategoryFactory(slug="corpus", name="Corpus")
    author = UserFactory(username="hostile")
    # Forms refuse NUL characters and PostgreSQL cannot store them; markdown-it turns them into
    # U+FFFD anyway, and the renderer tests feed the raw NUL payloads to the sanitiser directly.
    bodies = [payload.text.replace("\x00", "\ufffd") for payload in PAYLOADS]
    topic = actions.create_topic(category, author=author, title=HOSTILE_TITLE, body=bodies[0])
    for body in bodies[1:]:
        actions.create_reply(topic, author=author, body=body)
    topic.refresh_from_db()
    return topic


def _strip_csp(route):
    response = route.fetch()
    headers = {k: v for k, v in response.headers.items() if k.lower() not in CSP_HEADERS}
    route.fulfill(response=response, headers=headers)


class Watch:
    """What a page did behind the test's back: dialogs, errors, marker logs and requests."""

    def __init__(self, page):
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.console: list[str] = []
        self.requests: list[str] = []
        page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", lambda message: self.console.append(message.text))
        page.on("request", lambda r: self.requests.append(r.url) if MARKER in r.url else None)

    def take(self) -> list[str]:
        """Everything seen since the last call, as problems, and start afresh."""
        seen = [f"dialog {message!r}" for message in self.dialogs]
        seen += [f"page error {error}" for error in self.errors]
        seen += [f"console {text!r}" for text in self.console if MARKER in text]
        seen += [f"requested {address}" for address in self.requests]
        for events in (self.dialogs, self.errors, self.console, self.requests):
            events.clear()
        return seen


def _examine(page, url: str, *, posts: int | None) -> list[str]:
    """Open ``url``, poke its post bodies as a reader would, and list what was not inert."""
    page.goto(url, wait_until="load")
    page.wait_for_timeout(200)  # let anything a payload scheduled (timers, loads) happen
    problems: list[str] = []
    try:
        found = page.evaluate(INSPECT_SCRIPT, RULES)
        problems += found["problems"]
        if posts is not None and not found["bodies"] == found["articles"] == posts:
            problems.append(f"{found['bodies']} post bodies in {found['articles']} posts")
        links = page.locator(".post__body a:visible")
        count = links.count()
        for n in range(min(count, LINKS_TO_HOVER)):
            links.nth(n).hover(timeout=2_000)
        for n in range(min(count, LINKS_TO_FOCUS)):
            links.nth(n).focus(timeout=2_000)
        page.keyboard.press("Tab")
        page.wait_for_timeout(50)
        problems += [f"ran {call}" for call in page.evaluate("window.__xss")]
    except PlaywrightError as error:  # a page that navigates itself away or hides its links
        problems.append(f"could not examine the page: {error.message.splitlines()[0]}")
    if not page.url.endswith(url):
        problems.append(f"navigated away to {page.url}")
    return problems


def test_xss_corpus_runs_nothing_when_every_topic_page_is_shown(page, corpus_topic):
    watch = Watch(page)
    page.add_init_script(SENTINEL_SCRIPT)
    page.route(re.compile(r"/(t|c)/"), _strip_csp)
    per_page = settings.STEPDOWN_POSTS_PER_PAGE
    total = len(PAYLOADS)
    assert corpus_topic.last_position == total

    # The category page lists the hostile title; then every page of the topic, post by post.
    visits = [(corpus_topic.category.get_absolute_url(), None)]
    visits += [
        (f"{corpus_topic.get_absolute_url()}?page={n}", min(per_page, total - (n - 1) * per_page))
        for n in range(1, math.ceil(total / per_page) + 1)
    ]
    findings = {}
    for url, posts in visits:
        problems = _examine(page, url, posts=posts) + watch.take()
        if problems:
            findings[url] = problems
    assert findings == {}
