"""The returns report: its numbers on known data, the page and each table as CSV."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from returns import reports
from returns.models import Resolution, Status
from tests.returns.admin_helpers import agent, delivered_order, return_row

pytestmark = pytest.mark.django_db

D = Decimal
SHIRT = ("Linen shirt", "S-1", None, "40.00", "Shirts")
MUG = ("Mug", "M-1", None, "10.00", "Mugs")
SCARF = ("Scarf", "SC-1", None, "30.00", "Accessories")


def lines(*specs):
    return [(title, sku, qty, price, kind) for (title, sku, _q, price, kind), qty in specs]


@pytest.fixture
def shop():
    """Three orders in the last 30 days (13 units sold), four returns that count among
    six made of them, and orders the report must leave out."""
    a = delivered_order(
        placed_days_ago=5, lines=lines((SHIRT, 4), (MUG, 2), (("Old", "R-1", 0, "9.00", "Mugs"), 3))
    )
    a.lines.filter(sku="R-1").update(removed=True)
    b = delivered_order(
        placed_days_ago=10,
        lines=lines((SHIRT, 2), (SCARF, 1), (("Gift card", "GC", 0, "50.00", ""), 1)),
    )
    b.lines.filter(sku="GC").update(is_gift_card=True)
    c = delivered_order(placed_days_ago=20, currency="USD", lines=lines((MUG, 4)))
    old = delivered_order(placed_days_ago=60, lines=lines((SHIRT, 5)))
    unpaid = delivered_order(placed_days_ago=3, unpaid=True, lines=lines((SHIRT, 1)))
    cancelled = delivered_order(placed_days_ago=3, cancelled=True, lines=lines((SHIRT, 1)))

    def line(order, sku):
        return order.lines.get(sku=sku)

    return_row(
        a,
        lines=[(line(a, "S-1"), 2, "too_small"), (line(a, "M-1"), 1, "damaged")],
        status=Status.REFUNDED,
        total="90.00",
        created_days_ago=4,
        resolved_days_after=2,
    )
    return_row(
        a,
        lines=[(line(a, "S-1"), 1, "too_small")],
        status=Status.CREDITED,
        resolution=Resolution.CREDIT,
        total="44.00",
        bonus="4.00",
        created_days_ago=4,
        resolved_days_after=4,
    )
    return_row(b, lines=[(line(b, "SC-1"), 1, "changed_mind")])
    return_row(b, lines=[(line(b, "S-1"), 2, "damaged")], status=Status.CANCELLED)
    return_row(
        c,
        lines=[(line(c, "M-1"), 2, "damaged")],
        status=Status.CLOSED,
        resolution=Resolution.EXCHANGE,
        total="20.00",
        created_days_ago=10,
        resolved_days_after=6,
    )
    return_row(c, lines=[(line(c, "M-1"), 1, "damaged")], status=Status.REJECTED)
    for order in (old, unpaid, cancelled):
        return_row(order, lines=[(order.lines.get(), 1, "too_small")], status=Status.REFUNDED,
                   total="40.00", resolved_days_after=1)  # fmt: skip
    today = timezone.localdate()
    return today - timedelta(days=29), today


def test_return_rates_overall(shop):
    report = reports.returns_report(start=shop[0], end=shop[1])

    assert (report.orders, report.sold_units) == (3, 13)
    assert (report.returns, report.orders_with_returns, report.returned_units) == (4, 3, 7)
    assert report.unit_rate == D("0.538462")  # 7 / 13
    assert report.returns_per_order == D("1.333333")  # 4 / 3
    assert report.order_rate == D("1")


def test_return_rates_by_product_type_and_sku(shop):
    report = reports.returns_report(start=shop[0], end=shop[1])

    types = {r.key: (r.sold, r.returned, r.rate) for r in report.product_types}
    assert types == {
        "Accessories": (1, 1, D("1")),
        "Shirts": (6, 3, D("0.5")),
        "Mugs": (6, 3, D("0.5")),
    }
    assert report.product_types[0].key == "Accessories"  # highest rate first
    skus = {r.detail: (r.label, r.sold, r.returned) for r in report.skus}
    assert skus == {"S-1": ("Linen shirt", 6, 3), "M-1": ("Mug", 6, 3), "SC-1": ("Scarf", 1, 1)}
    assert [r.detail for r in report.top_products] == ["S-1", "M-1", "SC-1"]


def test_reasons_share_and_rate(shop):
    report = reports.returns_report(start=shop[0], end=shop[1])

    reasons = {r.code: (r.label, r.units, r.returns, r.share, r.rate) for r in report.reasons}
    assert reasons == {
        "too_small": ("Too small", 3, 2, D("0.428571"), D("0.230769")),
        "damaged": ("Damaged", 3, 2, D("0.428571"), D("0.230769")),
        "changed_mind": ("Changed mind", 1, 1, D("0.142857"), D("0.076923")),
    }


def test_resolution_split_revenue_retained_and_time_to_resolution(shop):
    report = reports.returns_report(start=shop[0], end=shop[1])

    split = {(r.resolution, r.currency): (r.returns, r.value, r.bonus) for r in report.resolutions}
    assert split == {
        ("refund", "EUR"): (1, D("90.00"), D("0.00")),
        ("credit", "EUR"): (1, D("40.00"), D("4.00")),
        ("exchange", "USD"): (1, D("20.00"), D("0.00")),
    }
    retention = {r.currency: (r.refunded, r.retained, r.share) for r in report.retention}
    assert retention == {
        "EUR": (D("90.00"), D("40.00"), D("0.307692")),
        "USD": (D("0"), D("20.00"), D("1")),
    }
    assert report.resolved == 3
    assert report.avg_resolution_days == D("4.0")  # (2 + 4 + 6) / 3


def test_an_empty_range_has_no_rates_rather_than_a_division_by_zero(shop):
    start = shop[0] - timedelta(days=400)
    report = reports.returns_report(start=start, end=start + timedelta(days=10))

    assert report.orders == report.returns == 0
    assert report.unit_rate is None and report.avg_resolution is None and report.reasons == []


# --- The page and the CSV ------------------------------------------------------------------


def test_report_page_shows_the_numbers_and_charts(client, shop):
    client.force_login(agent())

    response = client.get(reverse("returns_report"), {"start": shop[0], "end": shop[1]})

    assert response.status_code == 200
    text = response.content.decode()
    assert "53.8%" in text and "7 of 13 units sold" in text
    assert "4 returns, 3 orders" in text and "4.0 days" in text
    assert "€40.00" in text and "30.8%" in text  # EUR retained and its share (40 / 130)
    assert "<svg" in text and 'aria-labelledby="chart-types-title chart-types-desc"' in text
    assert "Accessories" in text and "Changed mind" in text and "Linen shirt" in text
    assert reverse("returns_report_csv", args=["reasons"]) in text


def test_a_bad_range_is_a_form_error_and_the_default_range_is_shown(client, shop):
    client.force_login(agent())

    response = client.get(reverse("returns_report"), {"start": "2026-05-01", "end": "2026-01-01"})

    assert response.status_code == 200
    assert "The start date must come before the end date." in response.content.decode()
    assert response.context["report"].end == timezone.localdate()
    assert client.get(reverse("returns_report"), {"start": "soon"}).status_code == 200
    far = {"start": "9999-12-30", "end": "9999-12-31"}
    assert client.get(reverse("returns_report"), far).status_code == 200
    assert client.get(reverse("returns_report_csv", args=["summary"]), far).status_code == 200


def read_csv(client, table, shop):
    response = client.get(
        reverse("returns_report_csv", args=[table]), {"start": shop[0], "end": shop[1]}
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert f"returns-{table}-{shop[0]:%Y-%m-%d}" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_each_table_downloads_as_csv_with_the_same_numbers(client, shop):
    client.force_login(agent())

    summary = read_csv(client, "summary", shop)
    assert summary[0][:3] == ["start", "end", "orders"]
    assert summary[1][2:] == ["3", "13", "4", "3", "7", "0.5385", "1.3333", "3", "4.0"]
    assert read_csv(client, "product_types", shop) == [
        ["product_type", "sold_units", "returned_units", "return_rate"],
        ["Accessories", "1", "1", "1.0000"],
        ["Mugs", "6", "3", "0.5000"],
        ["Shirts", "6", "3", "0.5000"],
    ]
    assert read_csv(client, "skus", shop)[1] == ["S-1", "Linen shirt", "6", "3", "0.5000"]
    assert read_csv(client, "top_products", shop)[1:] == [
        ["S-1", "Linen shirt", "6", "3", "0.5000"],
        ["M-1", "Mug", "6", "3", "0.5000"],
        ["SC-1", "Scarf", "1", "1", "1.0000"],
    ]
    reasons = read_csv(client, "reasons", shop)
    assert ["changed_mind", "Changed mind", "1", "1", "0.1429", "0.0769"] in reasons
    assert read_csv(client, "resolutions", shop)[1:] == [
        ["credit", "EUR", "1", "40.00", "4.00", "yes"],
        ["refund", "EUR", "1", "90.00", "0.00", "no"],
        ["exchange", "USD", "1", "20.00", "0.00", "yes"],
    ]


def test_csv_cells_that_a_spreadsheet_would_run_are_defused(client):
    order = delivered_order(lines=[('=HYPERLINK("http://x")', "", 1, "5.00", "Evil")])
    return_row(order)
    client.force_login(agent())
    today = timezone.localdate()

    rows = read_csv(client, "skus", (today - timedelta(days=10), today))

    assert rows[1][1] == '\'=HYPERLINK("http://x")'


def test_unknown_csv_table_is_not_found(client):
    client.force_login(agent())

    assert client.get(reverse("returns_report_csv", args=["secrets"])).status_code == 404


def test_a_return_whose_items_came_back_counts_even_when_nothing_passed(shop):
    from returns.models import ReturnRequest

    before = reports.returns_report(start=shop[0], end=shop[1])
    # The return rejected before anything was sent back (order c's mug) does not count;
    # once its parcel had arrived, it does: the item came back.
    rejected = ReturnRequest.objects.get(status=Status.REJECTED)
    ReturnRequest.objects.filter(pk=rejected.pk).update(received_at=timezone.now())
    after = reports.returns_report(start=shop[0], end=shop[1])
    assert (after.returns, after.returned_units) == (before.returns + 1, before.returned_units + 1)
