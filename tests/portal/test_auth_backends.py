"""The signed-in user is read from the cache (portal/auth_backends.py), and every change
to their row is seen on their next request."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse

from portal.auth_backends import user_cache_forget, user_cache_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, user_factory):
    user = user_factory(email="ada@example.com")
    client.force_login(user)
    assert client.get(reverse("account_dashboard")).status_code == 200
    return user


def _is_signed_in(client) -> bool:
    response = client.get(reverse("account_dashboard"))
    assert response.status_code in (200, 302)
    return response.status_code == 200


def test_the_user_is_read_from_the_database_once(client, signed_in, django_assert_num_queries):
    from django.contrib.auth import get_user

    assert cache.get(user_cache_key(signed_in.pk)) is not None
    request = client.get(reverse("account_dashboard")).wsgi_request
    with django_assert_num_queries(0):
        assert get_user(request).pk == signed_in.pk


def test_a_password_changed_elsewhere_signs_out_the_other_sessions(client, signed_in):
    user = get_user_model().objects.get(pk=signed_in.pk)
    user.set_password("another long passphrase 7")
    user.save()
    assert not _is_signed_in(client)


def test_a_deactivated_user_is_signed_out_on_their_next_request(client, signed_in):
    signed_in.is_active = False
    signed_in.save(update_fields=["is_active"])
    assert not _is_signed_in(client)


def test_a_deleted_user_is_signed_out_on_their_next_request(client, signed_in):
    signed_in.delete()
    assert not _is_signed_in(client)


def test_a_new_name_shows_on_the_next_request(client, signed_in):
    signed_in.first_name = "Augusta"
    signed_in.save(update_fields=["first_name"])
    assert client.get(reverse("account_dashboard")).wsgi_request.user.first_name == "Augusta"


def test_an_update_without_signals_is_seen_once_the_copy_is_forgotten(client, signed_in):
    get_user_model().objects.filter(pk=signed_in.pk).update(is_active=False)
    assert _is_signed_in(client)  # the cached copy: update() sends no signal
    user_cache_forget(signed_in.pk)
    assert not _is_signed_in(client)


def test_a_change_in_a_transaction_is_seen_after_it_commits(
    client, signed_in, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        signed_in.is_active = False
        signed_in.save(update_fields=["is_active"])
        # A request that read the row before the commit puts the old copy back...
        cache.set(user_cache_key(signed_in.pk), get_user_model()(pk=signed_in.pk))
    # ...and the commit drops it again.
    assert cache.get(user_cache_key(signed_in.pk)) is None
    assert not _is_signed_in(client)


def test_a_user_marked_inactive_in_bulk_in_the_admin_is_signed_out(client, signed_in):
    from django.test import Client

    admin = get_user_model().objects.create_superuser(
        email="admin@example.com", password="admin passphrase 1"
    )
    staff = Client()
    staff.force_login(admin)
    url = reverse("wagtail_bulk_action", args=("portal", "user", "set_active_state"))
    response = staff.post(f"{url}?id={signed_in.pk}", {"mark_as_active": False})
    assert response.status_code == 302
    assert not get_user_model().objects.get(pk=signed_in.pk).is_active
    # Wagtail writes it with update(), which sends no signal: the hook drops the copy.
    assert not _is_signed_in(client)


@pytest.mark.parametrize(
    "backend",
    [
        "django.contrib.auth.backends.ModelBackend",
        "allauth.account.auth_backends.AuthenticationBackend",
    ],
)
def test_a_session_signed_in_before_the_cache_stays_signed_in(client, user_factory, backend):
    user = user_factory(email="old@example.com")
    client.force_login(user, backend=backend)
    assert _is_signed_in(client)
