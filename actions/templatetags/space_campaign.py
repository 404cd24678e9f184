"""`{% campaign_banner as banner %}`: the update campaign's banner of the partner space (see
`actions.space.campaigns.banner`), read once per request."""

from django import template

from ..space.campaigns import banner

register = template.Library()


@register.simple_tag(takes_context=True)
def campaign_banner(context):
    request = context.get("request")
    return banner(request) if request is not None else None
