"""Template helpers for the moderation pages."""

from django import template

from ..audit import action_label as _action_label

register = template.Library()


@register.filter
def action_label(action: str) -> str:
    """The readable name of an audit log action ("post.hide" → "Post hidden")."""
    return _action_label(action)
