"""The marketers' dashboard and finance's liability roll-forward: ledgers written through
the real services over several months (the clock is moved by hand), then every number
checked against the entries themselves."""

import csv
import io
import itertools
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from loyalty import dashboard, reports, services
from loyalty.models import Account, EarningRule, Entry, ProgramSettings, Redemption, Reward
from orders import services as orders
from orders.connectors.base import CustomerData, LineData, OrderData
from portal.groups import EDITORS, MARKETERS
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("loyalty_dashboard")
CSV_URL = reverse("loyalty_dashboard_csv")
JAN = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch):
    """Moves ``timezone.now`` (and so every ``auto_now_add``) to a chosen moment."""

    class Clock:
        now = JAN

        def set(self, when):
            self.now = when
            return when

    clock = Clock()
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    return clock


@pytest.fixture
def program(db, settings):
    settings.STRIPE_API_KEY = ""  # Portico codes: no Stripe in these stories
    program = ProgramSettings.load()
    program.return_window_days = 30
    program.expiry = ProgramSettings.Expiry.AFTER_EARNED
    program.expiry_months = 2
    program.spent_reversal = ProgramSettings.SpentReversal.NEGATIVE
    program.save()
    EarningRule.objects.create(
        name="1 point per 1.00", kind=EarningRule.Kind.SPEND, points=1, per_amount=Decimal("1")
    )
    return program


@pytest.fixture
def shop(django_capture_on_commit_callbacks):
    """Orders as the store's webhooks deliver them, paid when the clock says."""

    class Shop:
        def order(self, external_id, email, paid_at, *, amount="100", **kw):
            amount = Decimal(amount)
            data = OrderData(
                external_id=external_id,
                number=f"#{external_id}",
                email=email,
                currency="EUR",
                subtotal=amount,
                shipping_total=Decimal("0"),
                tax_total=Decimal("0"),
                total=amount,
                placed_at=paid_at - timedelta(minutes=5),
                paid_at=paid_at,
                financial_status="paid",
                updated_at=kw.pop("updated_at", paid_at),
                customer=CustomerData(email=email),
                lines=[LineData(external_id="L1", title="Lamp", quantity=1, unit_price=amount)],
                **kw,
            )
            with django_capture_on_commit_callbacks(execute=True):
                return orders.order_upsert(connector="portico", data=data).order

    return Shop()


def join(email, when):
    account = services.account_for_email(email=email)
    Account.objects.filter(pk=account.pk).update(joined_at=when)
    return Account.objects.get(pk=account.pk)


def reward(points, amount, currency="EUR", **kw):
    kind = kw.pop("kind", Reward.Kind.AMOUNT_OFF)
    return Reward.objects.create(
        name=f"{amount} {currency} off",
        kind=kind,
        points_cost=points,
        amount=Decimal(amount) if amount else None,
        currency=currency,
        **kw,
    )


def redeem(account, item):
    return services.reward_redeem(
        account_id=account.pk, reward_id=item.pk, request_key=str(uuid.uuid4())
    )


@pytest.fixture
def history(program, shop, clock):
    """Four months of a small program (UTC), every kind of entry among them:

    January: Mira pays an order (100 pending); staff give Omar 50.
    February: Mira's points are released; she buys two 50-point codes.
    March: one code is voided (50 given back), the other used on an order (100 pending);
    staff take 10 from Omar; Lena pays an order she cancels the same month.
    April: what is left of January's lots expires (two months); Mira's March order is
    released and refunded in full after part of it was spent (a negative balance).
    """
    five_off = reward(50, "5.00")
    clock.set(JAN)
    shop.order("M-1", "mira@example.com", JAN)
    omar = services.account_for_email(email="omar@example.com")
    clock.set(datetime(2026, 1, 20, tzinfo=UTC))
    services.points_adjust(account_id=omar.pk, points=50, staff=None, reason="Gift", key="g1")

    clock.set(datetime(2026, 2, 12, tzinfo=UTC))
    mira = join("mira@example.com", clock.now)
    services.points_release_due(now=clock.now)
    used, voided = redeem(mira, five_off), redeem(mira, five_off)

    clock.set(datetime(2026, 3, 5, tzinfo=UTC))
    services.redemption_void(redemption_id=voided.pk, reason="lost")
    shop.order("M-2", "mira@example.com", clock.now, discount_codes=[used.code])
    services.points_adjust(account_id=omar.pk, points=-10, staff=None, reason="Fix", key="g2")
    shop.order("L-1", "lena@example.com", clock.now, amount="40")
    shop.order(
        "L-1",
        "lena@example.com",
        clock.now,
        amount="40",
        cancelled_at=clock.now + timedelta(hours=2),
        updated_at=clock.now + timedelta(hours=2),
    )

    clock.set(datetime(2026, 4, 20, tzinfo=UTC))
    services.points_expire_due(now=clock.now)
    services.points_release_due(now=clock.now)
    mira = Account.objects.get(pk=mira.pk)
    services.points_spend(account_id=mira.pk, points=30, key="spend:april")
    shop.order(
        "M-2",
        "mira@example.com",
        datetime(2026, 3, 5, tzinfo=UTC),
        discount_codes=[used.code],
        cancelled_at=clock.now,
        updated_at=clock.now,
    )
    return {"used": used, "voided": voided, "five_off": five_off}


def months(first, count):
    return [
        date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1)
        for i in range(count)
    ]


def expected_movements():
    """Each month's movement per column, added up from the entries one by one."""
    moves = defaultdict(int)
    for entry in Entry.objects.all():
        month = timezone.localtime(entry.created_at).date().replace(day=1)
        column = reports.COLUMNS.get(entry.kind, "other")
        moves[(month, column)] += entry.pending_delta + entry.available_delta
    return moves


# --- The roll-forward --------------------------------------------------------------------


def test_the_roll_forward_reconciles_to_the_ledger_month_by_month(history, clock):
    kinds = set(Entry.objects.values_list("kind", flat=True))
    assert kinds >= {"earn", "release", "redeem", "restore", "expire", "reverse", "adjust"}
    assert services.ledger_check() == []

    rows = reports.roll_forward(date(2026, 1, 1), 5)
    assert [r.month for r in rows] == months(date(2026, 1, 1), 5)
    assert rows[0].opening == 0
    for before, after in itertools.pairwise(rows):
        assert before.closing == after.opening
    for row in rows:
        assert row.opening + row.movement == row.closing
        assert row.closing == row.closing_pending + row.closing_available
    moves = expected_movements()
    for row in rows:
        for column in reports.MOVEMENTS:
            assert getattr(row, column) == moves[(row.month, column)], (row.month, column)
    cached = Account.objects.all()
    assert rows[-1].closing == sum(a.pending + a.available for a in cached)
    assert rows[-1].closing_pending == sum(a.pending for a in cached)
    assert rows[-1].closing_available == sum(a.available for a in cached)

    # The story in numbers: January issued Mira's 100 and staff gave Omar 50.
    jan, feb, mar, apr, _may = rows
    assert (jan.issued, jan.adjusted, jan.closing_pending, jan.closing) == (100, 50, 100, 150)
    assert (feb.redeemed, feb.closing_pending, feb.closing_available) == (-100, 0, 50)
    # March: 50 given back, M-2 earns 100, Lena's 40 earned and reversed, Omar loses 10.
    assert (mar.restored, mar.issued, mar.reversed, mar.adjusted) == (50, 140, -40, -10)
    # April: Mira's 50 and Omar's 40 expire; M-2's 100 was released, 30 spent, then taken
    # back in full: 70 from her balance, 30 left owed.
    assert (apr.expired, apr.redeemed, apr.reversed) == (-90, -30, -100)
    assert apr.closing == -30 and Account.objects.get(email="mira@example.com").available == -30


def test_an_opening_balance_carries_everything_before_the_first_month(history):
    rows = reports.roll_forward(date(2026, 3, 1), 2)
    before = Entry.objects.filter(created_at__lt=datetime(2026, 3, 1, tzinfo=UTC))
    assert rows[0].opening == sum(e.pending_delta + e.available_delta for e in before) == 50
    assert rows[-1].closing == sum(a.pending + a.available for a in Account.objects.all())


def test_months_are_the_portals_calendar_months_whoever_looks(program, clock, settings):
    settings.TIME_ZONE = "Europe/Istanbul"  # UTC+3
    account = services.account_for_email(email="ayse@example.com")
    late_january_utc = datetime(2026, 1, 31, 22, 30, tzinfo=UTC)  # 1 February in Istanbul
    clock.set(late_january_utc)
    services.points_adjust(account_id=account.pk, points=20, staff=None, reason="x", key="k")
    jan, feb = reports.roll_forward(date(2026, 1, 1), 2)
    assert (jan.adjusted, feb.adjusted) == (0, 20)
    timezone.activate("America/New_York")  # a staff member's own zone changes nothing
    try:
        assert reports.roll_forward(date(2026, 2, 1), 1)[0].adjusted == 20
    finally:
        timezone.deactivate()


# --- Value per point, breakage, liability ------------------------------------------------


def test_a_point_is_worth_the_median_of_the_active_fixed_amount_rewards(db, clock):
    reward(50, "5.00")  # 0.10
    reward(100, "8.00")  # 0.08
    reward(200, "30.00")  # 0.15: a generous one does not move the median
    reward(10, "100.00", active=False)
    reward(10, "100.00", ends_at=JAN - timedelta(days=1))
    reward(10, None, kind=Reward.Kind.PERCENT_OFF, percent=50)
    reward(100, "1.00", currency="USD")
    reward(100, "3.00", currency="USD")
    assert reports.value_per_point() == {"EUR": Decimal("0.1"), "USD": Decimal("0.02")}


def test_breakage_is_expired_over_expired_and_redeemed_on_closed_lots(history):
    # Closed lots: Mira's January lot (50 redeemed net of 50 given back, 50 expired),
    # Omar's gift (40 expired; the 10 staff took are not a member's choice) and M-2's lot
    # (30 redeemed; the 70 its refund took back are not either).
    result = reports.breakage()
    assert (result.expired, result.redeemed) == (90, 80)
    assert result.rate == Decimal(90) / Decimal(170)
    assert reports.breakage_rate() == result.rate


def test_no_closed_lot_means_no_breakage(program, shop, clock):
    shop.order("M-1", "mira@example.com", JAN)
    assert reports.breakage().rate == 0 and not reports.breakage().has_history


def test_the_liability_counts_pending_and_positive_balances_at_the_catalog_value(
    history, shop, clock
):
    reward(100, "8.00")  # with 50 for 5.00: median (0.10 + 0.08) / 2 = 0.09 a point
    clock.set(datetime(2026, 4, 25, tzinfo=UTC))
    shop.order("O-1", "omar@example.com", clock.now, amount="200")  # 200 pending
    services.points_adjust(
        account_id=Account.objects.get(email="omar@example.com").pk,
        points=25,
        staff=None,
        reason="Gift",
        key="g3",
    )
    result = reports.liability()
    assert (result.pending, result.available, result.owed) == (200, 25, 30)
    assert result.points == 225
    assert result.ledger_total == sum(a.pending + a.available for a in Account.objects.all())
    assert result.ledger_total == reports.roll_forward(date(2026, 4, 1), 1)[0].closing
    rate = Decimal(90) / Decimal(170)
    assert result.expected_breakage == 119  # 225 * 0.5294… = 119.1
    assert result.net_points == 106
    (eur,) = result.values
    assert eur.value_per_point == Decimal("0.09")
    assert eur.gross == Decimal("20.25")  # 225 * 0.09
    assert eur.net == Decimal("9.54")  # 106 * 0.09
    assert result.breakage.rate == rate


# --- Members, codes, repeat purchases ----------------------------------------------------


def test_members_codes_and_rates_by_month(history):
    data = reports.dashboard(date(2026, 1, 1), date(2026, 4, 1))
    assert [(m.joined, m.members) for m in data.members] == [(0, 0), (1, 1), (0, 1), (0, 1)]
    # Two codes bought in February: one used, one voided (it reached Mira, so it counts).
    assert [(c.issued, c.used) for c in data.codes] == [(0, 0), (2, 1), (0, 0), (0, 0)]
    assert data.code_use_rate == Decimal("0.5")
    assert data.issued == 240
    # 100 redeemed in February, 50 given back in March, 30 spent in April: 80 of 240.
    assert data.redeemed_net == 80
    assert data.redemption_rate == Decimal(80) / Decimal(240)
    assert data.reconciles


def test_repeat_purchase_rate_of_members_against_other_customers(history, shop):
    # Mira (member): M-1 and M-2, but M-2 was cancelled: one paid order. Lena's was
    # cancelled. Add a second order for Mira and two for Noor (not a member).
    shop.order("M-3", "MIRA@example.com", datetime(2026, 2, 2, tzinfo=UTC))
    shop.order("N-1", "noor@example.com", datetime(2026, 2, 3, tzinfo=UTC))
    shop.order("N-2", "noor@example.com", datetime(2026, 3, 3, tzinfo=UTC))
    shop.order("P-1", "pia@example.com", datetime(2026, 3, 3, tzinfo=UTC))
    shop.order("P-2", "pia@example.com", datetime(2025, 3, 3, tzinfo=UTC))  # before the range
    result = reports.repeat_purchase(
        datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 5, 1, tzinfo=UTC)
    )
    assert (result["members"].customers, result["members"].repeat) == (1, 1)
    assert (result["others"].customers, result["others"].repeat) == (2, 1)
    assert result["members"].rate == 1 and result["others"].rate == Decimal("0.5")


# --- The admin page ----------------------------------------------------------------------


def staff(group_name, email):
    user = UserFactory(email=email, is_staff=False)
    user.groups.add(Group.objects.get(name=group_name))
    return user


def test_a_marketer_sees_the_dashboard_with_its_roll_forward_table(history, client, clock):
    clock.set(datetime(2026, 4, 28, tzinfo=UTC))
    client.force_login(staff(MARKETERS, "marketer@example.com"))
    response = client.get(DASHBOARD, {"start": "2026-01", "end": "2026-04"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Roll-forward" in html and "Reconciled" in html
    assert [r.month for r in response.context["data"].roll_forward] == months(date(2026, 1, 1), 4)
    for chart_id in ("chart-balance", "chart-points", "chart-members", "chart-rates"):
        assert f'aria-labelledby="{chart_id}-title {chart_id}-desc"' in html
    assert "<script" not in html.split('id="dashboard-liability')[1]  # charts need no script
    assert "http" not in html.split("<svg")[1].split("</svg>")[0].replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )
    # The April row, as finance reads it.
    assert ">−90<" in html or ">-90<" in html


def test_the_default_range_is_the_last_twelve_months(history, client, clock):
    clock.set(datetime(2026, 4, 28, tzinfo=UTC))
    client.force_login(staff(MARKETERS, "marketer@example.com"))
    data = client.get(DASHBOARD).context["data"]
    assert (data.first_month, data.last_month) == (date(2025, 5, 1), date(2026, 4, 1))
    assert data.reconciles


def test_a_bad_range_says_so_and_shows_the_default(program, client, clock):
    client.force_login(staff(MARKETERS, "marketer@example.com"))
    response = client.get(DASHBOARD, {"start": "2026-05", "end": "2026-01"})
    assert response.status_code == 200
    assert "The last month comes before the first." in response.content.decode()
    assert len(response.context["data"].roll_forward) == 12


def test_staff_who_may_not_read_the_ledger_are_refused(program, client):
    editor = staff(EDITORS, "editor@example.com")
    client.force_login(editor)
    for url in (DASHBOARD, CSV_URL):
        response = client.get(url)
        assert response.status_code in (302, 403)
        assert response.status_code == 403 or response.url != url
        assert "Roll-forward" not in response.content.decode()
    assert not dashboard.menu_item().is_shown(type("Request", (), {"user": editor})())
    client.logout()
    assert client.get(DASHBOARD).status_code == 302


def test_the_roll_forward_downloads_as_csv(history, client, clock):
    clock.set(datetime(2026, 4, 28, tzinfo=UTC))
    client.force_login(staff(MARKETERS, "marketer@example.com"))
    response = client.get(CSV_URL, {"start": "2026-01", "end": "2026-04"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["month"] for r in rows] == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert rows[3]["expired"] == "-90" and rows[0]["opening"] == "0"
    assert int(rows[-1]["closing"]) == sum(a.pending + a.available for a in Account.objects.all())


def test_the_page_runs_as_many_queries_for_a_big_ledger_as_for_a_small_one(
    program, shop, client, clock
):
    client.force_login(staff(MARKETERS, "marketer@example.com"))
    clock.set(datetime(2026, 4, 28, tzinfo=UTC))
    five_off = reward(50, "5.00")

    def grow(prefix, count):
        for i in range(count):
            when = clock.set(datetime(2026, 1 + i % 4, 3 + i, tzinfo=UTC))
            shop.order(f"{prefix}-{i}", f"{prefix}{i}@example.com", when)
            account = join(f"{prefix}{i}@example.com", when)
            services.points_adjust(
                account_id=account.pk, points=60, staff=None, reason="x", key=f"{prefix}{i}"
            )
            redeem(account, five_off)
        clock.set(datetime(2026, 4, 28, tzinfo=UTC))

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(DASHBOARD).status_code == 200
        return len(captured)

    client.get(DASHBOARD)  # warm the caches a first request fills (the signed-in user)
    grow("a", 1)
    small = queries()
    grow("b", 8)
    assert Redemption.objects.count() == 9
    assert queries() == small
    assert small <= 25
