"""A guest returns one of two items on a phone: proves the email with a code, adds a photo,
reviews the amounts, submits and gets the label. Every page axe-core clean; nothing leaves
the host."""

import io
import re
from urllib.parse import urlparse

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def _fresh_state(migrated_db, settings, tmp_path):
    """No rate limit used up by an earlier test; photos stored in the test's own folder."""
    from django.core.cache import cache

    settings.MEDIA_ROOT = str(tmp_path / "media")
    cache.clear()
    yield
    cache.clear()


def _delivered_order():
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from tests.orders.factories import (
        CustomerFactory,
        OrderFactory,
        OrderLineFactory,
        ShipmentFactory,
        ShipmentLineFactory,
    )

    now = timezone.now()
    order = OrderFactory(
        number="#5001",
        customer=CustomerFactory(email="grace@example.com"),
        subtotal=Decimal("100.00"),
        shipping_total=Decimal("5.00"),
        tax_total=Decimal("8.00"),
        placed_at=now - timedelta(days=6),
        fulfilled=True,
    )
    shirt = OrderLineFactory(
        order=order, title="Linen shirt", variant_title="Sand / L", unit_price=Decimal("60.00")
    )
    mug = OrderLineFactory(
        order=order, title="Stoneware mug", variant_title="", quantity=2, unit_price=Decimal("20")
    )
    shipment = ShipmentFactory(
        order=order,
        delivered=True,
        shipped_at=now - timedelta(days=4),
        delivered_at=now - timedelta(days=2),
        tracking_number="1Z999AA10123456784",
    )
    ShipmentLineFactory(shipment=shipment, line=shirt)
    ShipmentLineFactory(shipment=shipment, line=mug)
    return order, shirt


def _photo() -> bytes:
    from PIL import Image

    image = Image.new("RGB", (120, 90), (180, 60, 40))
    out = io.BytesIO()
    tags = Image.Exif()
    tags[0x010F] = "PorticoCam"
    image.save(out, "JPEG", exif=tags)
    return out.getvalue()


def test_a_guest_returns_one_of_two_items_with_a_photo_and_gets_the_label(phone, live_server, axe):
    from django.core import mail

    from returns.models import ReturnPhoto, ReturnRequest

    mail.outbox = []
    order, shirt = _delivered_order()
    phone.goto(live_server.url + "/returns/?order=5001")
    phone.get_by_role("heading", name="Start a return", level=1).wait_for()
    assert phone.get_by_label("Order number").input_value() == "5001"
    axe(phone, "return-start")

    phone.get_by_label("Email address").fill("grace@example.com")
    phone.get_by_role("button", name="Email me a code").click()
    phone.get_by_role("heading", name="Check your email").wait_for()
    axe(phone, "return-verify")
    assert len(mail.outbox) == 1, "the code was not emailed"
    code = re.search(r"\b(\d{6})\b", mail.outbox[0].body).group(1)

    # A wrong code first: the error summary takes the focus and links to the field.
    phone.get_by_label("Code from the email").fill("000000" if code != "000000" else "111111")
    phone.get_by_role("button", name="Continue").click()
    summary = phone.get_by_role("alert").filter(has_text="There is a problem")
    summary.wait_for()
    assert phone.evaluate("document.activeElement.matches('[data-error-summary]')")
    axe(phone, "return-verify-wrong")

    # A double click sends the code once (the first request is held back, as on a slow
    # network, so the second click meets the page still there), and the form opens.
    held = []

    def hold(route):
        if route.request.method == "POST":
            held.append(route)
        else:
            route.continue_()

    phone.route("**/returns/verify/", hold)
    phone.get_by_label("Code from the email").fill(code)
    phone.get_by_role("button", name="Continue").dblclick(delay=100)
    phone.wait_for_timeout(300)
    assert len(held) == 1, "the code was sent twice"
    held[0].continue_()
    phone.get_by_role("heading", name="Return items from order #5001").wait_for()
    phone.unroute("**/returns/verify/")
    axe(phone, "return-form")

    line = phone.locator(f"#line-{shirt.pk}")
    line.get_by_label("How many to return").select_option("1")
    line.get_by_label("Reason").select_option(label="Arrived damaged or faulty")
    line.get_by_label("Photos").set_input_files(
        files=[{"name": "torn-seam.jpg", "mimeType": "image/jpeg", "buffer": _photo()}]
    )
    line.get_by_label("Tell us more").fill("The seam is torn at the shoulder.")
    axe(phone, "return-form-filled")
    phone.get_by_role("button", name="Review your return").click()

    phone.get_by_role("heading", name="Review your return").wait_for()
    summary = phone.locator(".return-summary")
    # 60.00 after discounts, 4.80 of the order's tax; a damaged item ships back free.
    assert "$60.00" in summary.inner_text() and "$4.80" in summary.inner_text()
    assert "Free" in summary.inner_text()
    assert "$64.80" in summary.locator(".totals__total").inner_text()
    assert phone.get_by_text("Stoneware mug").count() == 0  # only the chosen item
    axe(phone, "return-review")
    phone.get_by_role("button", name="Submit return").click()

    phone.get_by_role("heading", name=re.compile(r"^Return R-")).wait_for()
    ret = ReturnRequest.objects.get()
    assert ret.status == "label_issued"  # the default policy approves small returns
    assert phone.get_by_text(ret.label_tracking_number).is_visible()
    label = phone.get_by_role("link", name="Print the label and return form (PDF)")
    assert label.get_attribute("href").endswith(f"/returns/{ret.number}/authorization.pdf")
    assert phone.get_by_role("img", name=re.compile(r"Photo 1 of Linen shirt")).is_visible()
    assert "Label issued" in phone.locator(".order-facts").inner_text()
    assert "Print the label, stick it on the parcel" in phone.locator("main").inner_text()
    axe(phone, "return-page")

    stored = ReturnPhoto.objects.get(line__request=ret)
    with stored.image.open("rb") as handle:
        assert b"PorticoCam" not in handle.read()
    assert [line.order_line_id for line in ret.lines.all()] == [shirt.pk]

    pdf = phone.request.get(live_server.url + label.get_attribute("href"))
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")

    # The order's page (the guest's signed link) lists the return.
    from orders.access import order_tracking_path

    phone.goto(live_server.url + order_tracking_path(order))
    panel = phone.get_by_role("region", name="Returns")
    assert ret.number in panel.inner_text()
    axe(phone, "order-with-return")
    # From there a guest reaches the return through the code; this one has given it.
    panel.get_by_role("link", name=f"Return {ret.number}").click()
    phone.get_by_role("heading", name="Return items from order #5001").wait_for()
    phone.get_by_role("link", name=f"Return {ret.number}").click()
    phone.get_by_role("heading", name=f"Return {ret.number}").wait_for()

    own_host = urlparse(live_server.url).netloc
    assert all(urlparse(u).netloc in (own_host, "") for u in phone.requested_urls)


def test_the_policy_page_is_accessible_on_a_phone(phone, live_server, axe):
    response = phone.goto(live_server.url + "/returns/policy/")
    assert response.status == 200
    phone.get_by_role("heading", name="Return policy", level=1).wait_for()
    axe(phone, "return-policy")
    phone.goto(live_server.url + "/tr/returns/policy/")
    assert phone.locator("html").get_attribute("lang") == "tr"
    axe(phone, "return-policy-tr")
