"""Refunds through ``orders.stripe_api``: the real ``stripe`` library against the local
fake Stripe server, which keeps Stripe's idempotency and refund rules.

What the returns app relies on: a refund is paid at most once per idempotency key,
whatever fails between Portico and Stripe (a 500, a lost answer, a retry later); Stripe's
refusals come back with their codes; what Stripe holds can be read back and listed.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from orders import stripe_api
from orders.stripe_api import RefundResult, StripeApiError

from .fake_stripe import FakeStripe

INTENT = "pi_3TJqA0LkdIwHu7ix1bG4cN8s"


@pytest.fixture
def fake(settings):
    with FakeStripe(api_key=settings.STRIPE_API_KEY, page_size=2) as fake:
        fake.payment_intents[INTENT] = {"amount": 6580, "currency": "eur"}
        settings.STRIPE_API_BASE = fake.url
        yield fake


def refund(amount="15.00", key="return-7:refund", currency="EUR", intent=INTENT, **metadata):
    return stripe_api.refund_create(
        payment_intent=intent,
        amount=Decimal(amount),
        currency=currency,
        idempotency_key=key,
        metadata=metadata or {"portico_return": "7"},
    )


def refund_posts(fake):
    return [r for r in fake.requests if r.method == "POST" and r.path == "/v1/refunds"]


def test_a_refund_is_asked_in_minor_units_with_the_key_and_metadata(fake, settings):
    result = refund("15.00", portico_return="7", order="PC-10042")

    (post,) = refund_posts(fake)
    assert post.query["payment_intent"] == INTENT
    assert post.query["amount"] == "1500"
    assert post.query["metadata[portico_return]"] == "7"
    assert post.query["metadata[order]"] == "PC-10042"
    assert post.query["reason"] == "requested_by_customer"
    assert post.header("Idempotency-Key") == "return-7:refund"
    assert post.header("Authorization") == f"Bearer {settings.STRIPE_API_KEY}"

    assert result == RefundResult(
        id=result.id,
        status="succeeded",
        amount=Decimal("15.00"),
        currency="EUR",
        payment_intent=INTENT,
        failure_reason="",
        metadata={"portico_return": "7", "order": "PC-10042"},
    )
    assert result.id.startswith("re_")
    assert fake.refunds[result.id]["amount"] == 1500


def test_a_zero_decimal_currency_is_sent_in_whole_units(fake):
    fake.payment_intents["pi_jpy"] = {"amount": 5830, "currency": "jpy"}

    result = refund("1200", currency="JPY", intent="pi_jpy")

    assert refund_posts(fake)[0].query["amount"] == "1200"  # ¥1,200, not ¥120,000
    assert result.amount == Decimal("1200")
    assert result.currency == "JPY"


def test_a_pending_refund_says_so(fake):
    fake.refund_status = "pending"

    assert refund().status == "pending"


def test_the_same_key_again_gives_the_first_refund_and_pays_once(fake):
    first = refund()
    again = refund()

    assert again == first
    assert len(fake.refunds) == 1
    assert len(refund_posts(fake)) == 2


def test_the_same_key_for_another_amount_is_refused_and_pays_nothing_more(fake):
    first = refund("15.00")

    with pytest.raises(StripeApiError) as error:
        refund("20.00")

    assert error.value.code == "idempotency_error"
    assert error.value.retryable is False
    assert list(fake.refunds) == [first.id]


def test_a_500_then_success_pays_once_with_the_same_key(fake):
    fake.fail_posts = 1

    result = refund()

    first, second = refund_posts(fake)
    assert first.header("Idempotency-Key") == second.header("Idempotency-Key") == "return-7:refund"
    assert list(fake.refunds) == [result.id]


def test_a_lost_answer_is_asked_again_with_the_same_key_and_pays_once(fake):
    # Stripe made the refund but the answer never came back (a timeout, a dropped line):
    # the library asks again with the same key and gets the first refund back.
    fake.lose_responses = 1

    result = refund()

    first, second = refund_posts(fake)
    assert first.header("Idempotency-Key") == second.header("Idempotency-Key")
    assert list(fake.refunds) == [result.id]
    assert result.amount == Decimal("15.00")


def test_stripe_failing_throughout_is_worth_retrying_and_pays_nothing(fake):
    fake.fail_posts = 3  # the first try and both of the library's retries

    with pytest.raises(StripeApiError) as error:
        refund()

    assert error.value.retryable is True
    assert fake.refunds == {}
    assert refund().status == "succeeded"  # later, with the same key
    assert len(fake.refunds) == 1


def test_answers_lost_throughout_then_a_retry_later_with_the_same_key_pays_once(fake):
    fake.lose_responses = 3

    with pytest.raises(StripeApiError) as error:
        refund()

    # Portico cannot know; Stripe made the refund on the first try.
    assert error.value.retryable is True
    assert len(fake.refunds) == 1
    later = refund()
    assert list(fake.refunds) == [later.id]


def test_more_than_is_left_unrefunded_is_refused_with_its_code(fake):
    refund("50.00", key="return-1:refund")

    with pytest.raises(StripeApiError) as error:
        refund("15.81", key="return-2:refund")  # 65.80 paid, 50.00 back already

    assert error.value.code == "amount_too_large"
    assert error.value.retryable is False
    assert len(fake.refunds) == 1
    assert refund("15.80", key="return-3:refund").amount == Decimal("15.80")


def test_a_fully_refunded_payment_is_refused_with_its_code(fake):
    refund("65.80", key="return-1:refund")

    with pytest.raises(StripeApiError) as error:
        refund("1.00", key="return-2:refund")

    assert error.value.code == "charge_already_refunded"
    assert error.value.retryable is False


def test_a_failed_refund_gives_its_amount_back_to_refund(fake):
    failed = refund("65.80", key="return-1:refund")
    fake.set_refund_status(failed.id, "failed", "expired_or_canceled_card")

    assert refund("65.80", key="return-1:retry-after-failure").status == "succeeded"


def test_an_unknown_payment_intent_is_refused_with_its_code(fake):
    with pytest.raises(StripeApiError) as error:
        refund(intent="pi_nobody")

    assert error.value.code == "resource_missing"
    assert error.value.retryable is False
    assert fake.refunds == {}


def test_without_an_api_key_nothing_is_sent(fake, settings):
    settings.STRIPE_API_KEY = ""

    with pytest.raises(StripeApiError) as error:
        refund()

    assert error.value.retryable is False
    assert fake.requests == []


def test_concurrent_calls_with_one_key_pay_once(fake):
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda _: refund(), range(6)))

    assert len({result.id for result in results}) == 1
    assert len(fake.refunds) == 1


def test_concurrent_refunds_never_pay_back_more_than_was_paid(fake):
    refused = []
    lock = threading.Lock()

    def attempt(i):
        try:
            return refund("20.00", key=f"return-{i}:refund")
        except StripeApiError as exc:
            with lock:
                refused.append(exc.code)

    with ThreadPoolExecutor(max_workers=6) as pool:
        paid = [result for result in pool.map(attempt, range(6)) if result is not None]

    assert len(paid) == 3  # three of 20.00 fit in 65.80
    assert sum(result.amount for result in paid) == Decimal("60.00")
    assert refused == ["amount_too_large"] * 3


def test_a_refund_is_read_back_as_it_now_stands(fake):
    created = refund()
    fake.set_refund_status(created.id, "failed", "expired_or_canceled_card")

    now = stripe_api.refund_retrieve(refund_id=created.id)

    assert now.status == "failed"
    assert now.failure_reason == "expired_or_canceled_card"
    assert now.metadata == {"portico_return": "7"}
    assert now.amount == Decimal("15.00")


def test_reading_an_unknown_refund_is_refused_with_its_code(fake):
    with pytest.raises(StripeApiError) as error:
        stripe_api.refund_retrieve(refund_id="re_nobody")

    assert error.value.code == "resource_missing"
    assert error.value.retryable is False


def test_a_payments_refunds_are_listed_across_pages_newest_first(fake):
    fake.payment_intents["pi_other"] = {"amount": 1000, "currency": "eur"}
    made = [refund("1.00", key=f"return-{i}:refund", portico_return=str(i)) for i in range(5)]
    refund("1.00", key="other", intent="pi_other")

    listed = stripe_api.refunds_for_payment(payment_intent=INTENT)

    assert [r.id for r in listed] == [r.id for r in reversed(made)]
    # What the returns app does once a key has expired: find its refund by metadata.
    assert [r.id for r in listed if r.metadata.get("portico_return") == "3"] == [made[3].id]
    pages = [r for r in fake.requests if r.method == "GET"]
    assert len(pages) == 3  # two per page on this fake
    assert all(page.query["payment_intent"] == INTENT for page in pages)
    assert pages[1].query["starting_after"] == made[3].id


def test_a_payment_without_refunds_lists_none(fake):
    assert stripe_api.refunds_for_payment(payment_intent=INTENT) == []
