"""Guests' copies of help center pages: kept whole, never for anyone with a session, and
dropped the moment an editor publishes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from portal.models import BrandingSettings
from tests.knowledgebase.factories import article, category, help_center

pytestmark = pytest.mark.django_db


@pytest.fixture
def art():
    # A running site has its branding row (the first page view makes it, which, being a
    # change of branding, drops every kept page).
    BrandingSettings.for_site(Site.objects.get(is_default_site=True))
    shipping = category(help_center(), "Shipping", icon="shipping")
    return article(shipping, "Track your parcel", text="<p>Open Track an order.</p>")


def test_a_guests_second_visit_is_served_whole_without_touching_the_database(client, art):
    first = client.get(art.url)
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        second = client.get(art.url)
    assert second.status_code == 200
    assert len(queries) == 0
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert second.get("X-Frame-Options") == first.get("X-Frame-Options")
    assert not second.cookies


def test_a_publication_shows_on_the_next_request(client, art):
    assert "Track your parcel" in client.get(art.url).content.decode()
    art.title = "Follow your parcel"
    art.save_revision().publish()
    html = client.get(art.url).content.decode()
    assert "Follow your parcel" in html


def test_a_branding_change_shows_on_the_next_request(client, art):
    client.get(art.url)
    branding = BrandingSettings.for_site(Site.objects.get(is_default_site=True))
    branding.store_name = "Loom & Harbor"
    branding.save()
    assert "Loom &amp; Harbor" in client.get(art.url).content.decode()


def test_a_signed_in_customer_never_gets_the_guests_copy(client, art, verified_user):
    guest_html = client.get(art.url).content.decode()
    assert "Sign in" in guest_html
    client.force_login(verified_user)
    html = client.get(art.url).content.decode()
    assert "My account" in html and "Sign in" not in html
    # Nor is the customer's page kept for the next guest.
    client.logout()
    assert "Sign in" in client.get(art.url).content.decode()


def test_a_guest_with_a_message_waiting_sees_it(client, art):
    client.get(art.url)  # kept
    response = client.post(f"/help-center/articles/{art.pk}/vote/", {"helpful": "yes"})
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "Thank you for your feedback." in html


def test_an_address_with_a_query_string_is_never_kept(client, art):
    client.get(art.url + "?utm_source=newsletter")
    with CaptureQueriesContext(connection) as queries:
        client.get(art.url + "?utm_source=newsletter")
    assert len(queries) > 0


def test_a_draft_change_is_not_shown_to_guests_until_published(client, art):
    client.get(art.url)
    art.title = "Draft title"
    art.save_revision()
    html = client.get(art.url).content.decode()
    assert "Track your parcel" in html and "Draft title" not in html
