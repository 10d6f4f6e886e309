"""``{% has_blocked_member member as blocked %}``: whether the signed-in reader blocked
``member`` (one query, for pages that show a Block or Unblock link)."""

from django import template

from stepdown.accounts.blocks import has_blocked

register = template.Library()


@register.simple_tag(takes_context=True)
def has_blocked_member(context, member) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return has_blocked(user, member)
