"""The customer's return pages: who may see what, the form, the review, the return's page."""

from __future__ import annotations

import io
import re
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from returns import access, services
from returns.models import (
    ReturnEvent,
    ReturnPhoto,
    ReturnPolicy,
    ReturnReason,
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


# --- The return's page --------------------------------------------------------------------


def test_the_return_page_shows_label_timeline_and_next_step(client, order, owner, return_for):
    ret = return_for(order)
    client.force_login(owner)
    html = client.get(detail_path(ret)).content.decode()
    assert ret.label_tracking_number in html
    assert reverse("returns:authorization", args=[ret.number]) in html
    assert "Print the label, stick it on the parcel" in html
    assert "Your order was delivered" in html and "Return label ready" in html
    assert html.index("Your order was shipped") < html.index("You asked to return items")
    assert 'aria-current="step"' in html
    assert "Cancel this return" in html


def test_the_customer_cancels_while_nothing_has_shipped(client, order, owner, return_for):
    ret = return_for(order)
    client.force_login(owner)
    response = client.post(reverse("returns:cancel", args=[ret.number]))
    assert response.status_code == 302
    ret.refresh_from_db()
    assert ret.status == Status.CANCELLED
    html = client.get(detail_path(ret)).content.decode()
    assert "is cancelled" in html and "Cancel this return" not in html


def test_cancelling_twice_says_it_is_cancelled(client, order, owner, return_for):
    """A double click on "Cancel": the second request finds it cancelled already."""
    ret = return_for(order)
    client.force_login(owner)
    path = reverse("returns:cancel", args=[ret.number])
    assert client.post(path).status_code == 302
    html = client.post(path, follow=True).content.decode()
    assert f"Your return {ret.number} is cancelled." in html
    assert "can no longer be cancelled" not in html
    ret.refresh_from_db()
    assert ret.status == Status.CANCELLED
    assert ret.events.filter(to_status=Status.CANCELLED).count() == 1


def test_a_return_on_its_way_cannot_be_cancelled(client, order, owner, return_for):
    ret = return_for(order)
    services.return_in_transit(request_id=ret.pk)
    client.force_login(owner)
    response = client.post(reverse("returns:cancel", args=[ret.number]), follow=True)
    assert "can no longer be cancelled" in response.content.decode()
    ret.refresh_from_db()
    assert ret.status == Status.IN_TRANSIT
    assert client.get(reverse("returns:cancel", args=[ret.number])).status_code == 405


def test_the_rejection_message_is_shown(client, order, owner, return_for):
    from returns.models import AutomationRule

    AutomationRule.objects.all().delete()  # every return waits for an agent
    ret = return_for(order, (order.shirt, 1, "changed_mind"))
    assert ret.status == Status.REQUESTED
    services.return_reject(request_id=ret.pk, message="Worn and washed.")
    client.force_login(owner)
    html = client.get(detail_path(ret)).content.decode()
    assert "Worn and washed." in html and "This return was not accepted" in html
    assert "Cancel this return" not in html
    assert "return-amounts" not in html  # nothing is paid for it
    assert "return-progress" not in html


def amounts_shown(html: str) -> tuple[list[Decimal], Decimal]:
    """The signed amounts of the page's "What you get back" list, and its total."""
    block = re.search(r'<dl class="totals return-amounts">(.*?)</dl>', html, re.S).group(1)
    values = []
    for text in re.findall(r"<dd>(.*?)</dd>", block, re.S):
        text = text.strip()
        if text == "Free":
            values.append(Decimal("0"))
            continue
        sign = -1 if text.startswith("−") else 1
        values.append(sign * Decimal(re.sub(r"[^\d.]", "", text)))
    return values[:-1], values[-1]


def inspect(ret, *outcomes):
    """Receive ``ret`` and inspect its lines, in order: "accepted", "rejected" or an amount."""
    services.return_receive(request_id=ret.pk)
    results = []
    for line, outcome in zip(ret.lines.order_by("pk"), outcomes, strict=True):
        if isinstance(outcome, Decimal):
            results.append(services.Inspection(line.pk, "partial", "Scuffed.", outcome))
        else:
            results.append(services.Inspection(line.pk, outcome, "Worn." * (outcome != "accepted")))
    return services.return_inspect(request_id=ret.pk, results=results)


def test_before_inspection_the_page_shows_the_quote_and_it_adds_up(
    client, order, owner, return_for
):
    ret = return_for(order)
    client.force_login(owner)
    rows, total = amounts_shown(client.get(detail_path(ret)).content.decode())
    assert rows == [Decimal("60.00"), Decimal("4.80"), Decimal("-4.95")]
    assert sum(rows) == total == ret.total == Decimal("59.85")


def test_after_a_partial_inspection_the_lines_shown_add_up_to_the_total(
    client, order, owner, return_for
):
    ret = return_for(order, (order.shirt, 1, "too_small"), (order.mug, 2, "too_small"))
    inspect(ret, Decimal("30.00"), "accepted")
    ret.refresh_from_db()
    client.force_login(owner)
    html = client.get(detail_path(ret)).content.decode()
    rows, total = amounts_shown(html)
    # The shirt's 30.00 as inspected, the mugs' 40.00 + 3.20 tax, less 4.95 return shipping.
    assert rows == [Decimal("30.00"), Decimal("43.20"), Decimal("-4.95")]
    assert sum(rows) == total == ret.total == Decimal("68.25")
    assert "Linen shirt (Partial credit)" in html and "Stoneware mug (Accepted)" in html
    assert "Items, after discounts" not in html  # the quote's lines are not mixed in


def test_after_inspection_a_credit_shows_its_bonus_and_a_rejected_line_as_nothing(
    client, order, owner, return_for
):
    policy = ReturnPolicy.load()
    policy.credit_bonus_percent = Decimal("10")
    policy.save()
    ret = return_for(
        order, (order.shirt, 1, "too_small"), (order.mug, 1, "too_small"), resolution="credit"
    )
    inspect(ret, "accepted", "rejected")
    ret.refresh_from_db()
    client.force_login(owner)
    rows, total = amounts_shown(client.get(detail_path(ret)).content.decode())
    # 64.80 accepted, 0 for the mug, 4.95 return shipping; 10% bonus on 59.85.
    assert rows == [Decimal("64.80"), Decimal("0.00"), Decimal("-4.95"), Decimal("5.99")]
    assert sum(rows) == total == ret.total == Decimal("65.84")


def test_an_inspection_that_accepts_nothing_shows_no_amounts_and_says_why(
    client, order, owner, return_for
):
    ret = return_for(order)
    inspect(ret, "rejected")
    ret.refresh_from_db()
    assert ret.status == Status.REJECTED and not ret.rejection_message
    client.force_login(owner)
    html = client.get(detail_path(ret)).content.decode()
    assert "This return was not accepted" in html
    assert "No item passed the inspection." in html
    assert "return-amounts" not in html and "return-progress" not in html
    assert "authorization.pdf" not in html


def test_a_cancelled_return_shows_no_amounts(client, order, owner, return_for):
    ret = return_for(order)
    services.return_cancel(request_id=ret.pk, by_customer=True)
    client.force_login(owner)
    html = client.get(detail_path(ret)).content.decode()
    assert "This return was cancelled." in html
    assert "return-amounts" not in html and "return-progress" not in html


def test_a_return_closed_after_its_rejection_is_never_shown_refunded(
    client, order, owner, return_for
):
    """The status table once let a rejected return be closed: such returns still exist."""
    from returns.models import AutomationRule

    AutomationRule.objects.all().delete()
    ret = return_for(order)
    services.return_reject(request_id=ret.pk, message="Outside the window.")
    ReturnRequest.objects.filter(pk=ret.pk).update(status=Status.CLOSED)
    client.force_login(owner)
    html = client.get(detail_path(ret)).content.decode()
    assert "return-progress" not in html and "Refunded" not in html
    assert "Outside the window." in html and "return-amounts" not in html
    assert client.get(reverse("returns:authorization", args=[ret.number])).status_code == 404


def test_the_pdf_goes_only_to_who_may_see_the_return(client, order, owner, stranger, return_for):
    ret = return_for(order)
    path = reverse("returns:authorization", args=[ret.number])
    assert client.get(path).status_code == 404
    client.force_login(stranger)
    assert client.get(path).status_code == 404
    client.force_login(owner)
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "no-store" in response["Cache-Control"]


def test_the_pdf_is_in_the_returns_language_whatever_page_opened_it(
    client, order, owner, return_for
):
    from tests.returns.test_documents import pdf_text

    turkish = return_for(order, language="tr")
    english = return_for(order, (order.mug, 1, "too_small"), language="en")
    client.force_login(owner)
    text = pdf_text(client.get(reverse("returns:authorization", args=[turkish.number])).content)
    assert "İade onay belgesi" in text and "Çok küçük" in text
    assert "Return authorization" not in text
    path = "/tr" + reverse("returns:authorization", args=[english.number])
    text = pdf_text(client.get(path).content)
    assert "Return authorization" in text and "Too small" in text
    assert "İade onay belgesi" not in text


def test_no_pdf_before_approval(client, order, owner, return_for):
    from returns.models import AutomationRule

    AutomationRule.objects.all().delete()
    ret = return_for(order)
    client.force_login(owner)
    assert client.get(reverse("returns:authorization", args=[ret.number])).status_code == 404
    assert "authorization.pdf" not in client.get(detail_path(ret)).content.decode()


def _return_with(
    order, *, lines: int, events: int, payments: int, shipments: int, jpeg
) -> ReturnRequest:
    from returns.models import ReturnPayment
    from returns.uploads import photo_clean

    picks = [OrderLineFactory(order=order, quantity=1) for _ in range(lines)]
    now = timezone.now()
    for n in range(shipments):
        shipment = ShipmentFactory(
            order=order,
            delivered=True,
            shipped_at=now - timedelta(days=5, hours=n),
            delivered_at=now - timedelta(days=3, hours=n),
        )
        shipment.items.create(line=picks[n % lines], quantity=1)
    clean = photo_clean(io.BytesIO(jpeg()))
    ret = services.return_create(
        order_id=order.pk,
        email=order.email,
        lines=[services.NewLine(line.pk, 1, "too_small", photos=(clean,)) for line in picks],
        resolution="refund",
        method="label",
    )
    for n in range(events - 1):
        ReturnEvent.objects.create(
            request=ret, kind="transition", to_status="approved", message=f"step {n}"
        )
    kinds = ["stripe", "store", "credit", "exchange"]
    states = ["pending", "succeeded", "failed"]
    for n in range(payments):
        ReturnPayment.objects.create(
            request=ret,
            order=order,
            kind=kinds[n % len(kinds)],
            state=states[n % len(states)],
            key=f"k-{ret.pk}-{n}",
            amount=1,
            currency="USD",
        )
    return ret


def test_the_return_page_costs_the_same_queries_whatever_its_size(
    client, owner, jpeg, django_assert_num_queries
):
    from django.db import connection

    from returns.models import AutomationRule

    AutomationRule.objects.all().delete()  # both wait for an agent: the same page parts
    small = _return_with(
        OrderFactory(email="grace@example.com"),
        lines=1,
        events=2,
        payments=1,
        shipments=1,
        jpeg=jpeg,
    )
    big = _return_with(
        OrderFactory(email="grace@example.com"),
        lines=8,
        events=20,
        payments=6,
        shipments=4,
        jpeg=jpeg,
    )
    assert big.events.count() == 20 and small.events.count() == 2
    assert big.payments.count() == 6 and big.order.shipments.count() == 4
    client.force_login(owner)
    client.get(detail_path(small))  # warm per-process caches (content types, site)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(detail_path(small)).status_code == 200
    with django_assert_num_queries(len(captured)):
        response = client.get(detail_path(big))
    html = response.content.decode()
    assert html.count('class="order-line return-item"') == 8
    assert html.count("/photos/") >= 8
    # 19 steps, 6 payouts, and each shipment shipped and delivered.
    assert html.count('class="timeline__event') >= 19 + 6 + 4 * 2
    assert html.count("Your order was delivered") == 4
    assert html.count("Store credit of") == 1 and html.count("paid by the store") == 2


# --- The order page's panel ---------------------------------------------------------------


def test_the_order_page_lists_returns_and_offers_to_start_one(client, order, owner, return_for):
    from orders.access import grant_token

    ret = return_for(order)
    guest_page = client.get(reverse("orders:track_order", args=[grant_token(order.pk)]))
    html = guest_page.content.decode()
    assert ret.number in html and "Start a return" in html
    assert reverse("returns:start") + "?order=%235001" in html
    client.force_login(owner)
    html = client.get(reverse("orders:detail", args=[order.lookup_number])).content.decode()
    assert new_path(order) in html and "Start a return" in html
    assert detail_path(ret) in html  # the owner goes straight to the return


def test_a_guests_order_page_leads_to_its_returns_through_the_code(client, order, return_for):
    """A tracking link opens the order, not its returns: a direct link to a return would
    be a 404 for that guest. The panel sends them to confirm their email first."""
    from orders.access import grant_token

    ret = return_for(order)
    html = client.get(reverse("orders:track_order", args=[grant_token(order.pk)])).content.decode()
    link = re.search(rf'<a href="([^"]+)">Return {ret.number}</a>', html).group(1)
    assert link == reverse("returns:start") + "?order=%235001"
    assert detail_path(ret) not in html
    assert "we will email you a code" in html
    page = client.get(link)
    assert page.status_code == 200 and 'value="#5001"' in page.content.decode()
    as_guest(client, order)  # the code is in: the form lists the order's returns
    followed = client.get(link, follow=True).content.decode()
    assert detail_path(ret) in followed


def test_the_order_page_shows_a_new_return_at_once(client, order, owner, return_for):
    client.force_login(owner)
    path = reverse("orders:detail", args=[order.lookup_number])
    assert "R-" not in client.get(path).content.decode()
    ret = return_for(order)
    assert ret.number in client.get(path).content.decode()  # the cached page was replaced


# --- The policy page ----------------------------------------------------------------------


def test_the_policy_page_shows_what_the_engine_enforces(client):
    html = client.get(reverse("returns:policy")).content.decode()
    assert "30 days" in html and "counted from delivery" in html
    assert "Arrived damaged or faulty" in html and "Changed my mind" in html
    assert "$4.95" in html
    assert "Version " in html
    reason = ReturnReason.objects.get(code="changed_mind")
    reason.shipping_fee = Decimal("7.50")
    reason.restocking_percent = Decimal("15")
    reason.save()
    html = client.get(reverse("returns:policy")).content.decode()
    changed = html[html.index('data-reason="changed_mind"') :]
    changed = changed[: changed.index("</li>")]
    assert "$7.50" in changed and "15%" in changed


def test_the_policy_page_lists_each_window_as_the_engine_applies_it(client):
    """Rules with order conditions say them, entries that can never apply are left out,
    and the order of the list is the order the engine tries them in: the days a line
    gets from the engine are those of the first entry that applies to it."""
    from returns.models import AutomationRule, WindowOverride
    from returns.policy import eligibility
    from returns.selectors import order_facts, policy_current

    policy = ReturnPolicy.load()
    window = {"action": "change_window", "policy": policy}
    AutomationRule.objects.create(
        name="Turkey",
        priority=10,
        product_types="Homeware",
        countries="tr",
        window_days=60,
        **window,
    )
    AutomationRule.objects.create(
        name="Homeware", priority=20, product_types="Homeware", window_days=45, **window
    )
    AutomationRule.objects.create(  # every Homeware line gets 45 or 60 days first
        name="Gifts", priority=30, product_types="Homeware", tags="gift", window_days=90, **window
    )
    WindowOverride.objects.create(
        policy=policy, match="product_type", value="Homeware", window_days=20
    )
    WindowOverride.objects.create(policy=policy, match="tag", value="summer", window_days=50)

    html = client.get(reverse("returns:policy")).content.decode()
    turkey = "homeware (orders shipped to TR): 60 days"
    anywhere = "homeware: 45 days"
    summer = "tagged summer: 50 days"
    assert html.index(turkey) < html.index(anywhere) < html.index(summer)
    assert "90 days" not in html and "20 days" not in html

    engine, _version = policy_current()
    now = timezone.now()

    def days(country, product_type, tags=()):
        order = OrderFactory(shipping_address={"country_code": country})
        OrderLineFactory(order=order, product_type=product_type, tags=list(tags))
        return eligibility(engine, order_facts(order=order), now=now)[0].days

    assert days("TR", "Homeware") == 60
    assert days("US", "Homeware", ["gift", "summer"]) == 45
    assert days("US", "Apparel", ["summer"]) == 50
    assert days("US", "Apparel") == 30


def test_the_policy_page_is_in_turkish_under_tr(client):
    html = client.get("/tr" + reverse("returns:policy")).content.decode()
    assert "Fikrimi değiştirdim" in html  # the reason as the policy words it in Turkish
    assert "$4,95" in html  # the fee in Turkish notation
