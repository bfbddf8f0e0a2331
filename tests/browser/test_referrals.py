"""Referrals on a phone: a friend opens a member's link, enters their email and sees their
code; the member finds their link on the rewards page and copies it. axe-core clean."""

import re
from decimal import Decimal

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "correct horse battery"


def _member_with_link(settings):
    from loyalty import services
    from loyalty.models import ProgramSettings, Reward
    from tests.portal.factories import UserFactory

    settings.STRIPE_API_KEY = ""
    reward = Reward.objects.create(
        name="€10 off your first order",
        kind=Reward.Kind.AMOUNT_OFF,
        points_cost=0,
        amount=Decimal("10.00"),
        currency="EUR",
        minimum_order=Decimal("30.00"),
        active=False,
    )
    program = ProgramSettings.load()
    program.referrals_enabled = True
    program.referral_reward = reward
    program.referral_points = 500
    program.save()
    user = UserFactory(email="grace@example.com", first_name="Grace", password=PASSWORD)
    account = services.member_join(user=user)
    return services.referral_code_for(account=account).code


def test_a_friend_gets_their_code_from_the_link(phone, live_server, axe, settings):
    code = _member_with_link(settings)
    phone.goto(f"{live_server.url}/r/{code}/")
    heading = phone.get_by_role("heading", level=1)
    assert "Grace gave you €10.00 off orders over €30.00" in heading.inner_text()
    axe(phone, "referral-landing")

    phone.get_by_label("Your email address").fill("lin@example.com")
    phone.get_by_role("button", name="Get my code").click()
    phone.wait_for_url(re.compile(rf"/r/{code}/$"))
    shown = phone.locator("#referral-code").inner_text()
    assert re.fullmatch(r"PTC-[A-Z0-9]{10}", shown)
    assert phone.get_by_role("button", name=re.compile("Copy")).is_visible()
    axe(phone, "referral-code")


def test_the_member_finds_their_link_on_the_rewards_page(phone, live_server, axe, settings):
    code = _member_with_link(settings)
    phone.goto(live_server.url + "/accounts/login/?next=/rewards/")
    phone.get_by_label("Email").fill("grace@example.com")
    phone.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    phone.get_by_role("button", name="Sign In").click()
    phone.wait_for_url(re.compile(r"/rewards/$"))
    link = phone.locator("#referral-link")
    assert link.inner_text().endswith(f"/r/{code}/")
    assert phone.get_by_role("button", name="Copy link").is_visible()
    phone.locator("#refer").scroll_into_view_if_needed()
    axe(phone, "referral-rewards")
    phone.locator("#refer").screenshot(path=_shot("referral-block"))


def _shot(name):
    import os

    folder = os.environ.get("PORTICO_SCREENSHOTS") or "/tmp"
    os.makedirs(folder, exist_ok=True)
    return os.path.join(folder, f"{name}.png")
