from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps import views as sitemap_views
from wagtail.documents import urls as wagtaildocs_urls

from knowledgebase import seo as kb_seo
from loyalty import api as loyalty_api

from . import views

handler500 = "portal.views.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("webhooks/", include("orders.webhook_urls")),
    path("api/loyalty/", include("loyalty.api_urls")),
    # The stable address stores embed; it redirects to the hashed static file.
    path("embed/loyalty.js", loyalty_api.embed_script, name="loyalty_embed_script"),
    # Every language in one sitemap, each page naming its translations (knowledgebase.seo).
    path(
        "sitemap.xml",
        sitemap_views.sitemap,
        {"sitemaps": {"pages": kb_seo.TranslatedSitemap}},
        name="sitemap",
    ),
    path("robots.txt", kb_seo.robots_txt, name="robots_txt"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Customer-facing pages: English at /, Turkish under /tr/. Wagtail's catch-all comes last.
urlpatterns += i18n_patterns(
    path("accounts/", include("allauth.urls")),
    path("account/", views.account_dashboard, name="account_dashboard"),
    path("", include("orders.urls")),
    path("", include("returns.urls")),
    path("", include("loyalty.urls")),
    path("", include("knowledgebase.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
