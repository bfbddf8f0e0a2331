import re

import pytest
from django.test import RequestFactory
from wagtail.models import Locale

from portal.models import HomePage, QuickLink

pytestmark = pytest.mark.django_db


def _hrefs(html: str, lang: str) -> list[str]:
    return re.findall(rf'href="([^"]+)" hreflang="{lang}"', html)


def test_home_page_is_the_site_root_with_quick_links(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "How can we help?" in html
    for label in ("Track an order", "Start a return", "Help center", "Rewards"):
        assert label in html
    # Every destination is built and links to its page.
    assert re.search(
        r'<a class="tile__link" href="/returns/">\s*<span class="tile__label">Start a return',
        html,
    )
    assert re.search(
        r'<a class="tile__link" href="/track/">\s*<span class="tile__label">Track an order', html
    )
    assert re.search(
        r'<a class="tile__link" href="/rewards/">\s*<span class="tile__label">Rewards', html
    )
    assert re.search(
        r'<a class="tile__link" href="/help-center/">\s*<span class="tile__label">Help center',
        html,
    )
    assert "Coming soon" not in html


def test_a_quick_link_to_a_page_links_there(client):
    home = HomePage.objects.get()
    QuickLink.objects.filter(page=home, destination="help_center").update(
        destination=QuickLink.Destination.URL, link_url="https://help.example.com/"
    )
    html = client.get("/").content.decode()
    assert 'href="https://help.example.com/"' in html


def test_a_destination_not_built_says_coming_soon_instead_of_linking_nowhere(client, monkeypatch):
    names = {**QuickLink.DESTINATION_URL_NAMES, "start_return": "returns:no-such-page"}
    monkeypatch.setattr(QuickLink, "DESTINATION_URL_NAMES", names)
    html = client.get("/").content.decode()
    assert html.count("Coming soon") == 1
    assert 'href="/returns/"' not in html


def test_language_switcher_goes_to_the_translated_page_even_with_another_slug(client):
    from portal.demo import seed_pages

    seed_pages()
    html = client.get("/about/").content.decode()
    assert _hrefs(html, "tr") == ["/tr/hakkimizda/"]
    html = client.get("/tr/hakkimizda/").content.decode()
    assert _hrefs(html, "en") == ["/about/"]
    assert "Hakkımızda" in html


def test_language_switcher_falls_back_to_the_home_page_without_a_translation(client):
    from portal.demo import seed_pages
    from portal.models import StandardPage

    seed_pages()
    home = HomePage.objects.get(locale__language_code="en")
    page = StandardPage(title="Only English", slug="only-english")
    home.add_child(instance=page)
    page.save_revision().publish()
    html = client.get("/only-english/").content.decode()
    assert _hrefs(html, "tr") == ["/tr/"]


def test_language_switcher_on_a_django_view_translates_the_url(client):
    html = client.get("/accounts/login/?next=/account/").content.decode()
    assert _hrefs(html, "tr") == ["/tr/accounts/login/?next=/account/"]


def test_turkish_exists_from_the_start_for_editors_to_translate_into():
    assert set(Locale.objects.values_list("language_code", flat=True)) == {"en", "tr"}


def test_unknown_address_gets_the_branded_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We couldn't find that page" in html
    assert "Portico Demo Store" in html


def test_turkish_404_is_in_turkish(client):
    response = client.get("/tr/yok-boyle-sayfa/")
    assert response.status_code == 404
    assert "Bu sayfayı bulamadık" in response.content.decode()


def test_500_page_renders_even_when_the_database_is_what_failed(monkeypatch):
    from portal import views
    from portal.models import BrandingSettings

    def broken(*args, **kwargs):
        raise RuntimeError("database is down")

    monkeypatch.setattr(BrandingSettings, "for_request", broken)
    response = views.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_branding_colour_is_made_readable_whatever_the_merchant_picks(client):
    from wagtail.models import Site

    from portal.colours import contrast_ratio
    from portal.models import BrandingSettings

    branding = BrandingSettings.for_site(Site.objects.get(is_default_site=True))
    branding.brand_colour = "#ffd700"  # gold: unreadable as text on white
    branding.save()
    html = client.get("/").content.decode()
    accent = re.search(r"--brand: (#[0-9a-f]{6});", html).group(1)
    on_accent = re.search(r"--on-brand: (#[0-9a-f]{6});", html).group(1)
    assert contrast_ratio(accent, "#ffffff") >= 4.5
    assert contrast_ratio(on_accent, accent) >= 4.5


def test_an_invalid_brand_colour_is_refused_with_a_message():
    from django.core.exceptions import ValidationError
    from wagtail.models import Site

    from portal.models import BrandingSettings

    branding = BrandingSettings.for_site(Site.objects.get(is_default_site=True))
    branding.brand_colour = "blue"
    with pytest.raises(ValidationError) as error:
        branding.full_clean()
    assert "six hex digits" in str(error.value)


def test_footer_lists_content_pages_in_the_page_language(client):
    from portal.demo import seed_pages

    seed_pages()
    english = client.get("/").content.decode()
    turkish = client.get("/tr/").content.decode()
    assert 'href="/about/">About us</a>' in english
    assert 'href="/tr/hakkimizda/">Hakkımızda</a>' in turkish
    assert "Hakkımızda" not in english


def test_the_footer_is_served_from_the_cache_until_a_page_changes(
    client, django_assert_num_queries
):
    from wagtail.models import Page

    from portal.demo import seed_pages
    from portal.menus import menu_links

    seed_pages()
    assert 'href="/about/">About us</a>' in client.get("/").content.decode()
    request = RequestFactory().get("/", HTTP_HOST="localhost")
    with django_assert_num_queries(1):  # the request's site; no page is read
        assert "About us" in [link["title"] for link in menu_links(request)]
    about = Page.objects.get(url_path__endswith="/about/").specific
    about.title = "About Harbor"
    about.save_revision().publish()
    assert 'href="/about/">About Harbor</a>' in client.get("/").content.decode()
    about.show_in_menus = False
    about.save_revision().publish()
    assert "About Harbor" not in client.get("/").content.decode()
