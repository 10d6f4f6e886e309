"""``{% safety_panel %}``: the safety net's gentle panel, once, on the page after a post,
message or journal note matched a safety phrase (see ``core.safety``)."""

from django import template

from stepdown.core import crisis, safety

register = template.Library()


@register.inclusion_tag("partials/safety_panel.html", takes_context=True)
def safety_panel(context) -> dict:
    request = context.get("request")
    panel = safety.take_panel(request) if request is not None else None
    if not panel:
        return {"panel": None}
    return {"panel": panel, "crisis": crisis.crisis_locale_for(request)}
