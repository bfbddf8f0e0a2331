"""Searching the help center: what a customer typed → live articles of their language.

How a query runs (PostgreSQL)
-----------------------------
1. **Normalise**: lower-case as the language does (in Turkish, dotted capital I → "i",
   "I" → dotless i), keep letters only, at most ``MAX_WORDS`` words. A Turkish word typed
   with an ASCII "I" ("IADE") is also tried with "i": not every customer types on a
   Turkish keyboard.
2. **One round trip for what the words are**: each word's Snowball stem (``ts_lexize``;
   none for a stop word, which is then dropped) and, for words the help center never uses,
   their closest words in the lexicon (``knowledgebase_searchword``, trigram index, see
   ``search_backend``). A candidate counts as a correction when its
   Damerau-Levenshtein distance is 1 (2 for words of 6+ letters): "retrun"→"return",
   "polcy"→"policy", "takbi"→"takibi".
3. **Full text**: each word becomes a group of alternatives — its stems (for Turkish the
   stem's own stem as well, and the plain word: the stemmer cuts "iade" to "ia" and
   "iadeler" to "iade"), its correction, and for the last word a prefix (typing in
   progress). Levels run from "every group" through "all but one" down to "any group",
   each one query answered by the GIN indexes; a level that finds fewer than
   ``MIN_RESULTS`` articles puts them first and lets the next level add the rest (a
   question in the customer's words shares most of its words with the answer, not all).
   Rank: the title vector (weight A, times modelsearch's title_norm, which favours short
   titles) counts twice, the rest once — summary, FAQ questions and tags are weight B,
   body text D.
4. **Snippets** are cut from the index's plain text in Python: every character is
   escaped and only the matched words are wrapped in ``<mark>``.

Why not modelsearch's ``Fuzzy``
--------------------------------
``Fuzzy`` (pg_trgm ``word_similarity`` of the query against ``title_text``/``body_text``)
is computed per row over whole body texts and its ``>=`` filter cannot use the trigram
index, so its cost grows with the corpus: on the bench database (10,000 filler articles +
the demo help center, 61 relevance queries) ``bench/helpsearch.py --fuzzy`` measured
median 1,304 ms, p95 1,814 ms for ``Fuzzy``, against 18 / 43 ms for this service.
Correcting words against a lexicon of a few thousand short words, walked nearest first
through its GiST trigram index, costs well under a millisecond and keeps every query on
the tsvector GIN indexes.

Elsewhere (SQLite) the same service uses Wagtail's own database backend: plain full text,
AND then OR, no typo tolerance and no stemming of Turkish suffixes.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from wagtail.models import Locale

from .models import ArticlePage, SearchClick, SearchEvent
from .search_backend import LEXICON_TABLE, config_for, dictionary_for, lower, words_of

MAX_QUERY_LENGTH = 200
MAX_WORDS = 8
SUGGESTIONS = 5
SNIPPET_CHARS = 180
# How long a suggestion that was opened still belongs to the search the box logged.
CLICK_WINDOW = timedelta(minutes=30)


class QueryTooLong(ValueError):
    """The query is longer than ``MAX_QUERY_LENGTH`` characters."""


@dataclass
class Hit:
    page: ArticlePage
    snippet: SafeString
    title: SafeString

    @property
    def id(self) -> int:
        return self.page.pk


@dataclass
class Promotion:
    title: str
    url: str
    description: str
    page_id: int | None = None


@dataclass
class Results:
    query: str
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    corrections: dict[str, str] = field(default_factory=dict)


@dataclass
class _Word:
    text: str
    variants: list[str]
    stems: set[str] = field(default_factory=set)
    stop: bool = False
    correction: str | None = None
    correction_stem: str | None = None


def normalise(query: str | None, *, language: str) -> str:
    """The query as analytics and promotions key it: lower-cased, single spaces.

    Raises ``QueryTooLong`` for more than ``MAX_QUERY_LENGTH`` characters.
    """
    text = " ".join((query or "").split())
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryTooLong(text)
    return lower(text, language)


def search_articles(
    *, query: str, language: str, offset: int = 0, limit: int = 10, exclude: tuple = ()
) -> Results:
    """Live ArticlePages of ``language`` matching ``query``, best first, with snippets.

    Never returns another language's pages, drafts or other page types. ``total`` counts
    every match; ``hits`` are those from ``offset`` (at most ``limit``). ``exclude``: page
    ids left out (the promoted ones). Writes nothing.
    """
    text = normalise(query, language=language)
    results = Results(query=text)
    words = words_of(text, language)[:MAX_WORDS]
    if not words:
        return results
    base = _articles(language, exclude)
    if base is None:
        return results
    if connection.vendor == "postgresql":
        pages, total, terms, results.corrections = _postgres(
            base, words, language, offset, limit, count=True
        )
    else:
        pages, total, terms = _database(base, words, offset, limit, count=True)
    results.total = total
    results.hits = _with_snippets(pages, terms, language)
    return results


def suggest(*, query: str, language: str, limit: int = SUGGESTIONS) -> list[ArticlePage]:
    """At most ``limit`` live articles of ``language`` for a query being typed (its last
    word may be a prefix). Writes nothing."""
    text = normalise(query, language=language)
    words = words_of(text, language)[:MAX_WORDS]
    if not words:
        return []
    base = _articles(language)
    if base is None:
        return []
    if connection.vendor == "postgresql":
        pages, *_ = _postgres(base, words, language, 0, limit, count=False)
    else:
        pages, *_ = _database(base, words, 0, limit, count=False, prefix=True)
    return pages


def promotions_for(*, query: str, language: str) -> list[Promotion]:
    """Editors' picks (Wagtail's search promotions) for exactly this query.

    Pages are kept only when they are live ArticlePages of ``language``; links elsewhere
    are kept as the editor wrote them.
    """
    from wagtail.contrib.search_promotions.models import SearchPromotion
    from wagtail.search.utils import normalise_query_string

    text = normalise(query, language=language)
    if not text:
        return []
    keys = {text, normalise_query_string(query), normalise_query_string(text)}
    picks = list(
        SearchPromotion.objects.filter(query__query_string__in=keys).order_by("sort_order", "pk")
    )
    page_ids = [p.page_id for p in picks if p.page_id]
    articles = (
        ArticlePage.objects.live().filter(pk__in=page_ids, locale__language_code=language).in_bulk()
    )
    out, seen = [], set()
    for pick in picks:
        if pick.page_id:
            article = articles.get(pick.page_id)
            if article is None or article.pk in seen:
                continue
            seen.add(article.pk)
            out.append(
                Promotion(
                    title=article.title,
                    url=article.url,
                    description=pick.description or article.summary,
                    page_id=article.pk,
                )
            )
        elif pick.external_link_url:
            out.append(
                Promotion(
                    title=pick.external_link_text or pick.external_link_url,
                    url=pick.external_link_url,
                    description=pick.description,
                )
            )
    return out


def search_record(*, query: str, language: str, results: int, source: str) -> SearchEvent | None:
    """Log one search (for the analytics report); None for an empty query.

    The query is stored normalised so that "IADE " and "iade" count as one.
    """
    text = normalise(query, language=language)
    if not text:
        return None
    return SearchEvent.objects.create(
        query=text, language=language[:8], results=max(results, 0), source=source
    )


def search_click_record(*, search_id: int, article_id: int, position: int) -> bool:
    """Record that a result of a logged search was opened; True if it is a new click.

    Idempotent (one click per search and article, by constraint). Unknown searches and
    anything but a live article are ignored.
    """
    if not SearchEvent.objects.filter(pk=search_id).exists():
        return False
    if not ArticlePage.objects.live().filter(pk=article_id).exists():
        return False
    try:
        with transaction.atomic():
            SearchClick.objects.create(
                search_id=search_id, article_id=article_id, position=max(0, min(position, 999))
            )
    except IntegrityError:
        return False
    return True


def suggestion_open_record(
    *, query: str, language: str, source: str, article_id: int, position: int
) -> bool:
    """A suggestion was opened: click-through for the search the box logged for this query
    (the latest in ``CLICK_WINDOW``), else for a search logged now."""
    text = normalise(query, language=language)
    if not text:
        return False
    event = (
        SearchEvent.objects.filter(
            query=text,
            language=language,
            source=source,
            created_at__gte=timezone.now() - CLICK_WINDOW,
        )
        .order_by("-created_at")
        .first()
    )
    if event is None:
        shown = len(suggest(query=text, language=language))
        event = search_record(query=text, language=language, results=shown, source=source)
    return search_click_record(search_id=event.pk, article_id=article_id, position=position)


def _articles(language: str, exclude: tuple = ()):
    """Live articles of ``language`` (by locale id: a filter every backend can apply)."""
    locale = Locale.objects.filter(language_code=language).first()
    if locale is None:
        return None
    base = ArticlePage.objects.live().filter(locale=locale)
    return base.exclude(pk__in=exclude) if exclude else base


# --- PostgreSQL ----------------------------------------------------------------------------


def _osa(a: str, b: str) -> int:
    """Optimal string alignment distance (a transposition counts as one edit)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def _variants(word: str, language: str) -> list[str]:
    if language.startswith("tr") and "ı" in word:
        return [word, word.replace("ı", "i")]
    return [word]


def _analyse(words: list[str], language: str) -> list[_Word]:
    analysed = [_Word(text=w, variants=_variants(w, language)) for w in words]
    flat = sorted({v for w in analysed for v in w.variants})
    dictionary = dictionary_for(language)
    stems: dict[str, list[str]] = {}
    known: set[str] = set()
    candidates: dict[str, list[tuple[str, str, float]]] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        # The stem's own stem too: Snowball's Turkish takes one layer of suffixes at a time
        # ("faturamı" → "fatura", but the articles' "fatura" is indexed as "fatur").  # noqa: RUF003
        cursor.execute(
            "SELECT w, s, ts_lexize(%s::regdictionary, s[1]) FROM "
            "(SELECT w, ts_lexize(%s::regdictionary, w) AS s FROM unnest(%s::text[]) AS w) t",
            [dictionary, dictionary, flat],
        )
        stems = {w: list(dict.fromkeys((s or []) + (s2 or []))) for w, s, s2 in cursor.fetchall()}
        # Corrections are looked up for words of 4+ letters the help center never uses.
        try:
            with transaction.atomic():
                # varchar[]: compared as text, PostgreSQL would take the trigram index
                # for an equality and spend milliseconds where the primary key takes µs.
                cursor.execute(
                    f"SELECT word FROM {LEXICON_TABLE} "  # noqa: S608
                    "WHERE language = %s AND word = ANY(%s::varchar[])",
                    [language, flat],
                )
                known = {row[0] for row in cursor.fetchall()}
                # A word the articles use in another form ("exchanging" where they say
                # "exchange") is no typo: its stem is theirs, and "correcting" it to a
                # near word ("changing") would only bring in what the customer did not ask.
                stemmed = {s: w for w in flat if w not in known for s in stems.get(w, [])}
                if stemmed:
                    cursor.execute(
                        f"SELECT DISTINCT stem FROM {LEXICON_TABLE} "  # noqa: S608
                        "WHERE language = %s AND stem = ANY(%s::varchar[])",
                        [language, list(stemmed)],
                    )
                    known |= {stemmed[row[0]] for row in cursor.fetchall()}
                unknown = [w for w in flat if w not in known and len(w) >= 4]
                if unknown:
                    # The 20 nearest words by trigram distance, walked from the GiST index
                    # (k-nearest-neighbour order) rather than scored over the whole lexicon.
                    cursor.execute(
                        "SELECT q.w, c.word, c.stem, c.sim FROM unnest(%s::text[]) AS q(w) "  # noqa: S608
                        "CROSS JOIN LATERAL (SELECT word, stem, similarity(word, q.w) AS sim "
                        f"FROM {LEXICON_TABLE} WHERE language = %s AND stem IS NOT NULL "
                        "ORDER BY word <-> q.w LIMIT 20) AS c WHERE c.sim >= 0.2",
                        [unknown, language],
                    )
                    for w, word, stem, sim in cursor.fetchall():
                        candidates.setdefault(w, []).append((word, stem, sim))
        except Exception:  # a database without the lexicon searches without it
            known, candidates = set(flat), {}
    for word in analysed:
        for variant in word.variants:
            word.stems.update(stems.get(variant, []))
        word.stop = not word.stems
        if any(v in known for v in word.variants):
            continue
        best = None
        for variant in word.variants:
            limit = 2 if len(variant) >= 6 else 1
            for cand, stem, sim in candidates.get(variant, []):
                distance = _osa(variant, cand)
                if 0 < distance <= limit and (best is None or (distance, -sim) < best[0]):
                    best = ((distance, -sim), cand, stem)
        if best:
            word.correction, word.correction_stem = best[1], best[2]
    return analysed


def _lexeme(text: str, prefix: bool = False) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'" + (":*" if prefix else "")


def _groups(analysed: list[_Word], language: str) -> tuple[list[list[str]], set[str]]:
    """tsquery alternatives per word, and the plain terms snippets should mark."""
    plain_too = config_for(language) == "turkish"
    groups, terms = [], set()
    last = len(analysed) - 1
    for i, word in enumerate(analysed):
        alternatives: set[str] = set()
        if word.stop and i != last:
            continue
        for stem in word.stems:
            alternatives.add(_lexeme(stem))
            terms.add(stem)
        if plain_too:
            for variant in word.variants:
                alternatives.add(_lexeme(variant))
                terms.add(variant)
        if word.correction:
            alternatives.add(_lexeme(word.correction))
            terms.add(word.correction)
            if word.correction_stem:
                alternatives.add(_lexeme(word.correction_stem))
        if i == last and not word.stop and len(word.text) >= 2:
            for variant in word.variants:
                alternatives.add(_lexeme(variant, prefix=True))
                terms.add(variant)
        if alternatives:
            groups.append(sorted(alternatives))
    return groups, terms


# "At least k of the words" is written out as an OR of every k-word AND; a level whose
# written-out query would be longer than this is skipped for the next, shorter one.
MAX_COMBINATIONS = 40


def _levels(groups: list[list[str]]) -> list[str]:
    """Raw tsqueries from "every word" down to "any word".

    A paraphrase rarely shares every word with the article that answers it, but it shares
    most of them, while an unrelated article shares one common word at best: requiring as
    many words as some article has keeps both the ranking sharp and the set to rank small.
    Each level is answered by the GIN indexes alone, so an empty level costs well under a
    millisecond.
    """
    from itertools import combinations

    alternatives = ["(" + " | ".join(g) + ")" for g in groups]
    levels = []
    for k in range(len(alternatives), 0, -1):
        combos = list(combinations(alternatives, k))
        if k == 1:
            levels.append(" | ".join(alternatives))
        elif len(combos) <= MAX_COMBINATIONS:
            levels.append(" | ".join("(" + " & ".join(c) + ")" for c in combos))
    return levels


# A level that finds fewer articles than this does not end the search: they come first,
# and the next, looser level adds the rest.
MIN_RESULTS = 3


def _postgres(base, words, language, offset, limit, *, count: bool):
    from django.contrib.postgres.search import SearchQuery, SearchRank
    from django.db.models import Count, F, Q, Window
    from modelsearch.backends.database.postgres.weights import WEIGHTS_VALUES

    analysed = _analyse(words, language)
    groups, terms = _groups(analysed, language)
    corrections = {w.text: w.correction for w in analysed if w.correction}
    if not groups:
        return [], 0, terms, corrections
    weights = list(WEIGHTS_VALUES) or [0.1, 0.2, 0.4, 1.0]
    levels = _levels(groups)
    # Articles of stricter levels, best first; each level is one query (its page of
    # results with the level's total alongside).
    found: list = []
    for number, raw in enumerate(levels):
        tsquery = SearchQuery(raw, search_type="raw", config="simple")
        matches = base.filter(
            Q(index_entries__title=tsquery) | Q(index_entries__body=tsquery)
        ).annotate(
            _rank=SearchRank(F("index_entries__title"), tsquery, weights=weights)
            * F("index_entries__title_norm")
            * 2
            + SearchRank(F("index_entries__body"), tsquery, weights=weights),
            _text=F("index_entries__body_text"),
            _total=Window(Count("pk")),
        )
        if found:
            matches = matches.exclude(pk__in=[page.pk for page in found])
        want = max(1, offset + limit - len(found))
        pages = list(matches.defer_streamfields().order_by("-_rank", "-pk")[:want])
        total = len(found) + (pages[0]._total if pages else 0)
        found += pages
        if total >= MIN_RESULTS or number == len(levels) - 1:
            page = found[offset : offset + limit]
            return page, total if count else len(found), terms, corrections
    return [], 0, terms, corrections


# --- SQLite and others ---------------------------------------------------------------------


def _database(base, words, offset, limit, *, count: bool, prefix: bool = False):
    from django.contrib.contenttypes.models import ContentType
    from modelsearch.backends import get_search_backend
    from wagtail.search.models import IndexEntry

    backend = get_search_backend()
    terms = set(words)
    text = " ".join(words)
    pages: list = []
    total = 0
    for operator in ("and", "or"):
        if prefix:
            found = backend.autocomplete(text, base, operator=operator)
        else:
            found = backend.search(text, base, operator=operator)
        total = found.count() if count else 0
        pages = list(found[offset : offset + limit])
        if pages:
            break
    if pages:
        content_type = ContentType.objects.get_for_model(ArticlePage)
        texts = dict(
            IndexEntry.objects.filter(
                content_type=content_type, object_id__in=[str(p.pk) for p in pages]
            ).values_list("object_id", "body")
        )
        for page in pages:
            page._text = texts.get(str(page.pk)) or ""
    return pages, total or len(pages), terms


# --- Snippets ------------------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W\d_]+")


def _matches(word: str, terms: set[str], language: str) -> bool:
    low = lower(word, language)
    folded = low.replace("ı", "i")
    for term in terms:
        if len(term) < 2:
            continue
        stem = term[:-1] if len(term) >= 5 else term
        if low.startswith(stem) or folded.startswith(stem.replace("ı", "i")):
            return True
    return False


def highlight(text: str, terms: set[str], language: str) -> SafeString:
    """``text`` escaped, with the words matching ``terms`` in ``<mark>``."""
    out, last = [], 0
    for match in _TOKEN.finditer(text):
        if _matches(match.group(), terms, language):
            out.append(html.escape(text[last : match.start()]))
            out.append(f"<mark>{html.escape(match.group())}</mark>")
            last = match.end()
    out.append(html.escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped


def snippet(text: str, terms: set[str], language: str, size: int = SNIPPET_CHARS) -> SafeString:
    """The ``size`` characters of ``text`` around its first matching word, highlighted."""
    text = " ".join(text.split())
    start = 0
    for match in _TOKEN.finditer(text):
        if _matches(match.group(), terms, language):
            start = max(0, match.start() - size // 3)
            break
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < match.start() else start
    piece = text[start : start + size]
    if start + size < len(text):
        cut = piece.rfind(" ")
        piece = (piece[:cut] if cut > size // 2 else piece) + " …"
    if start:
        piece = "… " + piece
    return highlight(piece, terms, language)


def _with_snippets(pages, terms: set[str], language: str) -> list[Hit]:
    hits = []
    for page in pages:
        source = getattr(page, "_text", "") or page.summary
        hits.append(
            Hit(
                page=page,
                title=highlight(page.title, terms, language),
                snippet=snippet(source, terms, language),
            )
        )
    return hits


# --- Analytics -----------------------------------------------------------------------------


@dataclass
class QueryRow:
    query: str
    language: str
    searches: int
    clicked: int = 0
    avg_results: float = 0.0
    last: object = None

    @property
    def click_through(self) -> float | None:
        return self.clicked / self.searches if self.searches else None


@dataclass
class SearchReport:
    searches: int
    zero: int
    clicked: int
    top: list[QueryRow]
    no_results: list[QueryRow]

    @property
    def zero_share(self) -> float | None:
        return self.zero / self.searches if self.searches else None

    @property
    def click_through(self) -> float | None:
        return self.clicked / self.searches if self.searches else None


def search_report(*, start, end, language: str = "", source: str = "", limit: int = 50):
    """Searches between the local dates ``start`` and ``end`` (inclusive): totals, the most
    searched queries with their click-through, and the queries that found nothing. Reads only.
    """
    from datetime import datetime, time

    from django.db.models import Avg, Count, Max, Q

    zone = timezone.get_current_timezone()
    since = datetime.combine(start, time.min, tzinfo=zone)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    events = SearchEvent.objects.filter(created_at__gte=since, created_at__lt=until)
    if language:
        events = events.filter(language=language)
    if source:
        events = events.filter(source=source)
    totals = events.aggregate(
        searches=Count("id", distinct=True),
        zero=Count("id", filter=Q(results=0), distinct=True),
        clicked=Count("id", filter=Q(clicks__isnull=False), distinct=True),
    )
    top = [
        QueryRow(**row)
        for row in events.values("query", "language")
        .annotate(
            searches=Count("id", distinct=True),
            clicked=Count("id", filter=Q(clicks__isnull=False), distinct=True),
            avg_results=Avg("results"),
            last=Max("created_at"),
        )
        .order_by("-searches", "query")[:limit]
    ]
    no_results = [
        QueryRow(**row)
        for row in events.filter(results=0)
        .values("query", "language")
        .annotate(searches=Count("id"), last=Max("created_at"))
        .order_by("-searches", "-last")[:limit]
    ]
    return SearchReport(
        searches=totals["searches"],
        zero=totals["zero"],
        clicked=totals["clicked"],
        top=top,
        no_results=no_results,
    )
