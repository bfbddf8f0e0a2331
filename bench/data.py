"""The bench database: create it, migrate it, fill it, and log customers in.

Seeding is idempotent-ish: every step first looks for what it would create, so a second
run on the same database only adds what is missing and takes seconds.
"""

import io
from dataclasses import dataclass
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from portal.demo import FIRST_NAMES, LAST_NAMES

CUSTOMER_PREFIX = "bench-customer-"
CUSTOMER_PASSWORD = "bench-customer"  # noqa: S105 (bench-only data, never deployed)
TURKISH_LAST_NAMES = {"Yılmaz", "Kaya", "Demir", "Şahin"}
BATCH_SIZE = 2000


def customer_email(number: int) -> str:
    """The email of the bench's ``number``-th customer (1-based)."""
    return f"{CUSTOMER_PREFIX}{number:06d}@example.com"


# --- With Django: schema, data, static files ---------------------------------------------


def migrate() -> None:
    call_command("migrate", interactive=False, verbosity=0)


def seed_demo() -> list[str]:
    """The store every developer sees with `make demo`; returns what it printed."""
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return [line for line in out.getvalue().splitlines() if line.strip()]


def seed_customers(count: int) -> int:
    """Make sure customers 1..count exist, each with a verified primary email.

    Returns how many users were created.
    """
    User = get_user_model()
    existing = set(
        User.objects.filter(email__startswith=CUSTOMER_PREFIX).values_list("email", flat=True)
    )
    missing = [n for n in range(1, count + 1) if customer_email(n) not in existing]
    # One hash for everyone: PBKDF2 on 20,000 passwords would take minutes.
    password = make_password(CUSTOMER_PASSWORD)
    now = timezone.now()
    with transaction.atomic():
        User.objects.bulk_create(
            (_customer(User, n, password, now) for n in missing), batch_size=BATCH_SIZE
        )
        _verify_emails()
    return len(missing)


def _customer(User, number: int, password: str, now):
    first = FIRST_NAMES[number % len(FIRST_NAMES)]
    last = LAST_NAMES[number % len(LAST_NAMES)]
    return User(
        email=customer_email(number),
        password=password,
        first_name=first,
        last_name=last,
        language="tr" if last in TURKISH_LAST_NAMES else "en",
        # Spread over three years, as a real customer base is, for pages that sort by it.
        date_joined=now - timedelta(days=number % 1095, minutes=number),
    )


def _verify_emails() -> None:
    """A verified primary EmailAddress for every bench customer that has none yet."""
    from allauth.account.models import EmailAddress

    User = get_user_model()
    rows = User.objects.filter(
        email__startswith=CUSTOMER_PREFIX, emailaddress__isnull=True
    ).values_list("pk", "email")
    EmailAddress.objects.bulk_create(
        (
            EmailAddress(user_id=pk, email=email, verified=True, primary=True)
            for pk, email in rows.iterator()
        ),
        batch_size=BATCH_SIZE,
    )


def count_customers() -> int:
    return get_user_model().objects.filter(email__startswith=CUSTOMER_PREFIX).count()


def analyze() -> None:
    """Refresh the planner's statistics: right after a bulk load they describe empty
    tables, and a production database would have had autovacuum run long ago."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def collectstatic() -> None:
    """Into the bench's own STATIC_ROOT, with production's manifest storage, so pages
    render the hashed names and whitenoise serves them as in production."""
    call_command("collectstatic", interactive=False, verbosity=0)


# --- Logged-in sessions ------------------------------------------------------------------


def session_cookie(user) -> dict[str, str]:
    """A logged-in session for ``user``, written straight to the session store.

    What django.contrib.auth.login() stores, minus the request: no password check and
    no login form, so a scenario can bench any page as any user. Returns the cookie.
    """
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    # The first backend that can load users by id: AUTHENTICATION_BACKENDS lists it first.
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return {settings.SESSION_COOKIE_NAME: store.session_key}


@dataclass(frozen=True)
class Dataset:
    """What scenarios can ask about the seeded data (passed to their callables)."""

    customers: int
    # How many seed orders the order scenarios want (--orders); see bench/orderdata.py.
    orders: int = 0

    def customer(self, number: int):
        """The ``number``-th bench customer (1-based)."""
        return get_user_model().objects.get(email=customer_email(number))

    def typical_customer(self):
        """A customer from the middle of the table, not the first row a scan finds."""
        return self.customer(max(1, self.customers // 2))

    def login(self, user) -> dict[str, str]:
        """The cookies of a fresh logged-in session for ``user``."""
        return session_cookie(user)
