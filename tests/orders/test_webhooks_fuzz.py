"""Property-based: whatever arrives at a webhook endpoint, never a 500, never a lost
delivery. Signed junk is stored (failed or ignored); unsigned junk is refused."""

import json
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orders.models import WebhookDelivery
from tests.orders import webhook_helpers as hooks

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=20,
)

# Real payloads with one field replaced by something random: the adapters' hard cases.
REAL = {
    "shopify": ("orders/create", hooks.payload("shopify_order.json")),
    "portico": ("order", {"type": "order", "data": {
        "id": "F1", "number": "F1", "email": "f@example.com", "currency": "USD",
        "total": "1.00", "placed_at": "2026-01-01T00:00:00Z",
        "lines": [{"id": "L1", "title": "T", "quantity": 1, "unit_price": "1.00"}]}}),
    "woocommerce": ("order.updated", hooks.payload("woocommerce_order_updated.json")),
    "stripe": ("", hooks.payload("stripe_checkout_session_completed.json")),
}  # fmt: skip


def send(client, connector, body, *, signed=True, topic=None):
    delivery_id = str(uuid.uuid4())
    signature = None if signed else False
    if connector == "shopify":
        return hooks.shopify(client, topic or "orders/create", body, delivery_id=delivery_id,
                             signature=signature)  # fmt: skip
    if connector == "woocommerce":
        return hooks.woocommerce(client, topic or "order.updated", body, delivery_id=delivery_id,
                                 signature=signature)  # fmt: skip
    if connector == "stripe":
        if isinstance(body, dict):
            body = {**body, "id": f"evt_{delivery_id}"}
        return hooks.stripe(client, body, signature=signature)
    return hooks.portico(client, body, delivery_id=delivery_id, signature=signature)


def mutate(value, path, replacement):
    if not path:
        return replacement
    head, *rest = path
    if isinstance(value, dict) and head in value:
        return {**value, head: mutate(value[head], rest, replacement)}
    if isinstance(value, list) and isinstance(head, int) and head < len(value):
        copy = list(value)
        copy[head] = mutate(value[head], rest, replacement)
        return copy
    return value


def paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from paths(child, (*prefix, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from paths(child, (*prefix, i))


CONNECTORS = ["shopify", "woocommerce", "stripe", "portico"]


@pytest.fixture(autouse=True)
def _local_stripe(settings):
    """Checkout events make the task ask Stripe for line items: a local fake answers."""
    from tests.orders.fake_stripe import FakeStripe

    with FakeStripe(api_key=settings.STRIPE_API_KEY) as fake:
        settings.STRIPE_API_BASE = fake.url
        yield


def _check(client, deliver, connector, body, signed=True):
    before = WebhookDelivery.objects.count()
    response = deliver(send, client, connector, body, signed=signed)
    after = WebhookDelivery.objects.count()
    assert response.status_code != 500
    if signed:
        assert response.status_code in (200, 202, 400), response.content
        answer = response.json()
        if answer.get("status") == "duplicate":
            # No delivery id in a body Stripe would send: the body's hash names it.
            assert after == before
            return
        assert after == before + 1, "a signed delivery was not kept"
        assert "error" in answer or answer.get("status") == "accepted"
        delivery = WebhookDelivery.objects.order_by("-pk").first()
        assert delivery.status != WebhookDelivery.Status.RECEIVED, "left unprocessed"
    else:
        assert response.status_code == 401
        assert after == before


@pytest.mark.parametrize("connector", CONNECTORS)
@FUZZ
@given(data=st.data())
def test_random_bytes_never_500_and_signed_ones_are_kept(client, deliver, connector, data):
    # Stripe signs UTF-8 JSON and its library verifies text, so its junk is UTF-8 text.
    bodies = (
        st.text(max_size=300).map(str.encode) if connector == "stripe" else st.binary(max_size=300)
    )
    _check(client, deliver, connector, data.draw(bodies))


@pytest.mark.parametrize("connector", CONNECTORS)
@FUZZ
@given(value=json_values)
def test_random_json_never_500_and_signed_ones_are_kept(client, deliver, connector, value):
    _check(client, deliver, connector, json.dumps(value).encode())


@pytest.mark.parametrize("connector", CONNECTORS)
@FUZZ
@given(data=st.data(), replacement=json_values)
def test_real_payloads_with_a_field_broken_never_500(client, deliver, connector, data, replacement):
    _topic, base = REAL[connector]
    path = data.draw(st.sampled_from(list(paths(base))))
    _check(client, deliver, connector, mutate(base, list(path), replacement))


@pytest.mark.parametrize("connector", CONNECTORS)
@FUZZ
@given(value=json_values)
def test_unsigned_deliveries_are_refused_and_not_kept(client, deliver, connector, value):
    _check(client, deliver, connector, json.dumps(value).encode(), signed=False)
