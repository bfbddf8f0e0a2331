"""Referrals: a member's link gives a friend a single-use code; the friend's first paid
order makes the referral "ordered"; once that order is past its return window the member
earns points, once. Fraud rules hold a referral for staff, who approve or cancel it.

Orders reach the mirror the way a store's webhooks do (``orders.order_upsert``), so the
signals, the receiver and the task all run.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.utils import timezone
from django.utils.translation import trans_real

from loyalty import services
from loyalty.models import Account, Entry, Lot, Redemption, Referral, ReferralCode, Reward
from loyalty.services.referrals import address_key, email_identity, name_key
from orders import services as orders
from orders.connectors.base import CustomerData, LineData, OrderData
from tests.orders.fake_stripe import FakeStripe

pytestmark = pytest.mark.django_db

Status = Referral.Status
Flag = Referral.Flag
WINDOW = 30
ADA_ADDRESS = {"name": "Ada Lovelace", "address1": "12 Rose St.", "zip": "34000", "city": "X"}


@pytest.fixture
def ten_off(db):
    # Inactive: out of the members' catalogue, still a friend's reward.
    return Reward.objects.create(
        name="€10 off your first order",
        kind=Reward.Kind.AMOUNT_OFF,
        points_cost=0,
        amount=Decimal("10.00"),
        currency="EUR",
        active=False,
    )


@pytest.fixture
def referrals(program, ten_off, settings):
    settings.STRIPE_API_KEY = ""
    program.return_window_days = WINDOW
    program.referrals_enabled = True
    program.referral_points = 500
    program.referral_reward = ten_off
    program.referral_weekly_limit_per_client = 3
    program.save()
    return program


@pytest.fixture
def ada(referrals, user_factory):
    user = user_factory(email="ada@example.com", first_name="Ada")
    return services.member_join(user=user)


@pytest.fixture
def link(ada):
    return services.referral_code_for(account=ada).code


@pytest.fixture
def place(django_capture_on_commit_callbacks):
    """A paid order from the store, through the mirror (signals and tasks run)."""

    def place(external_id, email, *, paid_at=None, codes=(), name="", address=None, **kw):
        paid_at = paid_at or timezone.now()
        first, _, last = name.partition(" ")
        data = OrderData(
            external_id=external_id,
            number=f"#{external_id}",
            email=email,
            currency="EUR",
            subtotal=Decimal("50"),
            total=Decimal("50"),
            placed_at=paid_at - timedelta(minutes=5),
            paid_at=paid_at,
            financial_status=kw.pop("financial_status", "paid"),
            updated_at=kw.pop("updated_at", paid_at),
            discount_codes=list(codes),
            shipping_address=address or {},
            customer=CustomerData(email=email, first_name=first, last_name=last),
            lines=[LineData(external_id="L1", title="Mug", quantity=1, unit_price=Decimal("50"))],
            **kw,
        )
        with django_capture_on_commit_callbacks(execute=True):
            return orders.order_upsert(connector="portico", data=data).order

    return place


@pytest.fixture
def claim(django_capture_on_commit_callbacks):
    """A friend's claim through the service; what it queues after commit runs."""

    def claim(link, email, address="10.0.0.1"):
        with django_capture_on_commit_callbacks(execute=True):
            return services.referral_claim(code=link, email=email, client_address=address)

    return claim


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def reload(referral):
    return Referral.objects.get(pk=referral.pk)


def referral_entries():
    return Entry.objects.filter(key__startswith="referral:")


def after_window(order, days=1):
    return order.paid_at + timedelta(days=WINDOW + days)


def page_text(response) -> str:
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)).strip()


# --- The link and the friend's code -------------------------------------------------------


def test_the_link_gives_the_friend_a_single_use_code_on_the_page_and_by_email(link, ada, commit):
    client = Client(REMOTE_ADDR="10.0.0.9")
    landing = client.get(f"/r/{link}/")
    assert landing.status_code == 200
    assert "Ada gave you €10.00 off" in page_text(landing)

    with commit():
        sent = client.post(f"/r/{link}/", {"email": " Lin@Example.com "})
    assert sent.status_code == 302 and sent["Location"] == f"/r/{link}/"

    referral = Referral.objects.get()
    assert (referral.referrer_id, referral.friend_email) == (ada.pk, "lin@example.com")
    assert referral.status == Status.PENDING and referral.flags == []
    code = referral.redemption
    assert code.status == Redemption.Status.ISSUED and code.points == 0
    assert code.account == Account.objects.get(email="lin@example.com")
    assert code.code in page_text(client.get(f"/r/{link}/"))
    # Another browser never sees it.
    assert code.code not in page_text(Client().get(f"/r/{link}/"))
    assert [m.to for m in mail.outbox] == [["lin@example.com"]]
    assert code.code in mail.outbox[0].body and "Ada invited you" in mail.outbox[0].body
    # The address is counted, never stored.
    assert referral.client_hash and "10.0.0.9" not in referral.client_hash
    assert services.ledger_check() == []


def test_with_stripe_the_friends_code_is_a_single_use_promotion_code(link, settings, claim):
    with FakeStripe(api_key="sk_test_referrals") as stripe:
        settings.STRIPE_API_KEY = "sk_test_referrals"
        settings.STRIPE_API_BASE = stripe.url
        referral = claim(link, "lin@example.com")
    code = Redemption.objects.get(pk=referral.redemption_id)
    assert code.status == Redemption.Status.ISSUED
    promotion = stripe.promotion_codes[code.stripe_promotion_code_id]
    assert promotion["code"] == code.code and promotion["max_redemptions"] == 1
    assert stripe.coupons[code.stripe_coupon_id]["amount_off"] == 1000


@pytest.mark.parametrize("email", ["ada@example.com", "ADA@Example.com "])
def test_a_member_cannot_refer_themselves(link, email, claim):
    with pytest.raises(services.ReferralRefused, match="your own invitation"):
        claim(link, email)
    assert not Referral.objects.exists()
    response = Client().post(f"/r/{link}/", {"email": email})
    assert response.status_code == 400
    assert "This is your own invitation" in page_text(response)


def test_a_friend_is_invited_once_whoever_invites_them(link, user_factory, claim):
    claim(link, "lin@example.com")
    other = services.member_join(user=user_factory(email="bo@example.com"))
    other_link = services.referral_code_for(account=other).code
    for code in (link, other_link):
        with pytest.raises(services.ReferralRefused, match="invited already"):
            claim(code, "lin@example.com")
    assert Referral.objects.count() == 1 and Redemption.objects.count() == 1


def test_an_unknown_link_or_referrals_off_is_a_page_that_says_so(link, referrals, claim):
    assert Client().get("/r/NOPE2345/").status_code == 404
    referrals.referrals_enabled = False
    referrals.save()
    response = Client().get(f"/r/{link}/")
    assert response.status_code == 404
    assert "not valid any more" in page_text(response)
    with pytest.raises(services.ReferralRefused):
        claim(link, "lin@example.com")


def test_the_referral_code_is_made_once_short_and_unambiguous(ada):
    first = services.referral_code_for(account=ada)
    assert services.referral_code_for(account=ada) == first
    assert ReferralCode.objects.count() == 1
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{8}", first.code)


# --- The friend's order and the member's points -------------------------------------------


def test_the_first_order_with_the_code_then_the_window_rewards_the_member_once(
    link, ada, place, claim, commit
):
    referral = claim(link, "lin@example.com")
    code = Redemption.objects.get(pk=referral.redemption_id).code
    # The friend orders under another address, with the code.
    order = place("F-1", "lin.other@example.com", codes=[code.lower()])
    referral = reload(referral)
    assert (referral.status, referral.order_id) == (Status.ORDERED, order.pk)

    assert services.referrals_reward_due(now=after_window(order, days=-1)) == 0
    assert reload(referral).status == Status.ORDERED

    mail.outbox.clear()
    now = after_window(order)
    with commit():
        assert services.referrals_reward_due(now=now) == 1
    with commit():
        assert services.referrals_reward_due(now=now) == 0  # the beat again: nothing more
    referral = reload(referral)
    assert referral.status == Status.REWARDED
    entry = Entry.objects.get(key=f"referral:{referral.pk}")
    assert (entry.account_id, entry.available_delta, entry.lifetime_delta) == (ada.pk, 500, 500)
    assert entry.lot.status == Lot.Status.AVAILABLE
    assert Account.objects.get(pk=ada.pk).available == 500
    assert [m.to for m in mail.outbox] == [["ada@example.com"]]
    assert "500 points are yours" in mail.outbox[0].body
    assert services.ledger_check() == []


def test_a_later_order_does_not_replace_the_first(link, place, claim):
    referral = claim(link, "lin@example.com")
    first = place("F-1", "lin@example.com")
    place("F-2", "lin@example.com")
    assert reload(referral).order_id == first.pk


def test_an_order_of_someone_not_invited_changes_nothing(link, place, claim):
    referral = claim(link, "lin@example.com")
    place("X-1", "stranger@example.com")
    assert reload(referral).status == Status.PENDING


@pytest.mark.parametrize("ending", ["cancelled", "refunded"])
def test_a_cancelled_or_refunded_friend_order_rewards_nobody(link, ada, place, ending, claim):
    referral = claim(link, "lin@example.com")
    order = place("F-1", "lin@example.com")
    later = order.paid_at + timedelta(days=2)
    if ending == "cancelled":
        place("F-1", "lin@example.com", paid_at=order.paid_at, cancelled_at=later, updated_at=later)
    else:
        place(
            "F-1",
            "lin@example.com",
            paid_at=order.paid_at,
            financial_status="refunded",
            updated_at=later,
        )
    services.referrals_reward_due(now=after_window(order))
    assert reload(referral).status == Status.REJECTED
    assert not referral_entries().exists()
    assert Account.objects.get(pk=ada.pk).available == 0
    assert services.ledger_check() == []


def test_a_partly_refunded_friend_order_still_rewards(link, place, claim):
    referral = claim(link, "lin@example.com")
    order = place("F-1", "lin@example.com")
    later = order.paid_at + timedelta(days=2)
    place(
        "F-1",
        "lin@example.com",
        paid_at=order.paid_at,
        financial_status="partially_refunded",
        updated_at=later,
    )
    services.referrals_reward_due(now=after_window(order))
    assert reload(referral).status == Status.REWARDED


# --- Fraud rules --------------------------------------------------------------------------


def assert_held(referral, flag):
    referral = reload(referral)
    assert referral.status == Status.REVIEW
    assert flag in referral.flags
    return referral


@pytest.mark.parametrize(
    ("referrer", "friend"),
    [
        ("ada@example.com", "ada+friend@example.com"),
        ("ada.lovelace@gmail.com", "AdaLovelace+2@googlemail.com"),
        ("adalovelace@gmail.com", "ada.love.lace@gmail.com"),
    ],
)
def test_the_members_own_email_written_differently_is_held_without_a_code(
    referrals, user_factory, referrer, friend, claim
):
    member = services.member_join(user=user_factory(email=referrer))
    link = services.referral_code_for(account=member).code
    referral = assert_held(claim(link, friend), Flag.SAME_EMAIL)
    assert referral.redemption_id is None and not mail.outbox
    assert "the member's, written differently" in referral.flag_labels[0]


def test_a_friend_who_ordered_before_is_held(link, place, claim):
    place("OLD-1", "lin@example.com", paid_at=timezone.now() - timedelta(days=40))
    referral = assert_held(claim(link, "lin@example.com"), Flag.ORDERED_BEFORE)
    assert referral.redemption_id is None


def test_an_order_paid_before_the_invitation_is_held_when_it_arrives(link, place, claim):
    referral = claim(link, "lin@example.com")
    place("F-1", "lin@example.com", paid_at=timezone.now() - timedelta(hours=3))
    assert_held(referral, Flag.ORDERED_BEFORE)


def test_the_friends_name_matching_the_members_orders_is_held(link, place, claim):
    place("A-1", "ada@example.com", paid_at=timezone.now() - timedelta(days=90), name="Ada Byron")
    referral = claim(link, "lin@example.com")
    order = place("F-1", "lin@example.com", address={"name": "BYRON,  ada."})
    referral = assert_held(referral, Flag.SAME_NAME)
    assert referral.order_id == order.pk
    services.referrals_reward_due(now=after_window(order))
    assert reload(referral).status == Status.REVIEW and not referral_entries().exists()


def test_the_friends_address_matching_the_members_orders_is_held(link, place, claim):
    place(
        "A-1", "ada@example.com", paid_at=timezone.now() - timedelta(days=90), address=ADA_ADDRESS
    )
    referral = claim(link, "lin@example.com")
    place(
        "F-1",
        "lin@example.com",
        name="Lin Chen",
        address={
            "first_name": "Lin",
            "last_name": "Chen",
            "line1": "12 rose st",
            "postal_code": "34 000",
        },
    )
    referral = assert_held(referral, Flag.SAME_ADDRESS)
    assert Flag.SAME_NAME not in referral.flags


def test_a_different_friend_is_not_held(link, place, claim):
    place(
        "A-1", "ada@example.com", paid_at=timezone.now() - timedelta(days=90), address=ADA_ADDRESS
    )
    referral = claim(link, "lin@example.com")
    place(
        "F-1",
        "lin@example.com",
        name="Lin Chen",
        address={"name": "Lin Chen", "address1": "12 Rose Street West", "zip": "34000"},
    )
    assert reload(referral).status == Status.ORDERED and reload(referral).flags == []


def test_many_referrals_from_one_client_address_in_a_week_are_held(link, user_factory, claim):
    for i in range(3):
        assert claim(link, f"friend{i}@example.com", address="203.0.113.5").status == Status.PENDING
    fourth = claim(link, "friend3@example.com", address="203.0.113.5")
    assert_held(fourth, Flag.BUSY_CLIENT)
    assert claim(link, "friend4@example.com", address="198.51.100.7").status == Status.PENDING
    # A week later the address starts afresh.
    Referral.objects.update(created_at=timezone.now() - timedelta(days=8))
    assert claim(link, "friend5@example.com", address="203.0.113.5").status == Status.PENDING


def test_the_page_queues_a_busy_address_for_review_rather_than_refusing(link):
    # Four browsers behind one address (a browser that claimed sees its code, not the form).
    for i in range(4):
        client = Client(REMOTE_ADDR="203.0.113.5")
        assert client.post(f"/r/{link}/", {"email": f"f{i}@example.com"}).status_code == 302
    shown = page_text(client.get(f"/r/{link}/"))
    assert "We are getting your code ready and will email it to f3@example.com" in shown
    assert Referral.objects.filter(status=Status.REVIEW).count() == 1


def test_matching_ignores_case_whitespace_punctuation_and_order():
    assert email_identity("A.D.A+x@GoogleMail.com") == "ada@gmail.com"
    assert email_identity("a.da+x@example.com") == "a.da@example.com"
    assert name_key("  Lovelace, ADA ") == name_key("ada lovelace") != ""
    assert name_key("Ada") == ""  # one word tells no one apart
    assert address_key({"address1": "12 Rose St.", "zip": "34000"}) == address_key(
        {"line1": "12 rose st", "postal_code": "34 000"}
    )
    assert address_key({"city": "Istanbul"}) == ""


# --- Staff --------------------------------------------------------------------------------


def test_approving_a_held_claim_issues_the_code_and_the_member_earns_after_the_window(
    link, ada, place, admin_user, claim, commit
):
    referral = claim(link, "ada+friend@example.com")
    with commit():
        services.referral_approve(referral_id=referral.pk, staff=admin_user)
    referral = reload(referral)
    assert referral.status == Status.PENDING and referral.decided_by == admin_user
    assert referral.redemption.status == Redemption.Status.ISSUED
    assert [m.to for m in mail.outbox] == [["ada+friend@example.com"]]
    # Approving again changes nothing.
    services.referral_approve(referral_id=referral.pk, staff=admin_user)
    assert Redemption.objects.count() == 1

    order = place("F-1", "ada+friend@example.com", codes=[referral.redemption.code])
    assert reload(referral).status == Status.ORDERED  # the cleared rule does not hold it again
    services.referrals_reward_due(now=after_window(order))
    services.referrals_reward_due(now=after_window(order, days=2))
    assert reload(referral).status == Status.REWARDED
    assert referral_entries().get().available_delta == 500
    assert services.ledger_check() == []


def test_approving_a_held_order_rewards_after_the_window(link, place, admin_user, claim):
    place(
        "A-1", "ada@example.com", paid_at=timezone.now() - timedelta(days=90), address=ADA_ADDRESS
    )
    referral = claim(link, "lin@example.com")
    order = place("F-1", "lin@example.com", address=ADA_ADDRESS)
    assert_held(referral, Flag.SAME_ADDRESS)
    services.referral_approve(referral_id=referral.pk, staff=admin_user)
    assert reload(referral).status == Status.ORDERED
    services.referrals_reward_due(now=after_window(order))
    assert reload(referral).status == Status.REWARDED
    assert referral_entries().count() == 1


def test_cancelling_rewards_nobody_and_voids_the_unused_code(link, ada, place, admin_user, claim):
    referral = claim(link, "lin@example.com")
    services.referral_cancel(referral_id=referral.pk, staff=admin_user)
    services.referral_cancel(referral_id=referral.pk, staff=admin_user)  # again: the same
    referral = reload(referral)
    assert referral.status == Status.CANCELLED
    assert referral.redemption.status == Redemption.Status.VOIDED
    order = place("F-1", "lin@example.com")
    services.referrals_reward_due(now=after_window(order))
    assert reload(referral).status == Status.CANCELLED and reload(referral).order_id is None
    assert not referral_entries().exists()
    with pytest.raises(services.ReferralRefused):
        services.referral_approve(referral_id=referral.pk, staff=admin_user)
    assert services.ledger_check() == []


def test_cancelling_a_held_order_rewards_nobody(link, place, admin_user, claim):
    place("OLD-1", "lin@example.com", paid_at=timezone.now() - timedelta(days=40))
    referral = claim(link, "lin@example.com")
    order = place("F-1", "lin@example.com")
    services.referral_cancel(referral_id=referral.pk, staff=admin_user)
    services.referrals_reward_due(now=after_window(order))
    assert reload(referral).status == Status.CANCELLED and not referral_entries().exists()


def test_marketers_approve_and_cancel_from_the_admin_and_others_cannot(
    link, user_factory, place, claim
):
    first = claim(link, "ada+1@example.com")
    second = claim(link, "ada+2@example.com")
    marketer = user_factory(email="mo@example.com")
    marketer.groups.add(Group.objects.get(name="Marketers"))
    client = Client()
    client.force_login(marketer)
    listing = client.get("/admin/loyalty/referrals/?status=review")
    assert listing.status_code == 200
    assert "ada+1@example.com" in listing.content.decode()
    assert "written differently" in listing.content.decode()
    inspect = client.get(f"/admin/loyalty/referrals/inspect/{first.pk}/")
    assert "Approve" in inspect.content.decode()

    assert client.get(f"/admin/loyalty/referrals/approve/{first.pk}/").status_code == 405
    client.post(f"/admin/loyalty/referrals/approve/{first.pk}/")
    client.post(f"/admin/loyalty/referrals/cancel/{second.pk}/")
    assert (reload(first).status, reload(second).status) == (Status.PENDING, Status.CANCELLED)

    # Staff who may only look.
    viewer = user_factory(email="vi@example.com")
    viewer.is_staff = True
    viewer.save()
    group = Group.objects.create(name="Referral viewers")
    group.permissions.add(
        *Group.objects.get(name="Marketers").permissions.filter(
            codename__in=["access_admin", "view_referral"]
        )
    )
    viewer.groups.add(group)
    third = claim(link, "ada+3@example.com")
    client.force_login(viewer)
    assert client.get(f"/admin/loyalty/referrals/inspect/{third.pk}/").status_code == 200
    assert (
        "Approve"
        not in client.get(f"/admin/loyalty/referrals/inspect/{third.pk}/").content.decode()
    )
    response = client.post(f"/admin/loyalty/referrals/approve/{third.pk}/")
    assert response.status_code in (302, 403) and reload(third).status == Status.REVIEW


# --- Pages --------------------------------------------------------------------------------


def test_the_rewards_page_shows_the_members_link_to_copy(link, ada, place, claim):
    claim(link, "lin@example.com")
    client = Client()
    client.force_login(ada.user)
    shown = client.get("/rewards/")
    text = page_text(shown)
    assert "Refer a friend" in text
    assert f"{django_settings.SITE_URL}/r/{link}/" in text
    assert "Your friends get €10.00 off on their first order. You earn 500 points" in text
    assert "1 friend invited" in text
    assert 'data-copy="referral-link"' in shown.content.decode()
    assert "copy-code.js" in shown.content.decode()


def test_the_rewards_page_has_no_referral_block_while_referrals_are_off(ada, referrals):
    referrals.referrals_enabled = False
    referrals.save()
    client = Client()
    client.force_login(ada.user)
    assert "Refer a friend" not in page_text(client.get("/rewards/"))


def test_a_member_opening_their_own_link_is_told_to_share_it(link, ada):
    client = Client()
    client.force_login(ada.user)
    text = page_text(client.get(f"/r/{link}/"))
    assert "This is your own invitation link" in text and "Get my code" not in text


@pytest.fixture
def turkish_catalog():
    """Turkish words for two of the landing page's strings, as a catalogue would give."""
    catalog = trans_real.translation("tr")._catalog
    added = {
        "Get my code": "Kodumu al",
        "Your email address": "E-posta adresiniz",
    }
    for source, text in added.items():
        catalog[source] = text
    yield
    for source in added:
        for layer in catalog._catalogs:
            layer.pop(source, None)


def test_the_landing_page_speaks_english_and_turkish(link, turkish_catalog):
    english = Client().get(f"/r/{link}/")
    assert english.status_code == 200
    assert '<html lang="en"' in english.content.decode()
    assert "Get my code" in page_text(english)

    turkish = Client().get(f"/tr/r/{link}/")
    assert turkish.status_code == 200
    assert '<html lang="tr"' in turkish.content.decode()
    text = page_text(turkish)
    # The strings go through gettext: the Turkish catalogue's words appear.
    assert "Kodumu al" in text and "E-posta adresiniz" in text
    assert "Get my code" not in text
    assert f'action="/tr/r/{link}/"' in turkish.content.decode()


def test_a_friend_claiming_in_turkish_is_emailed_in_turkish(link, commit):
    with commit():
        Client().post(f"/tr/r/{link}/", {"email": "lin@example.com"})
    assert Referral.objects.get().language == "tr"
    assert mail.outbox and '<html lang="tr">' in mail.outbox[0].alternatives[0][0]


# --- Wiring -------------------------------------------------------------------------------


def test_the_beat_rewards_hourly_on_the_bulk_queue():
    entry = django_settings.CELERY_BEAT_SCHEDULE["loyalty-referrals"]
    assert entry == {"task": "loyalty.tasks.reward_due_referrals", "schedule": 3600.0}
    from portal.celery import app

    route = app.amqp.router.route({}, "loyalty.tasks.record_referral_orders")
    assert route["queue"].name == "bulk"


def test_a_friend_who_is_already_a_member_gets_one_email_for_their_code(
    link, user_factory, claim, mailoutbox
):
    services.member_join(user=user_factory(email="bo@example.com"))
    mailoutbox.clear()
    referral = claim(link, "bo@example.com")
    assert reload(referral).redemption.status == Redemption.Status.ISSUED
    assert [m.to for m in mailoutbox] == [["bo@example.com"]]


def test_a_batch_of_paid_orders_looks_for_waiting_referrals_once_per_hundred(
    referrals, monkeypatch
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from loyalty import tasks
    from orders import signals

    monkeypatch.setattr(tasks.award_orders_points, "delay", lambda order_ids: None)
    signals.batch_started.send(sender=None)
    for order_id in range(1, 151):
        signals.order_paid.send(sender=None, order_id=order_id)
    with CaptureQueriesContext(connection) as captured:
        signals.batch_finished.send(sender=None)
    looks = [q for q in captured.captured_queries if '"loyalty_referral"' in q["sql"]]
    assert len(looks) == 2  # 150 paid orders: two tasks' worth, one read each
