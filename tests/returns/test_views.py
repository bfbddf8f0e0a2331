"""The customer's return pages: who may see what, the items form, the review, submitting.

The return's own page is in ``test_return_page``, the policy page in ``test_policy_page``."""

from __future__ import annotations

import io
import re
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from returns import access
from returns.models import (
    ReturnPhoto,
    ReturnPolicy,
    ReturnRequest,
    Status,
)
from tests.orders.factories import OrderFactory, OrderLineFactory, ShipmentFactory

pytestmark = pytest.mark.django_db

DRAFT = re.compile(r'name="draft" value="([^"]+)"')
QUOTED = re.compile(r'name="quoted" value="([^"]+)"')


def as_guest(client, order) -> None:
    """The session a verified code leaves behind (``test_guest`` covers getting there)."""
    session = client.session
    session[access.SESSION_GRANTS] = {str(order.pk): int(time.time())}
    session.save()


def new_path(order) -> str:
    return reverse("returns:new", args=[order.lookup_number])


def review_path(order) -> str:
    return reverse("returns:review", args=[order.lookup_number])


def detail_path(ret) -> str:
    return reverse("returns:detail", args=[ret.number])


def pick(line, quantity=1, reason="too_small", comment=""):
    prefix = f"line-{line.pk}"
    return {
        f"{prefix}-quantity": str(quantity),
        f"{prefix}-reason": reason,
        f"{prefix}-comment": comment,
    }


def photo(data: bytes, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def choose(client, order, data):
    return client.post(new_path(order), data)


def submit(client, order, resolution="refund", method="label", token=None, **extra):
    """As a person without JavaScript does it: choose, update the amounts, then submit the
    page that shows them. The answer to the first POST that is not "see the amounts"."""
    page = client.get(review_path(order)).content.decode() if token is None else ""
    token = token or DRAFT.search(page).group(1)
    choice = {"draft": token, "resolution": resolution, "method": method, **extra}
    updated = client.post(review_path(order), {**choice, "action": "update"})
    if updated.status_code != 302 or updated["Location"] != review_path(order):
        return updated, token
    page = client.get(review_path(order)).content.decode()
    data = {**choice, "quoted": QUOTED.search(page).group(1), "action": "submit"}
    return client.post(review_path(order), data), token


# --- Who may see what ---------------------------------------------------------------------


def test_the_owner_reaches_the_form_of_their_order(client, order, owner):
    client.force_login(owner)
    response = client.get(new_path(order))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Linen shirt" in html and "Stoneware mug" in html
    assert 'enctype="multipart/form-data"' in html


def test_a_guest_without_a_code_is_sent_to_prove_the_email(client, order):
    response = client.get(new_path(order))
    assert response.status_code == 302
    assert response["Location"] == reverse("returns:start") + "?order=5001"
    posted = client.post(new_path(order), pick(order.shirt))
    assert posted.status_code == 302
    assert not ReturnRequest.objects.exists()


def test_another_customer_reaches_neither_the_order_nor_its_returns(
    client, order, stranger, return_for, jpeg
):
    ret = return_for(order)
    assert ret.status == Status.LABEL_ISSUED
    client.force_login(stranger)
    assert client.get(new_path(order)).status_code == 302  # to the lookup, not the form
    assert client.get(detail_path(ret)).status_code == 404
    assert client.get(reverse("returns:authorization", args=[ret.number])).status_code == 404
    assert client.post(reverse("returns:cancel", args=[ret.number])).status_code == 404
    ret.refresh_from_db()
    assert ret.status == Status.LABEL_ISSUED


def test_a_guest_grant_for_one_order_opens_no_other(client, order, return_for):
    other = OrderFactory(number="#6001", email="lin@example.com")
    OrderLineFactory(order=other)
    mine = return_for(order)
    as_guest(client, other)
    assert client.get(detail_path(mine)).status_code == 404
    as_guest(client, order)
    assert client.get(detail_path(mine)).status_code == 200


def test_an_unknown_return_is_a_plain_404(client, owner):
    client.force_login(owner)
    assert client.get("/returns/R-NOTHERE/").status_code == 404
    assert client.get("/returns/R-NOTHERE/authorization.pdf").status_code == 404


GARBLED_PATHS = [
    "/returns/%00/",
    "/returns/R-AB%00CD/",
    "/returns/%00/authorization.pdf",
    "/returns/%00/photos/1/",
    "/returns/order/%00/",
    "/returns/order/50%0001/",
    "/returns/order/%00/review/",
    "/tr/returns/%00/",
    "/returns/" + "R" * 5000 + "/",
]


@pytest.mark.parametrize("signed_in", [False, True], ids=["guest", "owner"])
@pytest.mark.parametrize("path", GARBLED_PATHS)
def test_numbers_of_no_possible_shape_are_a_404_before_any_query(
    client, order, owner, return_for, path, signed_in
):
    """A NUL byte reaching PostgreSQL is a DataError (a 500): such paths never reach the
    returns views. Run on PostgreSQL to mean it."""
    as_guest(client, order)
    if signed_in:
        client.force_login(owner)
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", ["/returns/%00/cancel/", "/returns/order/%00/review/"])
def test_a_post_with_a_garbled_number_is_a_404(client, order, owner, return_for, path):
    ret = return_for(order)
    client.force_login(owner)
    assert client.post(path, {"draft": "x", "action": "submit"}).status_code == 404
    ret.refresh_from_db()
    assert ret.status == Status.LABEL_ISSUED


def test_the_return_page_works_in_turkish(client, order, owner, return_for):
    ret = return_for(order)
    client.force_login(owner)
    response = client.get("/tr" + detail_path(ret))
    assert response.status_code == 200
    assert '<html lang="tr"' in response.content.decode()
    assert "Çok küçük" in response.content.decode()  # the reason as the policy words it


# --- What can be returned -----------------------------------------------------------------


def test_lines_that_cannot_be_returned_say_why(client, owner, return_for):
    now = timezone.now()
    order = OrderFactory(number="#5101", email="grace@example.com", placed_at=now - timedelta(60))
    OrderLineFactory(order=order, title="Sale scarf", is_final_sale=True)
    boots = OrderLineFactory(order=order, title="Old boots")
    hat = OrderLineFactory(order=order, title="Wool hat", quantity=2)
    early = ShipmentFactory(order=order, delivered=True, delivered_at=now - timedelta(days=45))
    early.items.create(line=boots, quantity=1)
    late = ShipmentFactory(order=order, delivered=True, delivered_at=now - timedelta(days=2))
    late.items.create(line=hat, quantity=2)
    return_for(order, (hat, 2, "too_small"))
    client.force_login(owner)
    html = client.get(new_path(order)).content.decode()
    assert "Final sale: this item cannot be returned." in html
    assert "The return window closed on" in html
    assert "(30 days, counted from delivery)" in html
    assert "Already returned or refunded." in html
    assert "Nothing from this order can be returned now." in html
    assert 'name="line-' not in html


def test_a_final_sale_line_past_the_statutes_days_says_when_its_window_closed(client, owner):
    """Under the statute a final-sale item has 14 days from delivery: past them, what
    stopped it is the window, and the page says how it was counted."""
    policy = ReturnPolicy.load()
    policy.statutory = "eu"
    policy.save()
    now = timezone.now()
    order = OrderFactory(number="#5102", email="grace@example.com", placed_at=now - timedelta(25))
    scarf = OrderLineFactory(order=order, title="Sale scarf", is_final_sale=True)
    hat = OrderLineFactory(order=order, title="Wool hat")
    shipment = ShipmentFactory(order=order, delivered=True, delivered_at=now - timedelta(20))
    shipment.items.create(line=scarf, quantity=1)
    shipment.items.create(line=hat, quantity=1)
    client.force_login(owner)
    html = client.get(new_path(order)).content.decode()
    blocked = html[html.index("Items that can't be returned") :]
    assert "Sale scarf" in blocked and "(14 days, counted from delivery)" in blocked
    assert "Final sale" not in blocked
    assert f'name="line-{hat.pk}-quantity"' in html  # 30 days for the rest


def test_the_form_tells_how_long_each_line_may_be_returned(client, order, owner):
    client.force_login(owner)
    html = client.get(new_path(order)).content.decode()
    assert html.count("counted from delivery") == 2
    assert "30 days" in html


# --- Making a return ----------------------------------------------------------------------


def test_a_return_with_a_photo_stores_the_cleaned_photo(client, order, owner, jpeg):
    client.force_login(owner)
    uploaded = jpeg(exif=True)
    assert Image.open(io.BytesIO(uploaded)).getexif()  # the test photo has tags
    data = {
        **pick(order.shirt, reason="damaged", comment="The seam is torn."),
        f"line-{order.shirt.pk}-photos": [photo(uploaded), photo(jpeg(), "second.jpg")],
    }
    response = choose(client, order, data)
    assert response.status_code == 302 and response["Location"] == review_path(order)
    response, _token = submit(client, order)
    ret = ReturnRequest.objects.get()
    assert response["Location"] == detail_path(ret)
    assert ret.user == owner and ret.email == "grace@example.com"
    stored = list(ReturnPhoto.objects.filter(line__request=ret))
    assert len(stored) == 2
    with stored[0].image.open("rb") as handle:
        content = handle.read()
    assert content != uploaded
    assert not Image.open(io.BytesIO(content)).getexif()
    assert b"PorticoCam" not in content and b"secret-firmware" not in content
    # Shown on the return's page through an access-checked view, never a /media/ URL.
    page = client.get(detail_path(ret)).content.decode()
    assert "/media/" not in page
    url = reverse("returns:photo", args=[ret.number, stored[0].pk])
    assert url in page
    served = client.get(url)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    client.logout()
    assert client.get(url).status_code == 404


def test_a_reason_that_needs_a_photo_says_so_next_to_the_field(client, order, owner):
    client.force_login(owner)
    response = choose(client, order, pick(order.shirt, reason="damaged", comment="Torn."))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Add a photo of the item." in html
    assert f'href="#id_line-{order.shirt.pk}-photos"' in html  # the error summary links it
    assert 'class="error-summary"' in html
    assert not ReturnRequest.objects.exists()


def test_a_file_that_is_not_a_photo_is_refused_with_its_name(client, order, owner):
    client.force_login(owner)
    data = {
        **pick(order.shirt, reason="damaged", comment="Torn."),
        f"line-{order.shirt.pk}-photos": [photo(b"%PDF-1.4 not a photo", "invoice.pdf")],
    }
    response = choose(client, order, data)
    assert response.status_code == 400
    assert "invoice.pdf: PDF files can" in response.content.decode()


def test_a_photo_over_the_size_limit_is_refused(client, order, owner, jpeg, settings):
    settings.RETURNS_PHOTO_MAX_BYTES = 200
    client.force_login(owner)
    data = {
        **pick(order.shirt, reason="damaged", comment="Torn."),
        f"line-{order.shirt.pk}-photos": [photo(jpeg(size=(400, 400)))],
    }
    response = choose(client, order, data)
    assert response.status_code == 400
    assert "too large" in response.content.decode()


def test_more_photos_than_allowed_are_refused(client, order, owner, jpeg):
    client.force_login(owner)
    data = {
        **pick(order.shirt, reason="damaged", comment="Torn."),
        f"line-{order.shirt.pk}-photos": [photo(jpeg(), f"{n}.jpg") for n in range(4)],
    }
    response = choose(client, order, data)
    assert response.status_code == 400
    assert "at most 3 photos" in response.content.decode()


@pytest.mark.parametrize("quantity", ["-1", "100000000000000000000", "abc", "1.5", "", "3", "\x00"])
def test_nonsense_quantities_are_answered_not_crashed_on(client, order, owner, quantity):
    client.force_login(owner)
    response = choose(client, order, {**pick(order.mug), f"line-{order.mug.pk}-quantity": quantity})
    assert response.status_code == 400
    assert not ReturnRequest.objects.exists()


def test_a_line_of_many_units_takes_a_number_within_what_is_left(client, order, owner):
    from orders.models import ShipmentLine

    bulk = OrderLineFactory(order=order, title="Tea lights", quantity=50)
    ShipmentLine.objects.create(shipment=order.shipment, line=bulk, quantity=50)
    client.force_login(owner)
    html = client.get(new_path(order)).content.decode()
    assert f'type="number" name="line-{bulk.pk}-quantity"' in html
    for quantity, message in (("51", "At most 50"), ("-1", "Enter 0 or more"), ("1e30", "whole")):
        response = choose(client, order, {**pick(bulk), f"line-{bulk.pk}-quantity": quantity})
        assert response.status_code == 400
        assert message in response.content.decode()
    assert choose(client, order, pick(bulk, quantity=50)).status_code == 302


def test_a_forged_line_or_missing_fields_are_answered(client, order, owner):
    other = OrderLineFactory(order=OrderFactory(email="lin@example.com"))
    client.force_login(owner)
    forged = choose(client, order, pick(other))
    assert forged.status_code == 400
    assert "Choose at least one item to return." in forged.content.decode()
    empty = choose(client, order, {})
    assert empty.status_code == 400
    no_reason = choose(client, order, {f"line-{order.shirt.pk}-quantity": "1"})
    assert no_reason.status_code == 400
    assert "Choose a reason." in no_reason.content.decode()
    bad_reason = choose(client, order, pick(order.shirt, reason="<script>"))
    assert bad_reason.status_code == 400
    assert "<script>" not in bad_reason.content.decode()
    assert client.post(review_path(order), {"draft": "x" * 500}).status_code == 302
    assert client.post(review_path(order), {}).status_code == 302


def test_the_review_shows_the_amounts_the_engine_computes(client, order, owner):
    client.force_login(owner)
    choose(client, order, {**pick(order.shirt), **pick(order.mug, quantity=2)})
    html = client.get(review_path(order)).content.decode()
    # 60 + 40 of items, 8.00 tax on top, 4.95 return shipping for "too small".
    assert "$100.00" in html and "$8.00" in html and "−$4.95" in html
    assert "$103.05" in html
    assert 'value="credit"' in html and 'value="exchange"' in html
    assert 'value="keep"' not in html  # the items are worth more than the threshold


def test_keep_the_item_is_offered_only_when_the_engine_offers_it(client, order, owner):
    policy = ReturnPolicy.load()
    policy.keep_item_under = Decimal("25")
    policy.save()
    client.force_login(owner)
    choose(client, order, pick(order.mug, quantity=1))
    html = client.get(review_path(order)).content.decode()
    assert 'value="keep"' in html
    choose(client, order, pick(order.shirt))
    assert 'value="keep"' not in client.get(review_path(order)).content.decode()


def test_changing_the_choice_shows_the_new_amounts_before_submitting(client, order, owner):
    policy = ReturnPolicy.load()
    policy.credit_bonus_percent = Decimal("10")
    policy.save()
    client.force_login(owner)
    choose(client, order, pick(order.shirt))
    # Submit pressed with another option than the amounts were shown for: shown again.
    page = client.get(review_path(order)).content.decode()
    token = DRAFT.search(page).group(1)
    data = {"draft": token, "quoted": "refund:label", "resolution": "credit", "method": "label"}
    response = client.post(review_path(order), {**data, "action": "submit"})
    assert response.status_code == 302 and response["Location"] == review_path(order)
    assert not ReturnRequest.objects.exists()
    html = client.get(review_path(order)).content.decode()
    # 60.00 + 4.80 tax - 4.95 return shipping = 59.85; 10% of it, half up.
    assert "Store credit bonus" in html and "+$5.99" in html
    assert "Store credit total" in html


def test_a_submit_is_for_the_amounts_the_page_showed(client, order, owner):
    """The review is open in one window; in another the items change (the same draft).
    Submitting the first window must not make a return for amounts it never showed."""
    client.force_login(owner)
    choose(client, order, pick(order.shirt))
    first_window = client.get(review_path(order)).content.decode()
    assert "$59.85" in first_window  # 60.00 + 4.80 tax - 4.95 return shipping
    choose(client, order, pick(order.mug, quantity=2))  # the other window
    data = {
        "draft": DRAFT.search(first_window).group(1),
        "quoted": QUOTED.search(first_window).group(1),
        "resolution": "refund",
        "method": "label",
        "action": "submit",
    }
    response = client.post(review_path(order), data)
    assert response.status_code == 302 and response["Location"] == review_path(order)
    assert not ReturnRequest.objects.exists()
    shown = client.get(review_path(order)).content.decode()
    assert "changed since the page was shown" in shown
    assert "Stoneware mug" in shown and "Linen shirt" not in shown
    assert "$38.25" in shown  # 40.00 + 3.20 tax - 4.95
    data["quoted"] = QUOTED.search(shown).group(1)
    assert client.post(review_path(order), data).status_code == 302
    ret = ReturnRequest.objects.get()
    assert ret.total == Decimal("38.25")
    assert [line.order_line_id for line in ret.lines.all()] == [order.mug.pk]


def test_an_exchange_needs_to_say_what_instead(client, order, owner):
    client.force_login(owner)
    choose(client, order, pick(order.shirt))
    response, token = submit(client, order, resolution="exchange")
    assert response.status_code == 400
    assert "Say which size or colour" in response.content.decode()
    response, _ = submit(client, order, resolution="exchange", token=token, exchange_for="Sand / M")
    assert response.status_code == 302
    assert ReturnRequest.objects.get().exchange_for == "Sand / M"


def test_a_forged_resolution_is_refused(client, order, owner):
    client.force_login(owner)
    choose(client, order, pick(order.shirt))
    response, _ = submit(client, order, resolution="cash")
    assert response.status_code == 400
    assert "Choose one of the options offered." in response.content.decode()
    assert not ReturnRequest.objects.exists()


@pytest.mark.parametrize("field", ["resolution", "method"])
def test_an_error_about_a_choice_links_to_its_group_of_options(client, order, owner, field):
    """The error summary's link must land somewhere: the radios' fieldset, which can
    take the focus."""
    client.force_login(owner)
    choose(client, order, pick(order.shirt))
    forged = {"resolution": "refund", "method": "label", field: "cash"}
    response, _ = submit(client, order, **forged)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'<a href="#id_{field}">' in html
    fieldset = re.search(rf'<fieldset[^>]*id="id_{field}"[^>]*>', html)
    assert fieldset and 'tabindex="-1"' in fieldset.group(0)


def test_the_start_page_sums_up_its_errors_with_links_to_the_fields(client, order):
    response = client.post(reverse("returns:start"), {"order_number": "", "email": "nope"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html and "data-error-summary" in html
    for name in ("order_number", "email"):
        assert f'<a href="#id_{name}">' in html and f'id="id_{name}"' in html


def test_a_double_submit_makes_one_return(client, order, owner):
    client.force_login(owner)
    choose(client, order, pick(order.mug, quantity=1))
    first, token = submit(client, order)
    again, _ = submit(client, order, token=token)
    assert ReturnRequest.objects.count() == 1
    ret = ReturnRequest.objects.get()
    assert first["Location"] == again["Location"] == detail_path(ret)


def test_a_guest_makes_a_return_and_sees_it(client, order):
    as_guest(client, order)
    choose(client, order, pick(order.shirt))
    response, _ = submit(client, order, method="dropoff")
    ret = ReturnRequest.objects.get()
    assert ret.user is None and ret.method == "dropoff"
    html = client.get(response["Location"]).content.decode()
    assert ret.dropoff_code in html
    assert "<svg" in html and 'role="img"' in html  # the QR code, drawn here


def test_with_the_cache_down_the_items_form_says_the_return_cannot_be_saved_now(
    client, order, owner
):
    # The draft lives in the cache: without it the review would send the customer back to
    # the items form, round and round. The form says what is wrong instead.
    from django.test import override_settings

    client.force_login(owner)
    dead = {"default": {"BACKEND": "portal.cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
    with override_settings(CACHES=dead):
        response = choose(client, order, pick(order.shirt))
    assert response.status_code == 503
    assert "We can&#x27;t save your return right now" in response.content.decode()
    assert not ReturnRequest.objects.exists()
