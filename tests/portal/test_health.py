import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True
    assert body["failing"] == []


@override_settings(CELERY_BROKER_URL="redis://:s3cret@127.0.0.1:1/0")
def test_healthz_with_the_broker_down_answers_503_naming_the_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["broker"]
    assert "broker unreachable at redis://" in body["checks"]["broker"]["error"]
    assert body["checks"]["database"]["ok"] is True
    # The password in the broker URL is never shown.
    assert "s3cret" not in response.content.decode()


def test_healthz_shows_when_beat_last_ran(client):
    from portal.tasks import heartbeat

    heartbeat.delay()
    beat = client.get("/healthz").json()["beat"]
    assert beat["stale"] is False
    assert beat["age_seconds"] <= 5
