"""allauth, the Portico way: emails leave through the worker, in the customer's language."""

from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils import translation
from wagtail.models import Site

from . import services
from .models import BrandingSettings


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        # Rendered here (in the request's language, with its site and URLs), sent by a task.
        context = dict(context)
        context.setdefault("request", self.request)
        context["branding"] = branding = self._branding()
        context["site_url"] = settings.SITE_URL
        # allauth's texts name the site ("an account on {{ current_site.domain }}"): the
        # store, at the address its links point to.
        host = self.request.get_host() if self.request else urlsplit(settings.SITE_URL).netloc
        context.setdefault("current_site", SimpleNamespace(name=branding.store_name, domain=host))
        message = self.render_mail(template_prefix, email, context)
        services.email_enqueue(message=message)

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        if not user.language:
            user.language = translation.get_language() or ""
        if commit:
            user.save()
        return user

    def _branding(self) -> BrandingSettings:
        if self.request is not None:
            return BrandingSettings.for_request(self.request)
        return BrandingSettings.for_site(Site.objects.get(is_default_site=True))
