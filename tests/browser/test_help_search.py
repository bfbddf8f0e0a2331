"""Help center search on a phone: suggestions chosen from the keyboard, the results page,
both axe-core clean."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _articles():
    from tests.knowledgebase.factories import article, category, help_center

    center = help_center()
    returns = category(center, "Returns", icon="returns")
    article(
        returns,
        "Return policy",
        summary="What you can send back, and within how many days.",
        text="<p>Most items can be sent back within 30 days of delivery.</p>",
    )
    article(returns, "Return shipping labels", summary="Print a label for your parcel.")
    return center


def test_a_suggestion_is_chosen_from_the_keyboard(phone, live_server, axe):
    from knowledgebase.models import SearchClick

    _articles()
    phone.goto(live_server.url + "/help/search/")
    box = phone.get_by_role("combobox", name="Search the help center")
    box.click()
    box.press_sequentially("return pol", delay=40)
    listbox = phone.get_by_role("listbox")
    listbox.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    options = phone.get_by_role("option")
    assert options.first.inner_text().startswith("Return policy")
    axe(phone, "help-search-suggestions")
    box.press("ArrowDown")
    assert options.first.get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == options.first.get_attribute("id")
    box.press("Escape")
    assert box.get_attribute("aria-expanded") == "false"
    box.press("ArrowDown")
    box.press("Enter")
    phone.wait_for_url(re.compile(r"/help/returns/return-policy/$"))
    phone.wait_for_timeout(300)  # the beacon is sent as the page unloads
    assert SearchClick.objects.filter(search__source="suggest").count() == 1


def test_the_results_page_is_clean_and_submits_from_the_keyboard(phone, live_server, axe):
    _articles()
    phone.goto(live_server.url + "/help/search/")
    box = phone.get_by_role("combobox", name="Search the help center")
    box.fill("shipping labels")
    box.press("Enter")
    phone.wait_for_url(re.compile(r"/help/search/\?q=shipping\+labels"))
    assert phone.locator(".kb-hit mark").first.inner_text().lower() == "shipping"
    axe(phone, "help-search-results")
    phone.goto(live_server.url + "/help/search/?q=zzqxv")
    assert phone.get_by_role("heading", name="No articles match your search").is_visible()
    axe(phone, "help-search-empty")
