"""Discovery tags in a public page's head: ``{% topic_discovery topic posts page.number %}``,
``{% category_discovery category page.number %}``. Nothing at all for members-only pages."""

from __future__ import annotations

from django import template
from django.conf import settings

from ..discovery import head_for_category, head_for_topic

register = template.Library()


@register.inclusion_tag("forum/_discovery_head.html")
def topic_discovery(topic, posts, page_number) -> dict:
    return {"head": head_for_topic(topic, posts, int(page_number)), "site_name": settings.SITE_NAME}


@register.inclusion_tag("forum/_discovery_head.html")
def category_discovery(category, page_number) -> dict:
    return {"head": head_for_category(category, int(page_number)), "site_name": settings.SITE_NAME}
