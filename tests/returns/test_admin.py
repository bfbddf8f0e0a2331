"""The Returns menu in Wagtail admin: who sees it, the queue, bulk actions, the policy
settings and the simulator. One return's page and its actions: ``test_admin_detail.py``."""

import html
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from returns.models import Resolution, ReturnEvent, ReturnPolicy, ReturnRequest, Status
from tests.returns.admin_helpers import (
    agent,
    delivered_order,
    editor,
    marketer,
    return_made,
    return_row,
    superuser,
)

pytestmark = pytest.mark.django_db

QUEUE = reverse("returns_returnrequest:index")
RESULTS = reverse("returns_returnrequest:index_results")
SIMULATOR = reverse("returns_simulator")
REPORT = reverse("returns_report")
HOME = reverse("wagtailadmin_home")


def bulk_url(action, *returns):
    ids = "&".join(f"id={r.pk}" for r in returns)
    base = reverse("wagtail_bulk_action", args=["returns", "returnrequest", action])
    return f"{base}?{ids}&next={QUEUE}"


def listed(response):
    return [r.number for r in response.context["object_list"]]


def page(response) -> str:
    return html.unescape(response.content.decode())


# --- Who sees what --------------------------------------------------------------------


def test_support_agent_sees_the_returns_menu_but_not_the_policy_settings(client):
    client.force_login(agent())

    home = page(client.get(HOME))

    assert QUEUE in home and REPORT in home and SIMULATOR in home
    assert reverse("wagtailsettings:edit", args=["returns", "returnpolicy"]) not in home


def test_superuser_also_gets_the_policy_settings_in_the_returns_menu(client):
    client.force_login(superuser())

    home = page(client.get(HOME))

    assert reverse("wagtailsettings:edit", args=["returns", "returnpolicy"]) in home


@pytest.mark.parametrize("make_user", [editor, marketer], ids=["editor", "marketer"])
def test_editors_and_marketers_cannot_open_any_returns_screen(client, make_user):
    order = delivered_order()
    request = return_row(order)
    client.force_login(make_user())

    assert QUEUE not in page(client.get(HOME))
    urls = [
        QUEUE,
        reverse("returns_returnrequest:inspect", args=[request.pk]),
        REPORT,
        reverse("returns_report_csv", args=["summary"]),
        SIMULATOR,
        bulk_url("approve", request),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == HOME, url
    response = client.post(reverse("returns_returnrequest:action", args=[request.pk, "approve"]))
    assert response.status_code == 302 and response["Location"] == HOME
    request.refresh_from_db()
    assert request.status == Status.REQUESTED


# --- The queue ------------------------------------------------------------------------


def test_queue_lists_returns_newest_first_with_what_an_agent_scans_for(client):
    order = delivered_order(
        number="#1001",
        email="grace@example.com",
        lines=[("Linen shirt", "LS-1", 2, "40.00", "Shirts"), ("Mug", "MG-1", 3, "12.00", "Mugs")],
    )
    shirt, mug = order.lines.order_by("pk")
    older = return_row(order, created_days_ago=3, review="", status=Status.RECEIVED)
    newer = return_row(
        order, lines=[(shirt, 1, "damaged"), (mug, 2, "too_small")], flagged=True,
        resolution=Resolution.CREDIT,
    )  # fmt: skip
    client.force_login(agent())

    response = client.get(QUEUE)

    assert response.status_code == 200
    assert listed(response) == [newer.number, older.number]
    rows = {row["number"]: row for row in response.context["table"].prepared_rows}
    assert rows[newer.number]["lines"] == 2 and rows[older.number]["lines"] == 1
    assert rows[newer.number]["order_number"] == "#1001"
    text = page(response)
    for expected in ("#1001", "grace@example.com", "Requested", "Received", "Store credit"):
        assert expected in text
    assert "€64.00" in text  # 40.00 + 2 x 12.00, in the order's currency
    assert "Flagged" in text and "Needs review" in text
    assert reverse("returns_returnrequest:inspect", args=[newer.pk]) in text


def test_queue_filters_by_status_reason_age_flag_review_and_resolution(client):
    order = delivered_order(lines=[("Shirt", "S-1", 5, "40.00", "Shirts")])
    line = order.lines.get()
    fresh = return_row(order, lines=[(line, 1, "damaged")], flagged=True)
    old = return_row(order, created_days_ago=10, status=Status.RECEIVED, review="")
    credit = return_row(order, created_days_ago=4, status=Status.CLOSED, review="",
                        resolution=Resolution.CREDIT)  # fmt: skip
    client.force_login(agent())

    def numbers(**params):
        return set(listed(client.get(RESULTS, params)))

    assert numbers(status=["requested", "received"]) == {fresh.number, old.number}
    assert numbers(status="closed") == {credit.number}
    assert numbers(reason="damaged") == {fresh.number}
    assert numbers(reason="too_small") == {old.number, credit.number}
    assert numbers(older_than=7) == {old.number}
    assert numbers(older_than=3) == {old.number, credit.number}
    assert numbers(flagged="true") == {fresh.number}
    assert numbers(flagged="false") == {old.number, credit.number}
    assert numbers(needs_review="true") == {fresh.number}
    assert numbers(needs_review="false") == {old.number, credit.number}
    assert numbers(resolution="credit") == {credit.number}
    assert numbers(status="requested", flagged="false") == set()
    # Nonsense is a form error, not a 500: the filter is ignored.
    assert client.get(RESULTS, {"older_than": "soon", "status": "lost"}).status_code == 200


@pytest.mark.parametrize(
    "query", ["{number}", "{number_lower}", "{bare}", "#1001", "1001", "ada@", "ADA@EXAMPLE.COM"]
)
def test_queue_search_finds_a_return_by_its_number_its_order_or_the_email(client, query):
    mine = return_row(delivered_order(number="#1001", email="ada@example.com"))
    return_row(delivered_order(number="#2002", email="grace@example.com"))
    client.force_login(agent())
    query = query.format(number=mine.number, number_lower=mine.number.lower(), bare=mine.number[2:])

    assert listed(client.get(RESULTS, {"q": query})) == [mine.number]


# --- Bulk actions ---------------------------------------------------------------------


def test_bulk_approve_with_one_message_names_the_return_it_refused(client):
    order = delivered_order(lines=[("Shirt", "S-1", 9, "40.00", "Shirts")])
    waiting = [return_row(order) for _ in range(3)]
    received = return_row(order, status=Status.RECEIVED)
    user = agent()
    client.force_login(user)
    url = bulk_url("approve", *waiting, received)

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert all(r.number in page(confirm) for r in [*waiting, received])

    response = client.post(url, {"message": "Thanks, send them back."}, follow=True)

    text = page(response)
    assert response.redirect_chain[-1][0] == QUEUE
    assert "3 returns approved." in text
    assert (
        f"{received.number} was not changed: A return that is “Received” cannot become “Approved”."
        in text
    )
    for request in waiting:
        request.refresh_from_db()
        assert request.status == Status.LABEL_ISSUED
        approval = request.events.get(to_status=Status.APPROVED)
        assert approval.actor == user and approval.message == "Thanks, send them back."
    received.refresh_from_db()
    assert received.status == Status.RECEIVED


def test_bulk_reject_needs_a_message_and_then_rejects_with_it(client):
    order = delivered_order()
    first, second = return_row(order), return_row(order)
    client.force_login(agent())
    url = bulk_url("reject", first, second)

    refused = client.post(url, {"message": "  "})

    assert refused.status_code == 200 and refused.context["form"].errors["message"]
    assert ReturnRequest.objects.filter(status=Status.REJECTED).count() == 0

    client.post(url, {"message": "Worn items cannot be returned."})

    for request in (first, second):
        request.refresh_from_db()
        assert request.status == Status.REJECTED
        assert request.rejection_message == "Worn items cannot be returned."


def test_bulk_action_shrugs_off_ids_that_are_not_returns(client):
    client.force_login(agent())
    base = reverse("wagtail_bulk_action", args=["returns", "returnrequest", "approve"])

    response = client.post(f"{base}?id=abc&id=all&id=999999&next={QUEUE}", follow=True)

    assert response.status_code == 200 and "No return was selected." in page(response)


def test_queue_offers_bulk_actions_only_to_who_may_manage(client):
    order = delivered_order()
    return_row(order)
    viewer = agent("viewer@example.com")
    viewer.groups.clear()
    viewer.user_permissions.add(
        *Permission.objects.filter(codename__in=["access_admin", "view_returnrequest"])
    )
    client.force_login(viewer)

    listing = page(client.get(QUEUE))
    assert client.get(QUEUE).status_code == 200
    assert "bulk-action-checkbox" not in listing
    assert client.get(bulk_url("approve", ReturnRequest.objects.get())).status_code == 302

    client.force_login(agent())
    assert "bulk-action-checkbox" in page(client.get(QUEUE))


# --- The policy, edited in Wagtail's settings ------------------------------------------


def test_superuser_edits_the_policy_in_settings_and_the_engine_uses_it(client):
    from returns.selectors import policy_current

    _before, first = policy_current()
    client.force_login(superuser())
    url = reverse("wagtailsettings:edit", args=["returns", "returnpolicy", ReturnPolicy.load().pk])
    form = client.get(url).context["form"]
    data = {}
    for bound in [
        form,
        *(f for fs in form.formsets.values() for f in [fs.management_form, *fs.forms]),
    ]:
        for field in bound:
            value = bound.initial.get(field.name, field.field.initial)
            if value is True:
                data[field.html_name] = "on"
            elif value is not None and value is not False:
                data[field.html_name] = value
    data["window_days"] = 45

    response = client.post(url, data)

    assert response.status_code == 302
    policy, version = policy_current()
    assert policy.window_days == 45 and version.number == first.number + 1
    assert len(policy.reasons) == 6 and len(policy.rules) == 1


def test_agent_cannot_edit_the_policy(client):
    client.force_login(agent())
    url = reverse("wagtailsettings:edit", args=["returns", "returnpolicy", ReturnPolicy.load().pk])

    assert client.get(url).status_code == 302
    assert client.post(url, {"window_days": 365}).status_code == 302
    assert ReturnPolicy.load().window_days == 30


# --- The policy simulator ---------------------------------------------------------------


def simulator_order():
    return delivered_order(
        number="#5150",
        lines=[
            ("Linen shirt", "LS-1", 2, "40.00", "Shirts"),
            ("Gift card", "GC-50", 1, "50.00", ""),
        ],
        delivered_days_ago=3,
    )


def test_simulator_shows_each_lines_eligibility_for_a_real_order(client):
    order = simulator_order()
    order.lines.filter(sku="GC-50").update(is_gift_card=True)
    client.force_login(agent())

    response = client.get(SIMULATOR, {"order": "5150"})

    assert response.status_code == 200
    shirt, card = response.context["eligibility"]
    assert shirt.returnable == 2 and shirt.days == 30 and shirt.basis == "delivery"
    assert shirt.deadline.date() == (order.shipments.get().delivered_at + timedelta(days=30)).date()
    assert card.returnable == 0
    text = page(response)
    assert "30 days from delivery" in text and "Gift cards cannot be returned." in text


def test_simulator_quotes_the_picks_and_says_what_happens_without_making_a_return(client):
    order = simulator_order()
    shirt = order.lines.get(sku="LS-1")
    client.force_login(agent())
    base = {"order": "#5150", "simulate": "1", "resolution": "refund", "method": "label"}

    small = client.get(
        SIMULATOR, {**base, f"line-{shirt.pk}-qty": "1", f"line-{shirt.pk}-reason": "too_small"}
    )

    quote = small.context["quote"]
    assert quote.items_total == Decimal("40.00") and quote.shipping_fee == Decimal("4.95")
    assert quote.total == Decimal("35.05") and quote.auto_approve
    assert quote.applied_rules == ["Approve small returns of customers in good standing"]
    assert "Approved automatically" in page(small)

    damaged = client.get(
        SIMULATOR, {**base, f"line-{shirt.pk}-qty": "2", f"line-{shirt.pk}-reason": "damaged"}
    )
    errors = {e["message"] for e in damaged.context["quote_errors"]}
    assert "Add a photo of the item." in errors and "Tell us what happened." in errors

    too_many = client.get(
        SIMULATOR, {**base, f"line-{shirt.pk}-qty": "3", f"line-{shirt.pk}-reason": "too_small"}
    )
    assert "At most 2 can be returned." in {e["message"] for e in too_many.context["quote_errors"]}

    far = client.get(SIMULATOR, {**base, "as_of": "9999-12-31"})
    assert far.status_code == 200 and "quote" not in far.context
    garbage = client.get(
        SIMULATOR, {**base, f"line-{shirt.pk}-qty": "lots", "as_of": "someday", "order_id": "x"}
    )
    assert garbage.status_code == 200
    assert ReturnRequest.objects.count() == 0


def test_simulator_sends_a_large_return_to_review_and_says_why(client):
    order = delivered_order(number="#6160", lines=[("Coat", "CT-1", 1, "300.00", "Coats")])
    coat = order.lines.get()
    client.force_login(agent())

    response = client.get(SIMULATOR, {
        "order": "6160", "simulate": "1", "resolution": "credit", "method": "dropoff",
        f"line-{coat.pk}-qty": "1", f"line-{coat.pk}-reason": "changed_mind",
    })  # fmt: skip

    quote = response.context["quote"]
    assert not quote.auto_approve
    assert quote.review_reasons == ["No rule approves it automatically."]
    assert "Sent to an agent for review" in page(response)


def test_simulator_says_so_when_no_order_has_the_number(client):
    client.force_login(agent())

    response = client.get(SIMULATOR, {"order": "#nope"})

    assert response.status_code == 200 and "No order has this number." in page(response)


def test_a_made_return_and_the_simulator_agree(client):
    order = simulator_order()
    shirt = order.lines.get(sku="LS-1")
    client.force_login(agent())
    simulated = client.get(SIMULATOR, {
        "order": "5150", "simulate": "1", "resolution": "refund", "method": "label",
        f"line-{shirt.pk}-qty": "1", f"line-{shirt.pk}-reason": "too_small",
    }).context["quote"]  # fmt: skip

    made = return_made(order, [(shirt, 1, "too_small")])

    assert made.total == simulated.total and made.status == Status.LABEL_ISSUED
    assert ReturnEvent.objects.filter(request=made, to_status=Status.APPROVED).exists()
