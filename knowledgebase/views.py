"""The help center's entrance: the stable address that leads to this language's help center."""

from django.http import Http404
from django.shortcuts import redirect
from django.utils import translation
from wagtail.models import Locale

from .models import HelpCenterPage


def help_center(request):
    """Redirect to the live help center page in the active language (else the default's)."""
    pages = HelpCenterPage.objects.live().select_related("locale")
    language = translation.get_language()
    page = (
        pages.filter(locale__language_code=language).first()
        or pages.filter(locale=Locale.get_default()).first()
    )
    if page is None:
        raise Http404("No help center has been published.")
    return redirect(page.url)
