"""The rewards page on a phone: a member reads balance and history, a customer joins with
the button, both languages axe-core clean."""

import re
from datetime import timedelta
from urllib.parse import urlparse

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "correct horse battery"


def _sign_in(phone, live_server, email):
    phone.goto(live_server.url + "/accounts/login/?next=/rewards/")
    phone.get_by_label("Email").fill(email)
    phone.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    phone.get_by_role("button", name="Sign In").click()
    phone.wait_for_url(re.compile(r"/rewards/$"))


def _program():
    from loyalty.models import EarningRule, ProgramSettings

    program = ProgramSettings.load()
    program.how_it_works = "<p>Every order brings you closer to your next treat.</p>"
    program.save()
    EarningRule.objects.create(name="Spend", kind=EarningRule.Kind.SPEND, points=1)
    EarningRule.objects.create(name="Welcome", kind=EarningRule.Kind.SIGNUP, points=50)
    return program


def _member_with_history():
    """grace@example.com: a paid order (pending), a refund, a released bonus, a spend."""
    from decimal import Decimal

    from django.utils import timezone

    from loyalty import services
    from loyalty.models import Account, Lot
    from orders import services as orders
    from orders.connectors.base import CustomerData, LineData, OrderData, RefundData
    from tests.portal.factories import UserFactory

    user = UserFactory(email="grace@example.com", password=PASSWORD)
    services.member_join(user=user)  # 50 available
    now = timezone.now()
    data = OrderData(
        external_id="1001",
        number="#1001",
        email="grace@example.com",
        currency="USD",
        subtotal=Decimal("1250"),
        shipping_total=Decimal("0"),
        tax_total=Decimal("0"),
        total=Decimal("1250"),
        placed_at=now - timedelta(days=2),
        paid_at=now - timedelta(days=2),
        financial_status="paid",
        updated_at=now - timedelta(days=2),
        customer=CustomerData(email="grace@example.com"),
        lines=[
            LineData(external_id="L1", title="Lamp", quantity=1, unit_price=Decimal("1000")),
            LineData(external_id="L2", title="Shade", quantity=1, unit_price=Decimal("250")),
        ],
    )
    orders.order_upsert(connector="portico", data=data)
    services.order_points_award(order_id=orders_order_pk("1001"))
    refund = RefundData(
        order_external_id="1001",
        external_id="R1",
        amount=Decimal("250"),
        currency="USD",
        refunded_at=now - timedelta(days=1),
        lines=[("L2", 1, Decimal("250"))],
    )
    orders.refund_record(connector="portico", data=refund)
    services.order_points_reverse(order_id=orders_order_pk("1001"))
    account = Account.objects.get(user=user)
    services.points_spend(account_id=account.pk, points=20, key="redemption:1")
    # The sign-up bonus expires in ten days: "expiring soon".
    Lot.objects.filter(account=account, order__isnull=True).update(
        expires_at=now + timedelta(days=10)
    )
    return user


def orders_order_pk(external_id):
    from orders.models import Order

    return Order.objects.get(external_id=external_id).pk


def test_a_member_reads_balance_and_history_on_a_phone(phone, live_server, axe):
    _program()
    _member_with_history()
    _sign_in(phone, live_server, "grace@example.com")

    phone.get_by_role("heading", name="Rewards", level=1).wait_for()
    summary = phone.locator(".points-summary")
    assert re.search(r"Available to spend\s+30\b", summary.inner_text())
    assert re.search(r"Pending\s+1,000\b", summary.inner_text())
    assert phone.get_by_text("30 points expiring soon").is_visible()

    history = phone.get_by_role("table", name=re.compile(r"changes to your points"))
    rows = history.locator("tbody tr")
    assert rows.count() == 4
    assert "Spent" in rows.nth(0).inner_text()
    assert "Refund on order #1001" in rows.nth(1).inner_text()
    assert "Order #1001" in rows.nth(2).inner_text()
    assert "Sign-up bonus" in rows.nth(3).inner_text()
    # Nothing wider than the phone: the tables fit without sideways scrolling.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    axe(phone, "rewards-member")

    own_host = urlparse(live_server.url).netloc
    assert all(urlparse(u).netloc in (own_host, "") for u in phone.requested_urls)

    phone.goto(live_server.url + "/tr/rewards/")
    assert phone.locator("html").get_attribute("lang") == "tr"
    assert "1.000" in phone.locator(".points-summary").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    axe(phone, "rewards-member-tr")


def test_a_customer_joins_with_the_button(phone, live_server, axe):
    from loyalty.models import Account
    from tests.portal.factories import UserFactory

    _program()
    UserFactory(email="lin@example.com", password=PASSWORD)
    phone.goto(live_server.url + "/rewards/")
    phone.get_by_text("Every order brings you closer to your next treat.").wait_for()
    assert phone.get_by_text("1 point for every $1.00 you spend").is_visible()
    axe(phone, "rewards-visitor")

    phone.get_by_role("link", name="Sign in").last.click()
    phone.get_by_label("Email").fill("lin@example.com")
    phone.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    phone.get_by_role("button", name="Sign In").click()
    phone.wait_for_url(re.compile(r"/rewards/$"))
    axe(phone, "rewards-not-member")

    phone.get_by_role("button", name="Join the rewards program").click()
    phone.get_by_text("You are now a member.").wait_for()
    assert re.search(r"Available to spend\s+50\b", phone.locator(".points-summary").inner_text())
    assert phone.get_by_role("button", name="Join the rewards program").count() == 0
    assert Account.objects.get(email="lin@example.com").is_member
    axe(phone, "rewards-joined")

    phone.goto(live_server.url + "/tr/rewards/")
    assert phone.locator("html").get_attribute("lang") == "tr"
    axe(phone, "rewards-joined-tr")


def test_a_member_redeems_a_reward_and_copies_the_code_on_a_phone(phone, live_server, axe):
    from decimal import Decimal

    from loyalty import services
    from loyalty.models import Account, Redemption, Reward, Tier
    from tests.portal.factories import UserFactory

    _program()
    Tier.objects.create(name="Silver", threshold=Decimal("100"), perks="Free returns for a year")
    Tier.objects.create(name="Gold", threshold=Decimal("1000"))
    Reward.objects.create(
        name="Free delivery",
        description="Your next parcel ships free.",
        kind=Reward.Kind.FREE_SHIPPING,
        points_cost=40,
    )
    Reward.objects.create(
        name="Ceramic mug", kind=Reward.Kind.FREE_PRODUCT, points_cost=170, product_sku="MUG-1"
    )
    user = UserFactory(email="noor@example.com", password=PASSWORD)
    services.member_join(user=user)  # 50 available (the sign-up bonus)
    phone.context.grant_permissions(["clipboard-read", "clipboard-write"])
    _sign_in(phone, live_server, "noor@example.com")

    offers = phone.get_by_role("region", name="Rewards you can redeem")
    mug = offers.get_by_role("listitem").filter(has_text="Ceramic mug")
    assert "You need 120 more points" in mug.inner_text()
    assert mug.get_by_role("button", name="Redeem").count() == 0
    assert "A free MUG-1" in mug.inner_text()
    tier = phone.get_by_role("region", name="Your tier")
    # The sign-up bonus counts: 50 of the 100 points Silver takes.
    bar = tier.get_by_role("progressbar", name="50 more points to Silver")
    assert bar.get_attribute("max") == "100.00" and bar.get_attribute("value") == "50"
    axe(phone, "rewards-catalog")

    delivery = offers.get_by_role("listitem").filter(has_text="Free delivery")
    # Pressed twice, as an impatient thumb would: one code, 40 points.
    delivery.get_by_role("button", name="Redeem").dblclick()
    phone.wait_for_url(re.compile(r"/rewards/#codes$"))
    redemption = Redemption.objects.get()
    phone.get_by_text(f"Your code for Free delivery is {redemption.code}.").wait_for()
    assert Redemption.objects.count() == 1
    assert Account.objects.get(user=user).available == 10

    codes = phone.get_by_role("region", name="Your codes")
    card = codes.get_by_role("listitem").first
    assert redemption.code in card.inner_text() and "Ready to use" in card.inner_text()
    copy = card.get_by_role("button", name=re.compile(r"^Copy"))
    copy.click()
    status = card.locator("[aria-live=polite]")
    phone.wait_for_function("el => el.textContent === 'Copied'", arg=status.element_handle())
    assert phone.evaluate("navigator.clipboard.readText()") == redemption.code
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    axe(phone, "rewards-code")

    own_host = urlparse(live_server.url).netloc
    assert all(urlparse(u).netloc in (own_host, "") for u in phone.requested_urls)

    phone.goto(live_server.url + "/tr/rewards/")
    assert phone.locator("html").get_attribute("lang") == "tr"
    assert redemption.code in phone.locator("#codes").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    axe(phone, "rewards-code-tr")


def test_without_javascript_the_code_is_text_and_no_copy_button_shows(
    chromium, live_server, migrated_db
):
    from loyalty import services
    from loyalty.models import Reward
    from tests.portal.factories import UserFactory

    _program()
    reward = Reward.objects.create(name="Ship", kind=Reward.Kind.FREE_SHIPPING, points_cost=10)
    user = UserFactory(email="noor@example.com", password=PASSWORD)
    account = services.member_join(user=user)
    code = services.reward_redeem(account_id=account.pk, reward_id=reward.pk, request_key="k")
    context = chromium.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, java_script_enabled=False
    )
    try:
        page = context.new_page()
        _sign_in(page, live_server, "noor@example.com")
        shown = page.locator(".code-card__code")
        assert shown.inner_text() == code.code and shown.is_visible()
        assert page.get_by_role("button", name=re.compile(r"^Copy")).count() == 0
    finally:
        context.close()
