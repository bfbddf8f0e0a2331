import io

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def _counts():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"portal", "wagtailcore", "account", "auth", "knowledgebase"}
        and not model._meta.proxy
        and model._meta.label != "wagtailcore.ModelLogEntry"
    }


def test_seed_demo_builds_a_store_and_running_it_again_changes_nothing():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "admin@portico.test" in out.getvalue()
    first = _counts()
    assert first["portal.User"] >= 60
    assert EmailAddress.objects.filter(verified=True).count() == first["portal.User"]
    assert first["portal.StandardPage"] == 4  # two pages, each in English and Turkish
    assert first["knowledgebase.ArticlePage"] >= 80  # the help center, in both languages

    call_command("seed_demo", stdout=io.StringIO())
    assert _counts() == first


def test_demo_admin_can_sign_in_to_wagtail(client):
    call_command("seed_demo", stdout=io.StringIO())
    response = client.post(
        "/admin/login/", {"username": "admin@portico.test", "password": "portico-demo"}
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
