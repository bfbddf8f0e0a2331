"""/api/loyalty/me: the signed-in member's points as JSON."""

from datetime import timedelta
from decimal import Decimal

import pytest

from loyalty import services
from loyalty.models import Tier

pytestmark = pytest.mark.django_db

URL = "/api/loyalty/me"


def test_a_visitor_is_told_to_sign_in_as_json(client, program):
    response = client.get(URL)
    assert response.status_code == 401
    assert response.json() == {"error": "sign in first", "field": "session"}


def test_a_member_gets_their_points_tier_and_the_rewards_link(
    client, store, spend_rule, user_factory
):
    Tier.objects.create(name="Silver", threshold=50, multiplier=Decimal("1.25"))
    Tier.objects.create(name="Gold", threshold=400)
    user = user_factory(email="mira@example.com")
    services.member_join(user=user)
    store.order()
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    data = response.json()
    assert data["member"] is True
    assert data["points"]["pending"] == 100 and data["points"]["available"] == 0
    assert data["tier"]["name"] == "Silver"
    assert data["next_tier"] == {"name": "Gold", "basis": "points", "missing": 300}
    assert data["rewards_url"].endswith("/rewards/")


def test_each_user_sees_only_their_own_points(client, store, spend_rule, user_factory):
    services.member_join(user=user_factory(email="mira@example.com"))
    store.order()
    lin = user_factory(email="lin@example.com")
    client.force_login(lin)
    data = client.get(URL).json()
    assert data["member"] is False and "points" not in data


def test_only_get_is_allowed(client, program, user_factory):
    client.force_login(user_factory(email="mira@example.com"))
    assert client.post(URL).status_code == 405


def test_points_expiring_soon_are_announced(client, store, spend_rule, user_factory, program):
    from loyalty.models import Lot

    user = user_factory(email="mira@example.com")
    account = services.member_join(user=user)
    services.points_adjust(account_id=account.pk, points=40, staff=None, reason="x", key="k")
    from django.utils import timezone

    Lot.objects.filter(account=account).update(expires_at=timezone.now() + timedelta(days=3))
    client.force_login(user)
    assert client.get(URL).json()["points"]["expiring_soon"] == 40
