"""The birthday form on a phone: labelled selects, a clear error for 31 April, and the
saved birthday shown instead of the form; axe-core clean in each state."""

import os
import re

import pytest

from tests.browser.conftest import SCREENSHOTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "correct horse battery"


def _member():
    from loyalty import services
    from loyalty.models import EarningRule
    from tests.portal.factories import UserFactory

    EarningRule.objects.create(name="Spend", kind=EarningRule.Kind.SPEND, points=1)
    EarningRule.objects.create(name="Birthday", kind=EarningRule.Kind.BIRTHDAY, points=200)
    user = UserFactory(email="grace@example.com", password=PASSWORD)
    services.member_join(user=user)
    return user


def _shot(phone, name):
    if SCREENSHOTS:
        os.makedirs(SCREENSHOTS, exist_ok=True)
        phone.locator("#birthday").screenshot(path=os.path.join(SCREENSHOTS, f"{name}-section.png"))


def test_a_member_gives_their_birthday_on_a_phone(phone, live_server, axe):
    from loyalty.models import Account

    _member()
    phone.goto(live_server.url + "/accounts/login/?next=/rewards/")
    phone.get_by_label("Email").fill("grace@example.com")
    phone.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    phone.get_by_role("button", name="Sign In").click()
    phone.wait_for_url(re.compile(r"/rewards/$"))

    form = phone.locator("#birthday")
    form.scroll_into_view_if_needed()
    assert "Tell us your birthday and get 200 points" in form.inner_text()
    _shot(phone, "birthday-form")
    axe(phone, "birthday-form")

    phone.get_by_label("Month", exact=True).select_option(label="April")
    phone.get_by_label("Day", exact=True).select_option("31")
    phone.get_by_role("button", name="Save my birthday").click()
    phone.wait_for_load_state()
    error = phone.locator("#birthday-day_error")
    assert error.inner_text().strip() == "April has only 30 days. Please check the day."
    assert phone.get_by_label("Day", exact=True).get_attribute("aria-invalid") == "true"
    assert phone.get_by_label("Month", exact=True).input_value() == "4"  # what they chose is kept
    phone.locator("#birthday").scroll_into_view_if_needed()
    _shot(phone, "birthday-form-error")
    axe(phone, "birthday-form-error")

    phone.get_by_label("Day", exact=True).select_option("30")
    phone.get_by_role("button", name="Save my birthday").click()
    phone.wait_for_url(re.compile(r"/rewards/#birthday$"))
    assert "We have your birthday as April 30" in phone.locator("#birthday").inner_text()
    assert phone.get_by_role("button", name="Save my birthday").count() == 0
    _shot(phone, "birthday-saved")
    axe(phone, "birthday-saved")
    assert Account.objects.get(email="grace@example.com").birthday.strftime("%m-%d") == "04-30"
