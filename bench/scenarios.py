"""What the bench measures. A feature adds its pages by appending to SCENARIOS.

A scenario's path, headers and cookies are either plain values or callables that take the
seeded ``Dataset`` and compute them from the database after seeding (a customer's order,
a logged-in session). ``seed`` runs after the foundation's seed, on every run, so it must
itself skip what already exists.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import quote

from django.urls import reverse

from bench import loyaltydata, orderdata
from bench.data import Dataset
from bench.loadgen import Target
from orders.access import grant_token

Value = str | Callable[[Dataset], str]
Pairs = Mapping[str, str] | Callable[[Dataset], Mapping[str, str]]

# Characters a path may keep as they are; anything else (a Turkish slug) is percent-encoded.
PATH_SAFE = "/%?&=:;,+@!$'()*~"


@dataclass(frozen=True)
class Scenario:
    """A page to bench: its name in the table, and how to request it."""

    name: str
    path: Value
    headers: Pairs = field(default_factory=dict)
    cookies: Pairs = field(default_factory=dict)
    seed: Callable[[Dataset], None] | None = None
    # The target for the page, as a share of the baseline's req/s (0.33: within 3x).
    goal: float | None = None
    # wrk's connections (and threads, at most 2) when not the harness's 8: 1 measures one
    # client alone, compared with the baseline measured the same way.
    connections: int | None = None
    # A latency goal: the median of the runs' p95 must stay under it.
    p95_goal_ms: float | None = None

    def resolve(self, data: Dataset) -> Target:
        path = self.path(data) if callable(self.path) else self.path
        headers = dict(self.headers(data) if callable(self.headers) else self.headers)
        cookies = self.cookies(data) if callable(self.cookies) else self.cookies
        if cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
        return Target(self.name, quote(path, safe=PATH_SAFE), headers)


def logged_in_as_typical_customer(data: Dataset) -> Mapping[str, str]:
    return data.login(data.typical_customer())


SCENARIOS: list[Scenario] = [
    Scenario("home", "/"),
    Scenario("home-tr", "/tr/"),
    Scenario("login", "/accounts/login/"),
    Scenario("healthz", "/healthz"),
    Scenario("account", "/account/", cookies=logged_in_as_typical_customer),
]


# --- Order tracking (orders/): the pages, at --orders scale -------------------------
# Their goal: within 3x of the baseline's req/s.
ORDER_PAGE_GOAL = 0.33


def seed_orders(data: Dataset) -> None:
    """The --orders seed orders, then the order the pages open (both skip what exists)."""
    orderdata.seed_orders(data)
    orderdata.track_order(data)


def guest_tracking_path(data: Dataset) -> str:
    """The page a guest's signed link opens (what the /track/ form redirects to)."""
    order = orderdata.track_order(data)
    return reverse("orders:track_order", args=[grant_token(order.pk)])


def my_order_path(data: Dataset) -> str:
    return reverse("orders:detail", args=[orderdata.track_order(data).number])


SCENARIOS += [
    Scenario("track-order", guest_tracking_path, seed=seed_orders, goal=ORDER_PAGE_GOAL),
    Scenario(
        "order-detail",
        my_order_path,
        cookies=logged_in_as_typical_customer,
        seed=seed_orders,
        goal=ORDER_PAGE_GOAL,
    ),
    Scenario(
        "order-list",
        lambda data: reverse("orders:list"),
        cookies=logged_in_as_typical_customer,
        seed=seed_orders,
        goal=ORDER_PAGE_GOAL,
    ),
]


# --- The rewards page (loyalty/): a member with 5,000 entries among ~1,000,000 -------------


def seed_ledger(data: Dataset) -> None:
    """The ledger at scale (bench/loyaltydata.py): skips what exists."""
    loyaltydata.seed_ledger(data)


SCENARIOS += [
    # Under load, as the other pages: req/s against the baseline's.
    Scenario("rewards", "/rewards/", cookies=logged_in_as_typical_customer, seed=seed_ledger),
    # The goal for it: p95 under 50 ms for one client alone (wrk -t1 -c1), where
    # the latency is the page's own and not gunicorn's queue.
    Scenario(
        "rewards-1c",
        "/rewards/",
        cookies=logged_in_as_typical_customer,
        seed=seed_ledger,
        connections=1,
        p95_goal_ms=50,
    ),
]


# --- The help article page (knowledgebase/): one article among 10,000 published ----------
# The goal: within 2x of the baseline's req/s.
from bench import helppages  # noqa: E402

SCENARIOS += [
    # Guests (no cookies) get the copy portal.pagecache keeps: the number the goal is about.
    Scenario("help-article", helppages.article_path, seed=helppages.seed_articles, goal=0.5),
    # The same page rendered every time: a query string is never kept (what a guest's first
    # visit after a publication, or a signed-in customer, costs).
    Scenario(
        "help-article-render",
        lambda data: helppages.article_path(data) + "?utm_source=bench",
        seed=helppages.seed_articles,
    ),
]


# --- The returns queue (returns/): 100,000 returns, as a support agent -------------------
# The goal: p95 under 100 ms. bench/returns_queue.py measures it in-process too,
# with filters and searches (bench/README.md, "Returns").
from bench import returns_queue  # noqa: E402

SCENARIOS += [
    Scenario(
        name,
        path,
        cookies=returns_queue.agent_cookies,
        seed=returns_queue.seed_for_run,
        connections=1,
        p95_goal_ms=100,
    )
    for name, path in (
        ("returns-queue-1c", "/admin/returns/"),
        ("returns-search-1c", returns_queue.search_path),
    )
]
