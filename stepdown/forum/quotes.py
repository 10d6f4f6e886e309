"""Quoting a post in a reply: a Markdown blockquote with attribution and a link to the source."""

from __future__ import annotations

import re

from django.http import Http404
from django.utils.translation import gettext as _

from .models import Post, Topic
from .permissions import is_public_post, require_visible_post

# Characters Markdown could read as formatting in a username.
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~&:])")


def quoted_post(user, topic: Topic, raw_id: str | None) -> Post | None:
    """The post ``raw_id`` names if ``user`` may see it, everyone sees it (a hidden or waiting
    post is not spread by quoting) and it sits in ``topic``; else None."""
    if not raw_id or not raw_id.isdigit() or len(raw_id) > 18:
        return None
    try:
        post = require_visible_post(user, int(raw_id))
    except Http404:
        return None
    if not is_public_post(post):
        return None
    return post if post.topic_id == topic.pk else None


def quote_markdown(post: Post) -> str:
    """``post``'s text as a blockquote headed "**name** [wrote](/p/<id>/):", and a blank line."""
    name = post.author.username if post.author_id else _("former member")
    name = _MARKDOWN_PUNCTUATION.sub(r"\\\1", name)
    head = _("**%(name)s** [wrote](%(url)s):") % {"name": name, "url": post.get_absolute_url()}
    lines = [head, *post.body_markdown.strip("\n").splitlines()]
    quoted = "\n".join(f"> {line}" if line.strip() else ">" for line in lines)
    return quoted + "\n\n"
