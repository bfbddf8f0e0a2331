from decimal import Decimal, InvalidOperation

from django import template
from django.conf import settings
from django.urls import reverse, translate_url
from django.utils import translation

from portal.formatting import format_money

register = template.Library()


@register.filter
def money(amount, currency=None):
    """``{{ order.total|money:order.currency }}`` in the active language's notation."""
    if amount in (None, ""):
        return ""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return ""
    return format_money(value, currency or settings.PORTICO_DEFAULT_CURRENCY)


@register.simple_tag(takes_context=True)
def language_links(context):
    """One entry per language: the same content in that language, where it exists.

    On a Wagtail page the translation of that page is used (its slug may differ); elsewhere
    the URL is translated through ``i18n_patterns``.
    """
    request = context.get("request")
    page = context.get("page")
    current = translation.get_language()
    # URLs through the request, which keeps Wagtail's site root paths for the whole render.
    own = page.get_url(request) if page is not None and hasattr(page, "get_url") else None
    route = _route_within(own, request)
    links = []
    for code, name in settings.LANGUAGES:
        url = None
        if page is not None and hasattr(page, "get_translations"):
            if page.locale.language_code == code:
                url = own + route if own else None
            else:
                translated = (
                    page.get_translations().filter(locale__language_code=code, live=True).first()
                )
                translated_url = translated.get_url(request) if translated is not None else None
                if translated_url:
                    url = translated_url + route
                else:
                    # No translation of this page: that language's home page.
                    with translation.override(code):
                        url = reverse("wagtail_serve", args=[""])
        if url is None and request is not None:
            url = translate_url(request.get_full_path(), code)
        with translation.override(code):
            local_name = translation.gettext(name)
        links.append({"code": code, "name": local_name, "url": url, "current": code == current})
    return links


def _route_within(own: str | None, request) -> str:
    """What the address adds to a page's own URL: a routable page's sub-route and the query
    string (the help center's ``search/?q=…``), so the other language shows the same."""
    if not own or request is None:
        return ""
    rest = request.path[len(own) :] if request.path.startswith(own) else ""
    query = request.META.get("QUERY_STRING", "")
    return rest + (f"?{query}" if query else "")


@register.simple_tag(takes_context=True)
def menu_pages(context):
    """The home page's live children marked "show in menus", in the active language, as
    ``{"title", "url"}`` (cached: ``portal.menus``)."""
    from portal.menus import menu_links

    return menu_links(context.get("request"))
