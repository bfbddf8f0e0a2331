"""Help center search at scale: latency of ``knowledgebase.search`` and top-3 relevance.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/portico_bench \
        .venv/bin/python bench/helpsearch.py [--articles 10000] [--repeat 5] [--fuzzy]

Makes sure the bench database holds the demo help center (``knowledgebase.demo.seed``)
and ``--articles`` filler articles (half English, half Turkish, under an "Archive"
category of each help center: pages inserted in bulk with treebeard paths computed here,
then indexed through modelsearch's own ``add_items``, which fills the search lexicon too),
then times ``search.search_articles`` over every query of ``bench/help_relevance.json``
(``[{"query", "language", "expected": <slug>, "kind"}]``) and prints the median and p95
latency and the share of queries whose expected article is in the top 3.
``--fuzzy`` also times modelsearch's ``Fuzzy`` query on the same queries, for comparison.
Goals: p95 under 50 ms, top-3 share at least 90 %.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench import workerbench  # noqa: E402

RELEVANCE = Path(__file__).resolve().parent / "help_relevance.json"
FILLER_SLUG = "archive-"
CHUNK = 500

WORDS = {
    "en": {
        "verbs": [
            "change",
            "cancel",
            "check",
            "update",
            "find",
            "download",
            "print",
            "reset",
            "move",
            "split",
            "combine",
            "confirm",
            "delay",
            "pause",
            "resume",
            "transfer",
            "share",
            "remove",
            "add",
            "request",
            "report",
        ],
        "things": [
            "invoice",
            "receipt",
            "address",
            "password",
            "newsletter",
            "voucher",
            "wishlist",
            "basket",
            "subscription",
            "warranty",
            "manual",
            "size",
            "chart",
            "colour",
            "swatch",
            "bundle",
            "preorder",
            "backorder",
            "gift",
            "wrap",
            "catalogue",
            "loyalty",
            "card",
            "store",
            "pickup",
            "locker",
            "courier",
            "customs",
            "duty",
        ],
        "filler": [
            "Most customers can do this themselves in a few steps",
            "If something looks wrong, keep your order number at hand and try again later",
            "The button is on the account page, under the section with your details",
            "Changes take effect at once",
            "An email confirming them can take up to an hour to arrive",
        ],
    },
    "tr": {
        "verbs": [
            "değiştirme",
            "iptal",
            "kontrol",
            "güncelleme",
            "bulma",
            "indirme",
            "yazdırma",
            "sıfırlama",
            "taşıma",
            "bölme",
            "birleştirme",
            "onaylama",
            "erteleme",
            "duraklatma",
            "aktarma",
            "paylaşma",
            "kaldırma",
            "ekleme",
            "talep",
            "bildirme",
        ],
        "things": [
            "fatura",
            "fiş",
            "adres",
            "şifre",
            "bülten",
            "kupon",
            "istek",
            "listesi",
            "sepet",
            "abonelik",
            "garanti",
            "kılavuz",
            "beden",
            "tablosu",
            "renk",
            "paket",
            "ön",
            "sipariş",
            "hediye",
            "paketi",
            "katalog",
            "sadakat",
            "kartı",
            "mağazadan",
            "teslim",
            "dolap",
            "kurye",
            "gümrük",
            "vergisi",
        ],
        "filler": [
            "Çoğu müşteri bunu birkaç adımda kendisi yapabilir",
            "Bir sorun görürseniz sipariş numaranızı yanınızda bulundurun",
            "Daha sonra yeniden deneyin",
            "Düğme, hesap sayfasında bilgilerinizin bulunduğu bölümdedir",
            "Değişiklikler hemen geçerli olur",
            "Onay e-postasının gelmesi bir saati bulabilir",
        ],
    },
}


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000, help="filler articles [10000]")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per query [5]")
    parser.add_argument("--fuzzy", action="store_true", help="also time modelsearch's Fuzzy")
    return parser.parse_args(argv)


def _filler_texts(language: str, n: int, rng: random.Random) -> tuple[str, str, str]:
    w = WORDS[language]
    verb, thing, other = rng.choice(w["verbs"]), rng.choice(w["things"]), rng.choice(w["things"])
    if language == "en":
        title = f"How to {verb} your {thing} ({n})"
        summary = f"{verb.capitalize()} a {thing} or a {other} from your account."
    else:
        title = f"{thing.capitalize()} {verb} ({n})"
        summary = f"Hesabınızdan {thing} ve {other} için {verb}."
    paragraphs = ". ".join(rng.sample(w["filler"], k=len(w["filler"])))
    body = f"<p>{summary} {paragraphs}.</p><p>{thing} {other} {verb}.</p>"
    return title, summary, body


def ensure_filler(total: int) -> int:
    """Make sure ``total`` filler articles exist; returns how many were added now."""
    import uuid

    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.utils import timezone
    from modelsearch.backends import get_search_backend
    from wagtail.models import Page

    from knowledgebase.models import ArticlePage, HelpCategoryPage, HelpCenterPage

    added = 0
    content_type = ContentType.objects.get_for_model(ArticlePage)
    backend = get_search_backend()
    index = backend.get_index_for_model(ArticlePage)
    for language in ("en", "tr"):
        want = total // 2 + (total % 2 if language == "en" else 0)
        center = HelpCenterPage.objects.get(locale__language_code=language)
        archive = HelpCategoryPage.objects.child_of(center).filter(slug="archive").first()
        if archive is None:
            archive = center.add_child(
                instance=HelpCategoryPage(title="Archive", slug="archive", icon="question")
            )
            archive.save_revision().publish()
        archive = HelpCategoryPage.objects.get(pk=archive.pk)
        have = archive.numchild
        rng = random.Random(f"{language}-{have}")
        now = timezone.now()
        for start in range(have, want, CHUNK):
            stop = min(want, start + CHUNK)
            pages, extra = [], []
            for n in range(start + 1, stop + 1):
                title, summary, body = _filler_texts(language, n, rng)
                slug = f"{FILLER_SLUG}{n}"
                pages.append(
                    Page(
                        title=title,
                        draft_title=title,
                        slug=slug,
                        content_type=content_type,
                        path=archive.path + _step(n),
                        depth=archive.depth + 1,
                        numchild=0,
                        url_path=f"{archive.url_path}{slug}/",
                        live=True,
                        has_unpublished_changes=False,
                        first_published_at=now,
                        last_published_at=now,
                        live_revision=None,
                        locale_id=archive.locale_id,
                        translation_key=uuid.uuid4(),
                    )
                )
                extra.append((summary, body))
            with transaction.atomic():
                created = Page.objects.bulk_create(pages)
                stream = [
                    json.dumps([{"type": "text", "value": body, "id": str(uuid.uuid4())}])
                    for _, body in extra
                ]
                with connection.cursor() as cursor:
                    cursor.executemany(
                        f"INSERT INTO {ArticlePage._meta.db_table} "  # noqa: S608
                        "(page_ptr_id, summary, body) VALUES (%s, %s, %s)",
                        [
                            (p.pk, summary, body)
                            for p, (summary, _), body in zip(created, extra, stream, strict=True)
                        ],
                    )
                Page.objects.filter(pk=archive.pk).update(numchild=stop)
                objs = list(ArticlePage.objects.filter(pk__in=[p.pk for p in created]))
                index.add_items(ArticlePage, objs)
            added += stop - start
            print(f"   {language}: {stop}/{want} filler articles", flush=True)
    return added


def _step(n: int) -> str:
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = alphabet[r] + out
    return out.rjust(4, "0")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main(argv=None) -> int:
    args = parse_args(argv)
    workerbench.os.environ.setdefault("BENCH_DATABASE_URL", workerbench.DEFAULT_DATABASE_URL)
    url = workerbench.database.database_url()
    if workerbench.database.ensure_database(url):
        print(f"Created the database of {url}")
    workerbench.setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import translation

    from knowledgebase import search
    from knowledgebase.models import ArticlePage

    if connection.vendor != "postgresql":
        raise SystemExit("bench/helpsearch.py runs on PostgreSQL only (BENCH_DATABASE_URL)")
    started = workerbench.step("migrate")
    call_command("migrate", interactive=False, verbosity=0)
    workerbench.step("demo help center")
    from knowledgebase import demo

    demo.seed()
    workerbench.step(f"{args.articles} filler articles")
    added = ensure_filler(args.articles)
    with connection.cursor() as cursor:
        # VACUUM too: rows inserted in bulk sit in the GIN indexes' pending lists, which every
        # search then reads through (10 ms a query) until autovacuum merges them.
        cursor.execute("VACUUM ANALYZE")
    print(f"   added {added}; {ArticlePage.objects.live().count()} live articles in all")

    if RELEVANCE.exists():
        pairs = json.loads(RELEVANCE.read_text())
    else:
        print(f"   {RELEVANCE.name} is missing: timing the demo titles, no relevance share")
        pairs = [
            {"query": p.title, "language": p.locale.language_code, "expected": p.slug}
            for p in ArticlePage.objects.live()
            .exclude(slug__startswith=FILLER_SLUG)
            .select_related("locale")[:40]
        ]

    workerbench.step(f"{len(pairs)} queries × {args.repeat}")
    times, top3, misses = [], 0, []
    for pair in pairs:
        with translation.override(pair["language"]):
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                found = search.search_articles(
                    query=pair["query"], language=pair["language"], limit=10
                )
                times.append((time.perf_counter() - t0) * 1000)
        slugs = [hit.page.slug for hit in found.hits[:3]]
        if pair["expected"] in slugs:
            top3 += 1
        else:
            misses.append((pair.get("kind", "?"), pair["language"], pair["query"], slugs))
    print(
        f"search latency: median {statistics.median(times):.1f} ms, "
        f"p95 {percentile(times, 0.95):.1f} ms (goal < 50 ms)"
    )
    if RELEVANCE.exists():
        print(f"top-3 share: {top3}/{len(pairs)} = {100 * top3 / len(pairs):.0f} % (goal ≥ 90 %)")
        for kind, language, query, slugs in misses:
            print(f"   missed [{kind}, {language}] {query!r} → {slugs}")

    if args.fuzzy:
        from modelsearch.query import Fuzzy
        from wagtail.models import Locale

        fuzzy_times = []
        for pair in pairs:
            locale = Locale.objects.get(language_code=pair["language"])
            base = ArticlePage.objects.live().filter(locale=locale)
            for _ in range(max(1, args.repeat // 2)):
                t0 = time.perf_counter()
                list(base.search(Fuzzy(pair["query"]))[:10])
                fuzzy_times.append((time.perf_counter() - t0) * 1000)
        print(
            f"modelsearch Fuzzy: median {statistics.median(fuzzy_times):.1f} ms, "
            f"p95 {percentile(fuzzy_times, 0.95):.1f} ms"
        )
    print(f"done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
