"""The return policy page: made from the version the engine enforces."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from returns.models import ReturnPolicy, ReturnReason
from tests.orders.factories import OrderFactory, OrderLineFactory

pytestmark = pytest.mark.django_db


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
