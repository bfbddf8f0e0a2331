"""A return's own page (amounts, progress, rejection, cancel, PDF, fixed queries) and the
returns panel on the order page."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from returns import services
from returns.models import (
    ReturnEvent,
    ReturnPolicy,
    ReturnRequest,
    Status,
)
from tests.orders.factories import OrderFactory, OrderLineFactory, ShipmentFactory
from tests.returns.test_views import as_guest, detail_path, new_path

pytestmark = pytest.mark.django_db


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
